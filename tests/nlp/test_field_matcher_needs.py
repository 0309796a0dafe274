"""The field matcher skips the windows where a rule's required token tests
cannot all pass; skipping must change no candidate (same spans, same order)."""

from __future__ import annotations

from pathlib import Path

from extractor.nlp.field_matcher import _required_tests

ROOT = Path(__file__).resolve().parents[2]


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
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "realtext" / "dev" / "docs").glob("*.txt"))]
    required = matcher.required
    compared = 0
    for text in texts:
        doc = doc_before(text, "sts_field_matcher_v1")
        got = [(s.id_, s.start, s.end) for s in matcher(doc).spans["sts_candidates"]]
        try:
            matcher.required = [[()] for _ in required]  # every window and group passes
            every_window = [(s.id_, s.start, s.end) for s in matcher(doc).spans["sts_candidates"]]
        finally:
            matcher.required = required
        assert got == every_window
        compared += len(got)
    assert compared > 100
