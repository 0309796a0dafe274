"""Render corpus texts as journal-like PDFs (reportlab), for PDF-ingest tests.

Layout of every page: a running header (journal name) and a footer with the
page number; a full-width title on page 1; body text in two columns, left
aligned, every line of the corpus text a paragraph of its own; ``#`` lines and
lines bold as a whole are bold headings. Long words are hyphenated at line
ends at syllable-like points ("calci-" / "fication", "ex-" / "perienced");
words that already contain a hyphen, slash or en dash break after it
("tissue-" / "invasive", "calcium/" / "phosphorus", "0.5–" / "11"); a number
and its unit may land on two lines ("12.5" / "g"). Tab-separated lines
become a full-width table placed below the text set so far (a new page when
it does not fit, running on over pages when longer than one): header row
bold between rules, cells left aligned in columns; a table too wide for the
page is set smaller (down to 6 pt) and then wraps its long cells over several
lines. Markup in the corpus (``**bold**``, ``*italic*``, ``<i>``,
``<sup>..</sup>``, ``^{..}``, ``<https://..>``, ``$\\leq 1$``) is reduced to
its words; a lone ``*`` is a footnote mark and stays; ``<sup>``, ``^{..}``
and Unicode superscript digits are drawn as small raised text, like citation
and footnote markers in print (in table cells too).

Deterministic: same text → same bytes (reportlab ``invariant=1``).

    python scripts/make_corpus_pdfs.py OUTDIR [CORPUS_DIR]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = 612.0, 792.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 54.0, 72.0, 72.0
GUTTER = 20.0
COL_W = (PAGE_W - 2 * MARGIN_X - GUTTER) / 2
BODY_SIZE, LEADING = 9.5, 12.0
HEADER_TEXT = "Journal of Reproducible Case Reports"

_SUP_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FONTS: tuple[str, str] | None = None


def _fonts() -> tuple[str, str]:
    """(regular, bold) TrueType fonts with wide Unicode coverage."""
    global _FONTS
    if _FONTS is None:
        candidates = [
            ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ]
        import reportlab

        rl = Path(reportlab.__file__).parent / "fonts"
        candidates.append((str(rl / "Vera.ttf"), str(rl / "VeraBd.ttf")))
        for reg, bold in candidates:
            if Path(reg).exists() and Path(bold).exists():
                pdfmetrics.registerFont(TTFont("CorpusSans", reg))
                pdfmetrics.registerFont(TTFont("CorpusSans-Bold", bold))
                _FONTS = ("CorpusSans", "CorpusSans-Bold")
                break
        else:  # pragma: no cover - reportlab always ships Vera
            _FONTS = ("Helvetica", "Helvetica-Bold")
    return _FONTS


# --------------------------------------------------------------------------
# markup → runs of (text, is_superscript)

_LATEX = {r"\leq": "≤", r"\geq": "≥", r"\pm": "±", r"\times": "×", r"\le": "≤", r"\ge": "≥", r"\%": "%"}


def _plain(s: str) -> str:
    s = re.sub(r"\$([^$]*)\$", lambda m: _latex(m.group(1)), s)
    s = re.sub(r"<(https?://[^>]+)>", r"\1", s)
    s = re.sub(r"</?(?:i|b|em|strong|sub)>", "", s)
    # LaTeX-style superscripts ("cases.^{3,4}", "BS,^a") print raised, like <sup>
    s = re.sub(r"\^\{([^}]*)\}|\^([A-Za-z0-9])", lambda m: f"<sup>{m.group(1) or m.group(2)}</sup>", s)
    # markdown emphasis comes in pairs; a lone "*" is a footnote mark and stays
    s = s.replace("\\*", "\x00")
    s = re.sub(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\1", s)
    s = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", s)
    s = s.replace("**", "")
    return s.replace("\x00", "*")


def _latex(s: str) -> str:
    for k in sorted(_LATEX, key=len, reverse=True):
        s = s.replace(k, _LATEX[k])
    return " ".join(s.split())


def _runs(s: str) -> list[tuple[str, bool]]:
    """Split text into normal and superscript runs."""
    out: list[tuple[str, bool]] = []
    pos = 0
    pattern = re.compile(r"<sup>(.*?)</sup>|([" + _SUP_DIGITS + r"][" + _SUP_DIGITS + r",–-]*)")
    for m in pattern.finditer(s):
        if m.start() > pos:
            out.append((s[pos : m.start()], False))
        if m.group(1) is not None:
            out.append((m.group(1).strip(), True))
        else:
            out.append((m.group(2).translate(str.maketrans(_SUP_DIGITS, "0123456789")), True))
        pos = m.end()
    if pos < len(s):
        out.append((s[pos:], False))
    return [(t, sup) for t, sup in out if t]


# --------------------------------------------------------------------------
# words with superscripts attached, line breaking with hyphenation


def _words(s: str) -> list[list[tuple[str, bool]]]:
    """Words as lists of runs; a superscript run sticks to the word before it."""
    words: list[list[tuple[str, bool]]] = []
    for text, sup in _runs(_plain(s)):
        if sup:
            if words:
                words[-1].append((text, True))
            else:
                words.append([(text, True)])
            continue
        parts = text.split(" ")
        for k, part in enumerate(parts):
            if k == 0 and words and not text.startswith(" ") and part:
                words[-1].append((part, False))
            elif part:
                words.append([(part, False)])
    return words


def _word_width(word: list[tuple[str, bool]], font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(t, font, size * (0.65 if sup else 1.0)) for t, sup in word)


_VOWELS = set("aeiouyäöüéèáíóú")
_DIGRAPHS = {"th", "ch", "sh", "ph", "gh", "ck", "wh", "qu", "ng", "rh"}
_SUFFIX_BREAKS = ("tion", "sion", "ment", "ness", "ing", "able", "ible", "ous", "ical", "ity", "ful", "less")


def _hyphen_points(letters: str) -> list[int]:
    """Where a word may be hyphenated, best last: syllable-like cuts (V-CV,
    VC-CV outside digraphs), before common suffixes; two letters at least
    before the cut and three after, as typesetters do."""
    low = letters.lower()
    points = set()
    for i in range(2, len(low) - 2):
        a, b = low[i - 1], low[i]
        if i + 1 >= len(low) or len(low) - i < 3:
            continue
        c = low[i + 1]
        if a in _VOWELS and b not in _VOWELS and c in _VOWELS:
            points.add(i)  # V|CV
        elif (
            a not in _VOWELS and b not in _VOWELS and low[i - 2] in _VOWELS and c in _VOWELS and a + b not in _DIGRAPHS
        ):
            points.add(i)  # VC|CV
    for suffix in _SUFFIX_BREAKS:
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            points.add(len(low) - len(suffix))
    return sorted(points)


def _hyphen_split(word: list[tuple[str, bool]], room: float, font: str, size: float):
    """Split a plain word so that its head fits in ``room``: after an existing
    hyphen, slash or en dash ("1996–" / "2009", "mg/" / "ml"), or by
    hyphenating a long word ("calci-" / "fication")."""
    if len(word) != 1 or word[0][1]:
        return None
    w = word[0][0]
    inner = w.strip("-–/")
    if any(ch in inner for ch in "-–/"):
        # break after an existing hyphen, dash or slash (compounds keep their hyphen)
        cuts = [i for i, ch in enumerate(w[:-1]) if ch in "-–/" and i > 0]
        for cut in reversed(cuts):
            head = w[: cut + 1]
            if pdfmetrics.stringWidth(head, font, size) <= room:
                return [(head, False)], [(w[cut + 1 :], False)]
        return None
    core = re.match(r"^([\(\[\"'“‘]?)([A-Za-z]?[a-z]+)([^A-Za-z]*)$", w)
    if not core or len(core.group(2)) < 6:
        return None
    lead, letters, tail = core.groups()
    for i in reversed(_hyphen_points(letters)):
        head = lead + letters[:i] + "-"
        if pdfmetrics.stringWidth(head, font, size) <= room:
            return [(head, False)], [(letters[i:] + tail, False)]
    return None


def _break_lines(
    text: str, width: float, font: str, size: float, *, hyphenate: bool = True
) -> list[list[list[tuple[str, bool]]]]:
    space = pdfmetrics.stringWidth(" ", font, size)
    lines: list[list[list[tuple[str, bool]]]] = []
    cur: list[list[tuple[str, bool]]] = []
    used = 0.0
    queue = _words(text)
    while queue:
        word = queue.pop(0)
        ww = _word_width(word, font, size)
        need = ww + (space if cur else 0.0)
        if used + need <= width:
            cur.append(word)
            used += need
            continue
        room = width - used - (space if cur else 0.0)
        split = _hyphen_split(word, room, font, size) if hyphenate and room > 20 else None
        if split:
            cur.append(split[0])
            queue.insert(0, split[1])
        else:
            queue.insert(0, word)
            if not cur:  # a word wider than the line: put it alone
                cur.append(queue.pop(0))
        lines.append(cur)
        cur, used = [], 0.0
    if cur:
        lines.append(cur)
    return lines


# --------------------------------------------------------------------------
# blocks


def _blocks(text: str) -> list[tuple[str, object]]:
    """("title"|"heading"|"para"|"table", content) in document order.

    Every line of the corpus text is a paragraph of its own (the corpus has one
    paragraph per line, a blank line or not between them); tab-separated lines
    form a table; ``#`` lines and lines that are bold as a whole are headings.
    """
    blocks: list[tuple[str, object]] = []
    table: list[list[str]] = []

    def flush_table() -> None:
        if table:
            blocks.append(("table", [row[:] for row in table]))
            table.clear()

    for ln in text.replace("\r\n", "\n").split("\n"):
        if not ln.strip():
            flush_table()
            continue
        if "\t" in ln:
            table.append([c.strip() for c in ln.split("\t")])
            continue
        flush_table()
        m = re.match(r"^(#{1,6})\s+(.*)$", ln)
        if m:
            kind = "title" if m.group(1) == "#" and not any(b[0] == "title" for b in blocks) else "heading"
            blocks.append((kind, m.group(2).strip()))
        elif re.fullmatch(r"\s*\*\*[^*]+\*\*:?\s*", ln):
            blocks.append(("heading", ln.strip()))
        else:
            blocks.append(("para", ln.strip()))
    flush_table()
    return blocks


class _Writer:
    def __init__(self, out_path: Path) -> None:
        self.font, self.bold = _fonts()
        self.c = canvas.Canvas(str(out_path), pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
        self.page = 0
        self._new_page()

    # page furniture
    def _new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        c = self.c
        c.setFont(self.font, 8)
        c.drawString(MARGIN_X, PAGE_H - 40, HEADER_TEXT)
        c.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 40, "Vol. 12, 2024")
        c.setFont(self.font, 8)
        c.drawCentredString(PAGE_W / 2, 36, str(self.page))
        self.band_top = PAGE_H - MARGIN_TOP
        self.page_top = self.band_top
        self.col = 0
        self.y = self.band_top
        self.col_bottom = [self.band_top, self.band_top]

    def _col_x(self) -> float:
        return MARGIN_X + self.col * (COL_W + GUTTER)

    def _next_column(self) -> None:
        self.col_bottom[self.col] = self.y
        if self.col == 0:
            self.col = 1
            self.y = self.band_top
        else:
            self._new_page()

    def _end_band(self) -> float:
        """Close the two-column band; return the y below it."""
        self.col_bottom[self.col] = self.y
        bottom = min(self.col_bottom[0], self.col_bottom[1]) if self.col == 1 else self.y
        return bottom

    def _start_band(self, top: float) -> None:
        self.band_top = top
        self.col = 0
        self.y = top
        self.col_bottom = [top, top]

    # drawing
    def _draw_line(self, x: float, y: float, words, font: str, size: float) -> None:
        c = self.c
        space = pdfmetrics.stringWidth(" ", font, size)
        for k, word in enumerate(words):
            if k:
                x += space
            for t, sup in word:
                fs = size * (0.65 if sup else 1.0)
                c.setFont(font, fs)
                c.drawString(x, y + (size * 0.38 if sup else 0.0), t)
                x += pdfmetrics.stringWidth(t, font, fs)

    def title(self, text: str) -> None:
        top = self._end_band()
        size = 15.0
        y = top - size
        for words in _break_lines(text, PAGE_W - 2 * MARGIN_X, self.bold, size):
            self._draw_line(MARGIN_X, y, words, self.bold, size)
            y -= size * 1.25
        self._start_band(y - 10)

    def column_text(self, text: str, *, bold: bool = False, gap_before: float = 0.0) -> None:
        font = self.bold if bold else self.font
        size = BODY_SIZE + (0.5 if bold else 0.0)
        if self.y < self.band_top:
            self.y -= gap_before
        lines = _break_lines(text, COL_W, font, size)
        for _i, words in enumerate(lines):
            if self.y - LEADING < MARGIN_BOTTOM:
                self._next_column()
            self.y -= LEADING
            self._draw_line(self._col_x(), self.y, words, font, size)

    def table(self, rows: list[list[str]]) -> None:
        """A full-width table: header row bold between rules, cells left
        aligned in columns; a table too wide for the page gets a smaller font
        (not below 6 pt) and then wraps its long cells over several lines,
        with a little more space between rows than between wrapped lines."""
        ncol = max(len(r) for r in rows)
        rows = [r + [""] * (ncol - len(r)) for r in rows]
        avail = PAGE_W - 2 * MARGIN_X
        size, gap = 8.0, 12.0
        fonts = [self.bold] + [self.font] * (len(rows) - 1)

        words = [[_words(cell) for cell in r] for r in rows]

        def natural(sz: float) -> list[float]:
            space = pdfmetrics.stringWidth(" ", self.font, sz)
            return [
                max(sum(_word_width(w, f, sz) + space for w in r[j]) - space for r, f in zip(words, fonts))
                for j in range(ncol)
            ]

        def longest_word(sz: float) -> list[float]:
            return [
                max((_word_width(w, f, sz) for r, f in zip(words, fonts) for w in r[j]), default=0.0)
                for j in range(ncol)
            ]

        while size > 6.0 and sum(natural(size)) + gap * (ncol - 1) > avail:
            size -= 0.5
        nat, low = natural(size), longest_word(size)
        room = avail - gap * (ncol - 1)
        if sum(nat) <= room:
            widths = nat
        elif sum(low) >= room:
            widths = low  # cannot fit: overflows, as a badly set table would
        else:
            # as browsers do: every column its longest word, the rest shared
            # in proportion to how much wider each column would like to be
            extra = room - sum(low)
            want = [n - m for n, m in zip(nat, low)]
            widths = [m + extra * w / sum(want) for m, w in zip(low, want)]
        cells = [
            [_break_lines(r[j], widths[j] + 0.01, f, size, hyphenate=False) if r[j] else [] for j in range(ncol)]
            for r, f in zip(rows, fonts)
        ]
        line_h, pad = size * 1.2, size * 0.6
        heights = [max(1, *(len(c) for c in row)) * line_h + pad for row in cells]
        top = self._end_band() - 8
        if top - sum(heights) - size < MARGIN_BOTTOM and top < self.page_top - 1:
            self._new_page()
            top = self.band_top
        c = self.c
        c.setLineWidth(0.5)
        y = top
        c.line(MARGIN_X, y, PAGE_W - MARGIN_X, y)
        y -= pad * 0.5
        for i, (row, h) in enumerate(zip(cells, heights)):
            if y - h < MARGIN_BOTTOM:  # a long table runs on over the next page
                self._new_page()
                y = self.band_top
            x = MARGIN_X
            for j, lines in enumerate(row):
                for k, line_words in enumerate(lines):
                    self._draw_line(x, y - size - k * line_h, line_words, fonts[i], size)
                x += widths[j] + gap
            y -= h
            if i == 0:
                c.line(MARGIN_X, y + pad * 0.5, PAGE_W - MARGIN_X, y + pad * 0.5)
        c.line(MARGIN_X, y, PAGE_W - MARGIN_X, y)
        self._start_band(y - 10)

    def save(self) -> None:
        self.c.showPage()
        self.c.save()


def render_pdf(text: str, out_path: Path) -> None:
    """Render ``text`` (a corpus document) to a two-column PDF at ``out_path``."""
    out_path = Path(out_path)
    w = _Writer(out_path)
    for kind, content in _blocks(text):
        if kind == "title":
            w.title(str(content))
        elif kind == "heading":
            w.column_text(str(content), bold=True, gap_before=8.0)
        elif kind == "table":
            w.table(content)  # type: ignore[arg-type]
        else:
            w.column_text(str(content), gap_before=6.0)
    w.save()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    corpus = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "corpus"
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in sorted(corpus.glob("*.txt")):
        render_pdf(src.read_text(encoding="utf-8"), out_dir / (src.stem + ".pdf"))
        print(out_dir / (src.stem + ".pdf"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
