"""The outcome and route filters' shortcuts give what the plain checks give: the
widened rate read once, each sentence's drugs read once for its routes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from extractor.ingest import load_document
from extractor.mentions.document_mentions import DocumentMentions
from extractor.mentions.drugs import drugs_in, other_drug_owns
from extractor.mentions.outcomes import widen_with_rate
from extractor.mentions.quantities import percent_in
from extractor.nlp.field_matcher import CANDIDATES

ROOT = Path(__file__).resolve().parent.parent.parent
PAPERS = sorted((ROOT / "corpus").glob("*.txt"))[:12]
_WORD = re.compile(r"\w+")


@pytest.fixture(scope="module")
def builders(mention_builder) -> Iterator[list[DocumentMentions]]:
    with ExitStack() as stack:
        yield [mention_builder(load_document(path), stack) for path in PAPERS]


def test_widened_rate_is_the_rate_of_the_widened_text():
    texts = ["In all, 19 (68%) had clinical improvement and healing in 7 of 12 (58%)."] + [
        path.read_text(encoding="utf-8") for path in PAPERS
    ]
    rates = 0
    for text in texts:
        for line in re.finditer(r"[^\n]+", text):
            for word in list(_WORD.finditer(text, line.start(), line.end()))[::2]:
                start, end, value = widen_with_rate(text, word.start(), word.end(), line.start(), line.end())
                assert value == percent_in(text[start:end])
                rates += value is not None
    assert rates > 0


def test_routes_of_sentences_without_other_drugs_are_never_owned_by_one(builders):
    """The route filter asks whether another drug owns a route word only in a
    sentence naming one: elsewhere the answer is always no."""
    asked = 0
    for builder in builders:
        doc, columns = builder.doc, builder.columns
        for span in builder.doc.spans[CANDIDATES]:
            if span.label_ != "route":
                continue
            s_start, s_end = columns.sentence_of(span.start)
            if all(is_sts for *_, is_sts in drugs_in(doc, s_start, s_end)):
                asked += 1
                for prefer_before in (True, False):
                    assert not other_drug_owns(
                        doc, span.start, span.end, s_start, s_end, prefer_before=prefer_before, near_only=True
                    )
    assert asked > 20
