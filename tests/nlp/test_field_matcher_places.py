"""The field matcher keeps every ORTH string's bits across Docs (its "place" in
one growing array, found by a searchsorted over the sorted known hashes, the
newest by a dict): a Doc read after others must get the token bits, anchors and
present bits that a fresh reading gives it."""

from __future__ import annotations

from spacy.attrs import LEMMA, LOWER, ORTH

from extractor.nlp.field_matcher import Need, TokenMasks

TEXTS = [
    "Treated for 12 weeks , then 25 g of STS twice weekly for 12 weeks .",
    "The lesions healed after 3 months of treatment with intravenous sodium thiosulfate .",
    "Patients were treated with 25 g thrice weekly ; the pain resolved in 2 weeks .",
]


def _masks(doc) -> TokenMasks:
    strings = doc.vocab.strings
    needs = [
        Need(ORTH, None, r"^\d+$"),
        Need(LOWER, frozenset([strings.add("weeks"), strings.add("months")]), None),
        Need(LEMMA, frozenset([strings.add("treat")]), None),
    ]
    anchors = {LOWER: {strings.add("weeks"): [0], strings.add("g"): [1]}, LEMMA: {strings.add("treat"): [2]}}
    return TokenMasks(needs, anchors)


def _reading(masks: TokenMasks) -> tuple:
    return masks.table(padded=True).tolist(), masks.present, masks.anchored, masks.tokens


def test_a_doc_read_after_others_gets_the_bits_of_a_fresh_reading(extractor, doc_before):
    docs = [doc_before(text, "sts_field_matcher_v1") for text in TEXTS]
    shared = _masks(docs[0])
    for doc in docs + docs[::-1]:
        assert _reading(shared.of(doc, rows=True)) == _reading(_masks(doc).of(doc, rows=True))
        assert shared.of(doc, rows=True).tokens == _masks(doc).of(doc).tokens
    shared._fold()  # every hash sorted in: the searchsorted finds them all
    for doc in docs:
        assert _reading(shared.of(doc, rows=True)) == _reading(_masks(doc).of(doc, rows=True))
