"""The tokenizer: scispaCy's rule tokenizer behind a same-length copy of the text.

spaCy's tokenizer runs far slower on text full of ``\\n``, and citation markup
("mm.<sup>2</sup>", "improved.^4^") glues numbers to words. The tokenizer gets a
copy with those blanked, of the same length, so every token offset is an
offset of the original string; the original stays in ``doc._.raw_text``.
``nlp(text)`` and ``nlp.make_doc(text)`` both go through it.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from extractor.nlp import extensions  # noqa: F401  (declares doc._.raw_text)
from extractor.text.markup import blank_tags

TOKENIZER_NAME = "sts_tokenizer_v1"
# blanked for the tokenizer; each replaced with str.replace when present (a fast scan), where
# str.translate looks every character of a non-ASCII text up in a dict
_BLANKED_FOR_SPACY = "\n\r\t\x0b\x0c^{}"
# superscript citation markers ("tissue.¹", "UR.ᵇ"), but not unit powers ("mg/m²", "cm²"): the
# marker first, so the scan looks for it, then the look-behind (width 2: "m" or "M" and the marker)
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"
_SUPERSCRIPT_MARKER = re.compile(rf"[{_SUPERSCRIPTS}](?<![mM][{_SUPERSCRIPTS}])")
UNIT_WORDS_WITH_STOP = ("mL", "ml", "mg", "gm", "g", "cm", "mm", "kg", "mcg")
# special cases that give the tokens affix splitting gives anyway: " " (the extra space of a run,
# which every blanked line break makes) is one token " " either way. As a special it makes spaCy
# stop caching the rest of the Doc's chunks and its special-case matcher build a Span per run.
REDUNDANT_SPECIALS = (" ",)


def spacy_text(text: str) -> str:
    """Same-length copy of ``text`` for the tokenizer: no line breaks or tabs,
    and markup (``<sup>``, ``<jats:p>``, ``^{3,4}``, ``^3^``, superscript digits)
    blanked so "mm.<sup>2</sup>", "improved.^4^" and "application.⁵" split into words."""
    text = blank_tags(text)
    if not text.isascii() and any(marker in text for marker in _SUPERSCRIPTS):  # str.find, not a regex scan
        text = _SUPERSCRIPT_MARKER.sub(" ", text)
    for character in _BLANKED_FOR_SPACY:
        if character in text:
            text = text.replace(character, " ")
    return text


def raw_text(doc: Doc) -> str:
    """The original text (``doc.text`` has line breaks blanked)."""
    raw = doc._.raw_text
    return raw if raw is not None else doc.text


class OffsetTokenizer:
    """Tokenizes the same-length copy and keeps the original in ``doc._.raw_text``.

    Its settings are code (scispaCy's rules plus :func:`_adapt`), rebuilt from
    the registered name when a saved pipeline loads; to_disk writes that name."""

    # chunks (space-separated strings) whose tokens spaCy's cache holds, at most
    CACHED_CHUNKS = 500_000

    def __init__(self, inner: Tokenizer) -> None:
        self.inner = inner
        inner.max_cache_size = 2 * self.CACHED_CHUNKS
        self._seen: set[str] = set()

    def __call__(self, text: str) -> Doc:
        flat = spacy_text(text)
        self._warm(flat)
        doc = self.inner(flat)
        doc._.raw_text = text
        return doc

    def _warm(self, flat: str) -> None:
        """Put the text's new chunks into spaCy's tokenizer cache first.

        spaCy caches a chunk's tokens only while no special case ("al.",
        "and/or", "e.g.") has occurred earlier in the same Doc, so in those
        papers it would re-split the affixes of every later word on every
        call. Tokenizing the new chunks that hit no special case, joined by
        single spaces, fills the cache with exactly the tokens
        spaCy gives them; the text itself is then tokenized as before, mostly
        from the cache."""
        seen = self._seen
        if len(seen) >= self.CACHED_CHUNKS:
            return
        new = set(flat.split(" ")).difference(seen)
        seen.update(new)
        clean = [chunk for chunk in new if chunk.isprintable() and not self._meets_special(chunk)]
        if clean:
            self.inner(" ".join(sorted(clean)))

    def _meets_special(self, chunk: str) -> bool:
        """Whether spaCy's affix splitting of ``chunk`` reaches a special case
        (``Tokenizer._split_affixes`` step by step; an empty chunk counts)."""
        inner = self.inner
        specials = inner.rules or {}
        token_match = inner.token_match
        string = chunk
        last = -1
        while string and len(string) != last:
            if token_match is not None and token_match(string):
                break
            if string in specials:
                return True
            last = len(string)
            pre = inner.find_prefix(string)
            if pre and string[pre:] in specials:
                return True
            suf = inner.find_suffix(string[pre:])
            if suf and string[:-suf] in specials:
                return True
            if pre and suf and pre + suf <= len(string):
                string = string[pre:-suf]
            elif pre:
                string = string[pre:]
            elif suf:
                string = string[:-suf]
        return not string or string in specials

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "tokenizer.json").write_text(json.dumps({"tokenizer": TOKENIZER_NAME}) + "\n", encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> OffsetTokenizer:
        saved = json.loads((Path(path) / "tokenizer.json").read_text(encoding="utf-8"))
        if saved.get("tokenizer") != TOKENIZER_NAME:
            raise ValueError(f"{path}: saved with tokenizer {saved.get('tokenizer')!r}, not {TOKENIZER_NAME}")
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({"tokenizer": TOKENIZER_NAME}).encode()

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> OffsetTokenizer:
        return self


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_tokenizer() -> Callable[[Language], OffsetTokenizer]:
    def make(nlp: Language) -> OffsetTokenizer:
        from scispacy.custom_tokenizer import combined_rule_tokenizer

        # scispaCy's rules extend the language's default tokenizer (its URL and token matches)
        nlp.tokenizer = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            inner = combined_rule_tokenizer(nlp)
        _adapt(inner)
        return OffsetTokenizer(inner)

    return make


class TailSearch:
    """A ``$``-anchored suffix regex searched from near the end of the string.

    spaCy's tokenizer strips one affix at a time and searches the suffix regex
    over the whole remaining string each time, so a 6,000-character run of
    "(((("… costs 6,000 full scans (11 s). Every suffix alternative is at most
    ``TAIL`` characters wide except runs ("..+"); a search starting ``TAIL``
    characters before the end (look-behinds and ``^`` still see the whole
    string) finds the same match, and a match starting right at that point
    may reach further left, so the full search decides."""

    TAIL = 64

    def __init__(self, regex: re.Pattern) -> None:
        self.regex = regex
        self.__self__ = regex  # spaCy serializes the tokenizer via suffix_search.__self__.pattern

    def __call__(self, string: str) -> re.Match | None:
        start = len(string) - self.TAIL
        if start <= 0:
            return self.regex.search(string)
        match = self.regex.search(string, start)
        if match is not None and match.start() == start:
            return self.regex.search(string)
        return match


def _adapt(tokenizer: Tokenizer) -> None:
    """Split "thiosulfate—10", "calcinosis.2", "neonates.Purpose", "thiosulfate5", "thiosulfate(TST)", "1 mL." and "mL/session" so rules see
    the word, the number and the unit."""
    extra = (
        r"(?<=[A-Za-z])[—–](?=[0-9A-Za-z])|(?<=[a-z]{3})[.,](?=[0-9])"
        r"|(?<=[a-z]{3})\.(?=[A-Z][a-z])"  # a sentence glued to the next one, as scraped text loses the space
        r"|(?<=[A-Za-z])/(?=(?:session|day|week|dose|lesion|month|injection|d|wk|h)\b)"
        r"|(?<=[a-z]{2})\((?=[A-Za-z0-9<>≤≥])"  # "thiosulfate(TST)", "small(<3cm)": a bracket glued to a word
        r"|(?<=\d)(?=(?:cms|mms|mls|mg/ml|mg/mL)$)"  # "3cms" → "3", "cms"; "150mg/ml" → "150", "mg/ml"
    )
    current = tokenizer.infix_finditer.__self__.pattern
    tokenizer.infix_finditer = re.compile(f"{extra}|{current}").finditer
    unit_stops = "|".join(
        [rf"(?<=^{re.escape(unit)})\.$" for unit in UNIT_WORDS_WITH_STOP]
        + [r"(?<=/mL)\.$", r"(?<=/ml)\.$", r"(?<=/kg)\.$"]
    )
    # a reference or footnote number glued to a word, as scraped superscripts come: "intravenously1",
    # "thiosulfate5", "topical5,7" (the word stays a word; attribution reads the number as a marker)
    glued_marker = r"(?<=[a-z]{4})[0-9]{1,2}(?:,[0-9]{1,2})*$"
    suffix = tokenizer.suffix_search.__self__.pattern
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        tokenizer.suffix_search = TailSearch(re.compile(f"{unit_stops}|{glued_marker}|{suffix}"))
    rules = tokenizer.rules or {}
    # and "<3" is a size ("small(<3cm)"), not the heart emoticon of spaCy's special cases
    tokenizer.rules = {
        k: v
        for k, v in rules.items()
        if k.rstrip(".") not in UNIT_WORDS_WITH_STOP and k not in ("<3", "</3") and k not in REDUNDANT_SPECIALS
    }
