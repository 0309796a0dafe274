"""The source attributor judges a sentence's run only back to the last sentence
that sets the cited state: its verdicts must not depend on the judging order."""

from pathlib import Path

from extractor.mentions.attribution import SourceAttributor
from extractor.text.structure import analyse

ROOT = Path(__file__).resolve().parents[2]


def _structures():
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))[:60]
    return [analyse(p.read_text(encoding="utf-8")) for p in paths]


def test_judging_order_does_not_change_verdicts():
    """A sentence judged without the sentences before it (they cannot change its
    cited state) gets the verdict it gets when the whole run is judged in order."""
    judged = 0
    for structure in _structures():
        forward = SourceAttributor(structure)
        backward = SourceAttributor(structure)
        count = len(structure.sentences)
        in_order = [forward._judge(k) for k in range(count)]
        reversed_order = [backward._judge(k) for k in reversed(range(count))][::-1]
        assert in_order == reversed_order
        judged += count
    assert judged > 1500
