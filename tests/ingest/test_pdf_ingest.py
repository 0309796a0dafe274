"""PDF ingestion on PDFs generated at test time (scripts/make_corpus_pdfs.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from extractor.ingest.document import IngestError
from extractor.ingest.pdf import read_pdf

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from make_corpus_pdfs import HEADER_TEXT, render_pdf

LONG_WORDS = (
    "calcification immunosuppression hyperparathyroidism thrombocytopenia "
    "nephrocalcinosis hydroxychloroquine dermatomyositis "
)


def _sentences(n: int) -> str:
    return " ".join(
        f"Sentence {i:03d} describes dystrophic calcification treated with topical therapy over several months."
        for i in range(n)
    )


DOC = f"""# Topical sodium thiosulfate for calcinosis cutis: a retrospective case series

## Summary

Calcinosis cutis is a rare condition.<sup>3</sup> The tissue-invasive form is severe and tissue-invasive lesions ulcerate.
Patients received 5\u00a0mg/kg daily and D-limonene was not used. The effect was signiﬁcant in the ﬂare group.

{_sentences(40)}

{(LONG_WORDS * 12).strip()}

**Table 1** Characteristics of patients.

Parameter\tMean (range)\tPatients, n
Age at diagnosis, years\t47.8 (2–82)\t28
Amount per prescription, g\t180 (60–480)\t21

{_sentences(140)[len(_sentences(40)) + 1 :]}
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "doc.pdf"
    render_pdf(DOC, path)
    return path


@pytest.fixture(scope="module")
def doc(generated):
    return read_pdf(generated, "doc", timeout=30)


def _norm(s: str) -> str:
    return " ".join(s.split())


def test_render_is_deterministic(tmp_path, generated):
    again = tmp_path / "again.pdf"
    render_pdf(DOC, again)
    assert again.read_bytes() == generated.read_bytes()


def test_reading_order_across_columns_and_pages(doc):
    text = _norm(doc.text)
    assert len(doc.pages) >= 3
    assert _whole_sentence_numbers(text) == list(range(140)), "every sentence whole and in order"


def test_headers_footers_and_page_numbers_removed(doc):
    assert HEADER_TEXT not in doc.text
    assert "Vol. 12, 2024" not in doc.text
    for page in doc.pages:
        chunk = doc.text[page.start : page.end].strip()
        assert not re.match(r"^\d+\b", chunk), chunk[:40]
        assert not re.search(r"\b\d+$", chunk) or chunk.endswith(("28", "21")), chunk[-40:]


def test_hyphenation_joined(generated, doc):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(generated))
    raw = "".join(p.get_textpage().get_text_range() for p in pdf)
    pdf.close()
    # the renderer did hyphenate words at line ends ...
    assert "\ufffe" in raw or re.search(r"[a-z]-\r?\n[a-z]", raw)
    # ... and every long word comes back whole
    words = set(re.findall(r"[A-Za-z-]+", doc.text))
    for w in LONG_WORDS.split():
        assert w in words
    assert not re.search(r"[a-z]-[a-z]+ication\b", doc.text)


