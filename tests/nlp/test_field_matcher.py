"""The field matcher runs each rule group only on windows around its anchor
words; the candidates must be exactly (same spans, same order) those of the
group's Matcher run over every sentence holding an anchor."""

from __future__ import annotations

from pathlib import Path

from spacy.tokens import Doc

from extractor.nlp.field_matcher import FieldMatcher, Reach, TokenMasks

ROOT = Path(__file__).resolve().parents[2]


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


def test_reach_counts_the_widest_match_around_the_anchor(extractor):
    masks = TokenMasks().of(extractor.nlp.make_doc("Treated for up to the 12 weeks , then the infusion stopped ."))
    # "for" (token 1) as anchor: "up to the" is a run of listed words, then the number and the unit
    reach = Reach(
        [{"LOWER": "for"}, {"LOWER": {"IN": ["up", "to", "the"]}, "OP": "*"}, {"LIKE_NUM": True}, {"LOWER": "weeks"}], 0
    )
    assert reach.around(1, 0, 13, masks) == (1, 7)
    # "infusion" (token 10): one optional token before, at most eight after, cut at the range's end
    reach = Reach([{"LOWER": "the", "OP": "?"}, {"LOWER": "infusion"}, {"IS_PUNCT": True, "OP": "{0,8}"}], 1)
    assert reach.around(10, 0, 13, masks) == (9, 13)
    # a "*" of anything reaches the range's start
    assert Reach([{"OP": "*"}, {"LOWER": "weeks"}], 1).around(6, 2, 13, masks) == (2, 7)


def test_windowed_candidates_equal_whole_sentence_matching(extractor, doc_before):
    matcher = extractor.nlp.get_pipe("sts_field_matcher_v1")
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    assert texts
    compared = 0
    for text in texts:
        doc = matcher(doc_before(text, "sts_field_matcher_v1"))
        got = [(s.id_, s.start, s.end) for s in doc.spans["sts_candidates"]]
        assert got == _reference(matcher, doc)
        compared += len(got)
    assert compared > 100
