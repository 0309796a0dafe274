"""Character offsets of one text mapped onto another text with the same words.

Use: gold spans labelled on a corpus ``.txt`` moved onto the text ``read_pdf``
produced from a PDF rendered from that ``.txt``. The two texts carry the same
words but differ in whitespace (line and column breaks, tabs), markup
(``**bold**``, ``<sup>1</sup>`` → "¹", ``# `` headings), line-end hyphenation
("calcifi-" / "cation" kept or joined), ligatures and the odd dropped or
added character.

How: both texts are cut into tokens (runs of letters/digits, and single
other non-space characters), normalized (NFKC, lower case, so "ﬁ" = "fi" and
"¹" = "1"); ``difflib.SequenceMatcher`` (``autojunk=False``) aligns the token
sequences; inside equal tokens characters map one to one, and every region the
token alignment could not match (a hyphenated word, markup) is aligned again
character by character. Whitespace never takes part. A ~20k-character
document aligns in well under a second.

    mapping = align_offsets(corpus_text, pdf_text)
    mapping(1234)              # target offset of source char 1234, or None
    mapping.span(10, 25)       # (start, end) in target, or None
    project_gold(records, corpus_text, pdf_text)
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Sequence

_MAX_CHAR_ALIGN = 40_000_000  # chars × chars of one region aligned char by char
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_", re.UNICODE)


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def _tokens(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    keys: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        keys.append(_norm(m.group(0)))
        spans.append(m.span())
    return keys, spans


def _norm_chars(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[int]]:
    """Normalized characters of the token spans, each with its original offset.

    A character whose normalized form is longer ("ﬁ" → "fi") yields several
    normalized characters that all point to it.
    """
    chars: list[str] = []
    where: list[int] = []
    for s, e in spans:
        for i in range(s, e):
            for c in _norm(text[i]):
                chars.append(c)
                where.append(i)
    return chars, where


class Alignment:
    """Offsets of ``source`` mapped onto ``target`` (see module doc)."""

    def __init__(self, source: str, target: str) -> None:
        self.source = source
        self.target = target
        # src char offset -> tgt char offset, for the non-space chars that matched
        self._map: dict[int, int] = {}
        src_keys, src_spans = _tokens(source)
        tgt_keys, tgt_spans = _tokens(target)
        matcher = difflib.SequenceMatcher(None, src_keys, tgt_keys, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    self._map_chars(src_spans[i1 + k : i1 + k + 1], tgt_spans[j1 + k : j1 + k + 1], exact=True)
            elif tag == "replace":
                self._map_chars(src_spans[i1:i2], tgt_spans[j1:j2], exact=False)
        self._mapped = sorted(self._map)

    def _map_chars(self, src_spans, tgt_spans, *, exact: bool) -> None:
        a, a_at = _norm_chars(self.source, src_spans)
        b, b_at = _norm_chars(self.target, tgt_spans)
        blocks: Sequence[tuple[int, int, int]]  # (i, j, n) as difflib's Match
        if exact and len(a) == len(b):
            blocks = [(0, 0, len(a))]
        elif len(a) * len(b) > _MAX_CHAR_ALIGN:
            return  # a huge unmatched region (text the other side lacks): leave it unmapped
        else:
            blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
        for i, j, n in blocks:
            for k in range(n):
                self._map.setdefault(a_at[i + k], b_at[j + k])

    def __call__(self, offset: int) -> int | None:
        """Target offset of the source character at ``offset`` (None: no match)."""
        return self._map.get(offset)

    def coverage(self, start: int, end: int) -> float:
        """Share of the non-space source chars in ``start:end`` that map."""
        chars = [i for i in range(start, end) if not self.source[i].isspace()]
        if not chars:
            return 0.0
        return sum(1 for i in chars if i in self._map) / len(chars)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Target span of source ``start:end``: from the first mapped char to
        just after the last one (None when no char of the span maps, or the
        mapped chars are out of order)."""
        lo = bisect.bisect_left(self._mapped, start)
        hi = bisect.bisect_left(self._mapped, end) - 1
        if lo > hi:
            return None
        first = self._map[self._mapped[lo]]
        last = self._map[self._mapped[hi]]
        if last < first:
            return None
        return first, last + 1


def align_offsets(source: str, target: str) -> Alignment:
    """An :class:`Alignment` of ``source`` onto ``target`` (callable: offset → offset)."""
    return Alignment(source, target)


def project_gold(
    records: list[dict], source_text: str, target_text: str, *, alignment: Alignment | None = None
) -> list[dict]:
    """Gold records of ``source_text`` moved onto ``target_text``.

    Every record comes back (same order, copies) with ``start``/``end``/``text``
    pointing into the target and an ``align`` key: ``"exact"`` when every
    non-space char of the span mapped, ``"partial"`` when only some chars
    mapped (the span runs from the first to the last mapped char), or
    ``"lost"`` when none did — then ``start == end == -1`` and ``text`` is
    empty, so the record can only ever count as a miss.
    """
    mapping = alignment or align_offsets(source_text, target_text)
    out: list[dict] = []
    for record in records:
        rec = dict(record)
        start, end = int(record["start"]), int(record["end"])
        span = mapping.span(start, end)
        if span is None:
            rec.update(start=-1, end=-1, text="", align="lost")
        else:
            s, e = span
            cov = mapping.coverage(start, end)
            rec.update(start=s, end=e, text=target_text[s:e], align="exact" if cov == 1.0 else "partial")
        out.append(rec)
    return out


__all__ = ["Alignment", "align_offsets", "project_gold"]
