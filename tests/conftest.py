"""Shared fixtures: one production pipeline per test session (building it costs ~1.5 s)."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest

from extractor.ingest.document import Document
from extractor.mentions.doc_arrays import token_arrays
from extractor.mentions.document_mentions import DocumentMentions
from extractor.mentions.reader import Extractor
from extractor.nlp.sentences import sentence_hooks
from extractor.nlp.tokenizer import raw_text
from extractor.schema import Mention
from extractor.text.scope import find_scope

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


@pytest.fixture(scope="session")
def mention_builder(extractor) -> Callable[[Document, ExitStack], DocumentMentions]:
    """``build(document, stack)``: the stage's builder for ``document``, run through
    every earlier component, with the sentence lookup and token columns the stage
    sets up held open by ``stack`` (the builder reads them until the stack closes)."""
    stage = extractor.nlp.get_pipe("sts_mentions_v1")

    def build(document: Document, stack: ExitStack) -> DocumentMentions:
        doc = extractor.nlp.make_doc(document.text)
        doc._.document = document
        for _name, component in extractor.nlp.pipeline[:-1]:
            doc = component(doc)
        sts = sorted(ent.start_char for ent in doc.ents if ent.label_ == "STS")

        def mentions_sts(start: int, end: int) -> bool:
            k = bisect.bisect_left(sts, start)
            return k < len(sts) and sts[k] < end

        scope = find_scope(doc._.structure, mentions_sts)
        stack.enter_context(sentence_hooks(doc))
        stack.enter_context(token_arrays(doc))
        return DocumentMentions(stage, document, doc, raw_text(doc), doc._.structure, scope)

    return build
