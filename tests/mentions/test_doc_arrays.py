"""The token columns of the mention filters read what the Token objects say."""

from __future__ import annotations

from extractor.mentions.doc_arrays import DocArrays, arrays_of, token_arrays
from extractor.nlp.drug_tagger import is_sts

TEXT = (
    "Sodium thiosulfate for calcinosis cutis\n\n"
    "Intralesional STS (250 mg/mL) was injected weekly; prednisone 10 mg was stopped.\n"
    "The   lesions HEALED after 6 months of intravenous sodium thiosulphate.\n\n"
) * 12  # several blocks of looked-up lower-case forms


def test_columns_match_the_tokens(doc_before):
    doc = doc_before(TEXT, "sts_mentions_v1")
    columns = DocArrays(doc)
    assert columns.lowers(0, len(doc)) == [t.lower_ for t in doc]
    assert columns.space == [t.is_space for t in doc]
    assert [columns.is_alpha(i) for i in range(len(doc))] == [t.is_alpha for t in doc]
    drugs = [t.ent_type_ == "DRUG" for t in doc]
    assert [i in columns.drug_at for i in range(len(doc))] == drugs and any(drugs)
    flags = [is_sts(t) for t in doc]
    assert [i in columns.sts_at for i in range(len(doc))] == flags and any(flags)
    for start in range(0, len(doc), 7):
        for end in (start, start + 1, start + 5, start + 70, len(doc)):
            end = min(end, len(doc))
            assert columns.has_sts(start, end) == any(flags[start:end])
            assert columns.words(start, end) == [t.lower_ for t in doc[start:end] if not t.is_space]
    # a range read first inside a block, then across blocks
    assert DocArrays(doc).lowers(130, 131) == [doc[130].lower_]


def test_live_columns_are_those_of_the_document_read(doc_before):
    doc = doc_before(TEXT, "sts_mentions_v1")
    with token_arrays(doc) as columns:
        assert arrays_of(doc) is columns
    assert arrays_of(doc) is not columns


def test_empty_document(doc_before):
    columns = DocArrays(doc_before("", "sts_mentions_v1"))
    assert columns.lowers(0, 5) == [] and columns.space == [] and not columns.has_sts(0, 0)
