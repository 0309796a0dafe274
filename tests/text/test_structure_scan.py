"""The sentence splitter's faster scans give what the plain regex scans gave:
the full stops found by ``str.find`` and matched there, the closer pattern
without nested digit groups, and the last-character test of a paragraph."""

from __future__ import annotations

import random
import re

from extractor.text.structure import _SENTENCE_END, _block_ends_sentence, _ends_sentence, _sentence_ends

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
