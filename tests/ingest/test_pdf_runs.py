"""The array form of the char-run rule (pdf_layout._run_starts) against the rule read char by char."""

from __future__ import annotations

import random

import numpy as np
import pytest

from extractor.ingest.pdf_layout import _run_starts, _run_starts_by_char


def _line_chars(rng: random.Random) -> list[tuple[float, float, float, float]]:
    """A line's chars (x0, x1, bottom, height) as float32 values, the way pdfium gives them:
    runs on one baseline with baseline and size drift, raised runs, ligatures, gaps and steps back."""
    chars = []
    x = rng.uniform(0, 300)
    size = rng.choice([6.0, 8.0, 9.5, 10.0, 12.0])
    base = rng.uniform(50, 700)
    for _ in range(rng.randint(1, 60)):
        kind = rng.random()
        if kind < 0.05:
            base += rng.choice([-1, 1]) * rng.uniform(0.5, 4.0)  # a raised or lowered run, or a new line
        elif kind < 0.10:
            size *= rng.uniform(0.8, 1.2)
        elif kind < 0.15:
            base += rng.uniform(-0.2, 0.2) * size  # drift near the tolerance
        elif kind < 0.20:
            x += rng.uniform(0.5, 1.2) * size  # a gap near the word-space limit
        elif kind < 0.23:
            x -= rng.uniform(0.0, 0.3) * size  # a step back (ligature, kerning, overprint)
        width = rng.uniform(0.0, 0.7) * size
        if rng.random() < 0.1:
            width = -width / 4  # a right edge left of the char's origin: x1 falls back
        chars.append((x, x + width, base, size))
        x += max(width, 0.0) + rng.choice([0.0, 0.0, 0.1, 0.3]) * size
    return [tuple(float(np.float32(v)) for v in c) for c in chars]  # type: ignore[misc]


@pytest.mark.parametrize("seed", range(40))
def test_run_starts_match_the_rule_char_by_char(seed: int) -> None:
    """Every page of random lines: the fixed point found over arrays equals the
    sequential rule (both when a few passes reach it and when they do not)."""
    rng = random.Random(seed)
    chars: list[tuple[float, float, float, float]] = []
    first: list[bool] = []
    for _ in range(rng.randint(1, 40)):
        line = _line_chars(rng)
        chars.extend(line)
        first.extend([True] + [False] * (len(line) - 1))
    x0, x1, b, h = (np.array(col, dtype=np.float64) for col in zip(*chars))
    expected = _run_starts_by_char(x0.tolist(), x1.tolist(), b.tolist(), h.tolist(), first)
    found = _run_starts(x0, x1, b, h, np.array(first))
    assert found.tolist() == expected.tolist()


def test_run_starts_of_a_drifting_line() -> None:
    """A baseline that creeps up by a little less than the tolerance per char
    starts a run every few chars; more starts than array passes are allowed
    fall back to the char-by-char rule, with the same result."""
    n = 200
    x0 = np.arange(n, dtype=np.float64) * 5.0
    x1 = x0 + 4.5
    b = np.arange(n, dtype=np.float64) * 0.5
    h = np.full(n, 10.0)
    first = np.zeros(n, dtype=bool)
    first[0] = True
    expected = _run_starts_by_char(x0.tolist(), x1.tolist(), b.tolist(), h.tolist(), first.tolist())
    assert expected.sum() > 20
    assert _run_starts(x0, x1, b, h, first).tolist() == expected.tolist()
