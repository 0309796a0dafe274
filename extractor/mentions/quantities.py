"""Numbers, ranges, comparators and units → the schema's normalized values.

g → mg, mg/mL → % (w/v), a molar strength → % (w/v) of the pentahydrate, cm → mm,
"A x B" → largest dimension, a mixing ratio → the STS share in %. Everything returns (value_min, value_max, unit).
"""

from __future__ import annotations

import re

NUMBER = r"\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(NUMBER)
_DIMENSION_RE = re.compile(rf"{NUMBER}(?:\s*[x×]\s*{NUMBER})+")
_MAX_WORDS = re.compile(r"\b(less|smaller|under|below|up to|or less|or smaller|at most|maximum)\b|[<≤]")
_MIN_WORDS = re.compile(
    r"\b(greater|larger|more|over|above|bigger|exceeding|exceeds|beyond|or more|or larger|at least|minimum)\b|[>≥]"
)
_MASS_TO_MG = {
    "kg": 1e6,
    "kilogram": 1e6,
    "kilograms": 1e6,
    "mg": 1.0,
    "g": 1000.0,
    "gm": 1000.0,
    "gms": 1000.0,
    "gram": 1000.0,
    "grams": 1000.0,
    "mcg": 0.001,
    "µg": 0.001,
    "μg": 0.001,
    "ug": 0.001,
}
_VOLUME_UNITS = {"ml", "cc", "milliliter", "milliliters", "millilitre", "millilitres"}
_LENGTH_TO_MM = {
    "mm": 1.0,
    "millimeter": 1.0,
    "millimeters": 1.0,
    "millimetre": 1.0,
    "millimetres": 1.0,
    "cm": 10.0,
    "cms": 10.0,
    "centimeter": 10.0,
    "centimeters": 10.0,
    "centimetre": 10.0,
    "centimetres": 10.0,
}
_UNIT_RE = re.compile(
    r"(?<![A-Za-z])(kg|kilograms?|mg|g|gm|gms|grams?|mcg|µg|μg|ug|ml|cc|millilit(?:er|re)s?|mm|cms|cm|millimet(?:er|re)s?|centimet(?:er|re)s?)(?![A-Za-z])",
    re.IGNORECASE,
)

Values = tuple[float | None, float | None, str | None]

# Sodium thiosulfate pentahydrate, the salt pharmacies dissolve: 1 M = 248.18 g/L = 24.818 % (w/v)
_PENTAHYDRATE_PERCENT_PER_MOLAR = 24.818
_MOLAR = re.compile(rf"({NUMBER})(?:\s*/\s*({NUMBER}))?\s*(?:M|mol/[lL]|molar)(?![A-Za-z])")


def clean(value: float | None) -> float | None:
    """Round away float noise (0.2 * 10 = 2.0000000000000004)."""
    return None if value is None else round(value, 6)


def numbers(text: str) -> list[float]:
    return [float(n) for n in _NUMBER_RE.findall(text)]


def unit_in(text: str) -> str | None:
    """The last unit word in ``text``, lower case."""
    found = _UNIT_RE.findall(text)
    return found[-1].lower() if found else None


def mean_range(text: str) -> tuple[float, float] | None:
    """(low, high) of a "mean (range)" cell, a range "a-b"/"a to b", or a single number."""
    inner = re.search(
        rf"\(\s*(?:iqr|range|ranging)?\s*[:,]?\s*({NUMBER})\s*(?:[-–—]|to)\s*({NUMBER})\s*\)", text, re.IGNORECASE
    )
    if inner:
        return float(inner.group(1)), float(inner.group(2))
    plain = re.fullmatch(rf"\s*({NUMBER})\s*(?:(?:[-–—]|to)\s*({NUMBER}))?\s*[A-Za-zµ%]*\s*", text)
    if plain:
        low = float(plain.group(1))
        return low, float(plain.group(2)) if plain.group(2) else low
    values = numbers(text)
    if not values:
        return None
    return (min(values), max(values)) if len(values) > 1 else (values[0], values[0])


_PER_BODY = re.compile(rf"\s*/\s*(?:{NUMBER}\s*)?(?:m2|m²|kg|day|d|dose|session|week)\b", re.IGNORECASE)


def dose_values(text: str, header_unit: str | None = None) -> Values | None:
    """Dose in mg (mass) or mL (volume); per body area or weight keeps the amount
    ("12 g/1.7 m2" → 12000 mg, "10 mg/kg" → 10 mg)."""
    text = _PER_BODY.sub(" ", text)
    unit = unit_in(text) or header_unit
    bounds = mean_range(re.sub(r"[A-Za-zµμ/]+\d*", " ", text) if unit_in(text) else text)
    if unit is None or bounds is None:
        return None
    unit = unit.lower()
    if unit in _MASS_TO_MG:
        factor = _MASS_TO_MG[unit]
        return clean(bounds[0] * factor), clean(bounds[1] * factor), "mg"
    if unit in _VOLUME_UNITS:
        return clean(bounds[0]), clean(bounds[1]), "mL"
    return None


