"""Sentences a paper the rules were not written for could contain.

Each row: text → the (field, span, value_min, value_max, unit, category) the
extractor must report. Known misses are strict xfails with the reason, so a
rule that fixes one turns the suite red until the row is promoted.
"""

from __future__ import annotations

import pytest

from extractor.schema import CORE_FIELDS

CASES = [
    # the lesion is the injection site: intralesional (schema: "an injection of the lesions is intralesional")
    (
        "Each lesion was injected with 0.1–0.5 mL of STS 250 mg/mL every 4 weeks.",
        [
            ("route", "injected", None, None, None, "intralesional"),
            ("dose", "0.1–0.5 mL", 0.1, 0.5, "mL", None),
            ("concentration", "250 mg/mL", 25, 25, "%", None),
        ],
    ),
    (
        "Topical sodium thiosulfate 10% in petrolatum was applied twice daily under occlusion.",
        [("route", "Topical", None, None, None, "topical"), ("concentration", "10%", 10, 10, "%", None)],
    ),
    (
        "Successful treatment of calcinosis cutis with topical 10% sodium thiosulfate in a child",
        [
            ("outcome", "Successful treatment", None, None, None, "partial_response"),
            ("route", "topical", None, None, None, "topical"),
            ("concentration", "10%", 10, 10, "%", None),
        ],
    ),
    (
        "Calcified nodules measuring up to 2.5 cm in diameter were treated with intralesional STS.",
        [
            ("lesion_size", "up to 2.5 cm in diameter", None, 25, "mm", None),
            ("route", "intralesional", None, None, None, "intralesional"),
        ],
    ),
    (
        "After 4 months of topical STS, the nodules were markedly reduced in size.",
        [
            ("route", "topical", None, None, None, "topical"),
            ("outcome", "markedly reduced in size", None, None, None, "partial_response"),
        ],
    ),
    (
        "Nine of 12 patients (75%) had a partial response to intralesional STS.",
        [
            ("outcome", "Nine of 12 patients (75%) had a partial response", 75, 75, "%", "partial_response"),
            ("route", "intralesional", None, None, None, "intralesional"),
        ],
    ),
    (
        "Pain improved in 10 patients treated with sodium thiosulfate.",
        [("outcome", "Pain improved", None, None, None, "symptom_relief")],
    ),
    (
        "Sodium thiosulfate (STS) is given intravenously for calciphylaxis.",
        [("route", "intravenously", None, None, None, "intravenous")],
    ),
    (
        "She received IV STS 25 g three times weekly after hemodialysis.",
        [("route", "IV", None, None, None, "intravenous"), ("dose", "25 g", 25000, 25000, "mg", None)],
    ),
    (
        "Topical STS in concentrations of 10% to 25% has been used successfully.",
        [
            ("route", "Topical", None, None, None, "topical"),
            ("concentration", "10% to 25%", 10, 25, "%", None),
            ("outcome", "used successfully", None, None, None, "partial_response"),
        ],
    ),
    (
        "A 5x8cm calcified plaque on the thigh was treated with sodium thiosulfate.",
        [("lesion_size", "5x8cm", 80, 80, "mm", None)],
    ),
    (
        "The calcinosis did not improve after 6 months of intravenous sodium thiosulfate.",
        [
            ("outcome", "did not improve", None, None, None, "no_response"),
            ("route", "intravenous", None, None, None, "intravenous"),
        ],
    ),
    (
        "Calcinosis recurred 8 months after sodium thiosulfate was stopped.",
        [("outcome", "recurred", None, None, None, "recurrence")],
    ),
    (
        "One patient treated with STS was lost to follow-up.",
        [("outcome", "lost to follow-up", None, None, None, "unknown_response")],
    ),
    (
        "Lidocaine 1% 2 mL was mixed with the sodium thiosulfate before injection.",
        [("route", "injection", None, None, None, "injection")],
    ),
    (
        "A further four patients treated with STS had partial healing of their wounds.",
        [("outcome", "partial healing of their wounds", None, None, None, "partial_response")],
    ),
    (
        "Foot plaque (mm)\tSTS regimen\n18 × 12\tTopical 25% twice daily\n",
        [
            ("lesion_size", "18 × 12", 18, 18, "mm", None),
            ("route", "Topical", None, None, None, "topical"),
            ("concentration", "25%", 25, 25, "%", None),
        ],
    ),
    (
        "Sodium thiosulfate led to complete relief of pain within a week.",
        [("outcome", "complete relief of pain", None, None, None, "symptom_relief")],
    ),
    (
        "STS 25 g/1.73 m2 was infused over 60 minutes.",
        [("dose", "25 g/1.73 m2", 25000, 25000, "mg", None), ("route", "infused", None, None, None, "intravenous")],
    ),
    (
        "Sodium thiosulfate 25 g in 100 mL normal saline was infused over 30 minutes.",
        [("dose", "25 g", 25000, 25000, "mg", None), ("route", "infused", None, None, None, "intravenous")],
    ),
]


def _key(mention):
    return (mention.field, mention.text, mention.value_min, mention.value_max, mention.unit, mention.category)


@pytest.mark.parametrize("text,expected", CASES)
def test_new_paper_sentence(extract_text, text, expected):
    found = [_key(m) for m in extract_text(text) if m.field in CORE_FIELDS]
    want = [
        (f, s, None if a is None else float(a), None if b is None else float(b), u, c) for f, s, a, b, u, c in expected
    ]
    assert sorted(found, key=str) == sorted(want, key=str)


def test_listed_strengths_and_change_columns(extract_text):
    found = [
        (m.field, m.text, m.value_min, m.category)
        for m in extract_text(
            "STS powder was compounded at 10% (2016-2018), 20% (2018-2020) or 25% (2020-2023) in petrolatum.\n\n"
            "Patient\tBaseline size (mm)\tChange (%)\n1\t12\t0\n2\t15\t-40\n3\t8\t-100\n4\t20\t+20\n"
        )
    ]
    assert [f for f in found if f[0] == "concentration"] == [
        ("concentration", "10%", 10.0, None),
        ("concentration", "20%", 20.0, None),
        ("concentration", "25%", 25.0, None),
    ]
    assert [(t, c) for f, t, _, c in found if f == "outcome"] == [
        ("0", "no_response"),
        ("-40", "partial_response"),
        ("-100", "complete_response"),
        ("+20", "no_response"),
    ]
