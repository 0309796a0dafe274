"""The abbreviation detector finds a short form's other occurrences on the ORTH
column instead of scispaCy's global Matcher: same results, same order."""

from __future__ import annotations

from pathlib import Path

from scispacy.abbreviation import AbbreviationDetector, filter_matches

from extractor.nlp.abbreviations import sentence_parentheses

ROOT = Path(__file__).resolve().parents[2]


def _spans(found) -> list:
    return [((long.start, long.end), [(s.start, s.end) for s in shorts]) for long, shorts in found]


def test_occurrences_equal_the_stock_global_matcher(extractor):
    nlp = extractor.nlp
    detector = nlp.get_pipe("sts_abbreviations_v1")
    paths = sorted((ROOT / "corpus").glob("*.txt"))
    for folder in ("dev", "holdout", "final"):
        paths += sorted((ROOT / "realtext" / folder / "docs").glob("*.txt"))
    compared = 0
    for path in paths:
        doc = nlp.make_doc(path.read_text(encoding="utf-8"))
        for name, component in nlp.pipeline:
            if name == "sts_abbreviations_v1":
                break
            doc = component(doc)
        filtered = filter_matches([(0, start + 1, end - 1) for start, end in sentence_parentheses(doc)], doc)
        ours = _spans(detector.find_matches_for(filtered, doc))
        stock = _spans(AbbreviationDetector.find_matches_for(detector, filtered, doc))
        assert ours == stock, path.name
        compared += sum(len(shorts) for _, shorts in ours)
    assert compared > 50
