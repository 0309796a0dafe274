"""PDF → Document: publisher PDFs read in the order a person reads them.

Engine: pypdfium2 (pdfium's text layer). pdfplumber/pdfminer gives the same
characters but measured ~10 pages/s on the reference PDFs; pdfium's text plus
its per-text-object rectangles (and per-char boxes only where a line needs
cutting) runs at well over 100 pages/s. Layout analysis lives in
``pdf_layout``; Unicode fixes in ``unicode_cleanup``.

What ``Document.text`` looks like:

* reading order: full-width blocks (title, abstract, wide tables, captions)
  and two-column bands top to bottom, left column before right column;
* running headers/footers (text repeated in the top/bottom margin on several
  pages, digits ignored) and bare page numbers ("3", "Page 3", "3 of 9") removed;
* floats out of the running text: a sentence that stops at a column's edge
  and continues after tables, captions, figure labels or small print (on the
  same or the next two pages) is joined, and those floats follow its
  paragraph, each still mapped to its own page (``Document.pages`` is a list
  of pieces in text order; a page can have two);
* lines of a paragraph joined with one space; paragraphs separated by a blank
  line; a paragraph running across a column or page break is joined, unless
  the line before the break ends a sentence and stopped short (the next word
  would have fitted) or the line after it is a heading (short, with a gap
  below);
* a line ending in a slash or dash right after a word or number is joined
  without a space ("mg/" + "ml" → "mg/ml", "0.5–" + "11" → "0.5–11");
* line-end hyphenation joined ("calcifi-" + "cation" → "calcification"), while
  real hyphens are kept: the continuation starts with a capital or digit, the
  left part is one letter / an acronym / contains a digit ("D-limonene",
  "IL-6"), "left-right" occurs elsewhere in the document, or both halves are
  words used elsewhere in the document and the closed form is not;
* table rows: one row per line, cells separated by a tab (header row too),
  one cell per column with empty cells kept ("\t0.1-0.2\t12\t100"); the lines
  of a wrapped cell are merged into their row; a table set across both
  columns of a two-column page is read as one table, not as two columns;
* superscript citation markers: a raised run of digits (with "," or "–")
  becomes Unicode superscript digits attached to the preceding text —
  "calcinosis.³", "disease³,⁴", "ACTD³–⁵". They never turn into ordinary
  digits, so "calcinosis3" cannot appear, and this matches how the plain-text
  corpus writes them ("tissue.¹"). A raised footnote letter after a word,
  number or punctuation becomes a modifier letter ("28ᵇ", "1ᵍ" — never the
  dose "1 g"). Other raised text (units, "R−") is kept as is;
* Unicode: ligatures expanded, odd spaces → " ", soft hyphens dropped, micro
  sign → μ; dashes and superscripts kept (see ``unicode_cleanup``).

Every failure raises ``IngestError`` with one of the reasons: empty, not_pdf,
encrypted, truncated, no_text_layer, timeout, unreadable. ``timeout`` is a
per-document limit checked between pages (and within long pages).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from extractor.ingest.document import Document, IngestError, Page
from extractor.ingest.pdf_layout import Frag, Line, layout_page, page_fragments

_MARGIN = 0.085  # share of the page height searched for running headers/footers
# small print (footnotes, table text, captions, chart labels): a font below this share of the
# body font; font heights are ascent-to-descent, so the ratio is the font-size ratio (9 pt / 10 pt)
_SMALL = 0.93
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?#(?:\s*(?:of|/)\s*#)?$|^[-–]\s*#\s*[-–]$|^[ivxlc]+$", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_ASCII_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")  # _WORD on ASCII text, 2-3x faster
# left parts after which a line-end hyphen usually belongs to a compound
_COMPOUND_PREFIXES = {
    "non",
    "anti",
    "pre",
    "post",
    "self",
    "well",
    "long",
    "short",
    "high",
    "low",
    "multi",
    "semi",
    "co",
    "re",
    "intra",
    "inter",
    "extra",
    "ex",
    "first",
    "second",
    "third",
    "dose",
    "time",
    "age",
    "sex",
    "drug",
    "all",
}
# second halves of common biomedical compounds ("tissue-invasive", "dose-limiting")
_COMPOUND_HEADS = {
    "induced",
    "associated",
    "related",
    "dependent",
    "specific",
    "based",
    "free",
    "positive",
    "negative",
    "resistant",
    "limiting",
    "like",
    "mediated",
    "derived",
    "treated",
    "naive",
    "term",
    "invasive",
    "old",
    "label",
    "controlled",
    "blind",
    "blinded",
    "matched",
    "adjusted",
    "sensitive",
    "responsive",
    "containing",
    "producing",
    "secreting",
    "bearing",
    "wide",
    "scale",
    "dose",
    "daily",
    "weekly",
    "analysis",
    "risk",
    "naïve",
    "exposed",
    "infected",
    "reactive",
    "refractory",
}
_BREAK_AFTER = re.compile(r"\S[/–—]$")
_NEVER_KEEP_LEFT = {"under", "over", "with", "out", "in", "up", "some", "any", "there", "where", "for"}


def read_pdf(path: Path, doc_id: str, *, timeout: float | None = None) -> Document:
    """Read ``path`` into a Document or raise IngestError (see module doc)."""
    path = Path(path)
    laid_out, _dropped, _heights = _layout(path, timeout)
    text, pieces = _assemble(laid_out)
    return Document(doc_id=doc_id, text=text, path=path, pages=[Page(i + 1, s, e) for i, s, e in pieces])


@dataclass
class Block:
    """A paragraph as the reader placed it: its page, kind and text.

    kind: ``body`` (running text), ``float`` (table, caption, figure labels,
    boxes; ``moved`` when it was set after the paragraph it interrupted),
    ``footnote`` (small print at a page foot) or ``header`` (a running
    header/footer or page number, not in the text).
    """

    page: int
    kind: str
    text: str
    moved: bool = False


def layout_blocks(path: Path, *, timeout: float | None = 120.0) -> list[Block]:
    """The document's blocks in text order, then the dropped headers (``extractor text --layout``)."""
    path = Path(path)
    laid_out, dropped, heights = _layout(path, timeout)
    body, measure = _metrics(laid_out)
    paras = _paragraphs(laid_out, body, measure)
    order, _joined = _float_order(paras, body, measure)
    position = {id(para): k for k, para in enumerate(paras)}
    blocks: list[Block] = []
    last = -1
    for para in order:
        k = position[id(para)]
        moved = k < last
        last = max(last, k)
        text = "".join(sep + t for _p, sep, t, _l in para.parts).strip()
        page = para.parts[0][0]
        # small print; a short line in a small font is more likely a heading
        small = bool(body) and _font_height(para.first) < _SMALL * body and not para.first.is_row and len(text) > 40
        if small and para.first.top > 0.7 * heights[page] and not _is_caption(para):
            kind = "footnote"
        elif para.first.is_row or _is_caption(para) or small or moved:
            kind = "float"
        else:
            kind = "body"
        blocks.append(Block(page + 1, kind, text, moved))
    blocks.extend(Block(page + 1, "header", f.text) for page, frags in enumerate(dropped) for f in frags)
    return blocks


