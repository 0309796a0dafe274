"""Build a long PDF from real papers and extract it the way a user would.

Issue 14's "385-page PDF": corpus paper 000 rendered as a journal PDF
(scripts/make_corpus_pdfs.py; the STS content, so there are rows), then the
pages of the real PDFs in ../shared/pdfs (77 pages in all, other topics)
repeated in turn until there are PAGES pages, written
with pypdfium2 to a temporary folder (never into the repository), then
``extractor extract`` on it with the default limits, timed, with the
worker's peak memory (the CLI's children, from getrusage).

    .venv/bin/python scripts/long_pdf.py [PAGES] [PDF_FOLDER]
"""

from __future__ import annotations

import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "pdfs"


def build(pages: int, sources: list[Path], out: Path) -> int:
    """Write ``out`` with ``pages`` pages taken in turn from ``sources``; returns the page count."""
    target = pdfium.PdfDocument.new()
    papers = [pdfium.PdfDocument(str(path)) for path in sources]
    while len(target) < pages:
        for paper in papers:
            take = min(len(paper), pages - len(target))
            if take > 0:
                target.import_pages(paper, list(range(take)))
    target.save(str(out))
    count = len(target)
    for paper in papers:
        paper.close()
    target.close()
    return count


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 385
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else SHARED
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_corpus_pdfs import render_pdf

    with tempfile.TemporaryDirectory(prefix="long-pdf-") as tmp:
        paper = Path(tmp) / "paper.pdf"
        render_pdf(sorted((ROOT / "corpus").glob("*.txt"))[0].read_text(encoding="utf-8"), paper)
        sources = [paper] + sorted(folder.glob("*.pdf"))
        pdf = Path(tmp) / "long.pdf"
        count = build(pages, sources, pdf)
        print(f"built {pdf.name}: {count} pages from {len(sources)} PDFs, {pdf.stat().st_size / 2**20:.1f} MB")
        text = subprocess.run([sys.executable, "-m", "extractor", "text", str(pdf)], capture_output=True, cwd=ROOT)
        print(f"document text: {len(text.stdout.decode('utf-8')):,} characters")
        out = Path(tmp) / "long.csv"
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-m", "extractor", "extract", str(pdf), "--out", str(out), "-q"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(run.stderr.strip())
        with open(out, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        print(
            f"exit {run.returncode}; {len(rows)} rows; {seconds:.1f} s; peak resident memory of one process {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
