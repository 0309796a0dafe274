"""The token columns the stages share (``doc._.token_columns``): read once per
Doc by the sentence setter, the same values as ``doc.to_array``."""

from __future__ import annotations

import numpy

from extractor.nlp.extensions import TOKEN_COLUMNS, doc_value, token_column


def test_token_columns_equal_to_array(extractor, doc_before):
    doc = doc_before(
        "Sodium thiosulfate (STS) 25 g IV\twas given for calciphylaxis.  It healed.", "sts_abbreviations_v1"
    )
    columns = doc_value(doc, "token_columns")
    assert columns is not None and columns.shape == (len(doc), len(TOKEN_COLUMNS))
    for attr in TOKEN_COLUMNS:
        assert numpy.array_equal(token_column(doc, attr), doc.to_array(attr))


def test_a_doc_of_another_length_is_read_again(extractor):
    doc = extractor.nlp.make_doc("Twelve patients healed.")
    doc._.token_columns = numpy.zeros((2, len(TOKEN_COLUMNS)), dtype="uint64")
    for attr in TOKEN_COLUMNS:
        assert numpy.array_equal(token_column(doc, attr), doc.to_array(attr))
    assert len(doc_value(doc, "token_columns")) == len(doc)
