"""ConText triggers are looked for only at the words that open one, and a
scope's window counts words without listing them: the triggers and scopes must
be those of matching every word of the sentence."""

from __future__ import annotations

from pathlib import Path

from extractor.mentions.context import _in_scope
from extractor.mentions.doc_arrays import DocArrays

ROOT = Path(__file__).resolve().parents[2]


def _by_every_word(rules, sentence) -> list[tuple[str, int, int]]:
    """The triggers of a sentence matched at each of its non-space tokens."""
    tokens = [t for t in sentence if not t.is_space]
    lowers = [t.lower_ for t in tokens]
    found = []
    for k, word in enumerate(lowers):
        for trigger in rules.by_first.get(word, ()):
            n = len(trigger.words)
            if tuple(lowers[k : k + n]) == trigger.words:
                found.append((trigger.id, tokens[k].i, tokens[k + n - 1].i + 1))
    return found


def test_triggers_equal_matching_every_word(extractor, doc_before):
    rules = extractor.nlp.get_pipe("sts_mentions_v1").context
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))[:120]
    found = 0
    for path in paths:
        doc = doc_before(path.read_text(encoding="utf-8"), "sts_mentions_v1")
        for sentence in doc.sents:
            triggers = [(t.id, a, b) for t, a, b in rules._find(sentence)]
            assert triggers == _by_every_word(rules, sentence)
            found += len(triggers)
    assert found > 1000


def test_scope_counts_words_and_stops_at_a_clause_boundary(extractor, doc_before):
    rules = extractor.nlp.get_pipe("sts_mentions_v1").context
    doc = doc_before("Sodium thiosulfate may  be\n\n\n effective. It may; be effective.", "sts_mentions_v1")
    columns = DocArrays(doc)
    stops = rules.stops[(False, False)]
    may = [t.i for t in doc if t.lower_ == "may"]
    effective = [t.i for t in doc if t.lower_ == "effective"]
    assert any(t.is_space for t in doc[may[0] : effective[0]])
    for window in range(4):
        words = [t for t in doc[may[0] + 1 : effective[0]] if not t.is_space]
        assert _in_scope(columns, may[0] + 1, effective[0], window, stops) == (len(words) <= window)
    assert not _in_scope(columns, may[1] + 1, effective[1], 5, stops)  # "may; be"
    assert _in_scope(columns, may[1] + 1, effective[1], 5, rules.stops[(True, False)])
