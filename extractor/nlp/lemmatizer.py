"""``sts_lemmatizer_v1``: lower-case lookup lemmas from spacy-lookups-data's
English table (no trained model), so one rule written on lemmas matches
"succeeds", "Successfully Treated" and "healing"."""

from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("sts_lemmatizer_v1")
def create_lemmatizer(nlp: Language, name: str) -> LookupLemmatizer:
    return LookupLemmatizer()


class LookupLemmatizer:
    """Lemmas from the lookup table, keyed on the lower-cased word and stored
    lower-case, set for the whole Doc in one array write (one table look-up per
    distinct word)."""

    def __init__(self) -> None:
        from spacy.lookups import load_lookups

        self.table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._cache: dict[int, int] = {}

    def _lemma(self, doc: Doc, lower: int) -> int:
        if lower not in self._cache:
            word = doc.vocab.strings[lower]
            self._cache[lower] = doc.vocab.strings.add(self.table.get(word, word).lower())
        return self._cache[lower]

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            distinct, inverse = numpy.unique(doc.to_array(LOWER), return_inverse=True)
            cache = self._cache
            # a dict look-up per distinct word; the table only for words not seen before
            keys = distinct.tolist()
            found = [cache.get(key) for key in keys]
            if None in found:
                found = [self._lemma(doc, key) if lemma is None else lemma for key, lemma in zip(keys, found)]
            lemmas = numpy.array(found, dtype="uint64")
            doc.from_array([LEMMA], lemmas[inverse].reshape(-1, 1))  # type: ignore[arg-type]  # thinc Ints2d is a numpy array
        return doc
