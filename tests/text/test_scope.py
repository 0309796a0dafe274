"""Scope mechanisms: neighbouring articles, repeated blocks, reference lists,
abbreviation legends, other drugs. Real corpus files and sentences a new
paper could contain."""

from __future__ import annotations

from conftest import CORPUS

from extractor.schema import CORE_FIELDS


def _text(doc_id: str) -> str:
    return (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")


def test_neighbouring_letters_sharing_the_file_are_skipped(corpus_mentions):
    text = _text("000_27e00deb6a4870f6")
    own_start = text.index("https://doi.org/10.1016/j.jaad.2020.06.074")
    own_end = text.index("https://doi.org/10.1016/j.jaad.2020.06.996")
    mentions = corpus_mentions["000_27e00deb6a4870f6"]
    assert mentions and all(own_start <= m.start < own_end for m in mentions)


def test_a_letter_without_sts_after_a_doi_line_is_skipped(extract_text):
    text = (
        "Intralesional sodium thiosulfate was injected; the nodule resolved completely.\n\n"
        "https://doi.org/10.1016/j.jaad.2099.01.001\n\n"
        "To the Editor: Topical hydrocortisone cream, 2 g twice daily, led to complete resolution of eczema.\n"
    )
    mentions = extract_text(text)
    assert {m.text for m in mentions} == {"Intralesional", "resolved completely"}


def test_repeated_letter_is_reported_once(corpus_mentions):
    text = _text("001_99b74193d2bf15ca")
    second_copy = text.index("To the Editor:", 100)
    practice_points = text.index("Practice Points")
    mentions = corpus_mentions["001_99b74193d2bf15ca"]
    assert all(m.start < second_copy or m.start > practice_points for m in mentions)
    assert any(m.start > practice_points and m.text == "intravenous" for m in mentions)


def test_three_repeated_sentences_are_a_block_but_a_repeated_caption_is_not(extract_text):
    block = (
        "The patient received intravenous sodium thiosulfate 25 g. "
        "The nodules became softer and smaller. "
        "Pain improved within two weeks.\n\n"
    )
    caption = "Figure 1. Topical STS applied twice daily.\n\n"
    mentions = extract_text(block + caption + block + caption)
    texts = [m.text for m in mentions]
    assert texts.count("intravenous") == 1
    assert texts.count("Topical") == 2


def test_reference_list_titles_are_not_mentions(corpus_mentions):
    text = _text("004_2aee7e247fadcbf4")
    references = text.index("#### REFERENCES")
    assert all(m.start < references for m in corpus_mentions["004_2aee7e247fadcbf4"])


def test_reference_lines_without_a_heading_are_skipped(extract_text):
    text = (
        "We treated the lesion with topical sodium thiosulfate.\n"
        "- Bair B, Fivenson D. A novel treatment for ulcerative calcinosis cutis with intralesional sodium thiosulfate. J Drugs Dermatol. 2011;10:1042-1044.\n"
        "[2] Smith GP. Intradermal sodium thiosulfate for exophytic calcinosis cutis. J Am Acad Dermatol. 2013;69:E146-E147.\n"
    )
    assert [m.text for m in extract_text(text)] == ["topical"]


def test_abbreviation_legend_is_not_a_mention(corpus_mentions):
    text = _text("003_56dc49ca0c71cad9")
    legend = text.index("IV, intravenous;")
    assert not any(legend <= m.start < legend + 20 for m in corpus_mentions["003_56dc49ca0c71cad9"])
    tst_legend = text.index("TST, topical sodium thiosulfate. \\*Mean")
    assert not any(tst_legend <= m.start < tst_legend + 30 for m in corpus_mentions["003_56dc49ca0c71cad9"])


def test_other_drug_in_the_same_sentence(extract_text):
    text = (
        "A case series highlighted complete resolution of CC ulcers in four patients with a different "
        "topical preparation, 25% topical sodium metabisulfite.\n\n"
        "She also received prednisone 10 mg daily and intralesional triamcinolone.\n\n"
        "Intravenous sodium thiosulfate—10 g 3 times weekly for 2 weeks, followed by 15 g twice weekly, was used with abatacept.\n"
    )
    found = [(m.field, m.text) for m in extract_text(text) if m.field in CORE_FIELDS]
    assert found == [("route", "Intravenous"), ("dose", "10 g"), ("dose", "15 g")]


def test_a_paper_that_never_names_sts_yields_nothing(extractor):
    from extractor.ingest.document import Document

    text = "Topical hydrocortisone 1% cream improved the eczema. Lesions of 5 mm resolved completely."
    assert extractor.extract(Document("x", text)) == []


def test_adverse_event_phrases_are_not_routes(corpus_mentions):
    text = _text("004_2aee7e247fadcbf4")
    for phrase in (
        "Transient pain associated with injection",
        "related to the injection site",
        "Infection followed injection",
    ):
        at = text.index(phrase)
        assert not any(
            m.field == "route" and at <= m.start < at + len(phrase) for m in corpus_mentions["004_2aee7e247fadcbf4"]
        )


def test_abbreviations_do_not_leak_between_documents(extractor):
    """scispaCy's stock detector shares one list between Docs; ours must not."""
    from extractor.ingest.document import Document

    first = "Intralesional sodium thiosulfate (ILS) was injected. ILS worked."
    second = "Topical sodium thiosulfate was applied to the calcinosis cutis lesions."
    docs = list(extractor.nlp.pipe([extractor.nlp.make_doc(first), extractor.nlp.make_doc(second)]))
    assert [a.text for a in docs[1]._.abbreviations] == []
    assert extractor.extract(Document("b", second))[0].text == "Topical"


def test_a_paper_defined_route_abbreviation_is_learned(extract_text):
    text = "Intralesional (IL) injections were given. IL sodium thiosulfate was repeated monthly."
    routes = [(m.text, m.category) for m in extract_text(text) if m.field == "route"]
    assert ("IL", "intralesional") in routes