def _layout(path: Path, timeout: float | None) -> tuple[list[list[Line]], list[list[Frag]], list[float]]:
    """Each page's lines in reading order, its dropped header fragments, and its height."""
    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    pdf = _open(path)
    try:
        pages = _read_pages(pdf, path, deadline, timeout)
    finally:
        pdf.close()
    dropped = _drop_running_lines(pages)
    laid_out: list[list[Line]] = []
    for frags, width, _height in pages:
        laid_out.append(_footnotes_last(layout_page(frags, width)))
        _check_deadline(deadline, path, timeout)
    if not any(laid_out):
        raise IngestError(path, "no_text_layer", "no page has extractable text (scanned or image-only PDF?)")
    return laid_out, dropped, [h for _f, _w, h in pages]


# --------------------------------------------------------------------------
# opening and errors


def _open(path: Path):
    import pypdfium2 as pdfium

    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
            size = path.stat().st_size
            fh.seek(max(0, size - 2048))
            tail = fh.read()
    except OSError as exc:
        raise IngestError(path, "unreadable", exc.strerror or str(exc)) from exc
    if size == 0 or not head.strip():
        raise IngestError(path, "empty", "file is empty")
    if b"%PDF-" not in head:
        raise IngestError(path, "not_pdf", "no %PDF- header; not a PDF file")
    truncated = b"%%EOF" not in tail
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = " ".join(str(exc).split()) or exc.__class__.__name__
        low = msg.lower()
        if "password" in low or "security" in low:
            raise IngestError(path, "encrypted", f"password-protected PDF ({msg})") from exc
        if truncated:
            raise IngestError(path, "truncated", f"file ends before %%EOF ({msg})") from exc
        raise IngestError(path, "unreadable", msg) from exc
    except Exception as exc:
        raise IngestError(path, "unreadable", " ".join(str(exc).split()) or repr(exc)) from exc
    if len(pdf) == 0:
        pdf.close()
        reason = "truncated" if truncated else "unreadable"
        raise IngestError(path, reason, "no pages could be read" + (" (file ends before %%EOF)" if truncated else ""))
    if truncated:
        pdf.close()
        raise IngestError(path, "truncated", "file ends before %%EOF; the PDF is incomplete")
    return pdf


