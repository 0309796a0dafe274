"""The evidence-table fields (schema v2): normalization a reviewer reads in the
CSV, and the sentences that must or must not give a row."""

from __future__ import annotations

import pytest
from conftest import ROOT

from extractor.ingest import load_document
from extractor.mentions.evidence import count_of, duration_days, mortality_percent, per_week


@pytest.mark.parametrize(
    "text,expected",
    [
        ("three times weekly", (3.0, 3.0)),
        ("3 times a week", (3.0, 3.0)),
        ("twice daily", (14.0, 14.0)),
        ("once a day", (7.0, 7.0)),
        ("daily", (7.0, 7.0)),
        ("weekly", (1.0, 1.0)),
        ("every 2 weeks", (0.5, 0.5)),
        ("every other day", (3.5, 3.5)),
        ("2-3 times weekly", (2.0, 3.0)),
        ("TIW", (3.0, 3.0)),
        ("monthly", (0.25, 0.25)),
    ],
)
def test_frequency_in_administrations_per_week(text, expected):
    assert per_week(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("6 months", (180.0, 180.0)),
        ("12 weeks", (84.0, 84.0)),
        ("6-month", (180.0, 180.0)),
        ("6 weeks to 34 months", (42.0, 1020.0)),
        ("2 years", (730.0, 730.0)),
        ("two month", (60.0, 60.0)),
    ],
)
def test_duration_in_days(text, expected):
    assert duration_days(text) == expected


def test_counts_and_mortality():
    assert count_of("28 patients") == 28
    assert count_of("six consecutive patients") == 6
    assert count_of("a 51-year-old man") == 1
    assert mortality_percent("one-year mortality was 22%") == 22
    assert mortality_percent("survival rate was 80%") == 20
    assert mortality_percent("3 of 10 patients treated with sodium thiosulfate died") == 30


def _fields(mentions, field):
    return {(m.text, m.value_min, m.value_max, m.unit, m.category) for m in mentions if m.field == field}


def test_a_regimen_sentence_gives_frequency_and_duration(extract_text):
    """corpus 000 / realtext p05 wording."""
    text = "The patient was started on 12.5 g of IV sodium thiosulfate 3 times weekly for 6 months."
    found = extract_text(text)
    assert _fields(found, "frequency") == {("3 times weekly", 3.0, 3.0, "per_week", None)}
    assert _fields(found, "duration") == {("6 months", 180.0, 180.0, "days", "treatment")}


def test_a_disease_history_is_not_a_treatment_duration(extract_text):
    text = "She had a history of calcinosis for 2 years before sodium thiosulfate was started."
    assert _fields(extract_text(text), "duration") == set()


def test_the_treated_group_not_its_subgroups(extract_text):
    """corpus 003 wording: the group size and its restatement count, a subgroup told about in a result does not."""
    text = (
        "We retrospectively reviewed 28 patients treated with topical sodium thiosulfate. Of the 28 patients, 27 were "
        "female. Of the 7 patients who experienced no clinical improvement with sodium thiosulfate, 4 discontinued it. "
        "All 28 patients applied topical sodium thiosulfate twice daily."
    )
    assert {m.text for m in extract_text(text) if m.field == "patients"} == {"28 patients"}


def test_a_harm_stopped_for_and_a_harm_denied(extract_text):
    text = (
        "Sodium thiosulfate was discontinued because of severe nausea. "
        "The second patient had no nausea during the sodium thiosulfate infusions."
    )
    assert _fields(extract_text(text), "adverse_event") == {("severe nausea", None, None, None, "stopped")}


def test_mortality_from_survival(extract_text):
    text = "The 1-year survival rate of the patients treated with sodium thiosulfate was 80%."
    assert _fields(extract_text(text), "mortality") == {
        ("survival rate of the patients treated with sodium thiosulfate was 80%", 20.0, 20.0, "%", None)
    }


def test_a_group_size_in_statistical_notation():
    assert count_of("n = 18") == 18
    assert count_of("n=2") == 2
    assert count_of("Twenty-two patients") == 22


def test_a_disease_death_rate_is_no_mortality_of_sts(extract_text):
    """realtext u07 / v36 wording: the disease's and a whole cohort's death rates name no STS."""
    text = (
        "Sodium thiosulfate has been used to treat calciphylaxis. "
        "It is associated with mortality in excess of 50% at one year. Whole population mortality was 55.6%."
    )
    assert _fields(extract_text(text), "mortality") == set()


def test_a_case_report_names_its_patient_but_not_its_genre(extract_text):
    """realtext r12 / g16_06 wording: "a case" is the one patient unless a patient phrase tells it."""
    told_by_case = (
        "We describe a case of unremitting juvenile dermatomyositis treated with intravenous sodium thiosulfate."
    )
    told_by_patient = "To describe a case of nonuraemic calciphylaxis in a cat treated with sodium thiosulfate."
    genre = "We present a case report of calcinosis cutis treated with topical sodium thiosulfate."
    assert {m.text for m in extract_text(told_by_case) if m.field == "patients"} == {"a case"}
    assert {m.text for m in extract_text(told_by_patient) if m.field == "patients"} == {"a cat"}
    assert {m.text for m in extract_text(genre) if m.field == "patients"} == set()


