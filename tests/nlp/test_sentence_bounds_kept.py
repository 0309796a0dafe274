"""The sentence setter leaves the sentence bounds on the Doc; the later stages
read them there, and they must be the bounds of ``doc.sents``."""

from __future__ import annotations

from pathlib import Path

from extractor.nlp.extensions import doc_value
from extractor.nlp.sentences import sentence_bounds

ROOT = Path(__file__).resolve().parents[2]


def test_kept_bounds_are_those_of_doc_sents(doc_before):
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))[:5]]
    texts += ["", "One sentence only", "Sodium thiosulfate was given.\n\nIt helped. The pain eased."]
    for text in texts:
        doc = doc_before(text, "sts_field_matcher_v1")
        starts, ends = sentence_bounds(doc)
        if not len(doc):
            assert (starts, ends) == ([], [])
            continue
        assert list(zip(starts, ends)) == [(s.start, s.end) for s in doc.sents]
        assert doc_value(doc, "sentence_bounds") == (len(doc), starts, ends)


def test_a_doc_without_kept_bounds_reads_the_column(extractor):
    doc = extractor.nlp.make_doc("Treated for weeks . Then stopped .")
    doc[4].is_sent_start = True
    assert sentence_bounds(doc) == ([0, 4], [4, 7])