def _check_deadline(deadline: float | None, path: Path, timeout: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise IngestError(path, "timeout", f"gave up after {timeout:g} s (per-document limit)")


def _read_pages(pdf, path: Path, deadline: float | None, timeout: float | None):
    """Each page's fragments, width and height.

    Pages and text pages are opened and closed through pdfium's own calls:
    pypdfium2's page objects (parent links, finalizers) cost more than
    pdfium's work on a short page.
    """
    import pypdfium2.raw as pdfium_c

    pages: list[tuple[list[Frag], float, float]] = []
    document = pdf.raw
    for index in range(len(pdf)):
        _check_deadline(deadline, path, timeout)
        page = pdfium_c.FPDF_LoadPage(document, index)
        if not page:
            raise IngestError(path, "unreadable", f"page {index + 1}: Failed to load page.")
        try:
            width, height = pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)
            textpage = pdfium_c.FPDFText_LoadPage(page)
            if not textpage:
                raise IngestError(path, "unreadable", f"page {index + 1}: Failed to load text page.")
            try:
                frags = page_fragments(textpage, width, height)
            finally:
                pdfium_c.FPDFText_ClosePage(textpage)
        finally:
            pdfium_c.FPDF_ClosePage(page)
        pages.append((frags, width, height))
    _check_deadline(deadline, path, timeout)
    return pages


# --------------------------------------------------------------------------
# running headers / footers


def _margin_key(f: Frag) -> str:
    return re.sub(r"\d+", "#", " ".join(f.text.lower().split()))


def _drop_running_lines(pages: list[tuple[list[Frag], float, float]]) -> list[list[Frag]]:
    """Remove header/footer fragments repeated across pages, and page numbers; return them per page."""
    seen: Counter[str] = Counter()
    margins: list[dict[int, str]] = []  # per page: the key of each fragment in the margin, by index
    for frags, _w, h in pages:
        head, foot = _MARGIN * h, (1 - _MARGIN) * h  # a fragment above head or below foot is in the margin
        keys = {k: _margin_key(f) for k, f in enumerate(frags) if f.bottom < head or f.top > foot}
        margins.append(keys)
        seen.update(set(keys.values()))
    multi = len(pages) >= 2
    dropped: list[list[Frag]] = []
    for k, ((frags, w, h), keys) in enumerate(zip(pages, margins)):
        drop = [i for i, key in keys.items() if _PAGE_NUMBER.match(key) or (multi and seen[key] >= 2 and len(key) > 1)]
        dropped.append([frags[i] for i in drop])
        if drop:
            gone = set(drop)
            pages[k] = ([f for i, f in enumerate(frags) if i not in gone], w, h)
    return dropped


