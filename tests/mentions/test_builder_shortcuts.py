"""The mention builder's shortcuts give what the plain lookups give: sections and
scope by bisection, longest candidates by bisection, remembered header rules,
outcome checks asked once per sentence."""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from extractor.ingest import load_document
from extractor.mentions.builder import longest_first
from extractor.mentions.document_mentions import DocumentMentions
from extractor.mentions.drugs import (
    clause_names_only_other_drugs,
    previous_sentence_credits_other_drug,
    sentence_names_only_other_drugs,
)
from extractor.mentions.tables import HeaderClassifier, classify_header
from extractor.nlp.field_matcher import CANDIDATES
from extractor.rules.loader import load_rule_set

ROOT = Path(__file__).resolve().parent.parent.parent
PAPERS = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext" / "dev" / "docs").glob("*.txt"))[:8]


@pytest.fixture(scope="module")
def builders(mention_builder) -> Iterator[list[DocumentMentions]]:
    """A builder per paper, with the sentence lookup and token columns the stage sets up."""
    with ExitStack() as stack:
        yield [mention_builder(load_document(path), stack) for path in PAPERS]


def test_section_by_bisection(builders):
    for builder in builders:
        structure = builder.structure
        offsets = range(0, len(builder.text) + 1, 97)
        assert [builder.section_at(k) for k in offsets] == [structure.section_at(k) for k in offsets]
    # in any order of the sections: the first one starting after the offset ends the walk
    builder = builders[0]
    sections = builder.structure.sections
    assert len(sections) > 2
    try:
        builder.structure.sections = list(reversed(sections))
        del builder._section_reach
        offsets = range(0, len(builder.text) + 1, 97)
        assert [builder.section_at(k) for k in offsets] == [builder.structure.section_at(k) for k in offsets]
    finally:
        builder.structure.sections = sections
        del builder._section_reach


def test_scope_by_bisection(builders):
    rng = random.Random(3)
    assert any(builder.scope.excluded for builder in builders)
    for builder in builders:
        size = len(builder.text)
        for _ in range(400):
            start = rng.randrange(size + 1)
            end = min(size, start + rng.choice([0, 1, 5, 40, 300]))
            assert builder.out_of_scope(start, end) == bool(builder.scope.reason_at(start, end))


