"""Score the PDF path against the text path on the corpus.

Each corpus paper is rendered to a two-column PDF (``make_corpus_pdfs``), read
back with ``read_pdf`` and run through the extractor; its gold spans are moved
onto the PDF text (``extractor.evaluate.align.project_gold``). Printed: lenient micro F1
per document and overall (and per field) for the text path and the PDF path,
their difference, fact F1, and per document the facts one path found and the
other did not.

    python scripts/pdf_score.py [--pdf-dir DIR] [--corpus DIR] [--gold DIR] [--errors]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from make_corpus_pdfs import render_pdf  # noqa: E402

from extractor.evaluate.align import align_offsets, project_gold  # noqa: E402
from extractor.evaluate.gold import load_gold  # noqa: E402
from extractor.evaluate.score import Score, fact_of, normalize_record, score  # noqa: E402
from extractor.ingest import load_document  # noqa: E402
from extractor.ingest.document import Document  # noqa: E402
from extractor.ingest.pdf import read_pdf  # noqa: E402
from extractor.schema import (  # noqa: E402
    CORE_FIELDS,
)


@dataclass
class PaperRun:
    """One corpus paper through both paths."""

    doc_id: str
    text_doc: Document
    pdf_doc: Document
    gold: list[dict]
    pdf_gold: list[dict]
    text_rows: list[dict]
    pdf_rows: list[dict]
    text_facts: set[tuple] = field(default_factory=set)
    pdf_facts: set[tuple] = field(default_factory=set)

    @property
    def lost_gold(self) -> list[dict]:
        return [r for r in self.pdf_gold if r["align"] != "exact"]


def facts_of(rows: list[dict]) -> set[tuple]:
    """A document's fact set: (field, category) for route/outcome, (field,
    value_min, value_max, unit) for the numeric fields (``score.fact_of``)."""
    return {fact_of(normalize_record(r)) for r in rows}


def run_corpus(corpus: Path, gold_dir: Path, pdf_dir: Path, extractor=None) -> list[PaperRun]:
    """Render, read and extract every corpus paper on both paths."""
    from extractor.mentions.reader import Extractor

    x = extractor or Extractor()
    # the PDF path is measured on the five core fields (the evidence-table
    # fields' gold holds LaTeX-marked spans such as "$\\leq 1$ month" no PDF prints)
    gold = [r for r in load_gold(gold_dir) if r["field"] in CORE_FIELDS]
    pdf_dir.mkdir(parents=True, exist_ok=True)
    runs: list[PaperRun] = []
    for src in sorted(corpus.glob("*.txt")):
        text_doc = load_document(src)
        pdf_path = pdf_dir / f"{src.stem}.pdf"
        render_pdf(src.read_text(encoding="utf-8"), pdf_path)
        pdf_doc = read_pdf(pdf_path, src.stem, timeout=60)
        doc_gold = [r for r in gold if r["doc_id"] == src.stem]
        mapping = align_offsets(text_doc.text, pdf_doc.text)
        pdf_gold = project_gold(doc_gold, text_doc.text, pdf_doc.text, alignment=mapping)
        text_rows = [m.row() for m in x.extract(text_doc) if m.field in CORE_FIELDS]
        pdf_rows = [m.row() for m in x.extract(pdf_doc) if m.field in CORE_FIELDS]
        runs.append(
            PaperRun(
                src.stem,
                text_doc,
                pdf_doc,
                doc_gold,
                pdf_gold,
                text_rows,
                pdf_rows,
                facts_of(text_rows),
                facts_of(pdf_rows),
            )
        )
    return runs


def scores(runs: list[PaperRun]) -> tuple[Score, Score]:
    """Overall (text-path score, PDF-path score)."""
    text = score([g for r in runs for g in r.gold], [p for r in runs for p in r.text_rows])
    pdf = score([g for r in runs for g in r.pdf_gold], [p for r in runs for p in r.pdf_rows])
    return text, pdf


def _f1(result: Score, view: str = "lenient") -> float:
    return Score.micro(getattr(result, view)).f1


def format_report(runs: list[PaperRun]) -> str:
    lines: list[str] = []
    head = (
        f"{'document':<24}{'gold':>5}{'txt pred':>9}{'pdf pred':>9} | {'text F1':>8}{'PDF F1':>8}{'diff':>8} | "
        f"{'text fact F1':>12}{'PDF fact F1':>12} | {'facts ≠':>7}{'gold lost':>10}"
    )
    lines += [head, "-" * len(head)]

    def row(label, gold_n, tp_n, pp_n, t: Score, p: Score, diff_n, lost_n) -> str:
        tf, pf = _f1(t), _f1(p)
        return (
            f"{label:<24}{gold_n:>5}{tp_n:>9}{pp_n:>9} | {tf:>8.3f}{pf:>8.3f}{pf - tf:>+8.3f} | "
            f"{_f1(t, 'facts'):>12.3f}{_f1(p, 'facts'):>12.3f} | {diff_n:>7}{lost_n:>10}"
        )

    for r in runs:
        t = score(r.gold, r.text_rows)
        p = score(r.pdf_gold, r.pdf_rows)
        lines.append(
            row(
                r.doc_id,
                len(r.gold),
                len(r.text_rows),
                len(r.pdf_rows),
                t,
                p,
                len(r.text_facts ^ r.pdf_facts),
                len(r.lost_gold),
            )
        )
    t_all, p_all = scores(runs)
    lines.append("-" * len(head))
    lines.append(
        row(
            "overall (micro)",
            sum(len(r.gold) for r in runs),
            sum(len(r.text_rows) for r in runs),
            sum(len(r.pdf_rows) for r in runs),
            t_all,
            p_all,
            sum(len(r.text_facts ^ r.pdf_facts) for r in runs),
            sum(len(r.lost_gold) for r in runs),
        )
    )
    lines.append("")
    lines.append(f"{'field':<24}{'text F1':>8}{'PDF F1':>8}{'diff':>8}")
    for name in t_all.fields:
        tf, pf = t_all.lenient[name].f1, p_all.lenient[name].f1
        lines.append(f"{name:<24}{tf:>8.3f}{pf:>8.3f}{pf - tf:>+8.3f}")
    lines.append("")
    lines.append("fact-set differences (text path vs PDF path):")
    for r in runs:
        only_text = sorted(r.text_facts - r.pdf_facts, key=repr)
        only_pdf = sorted(r.pdf_facts - r.text_facts, key=repr)
        if not only_text and not only_pdf:
            lines.append(f"  {r.doc_id}: identical ({len(r.text_facts)} facts)")
            continue
        lines.append(f"  {r.doc_id}: {len(r.text_facts)} text facts, {len(r.pdf_facts)} PDF facts")
        lines += [f"    only text: {f}" for f in only_text]
        lines += [f"    only PDF:  {f}" for f in only_pdf]
    return "\n".join(lines)


def format_errors(runs: list[PaperRun]) -> str:
    """Gold spans that did not map exactly, and mentions only one path found (by fact)."""
    lines: list[str] = []
    for r in runs:
        for g, pg in zip(r.gold, r.pdf_gold):
            if pg["align"] != "exact":
                lines.append(f"GOLD {pg['align']:<7} {r.doc_id} {g['field']:<13} {g['text']!r} -> {pg['text']!r}")
        diff = r.text_facts ^ r.pdf_facts
        for label, rows in (("TEXT", r.text_rows), ("PDF ", r.pdf_rows)):
            for m in rows:
                if fact_of(normalize_record(m)) in diff:
                    lines.append(
                        f"{label} {r.doc_id} {m['field']:<13} {m['text']!r} {fact_of(normalize_record(m))[1:]}"
                        f" {m['pattern_id']}\n     {' '.join(str(m['sentence']).split())[:300]}"
                    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--pdf-dir", type=Path, help="keep the rendered PDFs here (default: a temporary directory)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--gold", type=Path, default=ROOT / "gold")
    ap.add_argument("--errors", action="store_true", help="also list unmapped gold spans and differing mentions")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        runs = run_corpus(args.corpus, args.gold, args.pdf_dir or Path(tmp))
    print(format_report(runs))
    if args.errors:
        print()
        print(format_errors(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
