"""The field matcher runs each rule group only on windows around its anchor
words; the candidates must be exactly (same spans, same order) those of the
group's Matcher run over every sentence holding an anchor."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc

from extractor.nlp.field_matcher import FieldMatcher, anchor_reach

ROOT = Path(__file__).resolve().parent.parent


def _reference(matcher: FieldMatcher, doc: Doc) -> list[tuple[str, int, int]]:
    """Every group's Matcher over each whole sentence that holds one of its anchor words."""
    found = []
    for anchors, group in matcher.groups:
        if anchors is None:
            found += [(s.label_, s.start, s.end) for s in group(doc, as_spans=True)]
            continue
        column = "lemma_" if anchors[0] == "LEMMA" else "lower_"
        for sentence in doc.sents:
            if any(getattr(t, column) in anchors[1] for t in sentence):
                found += [(s.label_, s.start, s.end) for s in group(sentence, as_spans=True)]
    return found


@pytest.mark.parametrize(
    "pattern, reach",
    [
        ([{"LOWER": "infusion"}], (0, 0)),
        ([{"LOWER": "the", "OP": "?"}, {"LOWER": "infusion"}, {"IS_PUNCT": True, "OP": "{0,8}"}], (1, 8)),
        ([{"LIKE_NUM": True, "OP": "*"}, {"LEMMA": "heal"}, {"LOWER": "of"}], (1 << 40, 1)),
    ],
)
def test_reach_counts_the_widest_match_around_the_anchor(pattern, reach):
    assert anchor_reach(pattern) == reach


def test_windowed_candidates_equal_whole_sentence_matching(extractor):
    nlp = extractor.nlp
    matcher = nlp.get_pipe("sts_field_matcher_v1")
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    assert texts
    compared = 0
    for text in texts:
        doc = nlp.make_doc(text)
        for name, component in nlp.pipeline:
            if name == "sts_field_matcher_v1":
                break
            doc = component(doc)
        doc = matcher(doc)
        got = [(s.id_, s.start, s.end) for s in doc.spans["sts_candidates"]]
        assert got == _reference(matcher, doc)
        compared += len(got)
    assert compared > 100
