"""Scorer arithmetic on hand-counted cases, including equal counts across fields
(the bug measured in scispaCy's per-class scorer)."""

from __future__ import annotations

import json

import pytest

from extractor.evaluate.score import Counts, format_table, max_matching, score


def rec(field, start, end, doc="d", **extra):
    base = {
        "doc_id": doc,
        "field": field,
        "text": "x" * (end - start),
        "start": start,
        "end": end,
        "value_min": None,
        "value_max": None,
        "unit": None,
        "category": None,
        "source": "this_study",
    }
    base.update(extra)
    return base


def test_counts_ratios():
    c = Counts(tp=6, fp=1, fn=2)
    assert c.precision == pytest.approx(6 / 7)
    assert c.recall == pytest.approx(6 / 8)
    assert c.f1 == pytest.approx(2 * (6 / 7) * (6 / 8) / (6 / 7 + 6 / 8))


def test_empty_counts_are_zero_not_errors():
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)


def test_equal_counts_in_two_fields_are_not_collapsed():
    gold = [rec("route", i * 10, i * 10 + 3, category="topical") for i in range(6)]
    gold += [rec("dose", 100 + i * 10, 100 + i * 10 + 3, value_min=1, value_max=1, unit="mg") for i in range(6)]
    pred = list(gold) + [
        rec("route", 500, 503, category="topical"),
        rec("dose", 600, 603, value_min=2, value_max=2, unit="mg"),
    ]
    result = score(gold, pred)
    assert result.lenient["route"].as_dict()["precision"] == round(6 / 7, 4)
    assert result.lenient["dose"].as_dict()["precision"] == round(6 / 7, 4)
    micro = result.micro(result.lenient)
    assert (micro.tp, micro.fp, micro.fn) == (12, 2, 0)


def test_lenient_is_one_to_one():
    """One long prediction overlapping two gold spans earns one true positive."""
    gold = [rec("outcome", 0, 5), rec("outcome", 6, 10)]
    pred = [rec("outcome", 0, 10)]
    result = score(gold, pred)
    c = result.lenient["outcome"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 1)
    assert (result.strict["outcome"].tp, result.strict["outcome"].fp) == (0, 1)


def test_matching_is_maximum_not_greedy():
    """Greedy by overlap would pair g0 with p0 and leave g1 unmatched."""
    gold = [rec("route", 0, 10), rec("route", 8, 12)]
    pred = [rec("route", 5, 11), rec("route", 0, 3)]
    assert len(max_matching(gold, pred, lenient=True)) == 2


def test_different_fields_or_documents_never_match():
    gold = [rec("route", 0, 5), rec("dose", 0, 5, doc="a")]
    pred = [rec("dose", 0, 5), rec("dose", 0, 5, doc="b")]
    result = score(gold, pred)
    assert result.micro(result.lenient).tp == 0
    assert result.ignored_docs == ["b"]


def test_facts_are_sets_of_normalized_values_per_document():
    gold = [
        rec("route", 0, 3, category="topical"),
        rec("route", 10, 13, category="topical"),
        rec("route", 20, 23, category="intravenous"),
    ]
    pred = [rec("route", 50, 53, category="topical"), rec("route", 60, 63, category="oral")]
    facts = score(gold, pred).facts["route"]
    assert (facts.tp, facts.fp, facts.fn) == (1, 1, 1)


def test_source_and_values_scored_on_matches():
    gold = [rec("dose", 0, 5, value_min=12500, value_max=12500, unit="mg", source="cited")]
    pred = [rec("dose", 1, 5, value_min=12.5, value_max=12.5, unit="mg", source="cited")]
    result = score(gold, pred)
    assert (result.matched, result.source_correct, result.value_correct) == (1, 1, 0)
    assert len(result.mismatches) == 1


def test_csv_strings_and_json_numbers_compare_equal():
    gold = [rec("dose", 0, 5, value_min=12500.0, value_max=12500.0, unit="mg")]
    pred = [
        {
            **rec("dose", 0, 5),
            "start": "0",
            "end": "5",
            "value_min": "12500",
            "value_max": "12500",
            "unit": "mg",
            "category": "",
        }
    ]
    result = score(gold, pred)
    assert result.value_correct == 1 and result.facts["dose"].tp == 1


def test_macro_averages_only_fields_present():
    gold = [rec("route", 0, 3, category="topical")]
    pred = [rec("route", 0, 3, category="topical")]
    result = score(gold, pred)
    assert result.macro(result.lenient) == (1.0, 1.0, 1.0)
    assert "micro" in format_table(result)


def test_empty_gold_file_makes_predictions_false_positives(tmp_path):
    """A negative document (gold file present, empty) is labelled: its rows count
    against precision; a document with no gold file at all is ignored."""
    from extractor.evaluate.gold import labelled_documents, load_gold

    (tmp_path / "pos.jsonl").write_text(json.dumps(rec("route", 0, 7, doc="pos", category="topical")) + "\n")
    (tmp_path / "neg.jsonl").write_text("")
    pred = [
        rec("route", 0, 7, doc="pos", category="topical"),
        rec("dose", 5, 9, doc="neg", value_min=1, value_max=1, unit="mg"),
        rec("route", 0, 3, doc="unlabelled", category="topical"),
    ]
    result = score(load_gold(tmp_path), pred, labelled_documents(tmp_path))
    micro = result.micro(result.lenient)
    assert (micro.tp, micro.fp, micro.fn) == (1, 1, 0)
    assert result.negative_docs == ["neg"] and result.negative_rows == 1
    assert result.ignored_docs == ["unlabelled"]
    table = format_table(result)
    assert "negatives: 1 labelled document(s) without mentions, 1 predicted row(s) in 1 of them" in table
    assert "ignored predictions for 1 document(s) without gold" in table


def test_an_evidence_fields_category_is_part_of_its_value():
    """A harm that stopped STS is not the same fact as one that did not."""
    gold = [rec("adverse_event", 0, 18, category="stopped")]
    pred = [rec("adverse_event", 0, 18, category="adverse_event")]
    result = score(gold, pred, fields=("adverse_event",))
    assert (result.evidence_matched, result.evidence_value_correct) == (1, 0)
    assert len(result.mismatches) == 1
