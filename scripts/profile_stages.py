"""Speed of the text pipeline and of PDF -> mentions, in one process, for before/after comparisons.

Text: the corpus papers and every realtext set (warm: one pass first, the best
of ``--repeat`` passes counts), against spaCy's bare tokenizer
(``spacy.blank("en")`` on ``spacy_text``) and the production tokenizer on the
same texts, plus seconds per pipeline stage. PDF: ingest and extraction of
/work/shared/pdfs/*.pdf and of the corpus papers rendered as PDFs
(scripts/make_corpus_pdfs.py, into a temporary folder), pages/s. ``--profile``
prints a cProfile of one text pass (tottime) instead of timing PDFs. Times
are this process's CPU time (the machine is shared: wall time would count
other people's load).

    python scripts/profile_stages.py [--repeat N] [--profile [N]] [--no-pdf]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

SHARED_PDFS = Path("/work/shared/pdfs")


def text_paths() -> list[Path]:
    """The corpus papers and every realtext set's documents."""
    paths = sorted((ROOT / "corpus").glob("*.txt"))
    for folder in sorted((ROOT / "realtext").glob("*/docs")):
        paths += sorted(folder.glob("*.txt"))
    return paths


def best_of(repeat: int, run) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``run``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def stage_seconds(extractor, documents) -> dict[str, float]:
    """Seconds per stage over ``documents``: make_doc (tokenizer), then each component."""
    seconds: dict[str, float] = {"make_doc + tokenizer": 0.0}
    for document in documents:
        t0 = time.process_time()
        doc = extractor.nlp.make_doc(document.text)
        doc._.document = document
        seconds["make_doc + tokenizer"] += time.process_time() - t0
        for name, component in extractor.nlp.pipeline:
            t0 = time.process_time()
            doc = component(doc)
            seconds[name] = seconds.get(name, 0.0) + time.process_time() - t0
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best counts (default 3)")
    parser.add_argument("--profile", type=int, nargs="?", const=40, help="cProfile one text pass, print N rows")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF rows")
    args = parser.parse_args(argv)

    import spacy

    from extractor.ingest import load_document
    from extractor.mentions.reader import Extractor
    from extractor.nlp.tokenizer import spacy_text

    documents = [load_document(p) for p in text_paths()]
    words = sum(len(d.text.split()) for d in documents)
    flat = [spacy_text(d.text) for d in documents]
    extractor = Extractor()
    blank = spacy.blank("en").tokenizer
    production = extractor.nlp.tokenizer

    def pipeline() -> None:
        for _ in extractor.read_many(documents):
            pass

    pipeline()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        pipeline()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        return 0

    blank_s = best_of(args.repeat, lambda: [blank(t) for t in flat])
    prod_s = best_of(args.repeat, lambda: [production(t) for t in flat])
    pipe_s = best_of(args.repeat, pipeline)
    stages = stage_seconds(extractor, documents)
    total = sum(stages.values())
    print(f"text: {len(documents)} documents, {words:,} words")
    print(f"  tokenizer spacy.blank(en), spacy_text   {words / blank_s:>10,.0f} words/s")
    print(f"  tokenizer production, spacy_text        {words / prod_s:>10,.0f} words/s")
    print(f"  text pipeline (read_many)               {words / pipe_s:>10,.0f} words/s; {pipe_s:.2f}s")
    print(f"  ratio to the bare tokenizer             {blank_s / pipe_s:>10.1%}")
    for name, seconds in stages.items():
        print(f"    stage {name:<32}{words / seconds:>10,.0f} words/s; {seconds / total:5.1%}")

    if args.no_pdf:
        return 0
    from make_corpus_pdfs import render_pdf

    with tempfile.TemporaryDirectory(prefix="profile-pdfs-") as tmp:
        rendered = []
        for path in sorted((ROOT / "corpus").glob("*.txt")):
            out = Path(tmp) / f"{path.stem}.pdf"
            render_pdf(path.read_text(encoding="utf-8"), out)
            rendered.append(out)
        shared = sorted(SHARED_PDFS.glob("*.pdf")) if SHARED_PDFS.is_dir() else []
        for label, pdfs in (("/work/shared/pdfs", shared), ("corpus rendered as PDF", rendered)):
            if not pdfs:
                continue
            pages = [0]

            def ingest(pdfs=pdfs, pages=pages) -> None:
                pages[0] = sum(load_document(p, pdf_timeout=120).page_count for p in pdfs)

            def to_mentions(pdfs=pdfs) -> None:
                for _ in extractor.read_many(load_document(p, pdf_timeout=120) for p in pdfs):
                    pass

            ingest_s = best_of(args.repeat, ingest)
            full_s = best_of(args.repeat, to_mentions)
            print(f"pdf: {label}: {len(pdfs)} PDFs, {pages[0]} pages")
            print(f"  ingest only                             {pages[0] / ingest_s:>10,.1f} pages/s")
            print(f"  PDF -> mentions                         {pages[0] / full_s:>10,.1f} pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
