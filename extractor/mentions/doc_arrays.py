"""Per-document token columns for the mention filters, read once with ``Doc.to_array``.

The filters look at the same sentences for many candidates ("is STS named
in this sentence?", "the lower-case words before the span"): each
``doc[i]`` builds a Token object, and the same look repeated per candidate
costs more than the look itself. The columns live while the mention stage
reads the document (:func:`token_arrays`); outside it :func:`arrays_of`
reads them afresh, so a Doc changed later never sees stale columns.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from contextlib import contextmanager

import numpy
from spacy.attrs import ENT_IOB, ENT_TYPE, IS_SPACE, LOWER
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.nlp.sentences import sentence_bounds

COLUMNS = [LOWER, IS_SPACE, ENT_TYPE, ENT_IOB]
_BEGIN = 3  # ENT_IOB of a name's first token ("B")
# a lower-case form by its string-store key, across documents: the key is the string's
# hash, so it names one string in any vocabulary (the store decodes a new str per lookup)
_WORD_OF: dict[int, str] = {}
_WORDS_KEPT = 500_000
# (is_punct, like_num) by lower-case form's key, per vocabulary: both are the same for
# every case variant of a word (punctuation has no case; English like_num lower-cases
# the words it knows, and digits have no case), so one Token answers for the type
_FLAGS_OF: dict[int, tuple[Vocab, dict[int, tuple[bool, bool]]]] = {}


class DocArrays:
    """``space`` (``token.is_space``) of every token; the STS tokens
    (``is_sts(token)``) and other drugs' tokens (``token.ent_type_ == "DRUG"``)
    as sets of token indices, ``sts_at`` and ``drug_at`` (a paper names few
    drugs: no list over every token); lower-case forms (``token.lower_``) of
    every token in ``lower_of``, looked up once (one dict lookup per token: the
    filters of a dense paper ask tens of thousands of times for a stretch of
    them, and a per-stretch lookup cost more than the whole column); ``token.is_punct`` and ``token.like_num``
    by :meth:`punct` and :meth:`like_num`, per word type, and ``token.is_alpha``
    by :meth:`is_alpha` (the few tokens the filters ask about do not pay for
    more columns of every token)."""

    def __init__(self, doc: Doc, columns: numpy.ndarray | None = None) -> None:
        """``columns``: ``doc.to_array(COLUMNS)`` when the caller has read it already
        (further columns after these are ignored)."""
        if columns is None:
            columns = doc.to_array(COLUMNS).reshape(-1, len(COLUMNS))
        self._doc = doc
        self._sentences: tuple[list[int], list[int]] | None = None
        self._strings = doc.vocab.strings
        self._flags = _flags_of(doc.vocab)
        self._keys: list[int] = columns[:, 0].tolist()
        self.lower_of: list[str] = _words(self._strings, self._keys)
        self.space: list[bool] = (columns[:, 1] != 0).tolist()
        self._alpha: dict[int, bool] = {}
        types = columns[:, 2]
        # the STS tokens in order: "does [a, b) hold an STS token" is one bisection
        is_sts = types == self._strings["STS"]
        self._sts_tokens: list[int] = numpy.flatnonzero(is_sts).tolist()
        # the STS tokens that open a name: a run of STS tokens is one name up to the next
        self._sts_begins = frozenset(numpy.flatnonzero(is_sts & (columns[:, 3] == _BEGIN)).tolist())
        self.sts_at: frozenset[int] = frozenset(self._sts_tokens)
        self.drug_at: frozenset[int] = frozenset(numpy.flatnonzero(types == self._strings["DRUG"]).tolist())

    def lowers(self, start: int, end: int) -> list[str]:
        """``token.lower_`` of tokens [start, end) (clipped to the document)."""
        return self.lower_of[start:end]

    def sentence_of(self, i: int) -> tuple[int, int]:
        """Start and end tokens of the sentence holding token ``i``: those of
        ``span.sent`` for a span starting there under the mention stage's
        sentence hooks (the same bounds), without making the sentence's Span."""
        if self._sentences is None:
            self._sentences = sentence_bounds(self._doc)
        starts, ends = self._sentences
        k = max(bisect.bisect_right(starts, i) - 1, 0)
        return starts[k], ends[k]

    def is_alpha(self, i: int) -> bool:
        """``token.is_alpha`` of token ``i``: a Token for the few tokens asked,
        not a column of every token."""
        alpha = self._alpha.get(i)
        if alpha is None:
            alpha = self._alpha[i] = self._doc[i].is_alpha
        return alpha

    def punct(self, i: int) -> bool:
        """``token.is_punct`` of token ``i``."""
        return self._word_flags(i)[0]

    def like_num(self, i: int) -> bool:
        """``token.like_num`` of token ``i``."""
        return self._word_flags(i)[1]

    def _word_flags(self, i: int) -> tuple[bool, bool]:
        key = self._keys[i]
        flags = self._flags.get(key)
        if flags is None:
            token = self._doc[i]
            flags = self._flags[key] = (token.is_punct, token.like_num)
        return flags

    def has_sts(self, start: int, end: int) -> bool:
        """Whether a token of tokens [start, end) is part of an STS name."""
        tokens = self._sts_tokens
        k = bisect.bisect_left(tokens, start)
        return k < len(tokens) and tokens[k] < end

    def sts_names(self) -> list[tuple[int, int]]:
        """(start, end) of the STS names, those of ``doc.ents`` labelled STS without
        making their Spans: the drug tagger sets every entity, one label to all of
        a name's tokens, so a run of STS tokens is one name unless a token of it
        opens the next (entity IOB "B", read in the ENT_IOB column)."""
        names: list[tuple[int, int]] = []
        for i in self._sts_tokens:
            if names and names[-1][1] == i and i not in self._sts_begins:
                names[-1] = (names[-1][0], i + 1)
            else:
                names.append((i, i + 1))
        return names

    def words(self, start: int, end: int) -> list[str]:
        """The lower-case forms of the non-space tokens of [start, end)."""
        return [word for word, blank in zip(self.lowers(start, end), self.space[start:end]) if not blank]


def _words(strings: StringStore, keys: list[int]) -> list[str]:
    """The strings of ``keys``, all at once: one dict lookup per token, the new
    keys decoded once and remembered for the next document (the memory is
    bounded: a long run over ever new words starts it afresh)."""
    try:
        return list(map(_WORD_OF.__getitem__, keys))
    except KeyError:
        pass
    missing = set(keys).difference(_WORD_OF)
    if len(_WORD_OF) + len(missing) > _WORDS_KEPT:
        _WORD_OF.clear()
        missing = set(keys)
    for key in missing:
        _WORD_OF[key] = strings[key]
    return list(map(_WORD_OF.__getitem__, keys))


def _flags_of(vocab: Vocab) -> dict[int, tuple[bool, bool]]:
    """The word flags known for ``vocab`` (a new vocabulary starts afresh; the
    memory is bounded as that of the lower-case forms)."""
    known = _FLAGS_OF.get(id(vocab))
    if known is None or known[0] is not vocab or len(known[1]) >= _WORDS_KEPT:
        if len(_FLAGS_OF) >= 8:
            _FLAGS_OF.clear()
        known = _FLAGS_OF[id(vocab)] = (vocab, {})
    return known[1]


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
