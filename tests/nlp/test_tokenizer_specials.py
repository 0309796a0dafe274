"""The tokenizer drops spaCy special cases that affix splitting reproduces
(REDUNDANT_SPECIALS): the tokens must be those the special cases give, on the
corpus papers and the dev texts, cold and from the cache."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.attrs import IDX, NORM, ORTH, SPACY

from extractor.nlp.tokenizer import REDUNDANT_SPECIALS, create_tokenizer

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = [ORTH, NORM, SPACY, IDX]


def test_redundant_special_cases_change_no_token():
    ours = create_tokenizer()(spacy.blank("en"))
    stock = create_tokenizer()(spacy.blank("en"))
    for special in REDUNDANT_SPECIALS:
        assert special not in ours.inner.rules
        stock.inner.add_special_case(special, [{ORTH: special}])
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext" / "dev" / "docs").glob("*.txt"))
    runs = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for _ in range(2):
            mine, theirs = ours(text), stock(text)
            assert mine.to_array(COLUMNS).tolist() == theirs.to_array(COLUMNS).tolist(), path.name
            runs += "  " in mine.text
    assert runs > 20