def test_untyped_pdfium_calls_match_the_typed_bindings(generated):
    """The char boxes and codes read through calls without ctypes argument
    conversion (pdf_layout's fast path) are those pypdfium2's typed bindings give,
    for a whole page (more chars than the 1,024 slots the box buffer starts with)."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from extractor.ingest.pdf_layout import _boxes, _fetch_boxes, _unicode

    pdf = pdfium.PdfDocument(str(generated))
    try:
        textpage = pdf[0].get_textpage()
        n = textpage.count_chars()
        assert n > 1024
        found = _fetch_boxes(textpage.raw, range(n), n).tolist()
        floats = _boxes.floats[: 4 * n].tolist()
        rect = pdfium_c.FS_RECTF()
        for i in range(n):
            ok = pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, i, ctypes.byref(rect))
            assert found[i] == ok
            if ok:
                expected = [rect.left, rect.top, rect.right, rect.bottom]
                assert floats[4 * i : 4 * i + 4] == expected
            assert _unicode(textpage.raw, i) == pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
    finally:
        pdf.close()


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("calcifi-", "cation of the skin", True),
        ("sub-", "cutaneous tissue", True),  # "sub" compounds are closed
        ("anti-", "inflammatory drugs", False),  # prefix vowel = root vowel keeps the hyphen
        ("rheumatology-", "dermatology clinic", False),  # two whole words by their endings
        ("IL-", "6 levels", False),
        ("tissue-", "invasive form", False),
    ],
)
def test_line_end_hyphen_rules(left, right, joined):
    from extractor.ingest.pdf import _join_hyphen

    assert _join_hyphen(left, right, {"tissue", "skin", "drugs"}, set()) is joined


def test_real_hyphen_kept(doc):
    assert "tissue-invasive form" in _norm(doc.text)
    assert "D-limonene" in doc.text


def test_ligatures_and_nbsp(doc):
    assert "significant in the flare group" in doc.text
    assert "5 mg/kg" in doc.text
    assert "\u00a0" not in doc.text and "ﬁ" not in doc.text


def test_superscript_citation_marker(doc):
    # representation: Unicode superscript digits, never plain digits glued on
    assert "condition.³" in doc.text
    assert "condition.3" not in doc.text and "condition3" not in doc.text


def test_table_rows_with_header(doc):
    lines = doc.text.split("\n")
    header = lines.index("Parameter\tMean (range)\tPatients, n")
    assert lines[header + 1] == "Age at diagnosis, years\t47.8 (2–82)\t28"
    assert lines[header + 2] == "Amount per prescription, g\t180 (60–480)\t21"


def test_page_offsets(doc, generated):
    import pypdfium2 as pdfium

    assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.text)
    for a, b in zip(doc.pages, doc.pages[1:]):
        assert a.end == b.start
    pdf = pdfium.PdfDocument(str(generated))
    for page in doc.pages:
        raw = pdf[page.number - 1].get_textpage().get_text_range()
        chunk = doc.text[page.start : page.end]
        m = re.search(r"Sentence (\d{3})", chunk)
        if m:  # a sentence starting on this page is on this PDF page
            assert f"Sentence {m.group(1)}" in raw
    pdf.close()
    assert doc.page_at(doc.text.index("Sentence 139")) == len(doc.pages)


def test_corpus_words_survive(tmp_path):
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    files = sorted(corpus.glob("*.txt"))[:2]
    if not files:
        pytest.skip("no corpus")
    for src in files:
        out = tmp_path / (src.stem + ".pdf")
        render_pdf(src.read_text(encoding="utf-8"), out)
        text = read_pdf(out, src.stem, timeout=30).text
        got = set(re.findall(r"[A-Za-z]+", text))
        want = set(re.findall(r"[A-Za-z]+", re.sub(r"<[^>]+>", " ", src.read_text(encoding="utf-8"))))
        missing = want - got - {"sup", "i", "https"}
        assert len(missing) <= 2, sorted(missing)[:20]


# --------------------------------------------------------------------------
# tables across both columns, footnote marks, lines broken after "/" or "–"

WIDE_TABLE_DOC = f"""# Intralesional sodium thiosulfate: a case series

{_sentences(12)}

Table I. Descriptive data for the cases.

Diagnosis/\tLocalization\tSize of calcinosis\tTreatment\tSodium thiosulphate, mg Mean (range)\tComplications\tSize (mm)/ reduction (%) week 4\tSize (mm)/ reduction (%) week 12
SSc/59\t\t3\tSingle injection\t12.5\tNo\t0/100\t0/100
\tFingertip\t-\t\t\t\t\t
SSc/71\tAnterolateral side of lower left leg\t80\tRepeated injection every week for 4 weeks\t150 (100–275)\tNo\t50/38\t10/80
Overall <sup>a</sup>\t\t4\tRepeated injection\t1 <sup>g</sup>\tNo\t3/50\t2/67

