"""Wording classes met in real published text (realtext/, sources.tsv there):
each case is a real sentence and the behaviour a reviewer would notice."""
from __future__ import annotations

import pytest

CASES = [
    # a lesion as the injection site is intralesional (realtext/shared16 p09, p12)
    ("The DC lesions were injected with sodium thiosulfate 150mg/ml on top or in the upper part of the lesion by the same clinician.",
     {("route", "injected", "intralesional"), ("concentration", "150mg/ml", None)}),
    ("As a reminder, two clinical trials continue to evaluate sodium thiosulfate in dermatomyositis but it is administered by "
     "intravenous infusion (in the United States) or by local injection inside the calcifications (France).",
     {("route", "intravenous", "intravenous"), ("route", "injection", "intralesional")}),
    # a route word after the drug name (realtext/dev2 s01), a misspelt antiemetic's dose is not STS's
    ("Pre-treat with ondanstron 4mg IV 30 minutes prior to infusion. Give 12.5g sodium thiosulphate IV over the last 30 minutes of dialysis.",
     {("route", "infusion", "intravenous"), ("dose", "12.5g", None), ("route", "IV", "intravenous")}),
    # a participle title carries the result (realtext/shared16 p11)
    ("CP-117 Severe calcinosis cutis successfully treated with a topical W/O emulsion of 10% sodium thiosulfate",
     {("outcome", "successfully treated", "partial_response"), ("route", "topical", "topical"), ("concentration", "10%", None)}),
]


@pytest.mark.parametrize("sentence,expected", CASES)
def test_real_sentence(extract_text, sentence, expected):
    found = {(m.field, m.text, m.category) for m in extract_text(sentence)}
    assert found == expected


def test_keyword_line_is_not_a_route(extract_text):
    """realtext/dev2 s05: an index-term list names routes without saying how STS was given."""
    text = "Keywords: calciphic uraemic arteriolopathy, calciphylaxis, haemodialysis, intralesional, sodium thiosulphate\n"
    assert extract_text(text) == []
