"""Windows of token rules ("?", "*", "{n,m}" elements of word lists, REGEXes,
flags and entity labels) are matched on the token bits when they hold at most
one match; the Matcher runs only where two or more need its order. Both ways
must give the same candidates, and the bits the same matches as spaCy's Matcher."""

from __future__ import annotations

import random

import spacy
from candidate_checks import candidates_unchanged
from spacy.matcher import Matcher

from extractor.nlp.field_matcher import ONE, OPTIONAL, STAR, TokenMasks, _quantifiers, _token_steps, token_matches


def test_token_rules_give_the_candidates_of_the_matcher(extractor, doc_before):
    matcher = extractor.nlp.get_pipe("sts_field_matcher_v1")
    assert sum(rules is not None for rules in matcher.token_rules) > 50
    assert candidates_unchanged(matcher, doc_before, "match_token_rules", False) > 100
    kept = matcher.array_from
    matcher.array_from = 0  # every Doc by arrays
    try:
        assert candidates_unchanged(matcher, doc_before, "match_token_rules", False) > 100
    finally:
        matcher.array_from = kept


def test_quantifiers_expand_as_spacy_does():
    assert _quantifiers(None) == _quantifiers("1") == (ONE,)
    assert _quantifiers("+") == (ONE, STAR)
    assert _quantifiers("{2}") == (ONE, ONE)
    assert _quantifiers("{1,3}") == (ONE, OPTIONAL, OPTIONAL)
    assert _quantifiers("{,2}") == (OPTIONAL, OPTIONAL)
    assert _quantifiers("{2,}") == (ONE, ONE, STAR)
    assert _quantifiers("!") is None and _quantifiers("{3,1}") is None


def test_only_plain_token_tests_make_token_rules():
    strings = spacy.blank("en").vocab.strings
    assert _token_steps([{"LOWER": {"NOT_IN": ["a"]}, "IS_PUNCT": False, "OP": "*"}, {"ENT_TYPE": "STS"}], strings)
    assert _token_steps([{"LOWER": "a", "OP": "!"}], strings) is None
    assert _token_steps([{"LEMMA": {"REGEX": "^x"}}], strings) is None
    assert _token_steps([{"POS": "NOUN"}], strings) is None
    assert _token_steps("sodium thiosulfate", strings) is None


_PATTERNS = [
    [{"LOWER": "a"}, {"LOWER": {"IN": ["b", "c"]}, "OP": "?"}],
    [{"LOWER": {"IN": ["b", "c"]}, "OP": "*"}, {"LOWER": "d"}],
    [{"LOWER": "a", "OP": "?"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "c"}],
    [{"LOWER": "a"}, {"IS_ALPHA": True, "LOWER": {"NOT_IN": ["d"]}, "OP": "{0,2}"}, {"LOWER": "d"}],
    [{"LOWER": "b"}, {"LOWER": {"IN": ["a", "b"]}, "OP": "+"}, {"TEXT": {"REGEX": "^[0-9]$"}, "OP": "?"}],
    [{"IS_DIGIT": True}, {"IS_DIGIT": False, "OP": "{1,3}"}, {"LOWER": "c", "OP": "*"}],
]


def test_token_matches_are_those_of_the_matcher():
    """Random windows: where the bits find at most one match it is the Matcher's
    only one; where they give up, the Matcher finds two or more."""
    nlp = spacy.blank("en")
    strings = nlp.vocab.strings
    generator = random.Random(19)
    words = ["a", "b", "c", "d", "A", "7", "x", ","]
    rule_sets = [[0], [1], [2], [3], [4], [5], [0, 2], [1, 3, 4]]
    checked = single = 0
    for rule_set in rule_sets:
        matcher = Matcher(nlp.vocab)
        rules = []
        for k in rule_set:
            matcher.add(f"rule{k}", [_PATTERNS[k]])
            steps = _token_steps(_PATTERNS[k], strings)
            assert steps is not None
            rules.append((strings.add(f"rule{k}"), steps))
        needs = [need for _, steps in rules for step in steps for need in step.needs + step.refuses]
        masks = TokenMasks(needs)
        as_bits = [
            (key, [(s.quant, masks.bits(s.needs), masks.bits(s.refuses)) for s in steps]) for key, steps in rules
        ]
        for _ in range(400):
            doc = nlp.make_doc(" ".join(generator.choice(words) for _ in range(generator.randint(1, 7))))
            masks.of(doc)
            expected = set(matcher(doc))
            got = token_matches(as_bits, masks.span_bits(0, len(doc)), 0)
            if got is None:
                assert len(expected) >= 2
            else:
                assert set(got) == expected and len(got) <= 1
                single += len(got)
            checked += 1
    assert checked == 3200 and single > 300
