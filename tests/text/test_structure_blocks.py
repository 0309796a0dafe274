"""``_split_block`` matches the sentence-end pattern on the whole text at the
document's full stops (found once) and reads the last word with ``rsplit``; it
must cut every block where the slice-by-slice reading did."""

from __future__ import annotations

import random

from extractor.text.structure import (
    _AFTER_NUMBER,
    ABBREVIATIONS,
    _last_word,
    _marks,
    _sentence_ends,
    _split_block,
    analyse,
)

PIECES = [
    "a", "abc", "The", "x", "e.g", "al", "Fig", "5 x", " ", "  ", "\n", "\t", ".", ". ", "!", "?", ",", "–", "5",
    "12", "<sup>1</sup>", "^1^", "¹", "*", "(", ")", '"', "A", "Bc", "\u00a0", "é", "w" * 70, "Dose" + "y" * 66,
]  # fmt: skip


def _slice_split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The block reading before: the pattern run on the block's slice, the last word by ``_last_word``."""
    spans = []
    cursor = start
    for match in _sentence_ends(text[start:end]):
        cut = start + match.end()
        word = _last_word(text, cursor, start + match.start())
        token = word.group(1).lower().rstrip(".") if word else ""
        if token in ABBREVIATIONS or (
            len(token) == 1 and token.isalpha() and _AFTER_NUMBER.search(text, cursor, start + match.start()) is None
        ):
            continue
        spans.append((cursor, cut))
        cursor = cut
        while cursor < end and text[cursor].isspace():
            cursor += 1
    if cursor < end:
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def test_split_block_equals_the_slice_reading():
    rng = random.Random(26)
    for _ in range(5000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        marks = _marks(text)
        start = rng.randint(0, len(text) - 1)
        end = rng.randint(start + 1, len(text))
        if not text[start:end].strip():
            continue
        assert _split_block(text, start, end, marks) == _slice_split(text, start, end), repr((text, start, end))


def test_split_block_edges():
    """A block opening right after lower-case letters (the glued-sentence look-behind
    must not see them) and a word longer than the tail that ``rsplit`` reads."""
    cases = [
        ("abc.De fgh", 3, 10),
        ("abc\nx.Def", 4, 10),
        ("Take abcal" + "." * 63 + " Then more.", 0, 84),
        ("Take al" + "." * 63 + " Then more.", 0, 81),
        ("Take " + "w" * 80 + ". Then more.", 0, 97),
    ]
    for text, start, end in cases:
        assert _split_block(text, start, end, _marks(text)) == _slice_split(text, start, end), repr(text)


def test_sentences_start_visible_and_end_where_cut():
    text = "Intro\n\n  We gave STS i.v. daily. Pain eased!  It recurred.\n\n# Methods\nAbc def."
    assert [text[s:e] for s, e in analyse(text).sentences] == [
        "Intro",
        "We gave STS i.v. daily.",
        "Pain eased!",
        "It recurred.",
        "# Methods",
        "Abc def.",
    ]
