"""``sts_sentences_v1``: sentence starts from :mod:`extractor.text.structure`,
which sees the original text (line ends, tables, headings) even though spaCy
gets a copy with newlines and tabs turned into spaces."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.extensions import doc_value, token_column
from extractor.nlp.rules_component import RulesComponent
from extractor.nlp.tokenizer import raw_text
from extractor.text.structure import analyse


@Language.factory("sts_sentences_v1", default_config={"rules_dir": ""})
def create_sentence_setter(nlp: Language, name: str, rules_dir: str) -> SentenceSetter:
    return SentenceSetter(rules_dir)


class SentenceSetter(RulesComponent):
    """Sets ``is_sent_start`` and ``doc._.structure`` from the original text (section names from the rules)."""

    name = "sts_sentences_v1"

    def __call__(self, doc: Doc) -> Doc:
        structure = analyse(raw_text(doc), self.rules.sections)
        doc._.structure = structure
        if not len(doc):
            return doc
        token_starts = token_column(doc, IDX)
        starts = numpy.array([start for start, _ in structure.sentences], dtype="uint64")
        holders = numpy.unique(numpy.searchsorted(token_starts, starts, side="right") - 1)  # token holding each start
        flags = numpy.full(len(doc), -1, dtype="int64")
        # a white-space token opens no sentence (asked of each holder, not read as a column for every token)
        flags[[i for i in holders[holders >= 0].tolist() if not doc[i].is_space]] = 1
        flags[0] = 1
        doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))  # type: ignore[arg-type]  # spaCy stores -1 as uint64
        starts = numpy.flatnonzero(flags == 1).tolist()
        doc._.sentence_bounds = (len(doc), starts, starts[1:] + [len(doc)])
        return doc


def sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Start and end tokens of ``doc.sents``, from the SENT_START column (no Span per sentence).

    The sentence setter leaves them on the Doc (``doc._.sentence_bounds``), so
    the stages after it (abbreviations, field matcher, mention stage) read them
    instead of the column; a Doc of another length (or without them) reads the column."""
    if not len(doc):
        return [], []
    known = doc_value(doc, "sentence_bounds")
    if known is not None and known[0] == len(doc):
        return known[1], known[2]
    flags = doc.to_array(SENT_START)
    starts = [0] + (numpy.flatnonzero(flags[1:] == 1) + 1).tolist()
    return starts, starts[1:] + [len(doc)]


class SentenceLookup:
    """The sentence of a token or span, from the sentence bounds read once per Doc:
    spaCy's ``span.sent`` walks the SENT_START column both ways and makes a new
    Span on every call, and the mention stage asks it ~700 times per document.
    Same bounds as spaCy's walk: a sentence starts at token 0 or at a token
    flagged as a start, and runs to the next flagged token."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.starts, self.ends = sentence_bounds(doc)
        flags = numpy.zeros(len(doc) + 1, dtype="int64")
        flags[self.starts[1:]] = 1
        # per token, its sentence's number; one past the last token belongs to the last sentence, as in spaCy
        self.number = numpy.cumsum(flags).tolist()
        self.number[-1] = len(self.starts) - 1
        self.spans: list[Span | None] = [None] * len(self.starts)

    def sentence(self, i: int) -> Span:
        """The sentence holding token ``i`` (one Span per sentence, made once)."""
        k = self.number[i]
        span = self.spans[k]
        if span is None:
            span = self.spans[k] = self.doc[self.starts[k] : self.ends[k]]
        return span


@contextmanager
def sentence_hooks(doc: Doc) -> Iterator[None]:
    """Within the block, ``span.sent`` and ``token.sent`` of ``doc`` come from a
    :class:`SentenceLookup`; the Doc leaves without the hooks."""
    if not len(doc) or not doc.has_annotation("SENT_START") or "sent" in doc.user_span_hooks:
        yield
        return
    lookup = SentenceLookup(doc)
    had_token_hook = "sent" in doc.user_token_hooks
    doc.user_span_hooks["sent"] = lambda span: lookup.sentence(span.start)
    if not had_token_hook:
        doc.user_token_hooks["sent"] = lambda token: lookup.sentence(token.i)
    try:
        yield
    finally:
        del doc.user_span_hooks["sent"]
        if not had_token_hook:
            del doc.user_token_hooks["sent"]