def _footnotes_last(lines: list[Line]) -> list[Line]:
    """Small-print lines at the foot of a column (licence, affiliations) go last.

    They sit between the end of the left column and the top of the right one;
    moving them after the page's body keeps sentences that cross that column
    break whole.
    """
    if len(lines) < 8:
        return lines
    heights = sorted(_font_height(ln) for ln in lines if len(ln.text) > 20)
    if not heights:
        return lines
    body = heights[len(heights) // 2]
    out = list(lines)
    foot: list[Line] = []
    for side in ("L",):
        idx = [i for i, ln in enumerate(out) if ln.column == side]
        if not idx:
            continue
        last_band = out[idx[-1]].band
        tail = []
        for i in reversed(idx):
            ln = out[i]
            if ln.band != last_band or _font_height(ln) >= _SMALL * body:
                break
            tail.append(i)
        # only when body-size text precedes it in the same band, and a gap
        # wider than the body's line step sets it off (a last body line
        # without descenders is as short, but sits at the body's pitch)
        band_idx = [i for i in idx if out[i].band == last_band]
        if tail and len(tail) < len(band_idx) and not _set_off(out, band_idx, min(tail)):
            tail = []
        if tail and len(tail) < len(band_idx):
            # a footnote sits beside body text of the right column (a small-print
            # section such as a reference list continues in small print there)
            top = min(out[i].top for i in tail)
            beside = [
                ln
                for ln in out
                if ln.column == "R" and ln.band == last_band and ln.bottom > top and _font_height(ln) >= _SMALL * body
            ]
            if beside:
                foot = [out[i] for i in sorted(tail)]
                out = [ln for i, ln in enumerate(out) if i not in set(tail)]
    return out + foot


def _set_off(lines: list[Line], column: list[int], first: int) -> bool:
    """``lines[first]`` starts below a gap wider than the column's usual line step."""
    k = column.index(first)
    if k == 0:
        return True
    steps = sorted(lines[b].bottom - lines[a].bottom for a, b in zip(column[:k], column[1:k]))
    if not steps:
        return True
    pitch = steps[len(steps) // 2]
    return lines[first].top - lines[column[k - 1]].bottom > 0.6 * pitch


# --------------------------------------------------------------------------
# paragraphs, hyphenation, page offsets


def _vocabulary(pages: list[list[Line]]) -> tuple[set[str], set[str]]:
    """Words and hyphenated compounds seen inside lines (not at line breaks)."""
    found: list[str] = []
    whole: list[str] = []  # lines none of whose words touches a line-end hyphen
    ascii_whole: list[str] = []  # those of them in ASCII
    prev_hyphen = False
    for lines in pages:
        for ln in lines:
            text = ln.text
            ends = text.endswith("-")
            if prev_hyphen or ends:
                toks = _WORD.findall(text)
                if prev_hyphen and toks:
                    toks = toks[1:]
                if ends and toks:
                    toks = toks[:-1]
                found.extend(toks)
            elif text.isascii():
                ascii_whole.append(text)
            else:
                whole.append(text)
            prev_hyphen = ends
    # one scan for those: no word runs across the line break between two of them
    found.extend(_WORD.findall("\n".join(whole)))
    found.extend(_ASCII_WORD.findall("\n".join(ascii_whole)))
    if not found:
        return set(), set()
    # lower-cased in one call: a NUL between tokens bounds a word as the string's ends do
    # (the Greek final sigma included)
    words = set("\x00".join(found).lower().split("\x00"))
    compounds = {t for t in words if "-" in t}
    words -= compounds
    for t in compounds:
        words.update(t.split("-"))
    return words, compounds


# how the second half of an ordinary hyphenated word usually starts
_SUFFIXES = (
    "tion",
    "sion",
    "ment",
    "ing",
    "ed",
    "er",
    "ity",
    "ness",
    "able",
    "ible",
    "ally",
    "ical",
    "ic",
    "ive",
    "ous",
    "ary",
    "ory",
    "ance",
    "ence",
    "ant",
    "ent",
    "ism",
    "ist",
    "ize",
    "ise",
    "ly",
    "al",
    "ial",
    "tive",
    "ture",
    "sive",
    "ular",
    "ogy",
)
_LEFT_WORD = re.compile(r"([^\W_]+)-$")
# endings of whole nouns, never the first half of a word hyphenated at a line end
_WORD_END = re.compile(r"(?:ology|logy|itis|osis|ism|tion|sion|ment|ness|ity)$")
_RIGHT_WORD = re.compile(r"^([^\W_]+)")


def _join_hyphen(left: str, right: str, words: set[str], compounds: set[str]) -> bool:
    """True to drop the line-end hyphen of ``left`` before ``right``."""
    lm = _LEFT_WORD.search(left)
    rm = _RIGHT_WORD.match(right)
    if not lm or not rm:
        return False
    lw, rw = lm.group(1), rm.group(1)
    if not rw[0].isalpha() or rw[0].isupper():
        return False
    if len(lw) == 1 or any(c.isdigit() for c in lw) or (len(lw) > 1 and lw.isupper()):
        return False
    lo, ro = lw.lower(), rw.lower()
    if f"{lo}-{ro}" in compounds:
        return False
    if lo + ro in words:
        return True
    if ro in _COMPOUND_HEADS and len(lo) >= 3:
        return False
    if lo in _COMPOUND_PREFIXES and (ro in words or (lo[-1] == ro[0] and lo[-1] in "aeiou")):
        return False  # "non-responders"; "anti-inflammatory", "re-enter" keep the hyphen
    if _WORD_END.search(lo) and ((len(ro) >= 4 and ro in words) or (len(ro) >= 6 and _WORD_END.search(ro))):
        return False  # both parts whole words by their endings: "rheumatology-dermatology"
    if len(lo) >= 4 and lo in words and lo not in _NEVER_KEEP_LEFT:
        # a whole word before the break: a compound unless the rest is a suffix
        if (len(ro) >= 3 and ro in words) or (len(ro) >= 6 and not ro.startswith(_SUFFIXES)):
            return False
    return True


def _line_pitch(lines: list[Line]) -> float:
    """Median baseline-to-baseline distance of consecutive lines in a column."""
    steps = []
    for a, b in zip(lines, lines[1:]):
        if a.band == b.band and a.column == b.column:
            d = b.bottom - a.bottom
            if 0 < d < 3 * max(a.height, 1.0):
                steps.append(d)
    if not steps:
        return 0.0
    steps.sort()
    return steps[len(steps) // 2]


def _para_break(
    prev: Line,
    ln: Line,
    col_left: dict[tuple[int, str], float],
    pitch: float,
    prev_right: float | None = None,
    heading: Callable[[], bool] | None = None,
) -> bool:
    """True when ``ln`` starts a new paragraph after ``prev``.

    Within a column: a larger line step, or an indented line after a
    sentence end. Across a column or page break (no step to measure), after a
    sentence end: an indented line, a line that is a paragraph of its own
    (``heading()``: short, with a paragraph gap below it; asked only there), or a ``prev`` that
    stopped short — the first word of ``ln`` would have fit after it, so the
    typesetter ended the line on purpose (``prev_right`` is the right edge of
    ``prev``'s column).
    """
    h = max(prev.height, 1.0)
    if ln.is_row or prev.is_row:
        return True
    left = col_left.get((ln.band, ln.column), ln.x0)
    indented = ln.x0 - left > 0.6 * h
    ends_sentence = prev.text.rstrip()[-1:] in ".:?!)"
    if prev.band == ln.band and prev.column == ln.column and prev.bottom <= ln.bottom:
        step = ln.bottom - prev.bottom
        return step > 1.4 * max(pitch, 1.15 * h) or (indented and ends_sentence)
    if ends_sentence and heading is not None and heading():
        return True
    if ends_sentence and prev_right is not None and ln.text:
        first_word = ln.text.split()[0] if ln.text.split() else ""
        char_w = (ln.x1 - ln.x0) / max(len(ln.text), 1)
        if (len(first_word) + 1) * char_w < prev_right - prev.x1:
            return True
    return indented and ends_sentence


def _alone(lines: list[Line], k: int, col_left: dict, col_right: dict, pitch: float) -> bool:
    """``lines[k]`` is a short line with a paragraph gap below it (a heading)."""
    ln = lines[k]
    key = (ln.band, ln.column)
    width = col_right[key] - col_left[key]
    if width <= 0 or ln.x1 > col_right[key] - 0.25 * width:
        return False
    nxt = lines[k + 1] if k + 1 < len(lines) else None
    if nxt is None or (nxt.band, nxt.column) != key:
        return False
    step = nxt.bottom - ln.bottom
    return step > 1.4 * max(pitch, 1.15 * max(ln.height, 1.0))


@dataclass
class _Para:
    """A paragraph (or a table: a run of rows) of the assembled text.

    ``parts`` are (page index, separator before, text, line) in order; the
    first separator is the one before the paragraph ("" for the first).
    """

    parts: list[tuple[int, str, str, Line]]
    width: float  # width of the column (or full-width band) of its last line
    right: float  # right edge of that column

    @property
    def first(self) -> Line:
        return self.parts[0][3]

    @property
    def last(self) -> Line:
        return self.parts[-1][3]


def _metrics(pages: list[list[Line]]) -> tuple[float, float]:
    """Body font height and column measure: medians over the long prose lines."""
    body = [ln for lines in pages for ln in lines if len(ln.text) > 40 and not ln.is_row]
    if not body:
        return 0.0, 0.0
    heights = sorted(_font_height(ln) for ln in body)
    widths = sorted(ln.x1 - ln.x0 for ln in body)
    return heights[len(heights) // 2], widths[len(widths) // 2]


def _paragraphs(
    pages: list[list[Line]], body: float, measure: float, vocabulary: tuple[set[str], set[str]] | None = None
) -> list[_Para]:
    """Lines joined into paragraphs in reading order (see the module doc).

    Across a column or page break a line that cannot continue a sentence
    (small print, or a short label that does not start like a continuation)
    starts a paragraph of its own, so a figure's labels are not glued to the
    sentence the figure interrupts.
    """
    words, compounds = vocabulary or _vocabulary(pages)
    prev_page = -1
    paras: list[_Para] = []
    cur: list[tuple[int, str, str, Line]] = []
    last_text = ""
    prev: Line | None = None
    prev_right: float | None = None  # right edge of prev's column
    width = right = 0.0
    for page_index, lines in enumerate(pages):
        col_left: dict[tuple[int, str], float] = {}
        col_right: dict[tuple[int, str], float] = {}
        for ln in lines:
            key = (ln.band, ln.column)
            col_left[key] = min(col_left.get(key, ln.x0), ln.x0)
            col_right[key] = max(col_right.get(key, ln.x1), ln.x1)
        pitch = _line_pitch(lines)
        for k, ln in enumerate(lines):
            text = ln.text
            if prev is None:
                sep = ""
            elif prev.is_row or ln.is_row:
                sep = "\n" if (prev.is_row and ln.is_row) else "\n\n"
            elif (
                page_index == prev_page
                and prev.band == ln.band
                and prev.column == ln.column
                and prev.bottom <= ln.bottom
            ):
                # the next line of a column: _para_break's line step and indent, inlined
                h = max(prev.bottom - prev.top, 1.0)
                if ln.bottom - prev.bottom > 1.4 * max(pitch, 1.15 * h) or (
                    ln.x0 - col_left[(ln.band, ln.column)] > 0.6 * h and prev.text.rstrip()[-1:] in ".:?!)"
                ):
                    sep = "\n\n"
                else:
                    sep = _line_sep(last_text, text, cur, words, compounds)
            elif _new_block(prev, ln, page_index != prev_page, body, measure) or _para_break(
                prev, ln, col_left, pitch, prev_right, partial(_alone, lines, k, col_left, col_right, pitch)
            ):
                sep = "\n\n"
            else:
                sep = _line_sep(last_text, text, cur, words, compounds)
            if sep == "\n\n" and cur:
                paras.append(_Para(cur, width, right))
                cur = []
            cur.append((page_index, sep, text, ln))
            last_text = cur[-1][2]
            prev = ln
            prev_page = page_index
            key = (ln.band, ln.column)
            prev_right = col_right[key]
            width, right = col_right[key] - col_left[key], col_right[key]
    if cur:
        paras.append(_Para(cur, width, right))
    return paras


def _line_sep(
    last_text: str, text: str, cur: list[tuple[int, str, str, Line]], words: set[str], compounds: set[str]
) -> str:
    """The separator between two lines of a paragraph; a line-end hyphen that
    joins a word is taken off the last part of ``cur``."""
    if last_text.endswith("-") and not last_text.endswith("--"):
        if _join_hyphen(last_text, text, words, compounds):
            p_index, p_sep, p_text, p_line = cur[-1]
            cur[-1] = (p_index, p_sep, p_text[:-1], p_line)
        return ""
    # the pattern ends at the string's end (or before a final newline): its last three chars suffice
    if _BREAK_AFTER.search(last_text[-3:]) and text[:1].isalnum():
        return ""  # a line broken after a slash or dash: "mg/" + "ml", "0.5–" + "11"
    return " "


_CAPTION = re.compile(r"^(?:fig(?:ure)?\.?|table|scheme|box|chart)\s*S?\d+\b", re.I)
_SENTENCE_END = ".:;?!"
_PANEL = re.compile(r"^\(?[a-hA-H]\)$")  # a figure panel label: "(a)", "b)"


def _font_height(ln: Line) -> float:
    """The line's font height: that of its longest fragment (raised runs and glyph shapes aside).

    Fragments carry their font's ascent-to-descent height; without it, the
    smallest word's box (which a line without descenders makes too small).
    """
    frags = ln.frags
    longest = frags[0] if len(frags) == 1 else max(frags, key=lambda f: len(f.text))
    if longest.size > 0:
        return longest.size
    words = [f.height for f in ln.frags if len(f.text) >= 4]
    return min(words) if words else ln.height


def _starts_like_continuation(text: str) -> bool:
    first = text.split()[0] if text.split() else ""
    if not first or _PANEL.match(first):
        return False
    if first[0].islower() or first[0] in "([":
        return True
    upper = sum(c.isupper() or c.isdigit() for c in first)
    return upper >= 2 and first[:1].isalpha()  # an acronym: "T2DM", "CMV-specific"


def _new_block(prev: Line, ln: Line, new_page: bool, body: float, measure: float) -> bool:
    """Across a column or page break, ``ln`` cannot continue ``prev``'s sentence.

    It is set in another font size (body text after a caption or small
    print, a footnote after body text), in a tiny font (chart labels), is a
    caption, or is a short label that does not start like a continuation.
    """
    if not new_page and (prev.band, prev.column) == (ln.band, ln.column):
        return False
    size, prev_size = _font_height(ln), _font_height(prev)
    if size < _SMALL * prev_size or prev_size < _SMALL * size or (body and size < 0.8 * body):
        return True
    if _CAPTION.match(ln.text):
        return True
    return ln.x1 - ln.x0 < 0.5 * measure and not _starts_like_continuation(ln.text)


def _is_caption(para: _Para) -> bool:
    """Starts with "Figure 2:", "Table 1", "Fig. 3" (after panel labels such as "(a)")."""
    for _page, _sep, text, _line in para.parts[:4]:
        if _CAPTION.match(text):
            return True
        if not all(_PANEL.match(w) for w in text.split()):
            return False
    return False


def _is_prose(para: _Para, measure: float) -> bool:
    return (
        not para.first.is_row and not _is_caption(para) and any(p[3].x1 - p[3].x0 >= 0.6 * measure for p in para.parts)
    )


def _is_float(para: _Para, body: float, measure: float) -> bool:
    """A table, caption, small print or the scattered labels of a figure."""
    if para.first.is_row or _is_caption(para):
        return True
    heights = sorted(_font_height(p[3]) for p in para.parts)
    if body and heights[len(heights) // 2] < _SMALL * body:
        return True  # footnotes, licence, table notes, chart labels in a small font
    return all(p[3].x1 - p[3].x0 < 0.6 * measure for p in para.parts)


def _body_size(ln: Line, body: float) -> bool:
    """Set in the body font (not small print, not a title or author line)."""
    return not body or _SMALL * body <= _font_height(ln) <= body / _SMALL


def _stops_mid_sentence(para: _Para, body: float, measure: float) -> bool:
    """Prose in the body font whose last line runs to the column edge without ending a sentence."""
    last = para.last
    text = para.parts[-1][2].rstrip()
    if not text or text[-1] in _SENTENCE_END or not _is_prose(para, measure) or last.is_row:
        return False
    if not _body_size(last, body):
        return False
    char_w = (last.x1 - last.x0) / max(len(last.text), 1)
    return para.right - last.x1 < 3 * char_w


def _continues(para: _Para, body: float, measure: float) -> bool:
    """Prose in the body font that starts in the middle of a sentence: "treatment was ...", "T2DM and ..."."""
    return _is_prose(para, measure) and _body_size(para.first, body) and _starts_like_continuation(para.parts[0][2])


def _float_order(paras: list[_Para], body: float, measure: float) -> tuple[list[_Para], set[int]]:
    """Floats that interrupt a sentence moved after the paragraph that ends it.

    A prose paragraph that stops mid-sentence at a column's edge, followed by
    floats only (tables, captions, small print, figure labels) and then prose
    that starts mid-sentence: the two halves are one paragraph, and the floats
    follow it. Returns the new order and the ids of the paragraphs joined to
    the one before them.
    """
    out: list[_Para] = []
    joined: set[int] = set()
    i = 0
    pending: list[_Para] = []
    while i < len(paras):
        para = paras[i]
        out.append(para)
        i += 1
        while _stops_mid_sentence(out[-1], body, measure):
            j = i
            start_page = out[-1].parts[-1][0]
            while j < len(paras) and paras[j].parts[0][0] <= start_page + 2 and _is_float(paras[j], body, measure):
                j += 1
            if j == i or j >= len(paras) or not _continues(paras[j], body, measure):
                break
            pending.extend(paras[i:j])
            joined.add(id(paras[j]))
            out.append(paras[j])
            i = j + 1
        out.extend(pending)
        pending = []
    return out, joined


def _assemble(pages: list[list[Line]]) -> tuple[str, list[tuple[int, int, int]]]:
    """The document text and its page pieces (page index, start, end).

    A page is one piece unless a float of it was moved after a paragraph that
    ends on a later page; empty pages get an empty piece where they fall.
    """
    body, measure = _metrics(pages)
    words, compounds = _vocabulary(pages)
    paras, joined = _float_order(_paragraphs(pages, body, measure, (words, compounds)), body, measure)
    chunks: list[str] = []
    length = 0
    starts: list[tuple[int, int]] = []  # (offset, page index) where each line's text starts
    for n, para in enumerate(paras):
        for k, (page_index, sep, text, _line) in enumerate(para.parts):
            if k == 0:
                if n == 0:
                    sep = ""
                elif id(para) in joined:
                    sep = _join_sep(chunks[-1], text, words, compounds)
                    if sep == "-":
                        chunks[-1] = chunks[-1][:-1]
                        length -= 1
                        sep = ""
                else:
                    sep = "\n\n"
            chunks.append(sep)
            length += len(sep)
            starts.append((length, page_index))
            chunks.append(text)
            length += len(text)
    text = "".join(chunks)
    pieces: list[tuple[int, int, int]] = []
    for offset, page_index in starts:
        if not pieces or pieces[-1][0] != page_index:
            pieces.append((page_index, offset, -1))
    if pieces:
        pieces[0] = (pieces[0][0], 0, -1)
    seen = {p[0] for p in pieces}
    for page_index in range(len(pages)):
        if page_index not in seen:
            # an empty page: after the pieces of the pages before it
            at = next((k for k, p in enumerate(pieces) if p[0] > page_index), len(pieces))
            offset = pieces[at][1] if at < len(pieces) else len(text)
            pieces.insert(at, (page_index, offset, -1))
    out: list[tuple[int, int, int]] = []
    for k, (page_index, s, _e) in enumerate(pieces):
        e = pieces[k + 1][1] if k + 1 < len(pieces) else len(text)
        out.append((page_index, s, max(s, e)))
    return text, out


def _join_sep(left: str, right: str, words: set[str], compounds: set[str]) -> str:
    """How two halves of a sentence split by floats are joined ("-": drop the hyphen)."""
    if left.endswith("-") and not left.endswith("--"):
        return "-" if _join_hyphen(left, right, words, compounds) else ""
    if _BREAK_AFTER.search(left) and right[:1].isalnum():
        return ""
    return " "
