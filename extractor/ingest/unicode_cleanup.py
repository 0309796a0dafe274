"""Targeted Unicode clean-up for text pulled out of PDFs.

NFKC is deliberately NOT used: it folds superscript digits ("²" → "2"), which
would glue citation markers onto words. Instead a fixed table replaces only
what PDF text layers get wrong:

* ligatures ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ → their letters;
* NBSP, thin/narrow/figure and other Unicode spaces → " ";
* soft hyphen U+00AD, zero-width characters, BOM → removed;
* pdfium's line-end hyphen markers U+FFFE / U+0002 → "-" (the caller decides
  whether a line-end hyphen is kept or joined);
* micro sign U+00B5 → Greek mu U+03BC ("µg" and "μg" spelled one way);
* mathematical alphanumeric letters (𝑃, 𝐀, …, U+1D400–U+1D7FF) → plain letters
  and digits, so "𝑃 < 0.05" reads "P < 0.05";
* en/em dashes, minus sign, superscripts and subscripts are KEPT.

``to_superscript`` and ``footnote_letters`` spell raised citation digits and
raised footnote letters as Unicode superscripts (used by ``pdf_layout``).
"""

from __future__ import annotations

import re
import unicodedata

_TABLE: dict[int, str] = {
    0xFB00: "ff",
    0xFB01: "fi",
    0xFB02: "fl",
    0xFB03: "ffi",
    0xFB04: "ffl",
    0xFB05: "st",
    0xFB06: "st",
    0x00A0: " ",
    0x1680: " ",
    0x202F: " ",
    0x205F: " ",
    0x3000: " ",
    0x00AD: "",
    0x200B: "",
    0x200C: "",
    0x200D: "",
    0x2060: "",
    0xFEFF: "",
    0xFFFE: "-",
    0x0002: "-",
    0x00B5: "\u03bc",
    0x2010: "-",  # Unicode hyphen → ASCII hyphen-minus
    0x2011: "-",  # non-breaking hyphen
}
_TABLE.update({cp: " " for cp in range(0x2000, 0x200B)})  # en quad … hair space

# the chars _TABLE replaces: found by one regex scan, each replaced where it stands
# (str.translate with a dict looks every char of non-ASCII text up, 4x slower)
_REPLACED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")
_MATH_ALNUM = re.compile("[\U0001d400-\U0001d7ff]")
_CONTROL = re.compile("[\x00\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _math_char(m: re.Match[str]) -> str:
    folded = unicodedata.normalize("NFKC", m.group(0))
    return folded if len(folded) == 1 else m.group(0)


def _replacement(m: re.Match[str]) -> str:
    return _TABLE[ord(m.group())]


def clean_text(text: str) -> str:
    """Apply the targeted replacements described in the module docstring."""
    text = _REPLACED.sub(_replacement, text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if _MATH_ALNUM.search(text):
        text = _MATH_ALNUM.sub(_math_char, text)
    return text


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_CITATION_RUN = re.compile(r"^[0-9][0-9,\u2013\-\u2212 ]*$")


def to_superscript(marker: str) -> str | None:
    """A citation-like superscript run ("3", "4,5", "3–5") in Unicode superscripts.

    Returns None when ``marker`` is not a numeric citation run, so the caller
    can keep other raised text (units like "m²", "R−") as it is.
    """
    marker = marker.strip()
    if not marker or not _CITATION_RUN.match(marker):
        return None
    # digits become superscript digits; separators stay ("³–⁵", "⁴,⁵")
    return marker.replace(" ", "").replace("-", "\u2013").translate(_SUPERSCRIPT)


# Unicode modifier letters for a-z (no superscript "q" exists in common fonts)
_LETTER_SUPERSCRIPT = dict(zip("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"))
_ORDINALS = {"st", "nd", "rd", "th"}


def footnote_letters(marker: str, before: str) -> str | None:
    """A raised lower-case letter after a number, a word or punctuation — a
    table footnote mark ("28ᵇ", "Overallᵃ", "response.ᵃ") — or an ordinal
    suffix after a number ("1ˢᵗ"), in Unicode modifier letters, so that it can
    never read as a word or a unit ("1 <sup>g</sup>" must not become the dose
    "1 g"). ``before`` is the text the mark follows. None otherwise: a letter
    raised after a single letter ("K i", "λ em") is more likely an index or a
    subscript the PDF placed oddly, and stays as it is.
    """
    marker = marker.strip()
    before = before.rstrip()
    if not before or not marker.isascii() or not marker.isalpha() or not marker.islower():
        return None
    if len(marker) == 2:
        if marker not in _ORDINALS or not before[-1].isdigit():
            return None
    elif len(marker) != 1 or marker not in _LETTER_SUPERSCRIPT:
        return None
    last = re.search(r"(\w+)$", before)
    if last and last.group(1).isalpha() and len(last.group(1)) < 2:
        return None
    if not last and before[-1] not in ".,;:)]*†‡":
        return None
    return "".join(_LETTER_SUPERSCRIPT[c] for c in marker)
