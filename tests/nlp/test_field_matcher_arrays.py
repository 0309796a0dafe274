"""Long Docs are matched by arrays (the windows of every anchor, their token
bits and the rules matched on bits, all at once), short ones anchor by anchor
in Python: both ways must give the same candidates in the same order, and a
Doc read by rows the same token bits as one read into an int per token."""

from __future__ import annotations

import numpy
from candidate_checks import candidates_unchanged
from spacy.attrs import LOWER, ORTH

from extractor.nlp.field_matcher import Need, TokenMasks


def test_arrays_give_the_candidates_of_the_per_anchor_loops(extractor, doc_before):
    matcher = extractor.nlp.get_pipe("sts_field_matcher_v1")
    kept = matcher.array_from
    matcher.array_from = 0  # every Doc by arrays
    try:
        assert candidates_unchanged(matcher, doc_before, "array_from", 10**9) > 100
    finally:
        matcher.array_from = kept


def test_rows_hold_the_bits_of_the_tokens(extractor):
    doc = extractor.nlp.make_doc("Treated for 12 weeks , then 25 g of STS twice weekly for 12 weeks .")
    number = Need(ORTH, None, r"^\d+$")
    weeks = Need(LOWER, frozenset([doc.vocab.strings.add("weeks")]), None)
    by_tokens = TokenMasks([number, weeks]).of(doc)
    tokens, present, where = list(by_tokens.tokens), by_tokens.present, by_tokens.where([number, weeks])
    by_rows = TokenMasks([number, weeks]).of(doc, rows=True)
    assert by_rows.by_rows and not by_tokens.by_rows
    assert by_rows.present == present
    assert by_rows.where([number, weeks]) == where == [[2, 6, 13], [3, 14]]
    assert by_rows.tokens == tokens
    rows = by_rows.table()
    assert [int.from_bytes(row.tobytes(), "little") for row in rows] == tokens
    assert not by_rows.table(padded=True)[-1].any() and numpy.array_equal(by_tokens.table(), rows)
