"""Page geometry → lines in reading order (pdfium text layer, no rendering).

Pipeline for one page:

1. ``page_fragments``: pdfium's text in stream order is cut at its own line
   breaks; each pdfium line is measured with ``FPDFText_CountRects`` (one rect
   per text object, cheap). A line made of one text object that stays on one
   side of the page centre is taken whole; other lines are measured char by
   char (loose boxes) and cut into *fragments* wherever the horizontal gap is
   wider than a word space (column gutter, table cell) or the text jumps back
   or to another baseline. Raised, smaller runs of digits are marked as
   superscripts (citation markers).
2. ``layout_page``: a gutter is searched as the x position crossed by the fewest
   fragments with body lines ending just left of it and starting just right of
   it. Fragments crossing the gutter are full-width (titles, abstracts, wide
   tables, captions); the others are left/right column fragments. Walking top
   to bottom, each run of column fragments between two full-width fragments
   is a band, read left column first, then right column. Fragments of one
   column sharing a baseline form one row (table cells joined by a tab).
   Rows of a table set across both columns (cells on both sides of the
   gutter, the right ones not starting at the right column's edge) are taken
   out of the column split and kept whole.
3. ``_tables``: runs of rows become tables: cells are put into the table's
   columns (empty cells kept), and the lines of wrapped cells (set tighter
   than the rows, first column empty) are merged into their row.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import math
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pypdfium2.raw as pdfium_c

from extractor.ingest.unicode_cleanup import clean_text, footnote_letters, to_superscript


@dataclass
class Frag:
    """A horizontal run of text on one visual line (top-down coordinates)."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    size: float = 0.0  # font height: a char's loose box (ascent to descent), 0 if unknown

    @property
    def height(self) -> float:
        return self.bottom - self.top


_left_edge = operator.attrgetter("x0")


@dataclass
class Line:
    """An output line: one row of fragments in one column (or full width)."""

    frags: list[Frag]
    column: str  # "F" full width, "L", "R"
    band: int
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    text: str = ""
    cells: list[str] = field(default_factory=list)
    cell_spans: list[tuple[float, float]] = field(default_factory=list)

    def finish(self) -> Line:
        frags = self.frags
        if len(frags) == 1:
            f = frags[0]
            self.x0, self.x1, self.top, self.bottom = f.x0, f.x1, f.top, f.bottom
            self.cells, self.cell_spans, self.text = [f.text], [(f.x0, f.x1)], f.text
            return self
        frags.sort(key=_left_edge)
        self.x0 = frags[0].x0  # the smallest, after the sort
        self.x1 = max([f.x1 for f in frags])
        self.top = min([f.top for f in frags])
        self.bottom = max([f.bottom for f in frags])
        h = max([f.bottom - f.top for f in frags])
        cells: list[str] = []
        spans: list[list[float]] = []
        prev: Frag | None = None
        for f in frags:
            if prev is not None and f.x0 - prev.x1 < 1.2 * h and cells:
                cells[-1] = cells[-1] + " " + f.text
                spans[-1][1] = max(spans[-1][1], f.x1)
            else:
                cells.append(f.text)
                spans.append([f.x0, f.x1])
            prev = f
        self.cells = cells
        self.cell_spans = [(a, b) for a, b in spans]
        self.text = "\t".join(cells)
        return self

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def is_row(self) -> bool:
        return len(self.cells) > 1


# --------------------------------------------------------------------------
# 1. fragments from pdfium


def _bare(function: Any, restype: Any = ctypes.c_int) -> Callable[..., Any]:
    """``function`` called without pypdfium2's argument conversions.

    Checking and converting the arguments against the declared types costs
    more than pdfium's own work for a char box (2.0 µs a call, 0.7 µs
    without). The callers pass the handle, ints and pointers that ctypes
    passes as they are by default; with no declared argument types the call
    is an ordinary (not a variadic) C call.
    """
    address = ctypes.cast(function, ctypes.c_void_p).value
    if address is None:
        raise ImportError(f"pdfium has no {function!r}")
    return ctypes.CFUNCTYPE(restype)(address)


