"""Does pdfplumber's table finder earn its place next to the pdfium reader? (issue 12, point 5)

Measures, changes nothing:

1. Corpus papers rendered to PDFs (``make_corpus_pdfs``): tables, rows and
   non-empty cells found by pdfplumber's table finder (default "lines"
   settings, and the "text" strategy) and by the project's reader
   (``read_pdf`` -> ``analyse(...).tables``), and how many of the source
   tables' non-empty cells (the corpus .txt: tab-separated or markdown pipe
   rows) each one reproduces: exactly (whitespace normalized), loosely (markup
   reduced to the printed words, superscripts either inline or dropped, all
   whitespace ignored), and whole rows (loose).
2. The real PDFs: pages, tables, rows and cells per method; how many of
   pdfplumber's cells read_pdf's tables do not hold; pages/s of pdfplumber's
   table finding (open + find_tables + extract) and of read_pdf, one core.
3. Gold mentions inside source table rows: mapped exactly onto the PDF text,
   inside a read_pdf table, inside one pdfplumber cell, and found by the text
   and the PDF extraction path; plus the overall lines of ``pdf_score``.

    python scripts/pdfplumber_tables.py [--pdf-dir DIR] [--real DIR] [--corpus DIR] [--gold DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from make_corpus_pdfs import _plain, render_pdf  # noqa: E402
from pdf_score import run_corpus, scores  # noqa: E402

from extractor.evaluate.score import Score, max_matching  # noqa: E402
from extractor.ingest.pdf import read_pdf  # noqa: E402
from extractor.text.structure import analyse  # noqa: E402

TEXT_SETTINGS = {"vertical_strategy": "text", "horizontal_strategy": "text"}
STRATEGIES: dict[str, dict | None] = {"plumber-lines": None, "plumber-text": TEXT_SETTINGS}
Rows = list[list[str]]  # one table: rows of cell texts
_SUP_TAG = re.compile(r"<sup>(.*?)</sup>")


# --------------------------------------------------------------------------
# cell keys


def exact_key(cell: str) -> str:
    """Whitespace-normalized cell text."""
    return " ".join(cell.split())


def _no_superscripts(s: str) -> str:
    return "".join(ch for ch in s if not unicodedata.decomposition(ch).startswith("<super>"))


def loose_key(cell: str) -> str:
    """An extracted cell without whitespace and Unicode superscripts."""
    return "".join(_no_superscripts(cell).split())


def source_loose_keys(cell: str) -> set[str]:
    """The printed forms of a source cell: markup reduced to its words, the
    superscript inline ("Overalla", as pdfplumber reads it) or dropped."""
    plain = _plain(cell)
    return {"".join(_SUP_TAG.sub(repl, plain).split()) for repl in (r"\1", "")}


# --------------------------------------------------------------------------
# tables of each method


def source_tables(text: str) -> list[Rows]:
    """Source tables: tab-separated runs (``analyse``) and markdown pipe rows."""
    tables = [[[c.text for c in row] for row in t.rows] for t in analyse(text).tables]
    current: Rows = []
    for line in text.split("\n") + [""]:
        s = line.strip()
        if s.startswith("|") and s.count("|") >= 3:
            if not re.fullmatch(r"[|:\-\s]+", s):  # the |---| separator row
                current.append([c.strip() for c in s.strip("|").split("|")])
            continue
        if len(current) >= 2:
            tables.append(current)
        current = []
    return tables


def reader_tables(path: Path) -> tuple[list[Rows], int]:
    """read_pdf's tables (tab-separated rows of Document.text) and the page count."""
    doc = read_pdf(path, path.stem, timeout=120)
    return [[[c.text for c in row] for row in t.rows] for t in analyse(doc.text).tables], len(doc.pages)


def plumber_tables(path: Path, settings: dict | None) -> list[Rows]:
    """pdfplumber's tables, every page; None cells become ""."""
    out: list[Rows] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            found = page.find_tables(settings) if settings else page.find_tables()
            out += [[[c or "" for c in row] for row in t.extract()] for t in found]
            page.close()
    return out


def cells(tables: Iterable[Rows]) -> list[str]:
    return [c for t in tables for row in t for c in row if c.strip()]


def n_rows(tables: list[Rows]) -> int:
    return sum(len(t) for t in tables)


def reproduced(source: list[str], found: list[str], key: Callable[[str], str], source_keys=None) -> int:
    """Source cells matched one-to-one by a found cell with the same key."""
    pool = Counter(key(c) for c in found)
    hits = 0
    for cell in source:
        for k in source_keys(cell) if source_keys else {key(cell)}:
            if pool[k] > 0:
                pool[k] -= 1
                hits += 1
                break
    return hits


