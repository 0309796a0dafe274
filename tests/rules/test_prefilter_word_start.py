"""Short anchor words are scanned for where they are rare: at word starts when a
``\\b`` stands right before them, or anywhere when ``re`` itself would try
every position (a pattern opening with a lookbehind); the scanner must still
find exactly what the regex finds."""

from __future__ import annotations

import itertools
import re

from extractor.rules.prefilter import Scanner, folded, scan_anchors


def test_word_start_anchors_are_read_off_the_pattern():
    assert scan_anchors(re.compile(r"\b(we|our|us) (report|present)", re.I)) == (
        True,
        frozenset(["we", "our", "us"]),
        0,
        True,
    )
    assert scan_anchors(re.compile(r"\b(?<!not )(?:is|are) used", re.I))[3]  # lookbehinds keep the position
    assert not scan_anchors(re.compile(r"\b(in )?(another|prior) study", re.I))[3]  # a token before the anchor
    assert not scan_anchors(re.compile(r"\b(?:we|\(us\)) report"))[3]  # an anchor that opens with "("
    assert not scan_anchors(re.compile(r"\bwe report", re.I | re.ASCII))[3]  # ASCII word chars only
    assert Scanner(re.compile(r"\b(we|us) report", re.I)).word_start
    assert Scanner(re.compile(r"(?<=[a-z] )\(\d\)")).anchors == (False, frozenset(["("]), 0)
    assert Scanner(re.compile(r"\[\d\]")).anchors is None  # re finds the literal prefix itself


def test_scanner_finds_what_the_regex_finds():
    patterns = [
        re.compile(r"\b(we|our|us)\b", re.I),
        re.compile(r"\b(?:is|are) (?:the )?(?:only|main) (?:drug|option)", re.I),
        re.compile(r"\b(?<!not )(?:it|sts) (?:has|have) shown", re.I),
        re.compile(r"(?<=[A-Za-z]\s)\(\s*[0-9]{1,3}\s*\)"),
        re.compile(r"\b_?id\b"),
    ]
    words = [
        "we",
        "We",
        "answer",
        "our",
        "four",
        "us",
        "thus",
        "_id",
        "id",
        "is",
        "this",
        "are",
        "care",
        "the",
        "only",
        "main",
        "drug",
        "not",
        "it",
        "sts",
        "has",
        "shown",
        "(3)",
        "(",
        "12",
        ")",
        "é",
        "wé",
        "us_",
    ]
    texts = [" ".join(combo) for combo in itertools.product(words, repeat=2)]
    texts += [a + b for a, b in itertools.product(words, repeat=2)]
    texts += ["it is the only drug", "not sts has shown", "Thus, we and US; Calcinoſis (us)", "word (4) x"]
    hits = 0
    for pattern in patterns:
        scanner = Scanner(pattern)
        for text in texts:
            lowered = folded(text)
            expected = [m.span() for m in pattern.finditer(text)]
            assert [m.span() for m in scanner.finditer(text, lowered)] == expected, (pattern.pattern, text)
            assert scanner.search(text, lowered) == bool(expected), (pattern.pattern, text)
            hits += bool(expected)
    assert hits > 100
