"""Lexeme flags and entity labels of required elements are needs too, rules of
plain one-token elements are matched on the token bits, and the
bits give the same answers as reading the tokens one by one."""

from __future__ import annotations

from candidate_checks import candidates_unchanged
from spacy.attrs import ENT_TYPE, LIKE_NUM, LOWER, ORTH

from extractor.nlp.field_matcher import Need, TokenMasks, _exact_tests, _required_entities, _required_flags


def test_required_flags_and_entities_are_those_of_elements_that_take_a_token():
    pattern = [
        {"LIKE_NUM": True},
        {"IS_ALPHA": True, "OP": "{0,2}"},
        {"IS_PUNCT": False},
        {"ENT_TYPE": "STS"},
        {"ENT_TYPE": {"IN": ["STS", "DRUG"]}, "OP": "+"},
        {"ENT_TYPE": "DRUG", "OP": "?"},
    ]
    assert _required_flags(pattern) == (LIKE_NUM,)
    assert _required_entities(pattern) == (("STS",), ("STS", "DRUG"))
    assert _required_flags("sodium thiosulfate") == () == _required_entities("sodium thiosulfate")


def test_token_bits_agree_with_the_tokens(extractor, doc_before):
    strings = extractor.nlp.vocab.strings
    number, word, entity = (
        Need(LIKE_NUM, None, None),
        Need(LOWER, frozenset([strings.add("patients")]), None),
        Need(ENT_TYPE, frozenset([strings.add("STS")]), None),
    )
    masks = TokenMasks([number, word, entity])
    doc = doc_before(
        "Twelve Patients received 25 g of sodium thiosulfate; two patients did not.", "sts_field_matcher_v1"
    )
    masks.of(doc)
    assert masks.where([number, word, entity]) == [
        [t.i for t in doc if t.like_num],
        [t.i for t in doc if t.lower_ == "patients"],
        [t.i for t in doc if t.ent_type_ == "STS"],
    ]
    assert [t.i for t in doc if t.ent_type_ == "STS"]
    assert masks.present == masks.bits([number, word, entity])


def test_exact_tests_only_for_patterns_of_plain_one_token_elements(extractor):
    strings = extractor.nlp.vocab.strings
    assert _exact_tests([{"TEXT": {"REGEX": r"^\d+$"}}, {"LOWER": {"IN": ["mg", "g"]}}], strings) == [
        (Need(ORTH, None, r"^\d+$"),),
        (Need(LOWER, frozenset([strings.add("mg"), strings.add("g")]), None),),
    ]
    assert _exact_tests([{"LIKE_NUM": True, "ENT_TYPE": "STS"}], strings) == [
        (Need(LIKE_NUM, None, None), Need(ENT_TYPE, frozenset([strings.add("STS")]), None))
    ]
    assert _exact_tests([{"LOWER": "iv", "OP": "?"}], strings) is None
    assert _exact_tests([{"IS_PUNCT": False}], strings) is None
    assert _exact_tests([{"LOWER": {"NOT_IN": ["a"]}}], strings) is None
    assert _exact_tests([{"LEMMA": {"REGEX": "^x"}}], strings) is None
    assert _exact_tests([{}], strings) is None
    assert _exact_tests("sodium thiosulfate", strings) is None


def test_rules_matched_on_bits_find_what_the_matcher_finds(extractor, doc_before):
    matcher = extractor.nlp.get_pipe("sts_field_matcher_v1")
    assert any(exact is not None for exact in matcher.exact)
    every_group_through_its_matcher = [None] * len(matcher.exact_bits())
    assert candidates_unchanged(matcher, doc_before, "_exact_bits", every_group_through_its_matcher) > 100