def _longest_first_pairwise(spans):
    kept = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(span.start < k.end and k.start < span.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def test_longest_first_by_bisection(builders):
    doc = builders[0].doc
    rng = random.Random(5)
    for _ in range(300):
        spans = []
        for _ in range(rng.randrange(1, 25)):
            start = rng.randrange(len(doc) - 8)
            spans.append(doc[start : start + rng.randrange(1, 8)])
        assert [(s.start, s.end) for s in longest_first(spans)] == [
            (s.start, s.end) for s in _longest_first_pairwise(spans)
        ]
    candidates = list(doc.spans[CANDIDATES])
    assert longest_first(candidates) == _longest_first_pairwise(candidates)


def test_header_classifier_says_what_classify_header_says():
    rules = load_rule_set().table_headers
    texts = ["Dose (g)", "Size, cm", "Patient", "Outcome", "Route", "Age", "Dose (g)", "", "Reduction (%)"]
    classify = HeaderClassifier(rules)
    classify.KEPT = 3  # forgets on the way
    assert [classify(t) for t in texts + texts] == [classify_header(t, rules) for t in texts + texts]
    assert any(classify(t) is None for t in texts) and any(classify(t) is not None for t in texts)


def test_outcome_checks_per_sentence_are_the_per_candidate_checks(builders):
    """A sentence blocks its results exactly when one of the checks of the sentence
    alone, asked of each candidate, drops it; the clause check is read only where it can differ."""
    asked = 0
    verdicts = set()
    for builder in builders:
        objects = builder.lex["drug_object_heads"]
        doc = builder.doc
        for span in doc.spans[CANDIDATES]:
            if span.label_ != "outcome":
                continue
            asked += 1
            sentence = span.sent
            each = (
                span.sent.end <= builder.first_sts_sentence_start
                or builder.sts_enters_case_after(span.sent)
                or sentence_names_only_other_drugs(doc, span, objects)
                or previous_sentence_credits_other_drug(doc, span)
                or builder._pooled_without_sts(span.sent)
                or builder._after_hedged_sts(span.sent)
            )
            assert builder._sentence_blocks_result(sentence, objects) == each
            verdicts.add(each)
            if not each:
                assert builder._clause_names_only_other_drugs(span, sentence, objects) == (
                    clause_names_only_other_drugs(doc, span, objects)
                )
    assert asked > 50 and verdicts == {True, False}


def test_learned_route_abbreviation_by_its_exact_text(extract_text):
    """A defined short form is found by its lower-case form, then kept only in its own case."""
    text = (
        "We gave sodium thiosulfate by the intralesional (IL) route to our patient. "
        "Weekly IL sodium thiosulfate was continued. Il was not.\n"
    )
    learned = [(m.text, m.category) for m in extract_text(text) if m.pattern_id == "route.learned_abbreviation"]
    assert learned == [("IL", "intralesional"), ("IL", "intralesional")]


def _quantity_bounds_on_tokens(builder: DocumentMentions, span) -> tuple[int, int]:
    lex = builder.lex
    tokens = [t for t in span if not t.is_space]
    while tokens and not (tokens[0].text[:1].isdigit() or tokens[0].lower_ in lex["quantity_heads"]):
        tokens.pop(0)
    if len(tokens) > 1 and tokens[0].lower_ in ("at", "up") and tokens[1].lower_ not in ("most", "least", "to"):
        tokens.pop(0)
    while tokens and not (
        tokens[-1].text[:1].isdigit()
        or tokens[-1].lower_ in lex["quantity_tails"] | lex["unit_words"]
        or tokens[-1].text[-1:].isdigit()
    ):
        tokens.pop()
    if tokens and tokens[-1].text == ")" and not any(t.text == "(" for t in tokens):
        tokens.pop()
    if not tokens:
        return span.start_char, span.end_char
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def test_quantity_bounds_on_columns_are_those_on_tokens(builders):
    asked = 0
    for builder in builders:
        doc = builder.doc
        spans = [s for s in doc.spans[CANDIDATES] if s.label_ in ("dose", "concentration", "lesion_size")]
        # and wider ones, with words around the quantity to trim
        spans += [doc[max(0, s.start - 3) : min(len(doc), s.end + 3)] for s in spans]
        for span in spans:
            asked += 1
            assert builder._quantity_bounds(span) == _quantity_bounds_on_tokens(builder, span)
    assert asked > 50


def test_excluded_cells_by_bisection(builders):
    builder = builders[0]
    cells = builder.excluded_cells
    rng = random.Random(11)
    try:
        # cells of any shape and order, nested and overlapping ones too
        builder.excluded_cells = [(a, a + rng.choice([0, 1, 3, 20, 200])) for a in rng.sample(range(2000), 60)]
        builder.__dict__.pop("_excluded_cell_reach", None)
        for _ in range(3000):
            start = rng.randrange(2100)
            end = start + rng.choice([0, 1, 2, 5, 30])
            expected = any(a <= start and end <= b for a, b in builder.excluded_cells)
            assert builder._in_excluded_cell(start, end) == expected
    finally:
        builder.excluded_cells = cells
        builder.__dict__.pop("_excluded_cell_reach", None)


def test_case_section_and_merged_quantities_by_running_reach(builders):
    """The case-narrative test's section by bisection is the plain walk's, and
    overlapping quantities merge as by the furthest end of their group."""
    from extractor.mentions.builder import merge_overlapping

    for builder in builders:
        for start, end in builder.structure.sentences:
            sentence = builder.doc.char_span(start, end, alignment_mode="expand")
            if sentence is None or not len(sentence):
                continue
            opened = None
            for section_start, name, _ in builder.structure.sections:
                if section_start > sentence.start_char:
                    break
                opened = (section_start, name)
            plain = False
            if opened is not None and opened[1] == "methods":
                k = bisect.bisect_left(builder.sts_sentence_chars, opened[0])
                plain = k == len(builder.sts_sentence_chars) or sentence.end_char <= builder.sts_sentence_chars[k]
            assert builder.sts_enters_case_after(sentence) == plain
        spans = list(builder.doc.spans[CANDIDATES])
        groups: list[list] = []
        for span in sorted(spans, key=lambda s: (s.start, -s.end)):
            if groups and span.start < max(s.end for s in groups[-1]):
                groups[-1].append(span)
            else:
                groups.append([span])
        merged = merge_overlapping(spans)
        assert [(s.start, s.end) for s in merged] == [(g[0].start, max(s.end for s in g)) for g in groups]
