"""The per-type flags, sentence bounds and STS names of the token columns read
what the Token objects, ``span.sent`` and ``doc.ents`` say."""

from __future__ import annotations

import spacy
from spacy.tokens import Span

from extractor.mentions.doc_arrays import DocArrays
from extractor.nlp.sentences import sentence_hooks

TEXT = (
    "Sodium thiosulfate for calcinosis cutis\n\n"
    "Intralesional STS (250 mg/mL; ten doses) was injected weekly, prednisone 10 mg was stopped.\n"
    "The   lesions HEALED after 6 months of IV sodium thiosulphate, 25 g thrice weekly!\n"
    "Ten patients, TEN lesions: 1/2 healed (first-line STS) and 3rd-line therapy... failed.\n\n"
)


def test_word_flags_match_the_tokens(doc_before):
    doc = doc_before(TEXT * 3, "sts_mentions_v1")
    columns = DocArrays(doc)
    for token in reversed(doc):  # the later tokens of a type answer from the first one seen
        assert columns.lower_of[token.i] == token.lower_
        assert columns.punct(token.i) == token.is_punct
        assert columns.like_num(token.i) == token.like_num
    assert any(token.like_num for token in doc) and any(token.is_punct for token in doc)


def test_sentence_of_is_the_hooked_span_sent(doc_before):
    doc = doc_before(TEXT, "sts_mentions_v1")
    columns = DocArrays(doc)
    with sentence_hooks(doc):
        for i in range(len(doc)):
            sentence = doc[i : i + 1].sent
            assert columns.sentence_of(i) == (sentence.start, sentence.end)


def test_sts_names_are_the_sts_entities(doc_before):
    doc = doc_before(TEXT * 2, "sts_mentions_v1")
    names = [(ent.start, ent.end) for ent in doc.ents if ent.label_ == "STS"]
    assert DocArrays(doc).sts_names() == names and any(end - start > 1 for start, end in names)


def test_adjacent_sts_names_stay_apart():
    doc = spacy.blank("en")("sodium thiosulfate STS sodium thiosulfate was given")
    doc.ents = [Span(doc, 0, 2, "STS"), Span(doc, 2, 3, "STS"), Span(doc, 3, 5, "STS")]
    assert DocArrays(doc).sts_names() == [(0, 2), (2, 3), (3, 5)]
