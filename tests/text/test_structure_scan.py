"""The sentence splitter's faster scans give what the plain regex scans gave:
the full stops found by ``str.find`` and matched there, the closer pattern
without nested digit groups, the last-character test of a paragraph, the
heading words read without the lazy pattern and the run-in label prefilter."""

from __future__ import annotations

import random
import re

from extractor.text.structure import (
    _HEADING_MARKUP,
    _RUN_IN_LABEL,
    _SENTENCE_END,
    _block_ends_sentence,
    _ends_sentence,
    _run_in_label,
    _sentence_ends,
    heading_of,
)

# the pattern as it was before the digit and comma closers became one character per step
NESTED_SENTENCE_END = re.compile(
    r"[.!?]"
    r"(?:[\"')\]]|<sup>[^<]{0,20}</sup>|\^\{[^}]{0,20}\}|\^[^^\s]{1,20}\^|[⁰¹²³⁴⁵⁶⁷⁸⁹,–-]+|\d{1,3}(?:[,–-]\d{1,3})*)*"
    r"(?=\s+[\"'(\[]?[A-Z0-9#*<])"
    r"|(?<=[a-z]{3})\.(?=[A-Z][a-z])"
)
PIECES = [
    "a", "abc", "The", "x", " ", "  ", "\n", "\t", ".", "!", "?", ":", ";", ",", "–", "-", "5", "12", "1234567",
    "<sup>", "</sup>", "<sup>1 A</sup>", "^", "^{", "}", "^1^", "^{a^ B}", "¹", "²", "*", "#", "(", ")", '"', "'",
    "]", "[", "A", "Fig", "\u00a0", "\x0c", "é",
]  # fmt: skip


def test_sentence_ends_equal_the_nested_pattern_scan():
    rng = random.Random(11)
    for _ in range(20000):
        chunk = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30)))
        expected = [m.span() for m in NESTED_SENTENCE_END.finditer(chunk)]
        assert [m.span() for m in _sentence_ends(chunk)] == expected, repr(chunk)
        assert [m.span() for m in _SENTENCE_END.finditer(chunk)] == expected, repr(chunk)


def test_block_end_test_equals_the_full_pattern():
    rng = random.Random(12)
    for _ in range(20000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 20)))
        start = rng.randint(0, len(text) - 1)
        assert _block_ends_sentence(text, start, len(text)) == _ends_sentence(text[start:]), repr(text[start:])


HEADING_PIECES = [
    "Results", "results", "#", "## ", "**", "***", ":", " : ", "1.", "12.3 ", "II. ", "IV", "X ", " ", "\u00a0",
    "\n", "a", "Methods:", "**Background**:", "e.g.", "&", "/", "Case report", "x" * 45, "A" * 20, "5", ",",
]  # fmt: skip


def test_heading_words_and_run_in_labels_equal_their_patterns():
    rng = random.Random(13)
    for _ in range(20000):
        text = "".join(rng.choice(HEADING_PIECES) for _ in range(rng.randint(0, 8)))
        stripped = text.strip()
        match = _HEADING_MARKUP.match(stripped)
        expected = match.group(1).strip() if match and stripped and len(stripped) <= 80 else None
        assert heading_of(text) == expected, repr(text)
        found, label = _run_in_label(text), _RUN_IN_LABEL.match(text)
        assert (found is None) == (label is None), repr(text)
        if found is not None and label is not None:
            assert (found.span(), found.group(1)) == (label.span(), label.group(1)), repr(text)