_loose_box = _bare(pdfium_c.FPDFText_GetLooseCharBox)
_unicode = _bare(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
_char_angle = _bare(pdfium_c.FPDFText_GetCharAngle, ctypes.c_float)
_count_rects = _bare(pdfium_c.FPDFText_CountRects)
_get_rect = _bare(pdfium_c.FPDFText_GetRect)
_count_chars = _bare(pdfium_c.FPDFText_CountChars)
_text_index = _bare(pdfium_c.FPDFText_GetTextIndexFromCharIndex)
_get_text = _bare(pdfium_c.FPDFText_GetText)
_rect = pdfium_c.FS_RECTF()
_rect_p = ctypes.byref(_rect)
_dl, _dr, _db, _dt = (ctypes.c_double() for _ in range(4))
_dl_p, _dr_p, _db_p, _dt_p = (ctypes.byref(v) for v in (_dl, _dr, _db, _dt))


_NO_CODE_POINT = re.compile("[\x00\ud800-\udfff]")


def _text_range(raw, n: int) -> str:
    """pdfium's text of the page's ``n`` chars, as pypdfium2's ``get_text_range`` reads it.

    Excluded chars at either end are left out of the range asked for (pdfium
    may read past the range otherwise: crbug.com/pdfium/2079).
    """
    first, last = 0, n - 1
    while first <= last and _text_index(raw, first) == -1:
        first += 1
    while first <= last and _text_index(raw, last) == -1:
        last -= 1
    if first > last:
        return ""
    size = _text_index(raw, last) + 2 - _text_index(raw, first)
    buffer = (ctypes.c_ushort * size)()
    written = _get_text(raw, first, last - first + 1, buffer)
    return ctypes.string_at(buffer, 2 * max(written - 1, 0)).decode("utf-16-le", "ignore")


def _page_text(raw, n: int) -> str:
    """The page's text with one str char per pdfium char."""
    text = _text_range(raw, n)
    if len(text) == n:
        return text
    # non-BMP chars (two surrogate chars in pdfium) or excluded chars: rebuild
    # char by char, a char that is no code point as U+FFFD
    codes = list(map(_unicode, itertools.repeat(raw, n), range(n)))
    if max(codes) < 0x110000:
        return _NO_CODE_POINT.sub("\ufffd", "".join(map(chr, codes)))
    return "".join(chr(cp) if 0 < cp < 0x110000 and not 0xD800 <= cp < 0xE000 else "\ufffd" for cp in codes)


_RECT_SIZE = ctypes.sizeof(pdfium_c.FS_RECTF)


class _BoxBuffer:
    """One reused array of char boxes with a ready pointer to each slot (grown on demand)."""

    def __init__(self) -> None:
        self.size = 0
        self.pointers: list = []
        self.data = memoryview(b"")
        self.floats = self.data.cast("f")
        self._array: ctypes.Array | None = None

    def fit(self, n: int) -> None:
        if n <= self.size:
            return
        size = max(n, 2 * self.size, 1024)
        array = (pdfium_c.FS_RECTF * size)()
        self.pointers = [ctypes.byref(array, k * _RECT_SIZE) for k in range(size)]
        self.data = memoryview(array).cast("B")
        self.floats = self.data.cast("f")
        self._array, self.size = array, size


_boxes = _BoxBuffer()


def _fetch_boxes(raw, indices: Iterable[int], n: int) -> np.ndarray:
    """Loose boxes of the ``n`` chars ``indices`` into the box buffer, in one
    pass; a success flag per char (the floats: ``_boxes.floats``, four per char)."""
    _boxes.fit(n)
    return np.fromiter(map(_loose_box, itertools.repeat(raw, n), indices, _boxes.pointers), dtype=bool, count=n)


_SPACE, _ZWSP = 0x20, 0x200B


def _cut_lines(raw, text: str, spans: list[tuple[int, int]], H: float) -> list[list[Frag]]:
    """Measure the chars of the lines ``spans`` (start, end) and cut each line into fragments.

    A line is cut wherever the horizontal gap is wider than a word space, the
    text jumps back, or moves to another baseline or size (``_run_starts``);
    runs are then merged into fragments (``_merge_runs``). The whole page is
    measured in one pass, spaces and zero-width spaces not at all (their
    boxes never count).
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    wanted = np.zeros(len(codes), dtype=bool)
    for i, j in spans:
        wanted[i:j] = True
    wanted &= (codes != _SPACE) & (codes != _ZWSP)
    index = np.flatnonzero(wanted)
    n = len(index)
    found = _fetch_boxes(raw, index.tolist(), n)
    quads = np.frombuffer(_boxes.data, dtype=np.float32, count=4 * n).reshape(n, 4).astype(np.float64)
    x0, t, x1, b = quads[:, 0], quads[:, 1], quads[:, 2], quads[:, 3]
    # a char without a box, or with an empty one, is left out
    measured = found & ~((x1 - x0 <= 0.01) & (t - b <= 0.01))
    pos = index[measured]
    x0, t, x1, b = x0[measured], t[measured], x1[measured], b[measured]
    lines: list[list[Frag]] = [[] for _ in spans]
    if not len(pos):
        return lines
    line_starts = np.array([i for i, _j in spans])
    line_of = np.searchsorted(line_starts, pos, side="right") - 1
    first = np.ones(len(pos), dtype=bool)
    first[1:] = line_of[1:] != line_of[:-1]
    starts = np.flatnonzero(_run_starts(x0, x1, b, t - b, first))
    offsets = pos[starts].tolist()
    run_lines = line_of[starts].tolist()
    # a run's text: the line from its first measured char to the next run's
    # (spaces and unmeasured chars after its last measured char included)
    ends = offsets[1:] + [0]
    for k, (line, nxt) in enumerate(zip(run_lines, run_lines[1:] + [-1])):
        if line != nxt:
            ends[k] = spans[line][1]
    lost = index[~found].tolist()
    if lost or "\u200b" in text:
        # a char pdfium gives no box (and a zero-width space) is no part of the text
        dropped = set(lost)
        dropped.update(m.start() for m in re.finditer("\u200b", text))
        texts = [
            "".join(ch for p, ch in enumerate(text[a:e], a) if p not in dropped)
            if dropped.intersection(range(a, e))
            else text[a:e]
            for a, e in zip(offsets, ends)
        ]
    else:
        texts = [text[a:e] for a, e in zip(offsets, ends)]
    runs = list(
        zip(
            x0[starts].tolist(), np.maximum.reduceat(x1, starts).tolist(), b[starts].tolist(), t[starts].tolist(), texts
        )
    )
    # runs of one line: from a run to the next line's first
    bounds = [0, *(np.flatnonzero(np.diff(line_of[starts])) + 1).tolist(), len(runs)]
    for a, e in zip(bounds, bounds[1:]):
        if e - a == 1:
            rx0, rx1, rb, rt, raw_s = runs[a]
            s = raw_s.strip()
            if s:  # one run: one fragment
                lines[run_lines[a]].append(Frag(rx0, rx1, H - rt, H - rb, s, rt - rb))
        else:
            _merge_runs(runs[a:e], H, lines[run_lines[a]])
    return lines


def _run_starts(x0: np.ndarray, x1: np.ndarray, b: np.ndarray, h: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Where runs of chars on one baseline and size start (``first``: a line's first char).

    A char continues the run of the char before it when its baseline and
    height are within 0.15 of the run's first char's height of that char's,
    it does not step back more than 0.05 of that height (the chars of a
    ligature share one box), and its left edge is less than 0.8 of that height
    right of the run's right edge so far (word spaces are pdfium's own
    chars). Each char's test depends on where its run started: the starts are
    the fixed point of ``starts = rule(starts)``, reached from each char
    tested against the one before it in a few array passes (a start found by
    the rule is right once all earlier ones are); a page where that takes
    long is done char by char.
    """
    n = len(x0)
    if n < 2:
        return first.copy()
    x0_next, x0_prev, b_next, h_next = x0[1:], x0[:-1], b[1:], h[1:]
    starts = first.copy()
    starts[1:] |= _breaks(x0_next, x0_prev, b_next - b[:-1], h_next, h[:-1], x1[:-1])
    every = np.arange(n)
    for _ in range(6):
        run_start = np.maximum.accumulate(every * starts)[:-1]
        # the run's right edge so far: the x1 before when x1 never falls back in a run
        if ((x1[1:] >= x1[:-1]) | starts[1:]).all():
            right = x1[:-1]
        else:
            right = _running_max(x1, starts)[:-1]
        found = first.copy()
        found[1:] |= _breaks(x0_next, x0_prev, b_next - b[run_start], h_next, h[run_start], right)
        if not (found ^ starts).any():
            return starts
        starts = found
    return _run_starts_by_char(x0.tolist(), x1.tolist(), b.tolist(), h.tolist(), first.tolist())


def _breaks(
    x0: np.ndarray, x0_prev: np.ndarray, db: np.ndarray, h: np.ndarray, run_h: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Chars that do not continue their run (``_run_starts``'s rule; ``db``: baseline minus the run's)."""
    tol = 0.15 * run_h
    return ~(
        (np.abs(db) < tol) & (np.abs(h - run_h) < tol) & (x0 >= x0_prev - 0.05 * run_h) & (x0 - right < 0.8 * run_h)
    )


def _running_max(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The largest of ``values`` so far in each run (runs begin where ``starts``)."""
    unique, rank = np.unique(values, return_inverse=True)
    # ranks offset by the run number: the running maximum never reaches back into an earlier run
    offset = np.cumsum(starts) * len(unique)
    return unique[np.maximum.accumulate(rank + offset) - offset]


def _run_starts_by_char(
    x0: list[float], x1: list[float], b: list[float], h: list[float], first: list[bool]
) -> np.ndarray:
    """``_run_starts`` one char after the other (the rule as it reads)."""
    starts = []
    run_b = run_h = last_x0 = right = 0.0
    for cx0, cx1, cb, ch, new_line in zip(x0, x1, b, h, first):
        tol = 0.15 * run_h
        if (
            not new_line
            and -tol < cb - run_b < tol
            and -tol < ch - run_h < tol
            and cx0 >= last_x0 - 0.05 * run_h
            and cx0 - right < 0.8 * run_h
        ):
            right = max(right, cx1)
            starts.append(False)
        else:
            run_b, run_h, right = cb, ch, cx1
            starts.append(True)
        last_x0 = cx0
    return np.array(starts, dtype=bool)


def _merge_runs(runs: list[tuple[float, float, float, float, str]], H: float, out: list[Frag]) -> None:
    """A line's runs (x0, x1, bottom, top, text) as fragments: a smaller raised run next to a line is a superscript."""
    # [x0, x1, b, t, text, h_main, b_main, {run height: chars}]
    frag: list | None = None
    last_raised = False
    for x0, x1, b, t, raw_s in runs:
        s = raw_s.strip()
        if not s:
            continue
        spaced = raw_s[:1] == " " or (frag is not None and frag[4][-1:] == " ")
        h = t - b
        if frag is not None:
            hm, bm = frag[5], frag[6]
            gap = x0 - frag[1]
            big = max(hm, h)
            vert_overlap = min(t, frag[3]) - max(b, frag[2]) > 0.3 * min(h, hm)
            if vert_overlap and -0.5 * big < gap < 0.8 * big:
                raised = h < 0.85 * hm and b > bm + 0.2 * hm
                lowered_main = hm < 0.85 * h and bm > b + 0.2 * h
                if raised:
                    sup = to_superscript(s) or footnote_letters(s, frag[4])
                    if sup is not None:
                        s = sup
                        frag[4] = frag[4].rstrip()
                        spaced = False
                    elif frag[4].rstrip()[-1:].isalpha():
                        spaced = True  # other raised text after a word: own token
                elif lowered_main:
                    # the previous run was the raised one: start the main line
                    frag[5], frag[6] = h, b
                    sup = to_superscript(frag[4]) or footnote_letters(frag[4], "")
                    if sup is not None:
                        frag[4] = sup
                        spaced = False
                    elif s[:1].isalpha():
                        spaced = True
                elif last_raised and s[:1].isalnum():
                    spaced = True  # "response.ᵃ Patients", not "response.ᵃPatients"
                last_raised = raised and s[:1] not in "⁰¹²³⁴⁵⁶⁷⁸⁹"
                if not spaced and frag[4][-1:] != " " and gap > 0.25 * big:
                    spaced = True  # pdfium gave no space across a clear gap
                frag[4] = frag[4].rstrip() + (" " if spaced else "") + s
                if raw_s.endswith(" "):
                    frag[4] += " "
                frag[1] = max(frag[1], x1)
                frag[2] = min(frag[2], b)
                frag[3] = max(frag[3], t)
                frag[7][h] = frag[7].get(h, 0) + len(s)
                continue
            out.append(Frag(frag[0], frag[1], H - frag[3], H - frag[2], frag[4], _most_chars(frag[7])))
        frag = [x0, x1, b, t, s, h, b, {h: len(s)}]
        last_raised = False
    if frag is not None:
        out.append(Frag(frag[0], frag[1], H - frag[3], H - frag[2], frag[4], _most_chars(frag[7])))


def _most_chars(sizes: dict[float, int]) -> float:
    """The font height most of a fragment's chars have (a symbol or superscript aside)."""
    return max(sizes.items(), key=lambda item: item[1])[0]


def _rotated(raw, text: str, start: int, end: int) -> bool:
    """The line is set at an angle (margin stamps, chart axis titles).

    Measured char by char, vertical text would fall apart into one-letter
    fragments that land in the reading order ("l", "c", ".", "w" before each
    line of a page); it is not part of the running text.
    """
    k = start
    while k < end and text[k] == " ":
        k += 1
    return k < end and math.cos(_char_angle(raw, k)) < 0.95


def _char_size(raw, text: str, start: int, end: int) -> float:
    """Font height of a line taken whole: the loose box of its middle char.

    The loose box spans the font's ascent to descent whatever the glyph, so
    a line without descenders measures as tall as any other line of its
    font (the tight text-object rect does not); pdfium's own font size is
    often 1 (size set in the text matrix) and cannot be used.
    """
    k = (start + end) // 2
    while k < end and text[k] == " ":
        k += 1
    if k >= end or not _loose_box(raw, k, _rect_p):
        return 0.0
    return _rect.top - _rect.bottom


_PDFIUM_LINE = re.compile(r"[^\r\n]+")  # pdfium ends each line it finds with "\r\n"


def page_fragments(raw, width: float, height: float) -> list[Frag]:
    """All text fragments of a page (``raw``: its pdfium text page handle), cleaned, in stream order."""
    n = _count_chars(raw)
    if n <= 0:
        return []
    text = _page_text(raw, n)
    if any(accent in text for accent in _ACCENTS):
        text = _compose_accents(raw, text)
    # each pdfium line: a fragment taken whole, or (an int) the index of a line to cut
    taken: list[Frag | int] = []
    cut: list[tuple[int, int]] = []
    mid = width / 2
    for line in _PDFIUM_LINE.finditer(text):
        i, j = line.span()
        nr = _count_rects(raw, i, j - i)
        if nr == 1:
            _get_rect(raw, 0, _dl_p, _dt_p, _dr_p, _db_p)
            x0, x1, t, b = _dl.value, _dr.value, _dt.value, _db.value
            s = line.group().strip()
            if s and not (x0 < mid - 4 < mid + 4 < x1) and (t - b) < 40:
                taken.append(Frag(x0, x1, height - t, height - b, s, _char_size(raw, text, i, j)))
            elif s and not _rotated(raw, text, i, j):
                taken.append(len(cut))
                cut.append((i, j))
        elif nr > 1 and not _rotated(raw, text, i, j):
            taken.append(len(cut))
            cut.append((i, j))
    pieces = _cut_lines(raw, text, cut, height) if cut else []
    out: list[Frag] = []
    for item in taken:
        if isinstance(item, Frag):
            out.append(item)
        else:
            out.extend(pieces[item])
    # clean_text maps char by char and never makes a line break: one call per page
    for f, cleaned in zip(out, clean_text("\n".join(f.text for f in out)).split("\n")):
        f.text = cleaned.strip()
    out = [f for f in out if f.text and f.x1 > f.x0 and _is_horizontal(f)]
    return _attach_raised(out)


# spacing accents a typesetter places over a letter as a glyph of their own
_ACCENTS = {"˚": "\u030a", "¨": "\u0308", "´": "\u0301", "`": "\u0300", "ˆ": "\u0302", "˜": "\u0303", "ˇ": "\u030c"}
_ACCENT_CHARS = re.compile("[" + "".join(map(re.escape, _ACCENTS)) + "]")


def _compose_accents(raw, text: str) -> str:
    """An accent set as its own glyph over a letter joins that letter: "A" + "˚" → "Å".

    Left alone, the ring of "2.2 Å" is a stray "˚" beside the "A" that splits
    its line into two cells. The letter is the char pdfium finds just under
    the accent's centre, its glyph top just below the accent; it takes the
    accent only if it has a precomposed form. The
    accent becomes a zero-width space (one str char per pdfium char kept;
    ``clean_text`` drops it).
    """
    chars = list(text)
    n = len(text)
    box = pdfium_c.FPDFText_GetCharBox
    at = pdfium_c.FPDFText_GetCharIndexAtPos
    for accent in _ACCENT_CHARS.finditer(text):
        i, ch = accent.start(), accent.group()
        if not box(raw, i, _dl_p, _dr_p, _db_p, _dt_p):
            continue
        centre, bottom, size = (_dl.value + _dr.value) / 2, _db.value, _dt.value - _db.value
        if size <= 0:
            continue
        k = at(raw, centre, bottom - 1.5 * size, 0.5 * size, 1.5 * size)
        if not (0 <= k < n and k != i and text[k].isalpha() and box(raw, k, _dl_p, _dr_p, _db_p, _dt_p)):
            continue
        h = _dt.value - _db.value
        if _dl.value - 0.5 <= centre <= _dr.value + 0.5 and _dt.value - 0.35 * h <= bottom <= _dt.value + h:
            base = "i" if text[k] == "ı" else text[k]  # a dotless i takes the accent as "í"
            composed = unicodedata.normalize("NFC", base + _ACCENTS[ch])
            if len(composed) == 1:
                chars[k], chars[i] = composed, "\u200b"
                # inside a word, the spaces pdfium generated around the accent go too
                for a, b in ((i - 1, i - 2), (i + 1, i + 2)):
                    if (
                        0 <= b < n
                        and text[a] == " "
                        and text[b].isalpha()
                        and pdfium_c.FPDFText_IsGenerated(raw, a) == 1
                    ):
                        chars[a] = "\u200b"
    return "".join(chars)


_BAND = 8.0  # pt: the height of the bands in which ``_attach_raised`` looks for a superscript's fragment


def _attach_raised(frags: list[Frag]) -> list[Frag]:
    """A small raised fragment right after another one is its superscript.

    pdfium sometimes puts a raised run on a line of its own ("1\r\ng" for
    "1" with a raised footnote "g"); ``_cut_lines`` never sees the two
    together then. A citation number or footnote letter so found is attached
    to the fragment it follows, spelled in Unicode superscripts ("1ᵍ",
    "calcinosis.³"); other raised text is left alone.
    """
    small = [f for f in frags if len(f.text) <= 12]
    if not small:
        return frags
    # a fragment takes a superscript whose bottom lies within its own height:
    # only the fragments spanning the 8-pt band of that bottom are tried
    bands: dict[int, list[int]] = {}
    for k, b in enumerate(frags):
        for y in range(int(b.top // _BAND), int(b.bottom // _BAND) + 1):
            bands.setdefault(y, []).append(k)
    drop: set[int] = set()
    for s in small:
        if to_superscript(s.text) is None and not s.text.isalpha():
            continue
        best: Frag | None = None
        best_k = -1
        for k in sorted(set(bands.get(int(s.bottom // _BAND), ()))):
            b = frags[k]
            if b is s or id(b) in drop:
                continue
            h = b.height
            gap = s.x0 - b.x1
            if not (-0.5 * h < gap < 0.8 * h):
                continue
            raised = s.bottom < b.bottom - 0.2 * h and s.top <= b.top + 0.15 * h
            if s.height < 0.85 * h and raised and s.bottom > b.top:
                if best is None or abs(gap) < abs(s.x0 - best.x1):
                    best, best_k = b, k
        sup = None if best is None else to_superscript(s.text) or footnote_letters(s.text, best.text)
        if best is not None and sup is not None:
            best.text = best.text.rstrip() + sup
            best.x1 = max(best.x1, s.x1)
            for y in range(int(s.top // _BAND), int(best.top // _BAND)):
                bands.setdefault(y, []).append(best_k)  # its new top reaches higher bands
            best.top = min(best.top, s.top)
            drop.add(id(s))
    return [f for f in frags if id(f) not in drop]


def _is_horizontal(f: Frag) -> bool:
    """Drop vertical text (margin stamps): tall narrow fragments."""
    return not (f.height > 3 * (f.x1 - f.x0) and len(f.text) > 2) and f.height < 60


# --------------------------------------------------------------------------
# 2. columns and reading order


def find_gutter(frags: list[Frag], width: float) -> float | None:
    """x of the gutter between two columns, or None for a one-column page.

    A table or flow chart set across both columns can hide the gutter (its
    narrow cells cross it on every row); then the gutter is searched again
    among the wide lines only, and taken if body lines stand side by side on
    the same rows on both sides of a narrow gap."""
    body = [f for f in frags if len(f.text) > 1]
    if len(body) < 6:
        return None
    g = _gutter(body, body, width)
    if g is not None:
        return g
    wide = [f for f in body if f.x1 - f.x0 > 0.25 * width]
    g = _gutter(wide, body, width)
    if g is None:
        return None
    left, right = _column_lines(body, g, width)
    side_by_side = sum(any(o.top < f.bottom and f.top < o.bottom for o in right) for f in left)
    # a gutter is narrow: the right column starts a few points after the left one ends
    # (a wide gap between two table columns is not one)
    gap = sorted(f.x0 for f in right)[len(right) // 2] - sorted(f.x1 for f in left)[len(left) // 2]
    return g if side_by_side >= 3 and gap < 0.05 * width else None


def _column_lines(body: list[Frag], g: float, width: float) -> tuple[list[Frag], list[Frag]]:
    """Wide lines ending just left of ``g`` and starting just right of it."""
    left = [f for f in body if g - 0.12 * width < f.x1 <= g and f.x1 - f.x0 > 0.25 * width]
    right = [f for f in body if g <= f.x0 < g + 0.12 * width and f.x1 - f.x0 > 0.25 * width]
    return left, right


@functools.lru_cache(maxsize=8)
def _gutter_xs(width: float) -> list[float]:
    """The x positions tried for a gutter: 0.3 to 0.7 of the page width, 1 pt apart (one list per page size)."""
    lo, hi = 0.3 * width, 0.7 * width
    xs = []
    x = lo
    while x <= hi:
        xs.append(x)
        x += 1.0
    return xs


def _gutter(crossing: list[Frag], body: list[Frag], width: float) -> float | None:
    """The x crossed by the fewest of ``crossing``, if body lines end just left
    of it and start just right of it."""
    lo = 0.3 * width
    step = 1.0
    xs = _gutter_xs(width)
    # fragments crossing each x: +1 where a fragment starts covering, -1 after it ends
    delta = [0] * (len(xs) + 1)
    for f in crossing:
        a = max(int((f.x0 + 0.5 - lo) / step) + 1, 0)
        b = min(int((f.x1 - 0.5 - lo) / step), len(xs) - 1)
        if a <= b:
            delta[a] += 1
            delta[b + 1] -= 1
    cross = list(itertools.accumulate(delta[:-1]))
    m = min(cross)
    # the widest run of minimal crossing (the rightmost of equally wide ones)
    runs = []
    k = 0
    for c, run in itertools.groupby(cross):
        n = len(list(run))
        if c == m:
            runs.append((n, k, k + n - 1))
        k += n
    _length, a, b = max(runs)
    g = xs[(a + b) // 2]
    # body-text columns: wide lines ending just left of g / starting just right of g
    left, right = _column_lines(body, g, width)
    if len(left) < 3 or len(right) < 3:
        return None
    return g


def layout_page(frags: list[Frag], width: float) -> list[Line]:
    """Group fragments into lines and order them as a reader would."""
    if not frags:
        return []
    g = find_gutter(frags, width)
    items = sorted(frags, key=lambda f: (f.top, f.x0))
    lines: list[Line] = []
    band = 0
    if g is None:
        return _justified(_tables([ln.finish() for ln in _rows(items, "F", 0)]))
    table_row: dict[int, list[Frag]] = {}
    for row in _spanning_table_rows(frags, g, width):
        for f in row:
            table_row[id(f)] = row
    pending: dict[str, list[Frag]] = {"L": [], "R": []}

    def flush() -> None:
        for side in ("L", "R"):
            if pending[side]:
                lines.extend(ln.finish() for ln in _rows(pending[side], side, band))
                pending[side] = []

    done: set[int] = set()
    for f in items:
        if id(f) in done:
            continue
        if id(f) in table_row:
            # a row of a table set across both columns: one full-width line
            row = table_row[id(f)]
            done.update(id(o) for o in row)
            if pending["L"] or pending["R"]:
                flush()
                band += 1
            lines.append(Line(list(row), "F", band).finish())
            continue
        if lines and lines[-1].column == "F" and _same_row(lines[-1].frags[0], f):
            # a cell on the same row as a full-width fragment (wide table row)
            lines[-1].frags.append(f)
            lines[-1].finish()
            continue
        if f.x1 <= g + 0.5:
            pending["L"].append(f)
        elif f.x0 >= g - 0.5:
            pending["R"].append(f)
        else:
            same = [o for side in ("L", "R") for o in pending[side] if _same_row(o, f)]
            for side in ("L", "R"):
                pending[side] = [o for o in pending[side] if not any(o is s for s in same)]
            if pending["L"] or pending["R"]:
                flush()
                band += 1
            lines.append(Line(same + [f], "F", band).finish())
            continue
        if lines and lines[-1].column == "F" and lines[-1].band == band:
            band += 1
    flush()
    return _justified(_tables(_merge_full_rows(lines)))


def _justified(lines: list[Line]) -> list[Line]:
    """A widely spaced justified prose line is one line of text, not a table row.

    Justification can stretch the word spaces of a line with few, long words
    past the cell-gap threshold ("servational   Studies   in   Epidemiology").
    Such a "row" stands alone between prose lines of its column, is set to
    the same left and right edges as the line above, in the same font, and
    its gaps are all about equal; a real table has at least two rows.
    """
    for k in range(1, len(lines) - 1):
        ln, prev, nxt = lines[k], lines[k - 1], lines[k + 1]
        if not ln.is_row or prev.is_row or nxt.is_row:
            continue
        if any((o.band, o.column) != (ln.band, ln.column) for o in (prev, nxt)):
            continue
        h = max(ln.height, 1.0)
        if abs(prev.x0 - ln.x0) > 0.3 * h or abs(prev.x1 - ln.x1) > 0.3 * h or abs(nxt.x0 - ln.x0) > 0.3 * h:
            continue
        if not (0 < ln.top - prev.top < 2.5 * h and 0 < nxt.top - ln.top < 2.5 * h):
            continue
        sizes = [f.size for o in (prev, ln, nxt) for f in o.frags]
        if min(sizes) <= 0 or max(sizes) > 1.05 * min(sizes):
            continue
        gaps = [b[0] - a[1] for a, b in zip(ln.cell_spans, ln.cell_spans[1:])]
        if max(gaps) > 1.5 * min(gaps) + 0.5:
            continue
        text = " ".join(ln.cells)
        ln.cells, ln.cell_spans, ln.text = [text], [(ln.x0, ln.x1)], text
    return lines


def _same_row(a: Frag, b: Frag) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.height, b.height)


_top_left = operator.attrgetter("top", "x0")


def _group_rows(frags: list[Frag]) -> list[list[Frag]]:
    """Fragments on one baseline, top to bottom.

    A fragment joins the current row when it shares most of its height with
    one of the row's fragments of ordinary height (up to 1.3 times the row's
    smallest): cells set a little higher or lower (a vertically centred
    header cell) still chain into one row, but a tall fragment (stacked "±"
    glyphs, a raised exponent) that overlaps two table rows does not bridge
    them into one.
    """
    rows: list[list[Frag]] = []
    small = 0.0
    for f in sorted(frags, key=_top_left):
        top, bottom = f.top, f.bottom
        height = bottom - top
        if rows:
            limit = 1.3 * small
            for o in rows[-1]:
                # _same_row(o, f) for a fragment of ordinary height, inlined
                oh = o.bottom - o.top
                if oh <= limit and min(o.bottom, bottom) - max(o.top, top) > 0.5 * min(oh, height):
                    rows[-1].append(f)
                    small = min(small, height)
                    break
            else:
                rows.append([f])
                small = height
        else:
            rows.append([f])
            small = height
    return rows


def _rows(frags: list[Frag], column: str, band: int) -> list[Line]:
    return [Line(row, column, band) for row in _group_rows(frags)]


def _merge_full_rows(lines: list[Line]) -> list[Line]:
    """A one-line column band squeezed between full-width rows of a table.

    A wide table row whose cells leave the gutter free is cut into an "L" and
    an "R" line of a band of one row; put such rows back together.
    """
    out: list[Line] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if (
            ln.column == "L"
            and i + 1 < len(lines)
            and lines[i + 1].column == "R"
            and lines[i + 1].band == ln.band
            and (i + 2 >= len(lines) or lines[i + 2].band != ln.band)
            and (i == 0 or lines[i - 1].band != ln.band)
            and _same_row(ln.frags[0], lines[i + 1].frags[0])
            and (ln.is_row or lines[i + 1].is_row)
        ):
            merged = Line(ln.frags + lines[i + 1].frags, "F", ln.band).finish()
            out.append(merged)
            i += 2
            continue
        out.append(ln)
        i += 1
    return out


# --------------------------------------------------------------------------
# 3. tables


def _visual_rows(frags: list[Frag]) -> list[list[Frag]]:
    """Fragments grouped by baseline across the whole page, top to bottom."""
    rows = _group_rows(frags)
    for row in rows:
        row.sort(key=lambda f: f.x0)
    return rows


def _spanning_table_rows(frags: list[Frag], g: float, width: float) -> list[list[Frag]]:
    """Rows of tables set across both columns of a two-column page.

    Such a table need not cross the gutter with any one cell, so the column
    split would read its left cells as the left column and its right cells as
    the right column. A visual row is a table row when it has cells on both
    sides of the gutter (or across it) and is not a pair of body lines, whose
    right line starts at the right column's left edge. Two such rows in a row
    make a table, with the lines of wrapped cells between and after them
    (lines whose fragments start where the table's cells start).
    """
    wide = 0.25 * width
    right_starts = Counter(round(f.x0) for f in frags if f.x0 >= g - 0.5 and f.x1 - f.x0 > wide)
    r_edge = right_starts.most_common(1)[0][0] if right_starts else None

    def body_pair(row: list[Frag]) -> bool:
        left = [f for f in row if f.x1 <= g + 0.5]
        right = [f for f in row if f.x0 >= g - 0.5]
        if not right:
            return False
        first = right[0]
        return (
            (r_edge is not None and abs(first.x0 - r_edge) <= 1.5)
            or (len(right) == 1 and first.x1 - first.x0 > wide)
            or (len(left) == 1 and left[0].x1 - left[0].x0 > wide)
        )

    def spans(row: list[Frag]) -> bool:
        return len(row) >= 2 and row[0].x0 < g - 0.5 and row[-1].x1 > g + 0.5 and not body_pair(row)

    rows = _visual_rows(frags)
    out: list[list[Frag]] = []
    i = 0
    while i < len(rows):
        if not spans(rows[i]):
            i += 1
            continue
        block = [rows[i]]
        starts = [f.x0 for f in rows[i]]
        extent = rows[i][-1].x1 - rows[i][0].x0
        height = max(f.height for f in rows[i])
        j = i + 1
        last_table_row = 0
        while j < len(rows):
            row = rows[j]
            step = row[0].top - block[-1][0].top
            if step > 3.0 * height or any(f.height > 1.3 * height for f in row):
                break
            if spans(row):
                block.append(row)
                starts += [f.x0 for f in row]
                extent = max(extent, row[-1].x1 - row[0].x0)
                last_table_row = len(block) - 1
            elif all(f.x1 - f.x0 < 0.6 * extent and any(abs(f.x0 - x) <= 2.0 for x in starts) for f in row):
                block.append(row)  # a wrapped cell's next line, or a row with one cell
            else:
                break
            j += 1
        if last_table_row >= 1:
            # after the last row with cells on both sides, only the tightly
            # set next lines of its wrapped cells
            steps = [b[0].top - a[0].top for a, b in zip(block, block[1 : last_table_row + 1])]
            keep = last_table_row + 1
            while keep < len(block) and block[keep][0].top - block[keep - 1][0].top <= min(steps) + 0.5 < 0.8 * max(
                steps
            ):
                keep += 1
            out.extend(block[:keep])
            i += keep
        else:
            i += 1
    return out


def _tables(lines: list[Line]) -> list[Line]:
    """Put the rows of each table into the table's columns.

    A table is a run of lines of one column (or full width) of which at least
    two have several cells, with one-cell lines in between (a row with one
    filled cell, the next line of a wrapped cell) whose text starts where a
    column starts. Columns are the x ranges covered by the cells of the
    multi-cell rows. Lines closer together than the table's row pitch are the
    wrapped lines of the row above and are merged into it, cell by cell. Every
    row then has one cell per column, empty ones included ("\\t0.1-0.2\\t12").
    """
    out: list[Line] = []
    i = 0
    while i < len(lines):
        block = _table_block(lines, i)
        if block <= i + 1:
            out.append(lines[i])
            i += 1
            continue
        rows = _table_rows(lines[i:block])
        out.extend(rows if rows is not None else lines[i:block])
        i = block
    return out


def _table_block(lines: list[Line], i: int) -> int:
    """End (exclusive) of the table starting at ``lines[i]``, or ``i`` if none."""
    first = lines[i]
    if not first.is_row:
        return i
    height = first.height
    starts = [a for a, _ in first.cell_spans]
    left, right = first.x0, first.x1
    end = i + 1
    rows = 1
    j = i + 1
    while j < len(lines):
        ln = lines[j]
        prev = lines[j - 1]
        if ln.column != first.column or ln.band != first.band:
            break
        if ln.top - prev.top > 3.0 * height or ln.top < prev.top or ln.height > 1.3 * height:
            break
        if ln.is_row:
            rows += 1
            starts += [a for a, _ in ln.cell_spans]
            left, right = min(left, ln.x0), max(right, ln.x1)
            end = j + 1
        elif not any(abs(ln.x0 - x) <= 2.0 for x in starts) or ln.x1 - ln.x0 > 0.6 * (right - left):
            # not a cell: starts elsewhere, or as wide as running text
            # (the hanging lines of a numbered reference list)
            break
        j += 1
    # one-cell lines after the last multi-cell row belong to the table only
    # as the wrapped lines of that row (set as tight as wrapped lines are)
    if rows >= 2:
        steps = [b.top - a.top for a, b in zip(lines[i:end], lines[i + 1 : end])]
        tight = min(steps) if steps else 0.0
        while end < j and lines[end].top - lines[end - 1].top <= tight + 0.5 and tight < 0.8 * max(steps):
            end += 1
    return end if rows >= 2 else i


def _table_rows(block: list[Line]) -> list[Line] | None:
    """The block's lines as table rows with one cell per column (None: the
    cells do not fall into columns cleanly; leave the lines as they are)."""
    # columns: union of the x ranges of the cells of multi-cell rows
    spans = sorted(span for ln in block if ln.is_row for span in ln.cell_spans)
    columns: list[list[float]] = []
    for a, b in spans:
        if columns and a <= columns[-1][1] + 0.5:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    if len(columns) < 2:
        return None

    def column_of(x0: float) -> int:
        for k, (_a, b) in enumerate(columns):
            if x0 < b:
                return k
        return len(columns) - 1

    # wrapped lines: set tighter than the rows are, the first column empty,
    # and text only under cells of the row above that have text
    steps = [b.top - a.top for a, b in zip(block, block[1:])]
    cut = None
    if steps and max(steps) >= 1.3 * min(steps):
        cut = (max(steps) + min(steps)) / 2
    groups: list[list[Line]] = []
    filled: set[int] = set()
    for k, ln in enumerate(block):
        used = {column_of(a) for a, _ in ln.cell_spans}
        if groups and cut is not None and steps[k - 1] < cut and 0 not in used and used <= filled:
            groups[-1].append(ln)
        else:
            groups.append([ln])
            filled = set()
        filled |= used
    rows: list[Line] = []
    for group in groups:
        cells = [""] * len(columns)
        for ln in group:
            taken: set[int] = set()
            for text, (a, _b) in zip(ln.cells, ln.cell_spans):
                k = column_of(a)
                if k in taken:
                    return None  # two cells of one line in one column
                taken.add(k)
                cells[k] = f"{cells[k]} {text}" if cells[k] else text
        row = Line([f for ln in group for f in ln.frags], group[0].column, group[0].band)
        row.finish()
        row.cells = cells
        row.cell_spans = [(a, b) for a, b in columns]
        row.text = "\t".join(cells)
        rows.append(row)
    return rows
