"""The drug tagger, lemmatizer and abbreviation detector read token columns
and lexeme flags instead of spaCy's per-token objects; each piece must give
what the spaCy or scispaCy call it replaces gives, on the corpus papers."""

from __future__ import annotations

from pathlib import Path

import pytest
from scispacy.abbreviation import filter_matches
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE, LEMMA, LOWER, ORTH, SPACY
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from extractor.nlp.abbreviations import candidate_ranges, parenthesis_candidates, sentence_parentheses
from extractor.nlp.drug_tagger import PhraseTable, WordFlag, filter_ranges, set_entities, word_flag
from extractor.nlp.sentences import sentence_bounds

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").glob("*.txt"))]


@pytest.fixture(scope="module")
def docs_before(doc_before):
    def run(component_name: str) -> list:
        return [doc_before(text, component_name) for text in TEXTS]

    return run


def test_phrase_table_equals_the_phrase_matcher(extractor, docs_before):
    nlp = extractor.nlp
    terms = ["sodium thiosulfate", "thiosulfate", "calcium", "calcium gluconate", "intralesional", "vitamin k"]
    phrases = [nlp.make_doc(term) for term in terms]
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("T", phrases)
    table = PhraseTable(phrases)
    found = 0
    for doc in docs_before("sts_drug_tagger_v1"):
        lowers = doc.to_array(LOWER)
        expected = [(start, end) for _, start, end in matcher(doc)]
        assert table.matches(lowers, list(range(len(doc)))) == expected
        found += len(expected)
    assert found > 100


def test_word_flags_are_set_once_per_word_and_shared(extractor):
    nlp = extractor.nlp
    flag = WordFlag(exact={"STS"}, lowered={"thiosulfate"}, pattern=r"^[a-z]{3,}mab$")
    bit = word_flag(nlp.vocab, flag)
    assert word_flag(nlp.vocab, WordFlag(exact={"STS"}, lowered={"thiosulfate"}, pattern=r"^[a-z]{3,}mab$")) == bit
    doc = nlp.make_doc("STS sts Thiosulfate denosumab Zzqxmab rituximab; new-word-xyzmab")
    assert doc.to_array(bit).tolist() == [int(flag(token.text)) for token in doc]


def test_entity_columns_equal_set_ents(docs_before):
    for doc, other in zip(docs_before("sts_drug_tagger_v1"), docs_before("sts_drug_tagger_v1")):
        ranges = [(i, i + 1 + i % 3, 1 + i % 2) for i in range(0, len(doc) - 3, 7)]
        ranges += [(i, i + 2, 1) for i in range(1, len(doc) - 3, 11)]
        labels = {1: "STS", 2: "DRUG"}
        doc.set_ents([Span(doc, 0, 1, label="X", kb_id="Q1")])
        other.set_ents([Span(other, 0, 1, label="X", kb_id="Q1")])
        spans = filter_spans([Span(other, s, e, label=labels[k]) for s, e, k in ranges])
        kept = filter_ranges([(s, e, doc.vocab.strings.add(labels[k])) for s, e, k in ranges])
        assert [(s.start, s.end, s.label) for s in spans] == kept
        set_entities(doc, kept)
        other.set_ents(spans, default="outside")
        columns = [ENT_IOB, ENT_TYPE, ENT_KB_ID]
        assert doc.to_array(columns).tolist() == other.to_array(columns).tolist()


def test_lemmas_equal_the_table_lookup(extractor, docs_before):
    lemmatizer = extractor.nlp.get_pipe("sts_lemmatizer_v1")
    table = lemmatizer.table
    for doc in docs_before("sts_lemmatizer_v1"):
        lemmatizer(doc)
        strings = doc.vocab.strings
        expected = [
            strings[table.get(strings[lower], strings[lower]).lower()] for lower in doc.to_array(LOWER).tolist()
        ]
        assert doc.to_array(LEMMA).tolist() == expected


def test_parentheses_and_candidates_equal_the_per_sentence_search_and_scispacy(docs_before):
    compared = 0
    for doc in docs_before("sts_abbreviations_v1"):
        strings = doc.vocab.strings
        expected = []
        for start, end in zip(*sentence_bounds(doc)):
            tokens = [strings[orth] for orth in doc.to_array(ORTH)[start:end].tolist()]
            expected += [(start + i, start + j) for i, j in parenthesis_candidates(tokens)]
        assert sentence_parentheses(doc) == expected
        matches = [(0, start + 1, end - 1) for start, end in expected]
        stock = [((lf.start, lf.end), (sf.start, sf.end)) for lf, sf in filter_matches(matches, doc)]
        ours = candidate_ranges(doc, doc.to_array(ORTH), doc.to_array(SPACY), matches)
        assert ours == stock
        compared += len(stock)
    assert compared > 20
