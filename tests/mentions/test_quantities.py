"""Normalization rules of the schema, one row per case (input text → values)."""

from __future__ import annotations

import pytest

from extractor.mentions.quantities import (
    category_by_value,
    concentration_values,
    dose_values,
    size_values,
    split_dimension_change,
)


@pytest.mark.parametrize(
    "text,header_unit,expected",
    [
        ("12.5 g", None, (12500, 12500, "mg")),
        ("0.1 to 1 mL", None, (0.1, 1, "mL")),
        ("12.5 to 275\n\nmg", None, (12.5, 275, "mg")),
        ("12.5–275 mg", None, (12.5, 275, "mg")),
        ("1.5 gm", None, (1500, 1500, "mg")),
        ("150mg/kg", None, (150, 150, "mg")),
        ("12 g/1.7 m2", None, (12000, 12000, "mg")),
        ("25 g/1.73m2", None, (25000, 25000, "mg")),
        ("250 mcg", None, (0.25, 0.25, "mg")),
        ("57.5 (12.5–87.5)", "mg", (12.5, 87.5, "mg")),
        ("180 (60–480)", "g", (60000, 480000, "mg")),
        ("30", "mg", (30, 30, "mg")),
        ("0.3", "ml", (0.3, 0.3, "mL")),
    ],
)
def test_dose(text, header_unit, expected):
    assert dose_values(text, header_unit) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("25%", (25, 25, "%")),
        ("150 mg/ml", (15, 15, "%")),
        ("250 mg/mL", (25, 25, "%")),
        ("12.5 g (50 mL)", (25, 25, "%")),
        ("50:50", (50, 50, "ratio")),
        ("1:1 ratio", (50, 50, "ratio")),
        ("1:3", (25, 25, "ratio")),
        ("1/6 M", (4.14, 4.14, "%")),  # molar strengths: % (w/v) of the pentahydrate, 248.18 g/mol
        ("0.5 mol/L", (12.41, 12.41, "%")),
    ],
)
def test_concentration(text, expected):
    assert concentration_values(text) == expected


@pytest.mark.parametrize(
    "text,header_unit,expected",
    [
        ("less than 0.2 cm", None, (None, 2, "mm")),
        ("0.2 to 0.3 cm", None, (2, 3, "mm")),
        ("2.0 cm or less", None, (None, 20, "mm")),
        ("greater than 2.0 cm", None, (20, None, "mm")),
        ("less than 5-mm diameter", None, (None, 5, "mm")),
        ("3x3 mm", None, (3, 3, "mm")),
        ("5x8cm", None, (80, 80, "mm")),
        ("3 x 4 cm", None, (40, 40, "mm")),
        ("<0.1", "cm", (None, 1, "mm")),
        ("0.1-0.2", "cm", (1, 2, "mm")),
        (">2.0", "cm", (20, None, "mm")),
        ("70", "mm", (70, 70, "mm")),
        ("0.8x0.6", "cm", (8, 8, "mm")),
    ],
)
def test_lesion_size(text, header_unit, expected):
    assert size_values(text, header_unit) == expected


def test_size_without_any_unit_is_not_a_size():
    assert size_values("70") is None


def test_dimension_change_gives_two_sizes():
    text = "3x3 to 1x1 mm"
    assert [text[a:b] for a, b in split_dimension_change(text)] == ["3x3", "1x1 mm"]


@pytest.mark.parametrize(
    "value,category",
    [(100, "complete_response"), (0, "no_response"), (57, "partial_response"), (None, "partial_response")],
)
def test_rate_categories(value, category):
    assert category_by_value(value) == category
