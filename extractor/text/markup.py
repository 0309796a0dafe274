"""Markup left in scraped text: HTML and JATS tags.

Scraped records keep tags ("<jats:title>Abstract</jats:title><jats:p>We
treated ..."). Offsets must point into the original file, so tags are never
removed: the structure reader sees a same-length copy where a block tag
(paragraph, title, list item, table row, line break) is a line end and any
other unknown tag is blank, and the tokenizer sees every tag blanked. The
inline tags the rest of the code reads as citation markup (``<sup>``,
``<i>``, ...) stay in the structure view.
"""

from __future__ import annotations

import re

TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?::[A-Za-z][-A-Za-z0-9_.]*)?(?:\s[^<>]{0,300})?/?>")
_NAME = re.compile(r"</?(?:[A-Za-z][A-Za-z0-9]*:)?([A-Za-z][-A-Za-z0-9_.]*)")
INLINE_KEPT = frozenset({"sup", "sub", "i", "b", "em", "strong", "sc"})
BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "hr",
        "li",
        "list-item",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "title",
        "article-title",
        "sec",
        "section",
        "abstract",
        "trans-abstract",
        "caption",
        "label",
        "table",
        "tr",
        "thead",
        "tbody",
        "blockquote",
        "article",
        "header",
        "footer",
        "body",
        "html",
        "head",
        "ref",
        "fn",
    }
)


def tag_name(tag: str) -> str:
    """The local name of a tag, lower case ("</jats:p>" -> "p")."""
    match = _NAME.match(tag)
    return match.group(1).lower() if match else ""


def structure_view(text: str) -> str:
    """Same-length copy for the structure reader: block tags end a line, other
    unknown tags are blank, the kept inline tags stay."""
    if "<" not in text:
        return text

    def replace(match: re.Match) -> str:
        tag = match.group(0)
        name = tag_name(tag)
        if name in INLINE_KEPT:
            return tag
        if name in BLOCK:
            return "\n" + " " * (len(tag) - 1)
        return " " * len(tag)

    return TAG.sub(replace, text)


def blank_tags(text: str) -> str:
    """Same-length copy with every tag blanked (for the tokenizer)."""
    if "<" not in text:
        return text
    return TAG.sub(lambda m: " " * len(m.group(0)), text)