def test_an_incidence_rate_is_no_treated_group(extract_text):
    """realtext w10 wording."""
    text = (
        "An incidence rate of 4 cases per 10,000 dialysis patients treated with sodium thiosulfate has been reported."
    )
    assert _fields(extract_text(text), "patients") == set()


def test_side_effects_count_as_a_harm_only_as_the_reason_sts_stopped(extract_text):
    """shared16 p15 wording: "discontinuing STS due to adverse effects" names a harm; a list heading does not."""
    stopped = (
        "Results showed 44% of patients experiencing wound healing and 6% discontinuing STS due to adverse effects."
    )
    heading = "Side effects of intravenous sodium thiosulfate include nausea."
    assert _fields(extract_text(stopped), "adverse_event") == {("adverse effects", None, None, None, "stopped")}
    assert _fields(extract_text(heading), "adverse_event") == {("nausea", None, None, None, "adverse_event")}


def test_dialysis_timing_is_a_per_dialysis_frequency(extract_text):
    """realtext g14_09 / w19 wording; "after the initiation of hemodialysis" dates the disease."""
    given = "He commenced intravenous sodium thiosulfate after dialysis, stopped warfarin and had a parathyroidectomy."
    dated = "He commenced intravenous sodium thiosulfate after dialysis initiation, and the ulcers healed."
    assert _fields(extract_text(given), "frequency") == {("after dialysis", None, None, None, "per_dialysis")}
    assert _fields(extract_text(dated), "frequency") == set()


def test_a_daily_dosage_is_an_amount_not_a_schedule(extract_text):
    """realtext v17 wording."""
    text = "We started intravenous sodium thiosulfate at a low daily dosage (10 g/day) and gradually increased it."
    assert _fields(extract_text(text), "frequency") == set()


def test_a_disease_cohort_is_not_the_treated_group(extract_text):
    """realtext v32 / v18 wording: the cohort of the disease is not the group STS was given to;
    the count in the sentence that gives STS is."""
    text = (
        "Methods: We reviewed the records of our renal unit from 2004 to 2020. Results: 64 patients diagnosed with "
        "CUA were identified across the study period. Twenty-two patients received sodium thiosulphate."
    )
    assert {m.text for m in extract_text(text) if m.field == "patients"} == {"Twenty-two patients"}


def test_a_review_pools_the_patients_of_the_studies_it_read(extract_text):
    """shared16 p15 wording: patients counted across articles are the cited studies' patients."""
    text = "Across 19 articles, this review identified 30 PD patients with calciphylaxis who received STS."
    assert {(m.text, m.source) for m in extract_text(text) if m.field == "patients"} == {("30 PD patients", "cited")}


def test_a_shelf_life_and_a_history_are_no_sts_course(extract_text):
    """realtext v30 / u07 wording."""
    text = (
        "The result is a solution of 100 ml of 25% sodium thiosulfate, sterile and stable for 30 days in "
        "refrigerator. Treatment with sodium thiosulfate has changed little over the last 20 years."
    )
    assert _fields(extract_text(text), "duration") == set()


def test_another_drugs_course_in_a_list_of_treatments_is_no_sts_course(extractor):
    """realtext fresh g12_09: "ceftriaxone (2 g/day IV for 20 days binds calcium salts)" in a list of options."""
    found = extractor.extract(load_document(ROOT / "realtext" / "fresh" / "docs" / "g12_09.txt"))
    assert "20 days" not in {m.text for m in found if m.field == "duration"}


def test_what_pooling_and_counting_do_not_cover(extract_text):
    """Review findings: another drug's pooled patients, a table's number, a year, a
    last course of weeks and a case beside a result's count."""

    def patients(text):
        return {(m.text, m.source) for m in extract_text(text) if m.field == "patients"}

    assert patients("Across 19 articles, this review identified 30 PD patients who received cinacalcet.") == set()
    own = "Methods: We treated 12 patients with sodium thiosulfate. Table 2 reports the 12 patients we treated."
    assert patients(own) == {("12 patients", "this_study")}
    assert patients("In 2019 calciphylaxis patients were treated with sodium thiosulfate.") == set()
    assert {
        text for text, _ in patients("We describe a case treated with sodium thiosulfate; 3 patients improved.")
    } == {"a case"}
    course = extract_text("Sodium thiosulfate was given intravenously for the last 3 weeks of the admission.")
    assert {m.text for m in course if m.field == "duration"} == {"3 weeks"}
    assert count_of("twenty-a patients") is None
