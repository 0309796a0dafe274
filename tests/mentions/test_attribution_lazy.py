"""The source attributor judges sentences lazily and searches only the citation
rules whose words occur in the document: its verdicts must not depend on either."""

from pathlib import Path

from extractor.mentions.attribution import SourceAttributor
from extractor.rules.prefilter import folded
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


def test_evidence_searches_the_rules_of_the_document_only():
    """Rules none of whose words occur in the document are not searched in its
    sentences: the evidence is that of all rules."""
    for structure in _structures():
        attributor = SourceAttributor(structure)
        for start, end in structure.sentences:
            sentence = structure.text[start:end]
            evidence = attributor.evidence(sentence)
            lowered = folded(sentence)
            assert (evidence.markers, evidence.own, evidence.cited_cue) == tuple(
                attributor._search(kind, sentence, lowered) for kind in ("marker", "own_cue", "cited_cue")
            )
