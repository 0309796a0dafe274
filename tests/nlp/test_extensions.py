"""``doc_value`` reads the same value as ``doc._``."""

from __future__ import annotations

from extractor.ingest.document import Document
from extractor.nlp.extensions import DOC_EXTENSIONS, doc_value


def test_doc_value_equals_underscore(extractor):
    text = "Sodium thiosulfate (STS) 25 g IV was given for calciphylaxis. The ulcers healed."
    doc = extractor.nlp.make_doc(text)
    doc._.document = Document(doc_id="t", text=text)
    assert doc_value(doc, "document") is doc._.document and doc_value(doc, "structure") is None
    doc = extractor.nlp(doc)
    for name in DOC_EXTENSIONS:
        assert doc_value(doc, name) is getattr(doc._, name)
    assert doc_value(doc, "drug_positions") and doc_value(doc, "structure") is not None