def rows_reproduced(source: list[Rows], found: list[Rows]) -> int:
    """Source rows whose non-empty cells (loose) come out as one found row."""
    pool = Counter(tuple(loose_key(c) for c in row if c.strip()) for t in found for row in t)
    hits = 0
    for t in source:
        for row in t:
            plain = [_SUP_TAG.sub("", _plain(c)) for c in row if c.strip()]
            inline = [_SUP_TAG.sub(r"\1", _plain(c)) for c in row if c.strip()]
            for variant in (plain, inline):
                k = tuple("".join(c.split()) for c in variant)
                if pool[k] > 0:
                    pool[k] -= 1
                    hits += 1
                    break
    return hits


# --------------------------------------------------------------------------
# 1. corpus


@dataclass
class CorpusRow:
    doc_id: str
    src_tables: int
    src_rows: int
    src_cells: int
    per_method: dict[str, tuple[int, int, int, int, int, int]] = field(default_factory=dict)
    # method -> (tables, rows, cells, exact cells, loose cells, loose rows)


def measure_corpus(corpus: Path, pdf_dir: Path) -> list[CorpusRow]:
    pdf_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for src in sorted(corpus.glob("*.txt")):
        text = src.read_text(encoding="utf-8")
        pdf = pdf_dir / f"{src.stem}.pdf"
        if not pdf.exists():
            render_pdf(text, pdf)
        source = source_tables(text)
        src_cells = cells(source)
        row = CorpusRow(src.stem, len(source), n_rows(source), len(src_cells))
        methods = {"read_pdf": reader_tables(pdf)[0]}
        methods |= {name: plumber_tables(pdf, s) for name, s in STRATEGIES.items()}
        for name, tables in methods.items():
            found = cells(tables)
            row.per_method[name] = (
                len(tables),
                n_rows(tables),
                len(found),
                reproduced(src_cells, found, exact_key),
                reproduced(src_cells, found, loose_key, source_loose_keys),
                rows_reproduced(source, tables),
            )
        out.append(row)
    return out


def format_corpus(rows: list[CorpusRow]) -> list[str]:
    lines = [
        "1. corpus PDFs: tables/rows/cells found; source cells reproduced exact|loose; source rows reproduced",
        f"{'document':<22}{'source t/r/c':>14} | {'method':<14}{'t/r/c found':>16}{'cells exact':>13}"
        f"{'cells loose':>13}{'rows':>9}",
    ]
    totals: dict[str, list[int]] = {}
    for r in rows:
        for k, (name, v) in enumerate(r.per_method.items()):
            head = f"{r.doc_id[:21]:<22}{f'{r.src_tables}/{r.src_rows}/{r.src_cells}':>14}" if k == 0 else " " * 36
            lines.append(
                f"{head} | {name:<14}{f'{v[0]}/{v[1]}/{v[2]}':>16}"
                f"{f'{v[3]}/{r.src_cells}':>13}{f'{v[4]}/{r.src_cells}':>13}{f'{v[5]}/{r.src_rows}':>9}"
            )
            acc = totals.setdefault(name, [0] * 6)
            for i, x in enumerate(v):
                acc[i] += x
    st, sr, sc = (sum(getattr(r, a) for r in rows) for a in ("src_tables", "src_rows", "src_cells"))
    for k, (name, v) in enumerate(totals.items()):
        head = f"{'all':<22}{f'{st}/{sr}/{sc}':>14}" if k == 0 else " " * 36
        lines.append(
            f"{head} | {name:<14}{f'{v[0]}/{v[1]}/{v[2]}':>16}{f'{v[3]}/{sc}':>13}{f'{v[4]}/{sc}':>13}{f'{v[5]}/{sr}':>9}"
        )
    return lines


# --------------------------------------------------------------------------
# 2. real PDFs


