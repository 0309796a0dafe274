"""The field matcher skips the windows where a rule's required token tests
cannot all pass; skipping must change no candidate (same spans, same order)."""

from __future__ import annotations

from candidate_checks import candidates_unchanged

from extractor.nlp.field_matcher import _required_tests


def test_required_tests_are_the_elements_that_take_a_token():
    pattern = [
        {"LOWER": {"IN": ["sodium"]}, "OP": "?"},
        {"LOWER": "thiosulfate"},
        {"IS_PUNCT": True},
        {"TEXT": {"REGEX": r"^\d+$"}, "OP": "+"},
        {"LEMMA": {"IN": ["give"]}, "OP": "*"},
        {"ORTH": {"IN": ["mg", "g"]}},
    ]
    assert _required_tests(pattern) == (
        ("LOWER", frozenset(["thiosulfate"])),
        ("REGEX", "ORTH", r"^\d+$"),
        ("ORTH", frozenset(["mg", "g"])),
    )
    assert _required_tests("sodium thiosulfate") == ()


def test_skipped_windows_hold_no_candidate(extractor, doc_before):
    matcher = extractor.nlp.get_pipe("sts_field_matcher_v1")
    every_window_passes = [[()] for _ in matcher.required]
    assert candidates_unchanged(matcher, doc_before, "required", every_window_passes) > 100
