"""Per-document token columns for the mention filters, read once with ``Doc.to_array``.

The filters look at the same sentences for many candidates ("is STS named
in this sentence?", "the lower-case words before the span"): each
``doc[i]`` builds a Token object, and the same look repeated per candidate
costs more than the look itself. The columns live while the mention stage
reads the document (:func:`token_arrays`); outside it :func:`arrays_of`
reads them afresh, so a Doc changed later never sees stale columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import numpy
from spacy.attrs import ENT_TYPE, IS_ALPHA, IS_SPACE, LOWER
from spacy.strings import StringStore
from spacy.tokens import Doc

COLUMNS = [LOWER, IS_SPACE, ENT_TYPE, IS_ALPHA]
_BLOCK = 64  # tokens whose lower-case forms are looked up together, on first use
# a lower-case form by its string-store key, across documents: the key is the string's
# hash, so it names one string in any vocabulary (the store decodes a new str per lookup)
_WORD_OF: dict[int, str] = {}
_WORDS_KEPT = 500_000


class DocArrays:
    """``space`` (``token.is_space``), ``alpha`` (``token.is_alpha``), ``sts``
    (``is_sts(token)``) and ``drug`` (``token.ent_type_ == "DRUG"``) of every
    token; lower-case forms (``token.lower_``) by :meth:`lowers`, looked up
    block by block as the filters reach them (most of a long paper holds no
    candidate)."""

    def __init__(self, doc: Doc, columns: numpy.ndarray | None = None) -> None:
        """``columns``: ``doc.to_array(COLUMNS)`` when the caller has read it already
        (further columns after these are ignored)."""
        if columns is None:
            columns = doc.to_array(COLUMNS).reshape(-1, len(COLUMNS))
        self._strings = doc.vocab.strings
        self._keys: list[int] = columns[:, 0].tolist()
        self._lower: list[str] = [""] * len(doc)
        self._looked_up = bytearray(len(doc) // _BLOCK + 1)
        self.space: list[bool] = (columns[:, 1] != 0).tolist()
        self.alpha: list[bool] = (columns[:, 3] != 0).tolist()
        self.drug: list[bool] = (columns[:, 2] == self._strings["DRUG"]).tolist()
        sts = columns[:, 2] == self._strings["STS"]
        self.sts: list[bool] = sts.tolist()
        # prefix counts of STS tokens: "does [a, b) hold an STS token" is one subtraction
        self._sts_before: list[int] = [0, *numpy.cumsum(sts, dtype="int64").tolist()]

    def lowers(self, start: int, end: int) -> list[str]:
        """``token.lower_`` of tokens [start, end) (clipped to the document)."""
        end = min(end, len(self._keys))
        looked_up = self._looked_up
        for block in range(max(start, 0) // _BLOCK, (end - 1) // _BLOCK + 1 if end > 0 else 0):
            if not looked_up[block]:
                a, b = block * _BLOCK, (block + 1) * _BLOCK
                keys = self._keys[a:b]
                found: list[str | None] = list(map(_WORD_OF.get, keys))
                if None in found:
                    found = [word if word is not None else _word(self._strings, key) for word, key in zip(found, keys)]
                self._lower[a:b] = cast(list[str], found)  # no None left
                looked_up[block] = 1
        return self._lower[start:end]

    def has_sts(self, start: int, end: int) -> bool:
        """Whether a token of tokens [start, end) is part of an STS name."""
        return end > start and self._sts_before[end] > self._sts_before[start]

    def words(self, start: int, end: int) -> list[str]:
        """The lower-case forms of the non-space tokens of [start, end)."""
        return [word for word, blank in zip(self.lowers(start, end), self.space[start:end]) if not blank]


def _word(strings: StringStore, key: int) -> str:
    """The string of ``key``, remembered for the next document (the memory is
    bounded: a long run over ever new words starts it afresh)."""
    if len(_WORD_OF) >= _WORDS_KEPT:
        _WORD_OF.clear()
    word = _WORD_OF[key] = strings[key]
    return word


_LIVE: dict[int, tuple[Doc, DocArrays]] = {}


@contextmanager
def token_arrays(doc: Doc, columns: numpy.ndarray | None = None) -> Iterator[DocArrays]:
    """Within the block, :func:`arrays_of` ``doc`` gives the columns read once."""
    found = DocArrays(doc, columns)
    _LIVE[id(doc)] = (doc, found)
    try:
        yield found
    finally:
        del _LIVE[id(doc)]


def arrays_of(doc: Doc) -> DocArrays:
    """The token columns of ``doc``: those of the document being read, else fresh."""
    live = _LIVE.get(id(doc))
    if live is not None and live[0] is doc:
        return live[1]
    return DocArrays(doc)
