"""Sentence boundaries that survive biomedical text, on the original string."""

from __future__ import annotations

import pytest

from extractor.text.structure import analyse


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in analyse(text).sentences]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Ma et al. reported 28 patients. Fig. 1 shows them.",
            ["Ma et al. reported 28 patients.", "Fig. 1 shows them."],
        ),
        ("We used 12.5 g. The dose was 0.5 mL per lesion.", ["We used 12.5 g.", "The dose was 0.5 mL per lesion."]),
        ("Sizes were 3x3 mm and 0.2-0.3 cm. Dose 150 mg/mL.", ["Sizes were 3x3 mm and 0.2-0.3 cm.", "Dose 150 mg/mL."]),
        (
            "The lesion healed.<sup>2</sup> After 3 years it recurred.",
            ["The lesion healed.<sup>2</sup>", "After 3 years it recurred."],
        ),
        ("The lesion healed.² After 3 years it recurred.", ["The lesion healed.²", "After 3 years it recurred."]),
        (
            "doses ranging from 12.5 to 275\n\nmg at each treatment.",
            ["doses ranging from 12.5 to 275\n\nmg at each treatment."],
        ),
        (
            "Table I. Success rates\n\nTopical\t<0.1\t41\t100\n\t0.1-0.2\t12\t100",
            ["Table I. Success rates", "Topical\t<0.1\t41\t100", "0.1-0.2\t12\t100"],
        ),
        ("## DISCUSSION\nIn this series we saw results.", ["## DISCUSSION", "In this series we saw results."]),
    ],
)
def test_sentence_boundaries(text, expected):
    assert sentences(text) == expected


def test_sections_and_tables_are_found():
    text = (
        "**INTRODUCTION**\n\nText.\n\n## Results\n\nSize, cm\tRate, %\n<0.1\t100\n\nReferences:\n1. A B. C. 2012;1:2.\n"
    )
    structure = analyse(text)
    assert [name for _, name, _ in structure.sections] == ["introduction", "results", "references"]
    assert len(structure.tables) == 1 and [c.text for c in structure.tables[0].header] == ["Size, cm", "Rate, %"]


def test_markdown_table_rows_are_sentences():
    """A scraped pipe table is as many sentences as rows: a result or dose in one
    row is told in that row, and a 15,000-row table is not one 300,000-token
    sentence that every per-sentence step walks again (issue 14, point 8)."""
    from extractor.text.structure import analyse

    rows = ["| Lesion | Regimen |", "|---|---|"] + [f"| L{i} | Topical 25% twice daily |" for i in range(50)]
    text = "Topical sodium thiosulfate\n\n" + "\n".join(rows) + "\n"
    structure = analyse(text)
    row_sentences = [text[a:b] for a, b in structure.sentences if text[a:b][3:4].isdigit()]
    assert len(row_sentences) == 50 and all(s.count("\n") == 0 for s in row_sentences)


def test_a_paragraph_opening_with_several_run_in_labels_is_an_abstract():
    """ "Background/Aims: ... Methods: ... Results: ..." on one line (realtext/last g9_02) is a structured
    abstract, not an introduction; a lone run-in "Background:" paragraph stays the introduction."""
    one_paragraph = (
        "Background/Aims: Calciphylaxis is rare. Methods: We reviewed 2,234 patients. Results: All recovered."
    )
    assert [name for _, name, _ in analyse(one_paragraph).sections] == ["abstract"]
    alone = "Background: Calciphylaxis is rare and often fatal in dialysis patients.\n\nWe saw one patient."
    assert [name for _, name, _ in analyse(alone).sections] == ["introduction"]
