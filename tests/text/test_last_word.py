"""``_last_word`` searches only the tail of a sentence; it must give what the
search over the whole stretch gives."""

from __future__ import annotations

import random
import re

from extractor.text.structure import _TAIL, _last_word


def test_last_word_equals_the_full_search():
    rng = random.Random(3)
    pieces = ["a", "x" * (_TAIL - 1), "y" * (_TAIL + 5), " ", "\n", "  \n", "5", "Fig", ".", "\t", "\u00a0", "é"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        expected = re.search(r"(\S+)$", text[start:end])
        found = _last_word(text, start, end)
        assert (found is None) == (expected is None), (text, start, end)
        if found is not None and expected is not None:
            assert found.group(1) == expected.group(1)
            assert found.start() - start == expected.start()
