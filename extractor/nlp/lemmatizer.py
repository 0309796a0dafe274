"""``sts_lemmatizer_v1``: lower-case lookup lemmas from spacy-lookups-data's
English table (no trained model), so one rule written on lemmas matches
"succeeds", "Successfully Treated" and "healing"."""

from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from extractor.nlp.extensions import token_column


@Language.factory("sts_lemmatizer_v1")
def create_lemmatizer(nlp: Language, name: str) -> LookupLemmatizer:
    return LookupLemmatizer()


class LookupLemmatizer:
    """Lemmas from the lookup table, keyed on the lower-cased word and stored
    lower-case, set for the whole Doc in one array write.

    The lemma of every word seen so far is kept in two sorted arrays (lower-case
    hash → lemma hash), so a Doc's LOWER column is mapped in one
    ``searchsorted``; words not there yet go through a dict, which is folded
    into the arrays once it is a tenth of their size (or on a Doc of many new
    words)."""

    CACHED_WORDS = 2_000_000

    def __init__(self) -> None:
        from spacy.lookups import load_lookups

        self.table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._keys = numpy.zeros(0, dtype="uint64")
        self._lemmas = numpy.zeros(0, dtype="uint64")
        self._recent: dict[int, int] = {}

    def _lemma(self, doc: Doc, lower: int) -> int:
        word = doc.vocab.strings[lower]
        return doc.vocab.strings.add(self.table.get(word, word).lower())

    def _fold(self) -> None:
        """Move the recent words into the sorted arrays."""
        if len(self._keys) + len(self._recent) > self.CACHED_WORDS:
            self._keys, self._lemmas = self._keys[:0], self._lemmas[:0]
        keys = numpy.concatenate([self._keys, numpy.fromiter(self._recent.keys(), dtype="uint64")])
        lemmas = numpy.concatenate([self._lemmas, numpy.fromiter(self._recent.values(), dtype="uint64")])
        order = numpy.argsort(keys, kind="stable")
        self._keys, self._lemmas = keys[order], lemmas[order]
        self._recent = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        lowers = token_column(doc, LOWER)  # read once per Doc, shared with the other stages
        keys = self._keys
        if len(keys):
            where = numpy.minimum(keys.searchsorted(lowers), len(keys) - 1)
            known = keys[where] == lowers
            lemmas = self._lemmas[where]
        else:
            known = numpy.zeros(len(lowers), dtype=bool)
            lemmas = numpy.zeros(len(lowers), dtype="uint64")
        if not known.all():
            missing = numpy.flatnonzero(~known)
            recent = self._recent
            for lower in numpy.unique(lowers[missing]).tolist():
                if lower not in recent:
                    recent[lower] = self._lemma(doc, lower)
            lemmas[missing] = [recent[lower] for lower in lowers[missing].tolist()]
            if len(recent) * 10 > len(keys) or len(missing) > 1000:
                self._fold()
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc
