"""Shared fixtures: one production pipeline per test session (building it costs ~1.5 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.ingest.document import Document
from extractor.mentions.reader import Extractor
from extractor.schema import Mention

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "gold"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def extract_text(extractor):
    """Mentions of a text given as one document (a title naming STS keeps it in scope)."""

    def run(text: str, *, title: str = "Sodium thiosulfate for calcinosis cutis\n\n") -> list[Mention]:
        full = title + text
        mentions = extractor.extract(Document(doc_id="t", text=full))
        for mention in mentions:
            assert full[mention.start : mention.end] == mention.text
        return [m for m in mentions if m.start >= len(title)]

    return run


@pytest.fixture(scope="session")
def doc_before(extractor):
    """A text run through the production pipeline up to (not including) the named component."""

    def run(text: str, component_name: str):
        doc = extractor.nlp.make_doc(text)
        for name, component in extractor.nlp.pipeline:
            if name == component_name:
                break
            doc = component(doc)
        return doc

    return run


@pytest.fixture(scope="session")
def corpus_mentions(extractor) -> dict[str, list[Mention]]:
    from extractor.ingest import load_document

    documents = [load_document(path) for path in sorted(CORPUS.glob("*.txt"))]
    return {doc.doc_id: mentions for doc, mentions in zip(documents, extractor.extract_many(documents))}
