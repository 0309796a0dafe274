"""The abbreviation detector runs scispaCy's Schwartz-Hearst match on token
strings: each candidate must give the long form scispaCy's find_abbreviation
gives on the Spans, on the corpus papers."""

from __future__ import annotations

from pathlib import Path

from scispacy.abbreviation import filter_matches, find_abbreviation
from spacy.attrs import ORTH, SPACY

from extractor.nlp.abbreviations import candidate_ranges, long_form_start, sentence_parentheses

ROOT = Path(__file__).resolve().parents[2]


def test_long_form_start_equals_find_abbreviation(doc_before):
    compared = found = 0
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        doc = doc_before(path.read_text(encoding="utf-8"), "sts_abbreviations_v1")
        matches = [(0, start + 1, end - 1) for start, end in sentence_parentheses(doc)]
        stock = filter_matches(matches, doc)
        ranges = candidate_ranges(doc, doc.to_array(ORTH), doc.to_array(SPACY), matches)
        assert ranges == [((lf.start, lf.end), (sf.start, sf.end)) for lf, sf in stock]
        spaces = doc.to_array(SPACY).tolist()
        for long_candidate, short_candidate in stock:
            _, long = find_abbreviation(long_candidate, short_candidate)
            first = long_form_start(
                [token.text for token in long_candidate],
                spaces[long_candidate.start : long_candidate.end],
                [token.text for token in short_candidate],
            )
            assert (None if first is None else (long_candidate.start + first, long_candidate.end)) == (
                None if long is None else (long.start, long.end)
            )
            compared += 1
            found += long is not None
    assert compared > 50 and found > 10


def test_long_form_start_without_spaces_keeps_the_whole_candidate():
    # scispaCy maps the match back through text_with_ws lengths; glued words never reach it
    assert long_form_start(["a", "b", "c", "Dx"], [0, 0, 0, 0], ["D"]) == 0
    assert long_form_start(["a", "(", "Sodium", "thiosulfate"], [0, 0, 0, 0], ["ST"]) == 2
    assert long_form_start(["sodium", "thiosulfate"], [1, 1], ["ST"]) == 0
    assert long_form_start(["given", "sodium", "thiosulfate"], [1, 1, 1], ["XYZ"]) is None
    assert long_form_start(["given", "sodium", "thiosulfate"], [1, 1, 1], ["ST"]) == 1
