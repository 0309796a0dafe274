"""A document brought to the mention stage, for tests of the stage's shortcuts."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from contextlib import ExitStack

import pytest

from extractor.ingest.document import Document
from extractor.mentions.doc_arrays import token_arrays
from extractor.mentions.document_mentions import DocumentMentions
from extractor.nlp.sentences import sentence_hooks
from extractor.nlp.tokenizer import raw_text
from extractor.text.scope import find_scope


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
