"""Scraped records that keep their HTML or JATS tags read like the same text without them."""

from __future__ import annotations

from extractor.text.markup import blank_tags, structure_view
from extractor.text.structure import analyse

# shared16 p01 (PubMed 33244722), written the way citation indexes serve abstracts
PLAIN = (
    "The patient was treated with a 250 mg/ml solution of sodium thiosulfate injected into the plaques. "
    "Complete resolution was achieved after three monthly sessions."
)
TAGGED = (
    "<jats:title>Abstract</jats:title><jats:p>The patient was treated with a 250 mg/ml solution of sodium "
    "thiosulfate injected into the plaques.</jats:p><jats:p>Complete resolution was achieved after three "
    "monthly sessions.</jats:p>"
)


def test_copies_keep_every_offset():
    assert len(structure_view(TAGGED)) == len(TAGGED) == len(blank_tags(TAGGED))
    assert "<" not in blank_tags(TAGGED) and "jats" not in structure_view(TAGGED)


def test_inline_citation_markup_is_left_to_the_structure_reader():
    text = "The lesion healed.<sup>2</sup> After 3 years it recurred."
    assert structure_view(text) == text


def test_less_than_signs_are_not_tags():
    text = "Lesions <5 mm and p<0.05 were kept; 3 < 4 > 2."
    assert blank_tags(text) == text and structure_view(text) == text


def test_block_tags_end_sentences_and_open_sections():
    structure = analyse(TAGGED)
    sentences = [TAGGED[a:b].strip() for a, b in structure.sentences]
    assert sentences[0].startswith("Abstract")
    assert any(s.startswith("Complete resolution was achieved") for s in sentences)
    assert [name for _, name, _ in structure.sections] == ["abstract"]


def test_a_tagged_record_gives_the_mentions_of_the_plain_text(extract_text):
    def found(text: str) -> list[tuple[str, str, str]]:
        return sorted((m.field, m.text, m.category or "") for m in extract_text(text))

    plain = found("Abstract\n\n" + PLAIN)
    assert ("outcome", "Complete resolution", "complete_response") in plain
    assert found(TAGGED) == plain
