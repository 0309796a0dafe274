"""The ConText triggers kept per sentence and field, and the course cue tried rule
by rule, must give what reading every trigger of the sentence and searching the
one combined course pattern give."""

from __future__ import annotations

from pathlib import Path

from extractor.mentions.attribution import SourceAttributor
from extractor.mentions.context import CATEGORY_FIELDS
from extractor.mentions.doc_arrays import DocArrays
from extractor.text.structure import analyse

ROOT = Path(__file__).resolve().parents[2]
FIELDS = sorted({name for names in CATEGORY_FIELDS.values() for name in names})


def test_triggers_by_field_equal_filtering_every_trigger(extractor, doc_before):
    rules = extractor.nlp.get_pipe("sts_mentions_v1").context
    paths = sorted((ROOT / "corpus").glob("*.txt"))[:40]
    kept = 0
    for path in paths:
        doc = doc_before(path.read_text(encoding="utf-8"), "sts_mentions_v1")
        columns = DocArrays(doc)
        for sentence in doc.sents:
            every = rules._find(sentence)
            by_field = rules._found(doc, columns, sentence.start)
            for name in FIELDS:
                expected = [found for found in every if name in CATEGORY_FIELDS.get(found[0].category, ())]
                assert by_field.get(name, []) == expected
                kept += len(expected)
    assert kept > 100


def test_course_cue_equals_the_combined_pattern(extractor):
    patterns = extractor.nlp.get_pipe("sts_mentions_v1").citation_patterns
    assert patterns.course is not None
    attributor = SourceAttributor(analyse(""), patterns)
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))
    lines = [line for p in paths for line in p.read_text(encoding="utf-8").splitlines()]
    lines += ["Treatment was started.", "IV STS WAS COMMENCED", "it was startedly", "were begun\tthen"]
    hits = 0
    for line in lines:
        expected = patterns.course.search(line) is not None
        assert attributor._course_cue(line) == expected, line
        hits += expected
    assert hits > 20
