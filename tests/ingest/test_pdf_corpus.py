"""The PDF path against the text path on the corpus.

Each corpus paper is rendered to a journal-like PDF (scripts/make_corpus_pdfs.py:
two columns, running header and footer, full-width tables with wrapped cells,
hyphenated lines, raised citation markers), read back with ``read_pdf`` and run
through the same extractor as the ``.txt``. Gold spans are moved onto the PDF
text with ``extractor.evaluate.align.project_gold``. Per paper the extracted facts must
be the same on both paths, and the overall lenient micro F1 on the PDFs must
be within 0.03 of the text path's (``python scripts/pdf_score.py`` prints the
full comparison).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, GOLD

from extractor.evaluate.align import align_offsets, project_gold
from extractor.evaluate.score import Score

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from pdf_score import run_corpus, scores

DOC_IDS = sorted(path.stem for path in CORPUS.glob("*.txt"))

# Facts that differ for a reason outside the PDF reader. The PDF reader spells
# citation markers as Unicode superscripts glued to the word before them
# ("1x1 mm.²", as the corpus itself does in "tissue.¹"); the text path sees
# "mm.<sup>2</sup>", whose tags the tokenizer blanks. spaCy keeps "mm.²" as
# one token, so the size rule misses "went from 3x3 to 1x1 mm.²" on the PDF.
# Papers whose PDF facts are known to differ from the text path (doc_id → reason);
# each is a strict xfail, so a fix shows up as a failure until it is removed here.
KNOWN_DIFFERENCES: dict[str, str] = {}


@pytest.fixture(scope="module")
def runs(extractor, tmp_path_factory):
    """Every corpus paper through both paths (one Extractor for the session)."""
    return {run.doc_id: run for run in run_corpus(CORPUS, GOLD, tmp_path_factory.mktemp("corpus_pdfs"), extractor)}


@pytest.mark.slow
def test_every_corpus_paper_rendered(runs):
    assert sorted(runs) == DOC_IDS and DOC_IDS
    for run in runs.values():
        assert run.pdf_doc.pages and len(run.pdf_doc.pages) >= 2
        assert run.text_facts, f"{run.doc_id}: the text path found nothing"


@pytest.mark.slow
@pytest.mark.parametrize(
    "doc_id",
    [
        pytest.param(doc_id, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[doc_id]))
        if doc_id in KNOWN_DIFFERENCES
        else doc_id
        for doc_id in DOC_IDS
    ],
)
def test_pdf_facts_equal_text_facts(runs, doc_id):
    run = runs[doc_id]
    only_text = sorted(run.text_facts - run.pdf_facts, key=repr)
    only_pdf = sorted(run.pdf_facts - run.text_facts, key=repr)
    assert not only_text and not only_pdf, f"only on the text path: {only_text}; only on the PDF path: {only_pdf}"


@pytest.mark.slow
def test_pdf_score_within_003_of_text_score(runs):
    text, pdf = scores(list(runs.values()))
    text_f1 = Score.micro(text.lenient).f1
    pdf_f1 = Score.micro(pdf.lenient).f1
    assert abs(pdf_f1 - text_f1) <= 0.03, f"text {text_f1:.3f} vs PDF {pdf_f1:.3f}"


@pytest.mark.slow
def test_every_gold_span_found_in_the_pdf_text(runs):
    """The PDF text carries every labelled span word for word (line breaks,
    hyphenation and superscripts put back), so projection is exact."""
    for run in runs.values():
        bad = [
            (g["text"], p["text"], p["align"])
            for g, p in zip(run.gold, run.pdf_gold)
            if p["align"] != "exact" or " ".join(g["text"].split()) != " ".join(p["text"].split())
        ]
        assert not bad, f"{run.doc_id}: {bad[:5]}"


@pytest.mark.slow
def test_pdf_tables_keep_their_rows(runs):
    """Tables set across both columns come back one row per line, with empty
    cells, as in the corpus text."""
    text = runs["000_27e00deb6a4870f6"].pdf_doc.text
    assert "Sodium thiosulfate therapy\tSize of lesion, cm\tNumber of lesions\tSuccess rate, %\n" in text
    assert "\n\t0.1-0.2\t12\t100\n" in text
    text = runs["004_2aee7e247fadcbf4"].pdf_doc.text
    # wrapped header and body cells are merged back into their rows
    assert "\tSodium thiosulphate, mg Mean (range)\t" in text
    assert "SSc/59\tKnee\t70\tRepeated injection every week for 4 weeks\t57.5 (12.5–87.5)\t" in text
    assert "SSc/59\t\t3\tSingle injection\t12.5\tNo\t0/100\t0/100\n" in text


# --------------------------------------------------------------------------
# extractor.evaluate.align on its own


def test_align_whitespace_markup_and_hyphenation():
    source = "Calcinosis **cutis** was\ntreated with 12.5 g<sup>3</sup> of calcification therapy."
    target = "Calcinosis cutis was treated with 12.5 g³ of calcifi-\ncation therapy."
    mapping = align_offsets(source, target)
    for word in ("Calcinosis", "cutis", "treated", "12.5 g", "therapy"):
        start = source.index(word)
        span = mapping.span(start, start + len(word))
        assert span is not None and target[span[0] : span[1]] == word
    start = source.index("calcification")
    span = mapping.span(start, start + len("calcification"))
    assert target[span[0] : span[1]] == "calcifi-\ncation"
    assert mapping(source.index("\n")) is None  # whitespace maps nowhere


def test_project_gold_flags_lost_and_partial_spans():
    source = "Dose 5 mg daily. Size 3 mm. Extra words here."
    target = "Dose 5 mg daily. Size 3 mm."
    records = [
        {"doc_id": "d", "field": "dose", "text": "5 mg", "start": 5, "end": 9},
        {"doc_id": "d", "field": "outcome", "text": "Extra words", "start": 28, "end": 39},
        {"doc_id": "d", "field": "lesion_size", "text": "3 mm. Extra", "start": 22, "end": 33},
    ]
    out = project_gold(records, source, target)
    assert [r["align"] for r in out] == ["exact", "lost", "partial"]
    assert out[0]["text"] == "5 mg" and (out[0]["start"], out[0]["end"]) == (5, 9)
    assert (out[1]["start"], out[1]["end"], out[1]["text"]) == (-1, -1, "")
    assert out[2]["text"] == "3 mm."
    assert records[0]["start"] == 5 and "align" not in records[0]  # inputs untouched


@pytest.mark.slow
def test_align_is_fast_on_a_long_document(runs):
    run = max(runs.values(), key=lambda r: len(r.text_doc.text))
    assert len(run.text_doc.text) > 15000
    started = time.perf_counter()
    align_offsets(run.text_doc.text, run.pdf_doc.text)
    assert time.perf_counter() - started < 2.0
