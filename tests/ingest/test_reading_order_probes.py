"""Reading-order probes: sentences that cross a page or column break come out whole.

``tests/data/reading_order_probes.tsv`` lists runs of words read off the
page images of the ten real PDFs in ``../shared/pdfs/`` (skipped when the
folder is absent), with the kind of break they cross: a page break with a
figure, table, a whole page of floats or page-foot notes in between, or a
column break past a footnote, a caption or a float. ``python
tests/test_reading_order_probes.py`` prints the pass rate per kind.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from extractor.ingest.pdf import read_pdf

PDF_DIR = Path(__file__).resolve().parents[3] / "shared" / "pdfs"
PROBES = Path(__file__).resolve().parents[1] / "data" / "reading_order_probes.tsv"


def load_probes() -> list[tuple[str, str, str]]:
    """(pdf, kind, probe) rows of the probe file."""
    return [(pdf, kind, probe) for pdf, kind, probe, _status in _rows()]


def _rows() -> list[list[str]]:
    lines = [ln for ln in PROBES.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return list(csv.reader(lines[1:], delimiter="\t", quoting=csv.QUOTE_NONE))


def _params() -> list:
    """Probes marked ``open`` (the reader does not get them yet) are strict xfails."""
    marks = {"open": pytest.mark.xfail(strict=True, reason="known reading-order miss")}
    return [
        pytest.param(pdf, kind, probe, marks=[marks[status]] if status in marks else [])
        for pdf, kind, probe, status in _rows()
    ]


@cache
def _text(name: str) -> str:
    path = PDF_DIR / name
    return " ".join(read_pdf(path, path.stem, timeout=120).text.split())


def probe_passes(pdf: str, probe: str) -> bool:
    """The probe's words occur in this order, whole, in the reader's text."""
    return " ".join(probe.split()) in _text(pdf)


@pytest.mark.skipif(not PDF_DIR.is_dir(), reason="real PDFs not available")
@pytest.mark.parametrize(("pdf", "kind", "probe"), _params())
def test_probe_whole(pdf: str, kind: str, probe: str) -> None:
    if not (PDF_DIR / pdf).exists():
        pytest.skip(f"{pdf} missing")
    assert probe_passes(pdf, probe), f"{kind}: not whole in {pdf}: {probe}"


def test_probe_file_covers_every_kind() -> None:
    kinds = Counter(kind for _pdf, kind, _probe in load_probes())
    assert sum(n for k, n in kinds.items() if k.startswith("page-")) >= 25
    for kind in ("page-plain", "page-figure", "page-table", "page-fullpage", "page-footnote"):
        assert kinds[kind] >= 2, kind
    for kind in ("column-footnote", "column-lastline", "column-caption", "column-float"):
        assert kinds[kind] >= 1, kind


def main() -> int:
    """Print passed/total per kind and the probes that fail."""
    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for pdf, kind, probe in load_probes():
        total[kind] += 1
        if probe_passes(pdf, probe):
            passed[kind] += 1
        else:
            print(f"FAIL {kind:16} {pdf}: {probe[:90]}")
    for kind in sorted(total):
        print(f"{kind:18} {passed[kind]:>3}/{total[kind]}")
    page = [k for k in total if k.startswith("page-")]
    print(f"{'page crossings':18} {sum(passed[k] for k in page):>3}/{sum(total[k] for k in page)}")
    print(f"{'all':18} {sum(passed.values()):>3}/{sum(total.values())}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())


@pytest.mark.skipif(not PDF_DIR.is_dir(), reason="real PDFs not available")
def test_moved_floats_keep_their_pages() -> None:
    """A figure moved after the sentence it interrupted still maps to its own page."""
    path = PDF_DIR / "hindawi-crtransplant2016-cmv-cidofovir.pdf"
    document = read_pdf(path, path.stem, timeout=120)
    text = document.text
    before = text.index("One may speculate that the combined")
    after = text.index("treatment was effective, as CMVIG")
    caption = text.index("Figure 1: Schematic of CMV treatment")
    assert before < after < caption
    assert (document.page_at(before), document.page_at(after), document.page_at(caption)) == (2, 3, 3)
    # a whole page of table between the halves of a sentence: the table keeps page 4
    path = PDF_DIR / "bmc-cancer2016-t2dm-adenoma-meta.pdf"
    document = read_pdf(path, path.stem, timeout=120)
    table = document.text.index("Table 1 Characteristic of studies included")
    assert document.page_at(table) == 4
    assert document.page_at(document.text.index("insulin-like growth factor 1 (IGF-1) might")) == 5
    assert {p.number for p in document.pages} == set(range(1, 10))


@pytest.mark.skipif(not PDF_DIR.is_dir(), reason="real PDFs not available")
def test_text_layout_shows_block_kinds() -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    result = CliRunner().invoke(app, ["text", str(PDF_DIR / "hindawi-crtransplant2016-cmv-cidofovir.pdf"), "--layout"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    caption = next(ln for ln in lines if "Figure 1: Schematic" in ln)
    assert caption.startswith("p3") and "float (moved)" in caption
    assert any(ln.startswith("p3") and " body " in ln and "treatment was effective" in ln for ln in lines)
    assert any(" header " in ln for ln in lines)
