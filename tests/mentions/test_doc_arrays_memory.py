"""The token columns look up the lower-case forms of a whole document at once,
remembering them across documents in a bounded memory: each document must
still read its own tokens' forms when that memory fills up."""

from __future__ import annotations

import pytest
import spacy

from extractor.mentions import doc_arrays
from extractor.mentions.doc_arrays import DocArrays


def test_lowers_survive_a_full_word_memory(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(doc_arrays, "_WORD_OF", {})  # every document brings new words
    monkeypatch.setattr(doc_arrays, "_WORDS_KEPT", 4)  # fewer than a document's words
    for text in ["Sodium THIOSULFATE 25 g IV thrice weekly.", "Topical STS; calciphylaxis Resolved"] * 2:
        doc = spacy.blank("en")(text)
        assert DocArrays(doc).lower_of == [token.lower_ for token in doc]
