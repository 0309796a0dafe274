"""The mention stage's sentence hooks give the sentence spaCy's own walk gives."""

from __future__ import annotations

from pathlib import Path

from extractor.nlp.sentences import SentenceLookup, sentence_hooks

ROOT = Path(__file__).resolve().parents[2]


def test_lookup_equals_spacy_walk_on_every_token(doc_before):
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext" / "closing" / "docs").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths] + ["One.", "A b. C d.\n\nE f", " "]
    checked = 0
    for text in texts:
        doc = doc_before(text, "sts_mentions_v1")
        lookup = SentenceLookup(doc)
        for i in range(len(doc) + 1):
            expected = doc[i : i + 1].sent
            assert (lookup.sentence(i).start, lookup.sentence(i).end) == (expected.start, expected.end)
            checked += 1
    assert checked > 10_000


def test_hooks_are_gone_after_the_block(doc_before):
    doc = doc_before("Sodium thiosulfate was given. The lesions healed.", "sts_mentions_v1")
    with sentence_hooks(doc):
        assert doc[6].sent.start == 5 and doc[2:4].sent.end == 5
        assert doc[6].sent is doc[7].sent
    assert "sent" not in doc.user_span_hooks and "sent" not in doc.user_token_hooks
    assert doc[6].sent.start == 5
