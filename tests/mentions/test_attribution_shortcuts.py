"""Source attribution's shortcuts must give what the full searches give."""

from __future__ import annotations

from pathlib import Path

from extractor.mentions.attribution import _CLAUSE_BREAK, _clause_cuts

ROOT = Path(__file__).resolve().parents[2]


def _lines() -> list[str]:
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))
    lines = [line for p in paths for line in p.read_text(encoding="utf-8").splitlines()]
    return lines + ["a; b", "x, however y", "x but y", "but", ""]


def test_clause_cuts_equal_the_full_search():
    """A sentence without ";" or a break word is not searched for clause breaks."""
    cut = 0
    for line in _lines():
        expected = [0] + [m.start() for m in _CLAUSE_BREAK.finditer(line)] + [len(line)]
        assert _clause_cuts(line) == expected, line
        cut += len(expected) > 2
    assert cut > 500
