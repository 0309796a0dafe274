"""The ASCII word pattern that the PDF vocabulary scans ASCII lines with finds what the general one finds."""

from __future__ import annotations

import random
import string

import pytest

from extractor.ingest.pdf import _ASCII_WORD, _WORD, _vocabulary
from extractor.ingest.pdf_layout import Frag, Line


@pytest.mark.parametrize("seed", range(20))
def test_ascii_word_pattern_matches_the_general_one_on_ascii(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "-_ .,;:/()\t\n" + "--"
    text = "".join(rng.choice(alphabet) for _ in range(2000))
    assert _ASCII_WORD.findall(text) == _WORD.findall(text)


def test_vocabulary_leaves_out_the_words_at_line_end_hyphens() -> None:
    """The halves of a word hyphenated at a line end are not vocabulary; words of
    ASCII and non-ASCII lines and inner compounds are."""
    texts = ["The calci-", "fication of skin-deep lesions", "was seen in μ-opioid users", "and non-", "responders"]
    lines = [Line([Frag(0, 100, 10 * k, 10 * k + 9, t)], "F", 0).finish() for k, t in enumerate(texts)]
    words, compounds = _vocabulary([lines])
    assert {"the", "of", "lesions", "was", "seen", "in", "opioid", "users", "skin", "deep", "and"} <= words
    assert not {"calci", "fication", "non", "responders"} & words
    assert compounds == {"skin-deep", "μ-opioid"}