def concentration_values(text: str) -> Values | None:
    """Strength as % (w/v for mass/volume) or a mixing ratio (STS share in %)."""
    ratio = re.search(rf"({NUMBER})\s*:\s*({NUMBER})", text)
    if ratio:
        first, second = float(ratio.group(1)), float(ratio.group(2))
        share = clean(100.0 * first / (first + second)) if first + second else None
        return share, share, "ratio"
    per_ml = re.search(rf"({NUMBER})\s*(mg|g)\s*/\s*({NUMBER})?\s*(ml|cc)\b", text, re.IGNORECASE)
    if per_ml:  # "250 mg/mL", "25 g/100 mL", "12.5 g/50 mL": mg per mL / 10 = % (w/v)
        amount = float(per_ml.group(1)) * (1000.0 if per_ml.group(2).lower() == "g" else 1.0)
        per = float(per_ml.group(3)) if per_ml.group(3) else 1.0
        pct = clean(amount / per / 10.0) if per else None
        return pct, pct, "%"
    mass_volume = re.search(
        rf"({NUMBER})\s*(mg|g|gm|grams?)\s*(?:\(|\bin\b)\s*({NUMBER})\s*(mls?)\s*\)?", text, re.IGNORECASE
    )
    if mass_volume:
        grams = float(mass_volume.group(1)) * (0.001 if mass_volume.group(2).lower() == "mg" else 1.0)
        pct = clean(100.0 * grams / float(mass_volume.group(3)))
        return pct, pct, "%"
    molar = _MOLAR.search(text)
    if molar:  # "1/6 M" → 4.14 %, "0.5 mol/L" → 12.41 %: two decimals, as a pharmacy label gives it
        divisor = float(molar.group(2)) if molar.group(2) else 1.0
        pct = round(float(molar.group(1)) / divisor * _PENTAHYDRATE_PERCENT_PER_MOLAR, 2) if divisor else None
        return pct, pct, "%"
    span = re.search(rf"({NUMBER})\s*%?\s*(?:[-–—]|to)\s*({NUMBER})\s*%", text)
    if span:  # "10–25%", "10% to 25%"
        low, high = float(span.group(1)), float(span.group(2))
        return clean(min(low, high)), clean(max(low, high)), "%"
    percents = [float(v) for v in re.findall(rf"({NUMBER})\s*%", text)]
    if percents:
        return clean(min(percents)), clean(max(percents)), "%"
    return None


def size_values(text: str, header_unit: str | None = None) -> Values | None:
    """Lesion size in mm; a comparator leaves the other bound empty."""
    unit = unit_in(text) or header_unit
    if unit is None or unit.lower() not in _LENGTH_TO_MM:
        return None
    factor = _LENGTH_TO_MM[unit.lower()]
    dimension = _DIMENSION_RE.search(text)
    if dimension and re.search(r"[x×]", dimension.group(0)):
        largest = max(numbers(dimension.group(0))) * factor
        return clean(largest), clean(largest), "mm"
    values = [v * factor for v in numbers(re.sub(r"(?<=\d)-(?=mm|cm)", " ", text))]
    if not values:
        return None
    lowered = text.lower()
    if len(values) == 1 and _MAX_WORDS.search(lowered):
        return None, clean(values[0]), "mm"
    if len(values) == 1 and _MIN_WORDS.search(lowered):
        return clean(values[0]), None, "mm"
    return clean(min(values)), clean(max(values)), "mm"


def split_dimension_change(text: str) -> list[tuple[int, int]]:
    """ "3x3 to 1x1 mm" → relative spans of "3x3" and "1x1 mm" (two sizes, one unit)."""
    match = re.fullmatch(rf"({NUMBER}\s*[x×]\s*{NUMBER})(\s+to\s+)({NUMBER}\s*[x×]\s*{NUMBER}\s*\S+)", text)
    if not match:
        return [(0, len(text))]
    return [(match.start(1), match.end(1)), (match.start(3), match.end(3))]


def percent_in(text: str) -> float | None:
    match = re.search(rf"({NUMBER})\s*%", text)
    return clean(float(match.group(1))) if match else None


def category_by_value(value: float | None) -> str:
    """A rate or reduction: 100 complete, 0 none, anything between partial."""
    if value is None:
        return "partial_response"
    if value >= 100:
        return "complete_response"
    if value <= 0:
        return "no_response"
    return "partial_response"
