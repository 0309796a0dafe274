"""Lexeme flags and entity labels of required elements are needs too; the
token bits give the same answers as reading the tokens one by one."""

from __future__ import annotations

from spacy.attrs import ENT_TYPE, LIKE_NUM, LOWER

from extractor.nlp.field_matcher import Need, TokenMasks, _required_entities, _required_flags


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
