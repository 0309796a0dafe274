"""``sts_sentences_v1``: sentence starts from :mod:`extractor.text.structure`,
which sees the original text (line ends, tables, headings) even though spaCy
gets a copy with newlines and tabs turned into spaces."""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

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
        token_starts = doc.to_array(IDX).astype("int64")
        spaces = doc.to_array(IS_SPACE).astype(bool)
        starts = numpy.array(sorted(start for start, _ in structure.sentences), dtype="int64")
        holders = numpy.searchsorted(token_starts, starts, side="right") - 1  # token holding each start
        flags = numpy.full(len(doc), -1, dtype="int64")
        flags[holders[(holders >= 0) & ~spaces[numpy.clip(holders, 0, None)]]] = 1
        flags[0] = 1
        doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))  # type: ignore[arg-type]  # spaCy stores -1 as uint64
        return doc


def sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Start and end tokens of ``doc.sents``, from the SENT_START column (no Span per sentence)."""
    if not len(doc):
        return [], []
    flags = doc.to_array(SENT_START)
    starts = [0] + (numpy.flatnonzero(flags[1:] == 1) + 1).tolist()
    return starts, starts[1:] + [len(doc)]