{_sentences(30)}
"""


@pytest.fixture(scope="module")
def wide_table_text(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pdf") / "wide.pdf"
    render_pdf(WIDE_TABLE_DOC, path)
    return read_pdf(path, "wide", timeout=30).text


def test_wide_table_rows_whole_with_empty_cells(wide_table_text):
    """A table set across both columns is not split into a left and a right
    column; wrapped cells are merged back; empty cells keep their tab."""
    lines = wide_table_text.split("\n")
    header = next(i for i, ln in enumerate(lines) if ln.startswith("Diagnosis/\t"))
    assert lines[header : header + 5] == [
        "Diagnosis/\tLocalization\tSize of calcinosis\tTreatment\tSodium thiosulphate, mg Mean (range)\t"
        "Complications\tSize (mm)/ reduction (%) week 4\tSize (mm)/ reduction (%) week 12",
        "SSc/59\t\t3\tSingle injection\t12.5\tNo\t0/100\t0/100",
        "\tFingertip\t-\t\t\t\t\t",
        "SSc/71\tAnterolateral side of lower left leg\t80\tRepeated injection every week for 4 weeks\t"
        "150 (100–275)\tNo\t50/38\t10/80",
        "Overallᵃ\t\t4\tRepeated injection\t1ᵍ\tNo\t3/50\t2/67",
    ]


def test_raised_footnote_letter_is_not_a_unit(wide_table_text):
    # "1 <sup>g</sup>" must not read as the dose "1 g"
    assert "1ᵍ" in wide_table_text and "1 g" not in wide_table_text and "1g" not in wide_table_text


def test_sentences_around_a_wide_table_stay_whole(wide_table_text):
    text = " ".join(wide_table_text.split())
    assert _whole_sentence_numbers(text) == list(range(12)) + list(range(30))


def test_line_break_after_slash_or_dash_joined(tmp_path):
    """A line broken after "/" or "–" (allowed by many typesetters) is joined
    without a space; a spaced dash is not glued to the next word."""
    from reportlab.pdfgen import canvas

    p = tmp_path / "breaks.pdf"
    c = canvas.Canvas(str(p), pagesize=(612, 792))
    c.setFont("Helvetica", 10)
    lines = [
        "Calcinosis cutis was treated with sodium thiosulfate 150 mg/",
        "ml injected into the lesion, for a mean of 4 (range 0.5–",
        "11) months; the pain improved in most patients and the lesion –",
        "as noted before – became smaller in every patient of the series.",
    ]
    for k, line in enumerate(lines):
        c.drawString(72, 700 - 12 * k, line)
    c.showPage()
    c.save()
    text = read_pdf(p, "breaks", timeout=30).text
    assert "150 mg/ml injected" in text
    assert "(range 0.5–11) months" in text
    assert "the lesion – as noted" in text


# --------------------------------------------------------------------------
# bad inputs


def _reason(path: Path) -> str:
    with pytest.raises(IngestError) as info:
        read_pdf(path, path.stem, timeout=30)
    assert "\n" not in str(info.value)
    return info.value.reason


def test_zero_byte(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    assert _reason(p) == "empty"


def test_not_a_pdf(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_text("this is a text file, not a PDF\n")
    assert _reason(p) == "not_pdf"


def test_truncated(tmp_path, generated):
    data = generated.read_bytes()
    p = tmp_path / "half.pdf"
    p.write_bytes(data[: len(data) // 2])
    assert _reason(p) == "truncated"


def test_encrypted(tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(p), encrypt="secret")
    c.drawString(72, 720, "Confidential dose 5 mg/kg.")
    c.showPage()
    c.save()
    assert _reason(p) == "encrypted"


def test_image_only(tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.rect(72, 72, 300, 400, fill=1)
    c.circle(300, 600, 50, fill=1)
    c.showPage()
    c.save()
    assert _reason(p) == "no_text_layer"


def test_timeout(generated):
    with pytest.raises(IngestError) as info:
        read_pdf(generated, "doc", timeout=0.0)
    assert info.value.reason == "timeout"


SHARED_PDFS = Path(__file__).resolve().parents[2].parent / "shared" / "pdfs"


@pytest.mark.skipif(not SHARED_PDFS.is_dir(), reason="../shared/pdfs not present")
def test_a_moved_float_does_not_add_a_page():
    """A float emitted after the paragraph it interrupted gives its page a second
    text range; the document still has as many pages as the PDF (documents.csv)."""
    import pypdfium2 as pdfium

    moved = 0
    for path in sorted(SHARED_PDFS.glob("*.pdf")):
        document = read_pdf(path, path.stem)
        pdf = pdfium.PdfDocument(str(path))
        try:
            assert document.page_count == len(pdf), path.name
        finally:
            pdf.close()
        moved += len(document.pages) > document.page_count
    assert moved >= 1  # the reordering happened somewhere, so the count was tested


def _whole_sentence_numbers(text: str) -> list[int]:
    """The numbers of the generated PDFs' filler sentences that come out whole, in reading order."""
    pattern = r"Sentence (\d{3}) describes dystrophic calcification treated with topical therapy over several months\."
    return [int(m) for m in re.findall(pattern, text)]