def measure_real(real: Path) -> list[str]:
    lines = [
        "2. real PDFs: tables/rows/cells per method; pdfplumber cells (loose) that read_pdf's tables lack",
        f"{'pdf':<34}{'pages':>6}{'read_pdf':>13}{'plumber-lines':>15}{'not in rd':>10}"
        f"{'plumber-text':>16}{'not in rd':>10}",
    ]
    times = {"read_pdf": 0.0} | dict.fromkeys(STRATEGIES, 0.0)
    pages_total = 0
    for pdf in sorted(real.glob("*.pdf")):
        t0 = time.perf_counter()
        rd, pages = reader_tables(pdf)
        times["read_pdf"] += time.perf_counter() - t0
        pages_total += pages
        found = {}
        for name, settings in STRATEGIES.items():
            t0 = time.perf_counter()
            found[name] = plumber_tables(pdf, settings)
            times[name] += time.perf_counter() - t0
        rd_pool = Counter(loose_key(c) for c in cells(rd))
        parts = []
        for name in STRATEGIES:
            pc = cells(found[name])
            missing = len(pc) - reproduced(pc, list(rd_pool.elements()), loose_key)
            parts.append(f"{f'{len(found[name])}/{n_rows(found[name])}/{len(pc)}':>15}{missing:>10}")
        lines.append(
            f"{pdf.stem[:33]:<34}{pages:>6}{f'{len(rd)}/{n_rows(rd)}/{len(cells(rd))}':>13}{parts[0]}{' ' + parts[1]}"
        )
    lines.append(
        "speed, one core, "
        + f"{pages_total} pages: "
        + ", ".join(f"{name} {pages_total / t:.1f} pages/s ({t:.2f} s)" for name, t in times.items())
    )
    return lines


# --------------------------------------------------------------------------
# 3. gold mentions in source tables


def measure_gold(corpus: Path, gold: Path, pdf_dir: Path) -> list[str]:
    runs = run_corpus(corpus, gold, pdf_dir)
    n = exact = in_reader_table = in_plumber_cell = by_text = by_pdf = 0
    for r in runs:
        spans = [(t.start, t.end) for t in analyse(r.text_doc.text).tables]
        in_table = [i for i, g in enumerate(r.gold) if any(s <= g["start"] and g["end"] <= e for s, e in spans)]
        if not in_table:
            continue
        pdf_spans = [(t.start, t.end) for t in analyse(r.pdf_doc.text).tables]
        plumber_cells = {loose_key(c) for c in cells(plumber_tables(r.pdf_doc.path, TEXT_SETTINGS))}
        plumber_cells |= {loose_key(c) for c in cells(plumber_tables(r.pdf_doc.path, None))}
        text_hit = _matched(r.gold, r.text_rows)
        pdf_hit = _matched(r.pdf_gold, r.pdf_rows)
        for i in in_table:
            pg = r.pdf_gold[i]
            n += 1
            exact += pg["align"] == "exact"
            in_reader_table += any(s <= pg["start"] and pg["end"] <= e for s, e in pdf_spans)
            key = loose_key(r.gold[i]["text"])
            in_plumber_cell += any(key in c for c in plumber_cells)
            by_text += i in text_hit
            by_pdf += i in pdf_hit
    t_all, p_all = scores(runs)
    lost = sum(len(r.lost_gold) for r in runs)

    def f1(s: Score, view: str) -> float:
        return Score.micro(getattr(s, view)).f1

    return [
        f"3. gold mentions (core fields) inside source table rows: {n}; mapped exactly onto the PDF text {exact}; "
        f"inside a read_pdf table {in_reader_table}; inside one pdfplumber cell {in_plumber_cell}; "
        f"found by the text path {by_text}, by the PDF path {by_pdf}",
        f"pdf_score overall (micro, core fields): gold {sum(len(r.gold) for r in runs)}, "
        f"text pred {sum(len(r.text_rows) for r in runs)}, PDF pred {sum(len(r.pdf_rows) for r in runs)}; "
        f"lenient F1 text {f1(t_all, 'lenient'):.3f} PDF {f1(p_all, 'lenient'):.3f}; "
        f"fact F1 text {f1(t_all, 'facts'):.3f} PDF {f1(p_all, 'facts'):.3f}; gold not mapped exactly {lost}",
    ]


def _matched(gold: list[dict], rows: list[dict]) -> set[int]:
    """Indexes of gold records matched leniently (same field, overlap, one-to-one)."""
    hit: set[int] = set()
    for name in {g["field"] for g in gold}:
        idx = [i for i, g in enumerate(gold) if g["field"] == name and g["start"] >= 0]
        preds = [p for p in rows if p["field"] == name]
        hit |= {idx[gi] for gi, _ in max_matching([gold[i] for i in idx], preds, lenient=True)}
    return hit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--pdf-dir", type=Path, default=Path("/tmp/corpus_pdfs"), help="rendered corpus PDFs")
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "pdfs", help="real PDFs")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--gold", type=Path, default=ROOT / "gold")
    args = ap.parse_args(argv)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    print("\n".join(format_corpus(measure_corpus(args.corpus, args.pdf_dir))))
    print()
    print("\n".join(measure_real(args.real)))
    print()
    print("\n".join(measure_gold(args.corpus, args.gold, args.pdf_dir)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
