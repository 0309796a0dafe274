"""The drug tagger finds its flagged tokens on the ORTH column and the
abbreviation detector writes ``long_form`` without ``span._``: each must give
what spaCy's own reads give, on the corpus papers."""

from __future__ import annotations

from pathlib import Path

from spacy.attrs import ORTH

from extractor.nlp.drug_tagger import WordFlag, word_flag
from extractor.nlp.extensions import span_value

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").glob("*.txt"))]


def test_flag_positions_equal_the_flag_column(extractor):
    tagger = extractor.nlp.get_pipe("sts_drug_tagger_v1")
    found = 0
    for text in TEXTS:
        doc = extractor.nlp.make_doc(text)
        expected = doc.to_array(tagger.flag).nonzero()[0].tolist()
        assert tagger.word_flag.positions(doc.to_array(ORTH)).tolist() == expected
        found += len(expected)
    assert found > 100


def test_a_flag_added_late_marks_the_words_already_known(extractor):
    nlp = extractor.nlp
    doc = nlp.make_doc("Zzqvmab and zzqvmab were given; Zzqv was not.")
    flag = WordFlag(lowered={"zzqv"}, pattern=r"^[a-z]{3,}mab$")
    bit = word_flag(nlp.vocab, flag)
    registered = nlp.vocab.lex_attr_getters[bit]
    assert registered.positions(doc.to_array(ORTH)).tolist() == doc.to_array(bit).nonzero()[0].tolist() == [0, 2, 6]
    later = nlp.make_doc("a new word: Qqzzymab")
    assert registered.positions(later.to_array(ORTH)).tolist() == [4]


def test_long_forms_equal_the_underscore_reads(extractor):
    found = 0
    for text in TEXTS:
        doc = extractor.nlp(text)
        for short in doc._.abbreviations:
            assert short._.long_form is span_value(short, "long_form") is not None
            found += 1
        spans = [(short.start, short.end) for short in doc._.abbreviations]
        assert len(spans) == len(set(spans))  # each short form once
    assert found > 20
