"""The evidence-table fields (schema v2): frequency, duration, patients,
adverse events and mortality, normalized.

The rules in patterns/ find the phrases; this module turns a phrase into the
schema's values (administrations per week, days, a count, % dying) and says
when a phrase is about the STS regimen at all. Values follow gold/GUIDELINES.md
§12: twice daily = 14 per week, a month = 30 days, "80% survival" = 20% dying.
"""

from __future__ import annotations

import functools
import re

NUMBER_WORDS = {
    "one": 1,
    "a": 1,
    "an": 1,
    "single": 1,
    "once": 1,
    "two": 2,
    "twice": 2,
    "three": 3,
    "thrice": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
DAYS_PER_UNIT = {"day": 1, "week": 7, "wk": 7, "month": 30, "mo": 30, "year": 365, "yr": 365}
PER_WEEK_OF_PERIOD = {
    "day": 7.0,
    "daily": 7.0,
    "nightly": 7.0,
    "week": 1.0,
    "weekly": 1.0,
    "wk": 1.0,
    "month": 0.25,
    "monthly": 0.25,
    "fortnightly": 0.5,
}
ABBREVIATIONS_PER_WEEK = {"qd": 7.0, "bid": 14.0, "b.i.d.": 14.0, "tid": 21.0, "t.i.d.": 21.0, "qid": 28.0, "tiw": 3.0}
_NUMBER = r"\d+(?:[.,]\d+)?"
_NUMBER_RE = re.compile(_NUMBER)


_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def number_of(word: str) -> float | None:
    """12, 2.5, "three" -> a number; anything else -> None."""
    word = word.lower().strip()
    if _NUMBER_RE.fullmatch(word):
        return float(word.replace(",", "."))
    tens, _, unit = word.partition("-")  # "twenty-two"
    if unit in _UNITS and NUMBER_WORDS.get(tens, 0) >= 20 and tens.endswith("ty"):
        return float(NUMBER_WORDS[tens] + NUMBER_WORDS[unit])
    return float(NUMBER_WORDS[word]) if word in NUMBER_WORDS else None


def _unit_of(word: str) -> str | None:
    word = word.lower().rstrip("s")
    for unit in DAYS_PER_UNIT:
        if word == unit:
            return unit
    return None


def per_week(text: str) -> tuple[float, float] | None:
    """Administrations per week of a frequency phrase, as (low, high)."""
    lower = " ".join(text.lower().replace("-", " - ").split())
    if lower in ABBREVIATIONS_PER_WEEK:
        value = ABBREVIATIONS_PER_WEEK[lower]
        return value, value
    words = [w for w in re.split(r"\s+", lower) if w not in {"a", "per", "each", "-", "x", "time", "times"}]
    if not words:
        return None
    if words[0] == "every":
        rest = words[1:]
        if rest and rest[0] == "other":
            unit = rest[1] if len(rest) > 1 else ""
            return (3.5, 3.5) if unit.startswith("day") else (0.5, 0.5) if unit.startswith("week") else None
        period = PER_WEEK_OF_PERIOD.get(rest[-1].rstrip("s")) if rest else None
        numbers = [n for n in (number_of(w) for w in rest[:-1]) if n]
        if period is None:
            return None
        if not numbers:
            return period, period
        return period / max(numbers), period / min(numbers)
    period = PER_WEEK_OF_PERIOD.get(words[-1].rstrip("s")) or PER_WEEK_OF_PERIOD.get(words[-1])
    if period is None:
        return None
    counts = [n for n in (number_of(w) for w in words[:-1] if w not in {"to", "or", "–"}) if n]
    if not counts:
        return period, period
    return min(counts) * period, max(counts) * period


def duration_days(text: str) -> tuple[float, float] | None:
    """Days of a duration phrase ("6 months" -> 180, "2-3 months" -> 60-90,
    "6 weeks to 34 months" -> 42-1020)."""
    lower = text.lower()
    ranged = re.search(
        rf"({_NUMBER}|[a-z]+)\s*(?:-|–|to)\s*({_NUMBER}|[a-z]+)\s*-?\s*(days?|weeks?|wks?|months?|years?)\b", lower
    )
    if ranged:
        low, high, unit = number_of(ranged.group(1)), number_of(ranged.group(2)), _unit_of(ranged.group(3))
        if low is not None and high is not None and unit is not None:
            return low * DAYS_PER_UNIT[unit], high * DAYS_PER_UNIT[unit]
    values = []
    for amount, unit_word in re.findall(
        rf"({_NUMBER}|[a-z]+)\s*-?\s*(days?|weeks?|wks?|months?|mo|years?|yrs?)\b", lower
    ):
        number, unit = number_of(amount), _unit_of(unit_word)
        if number is not None and unit is not None:
            values.append(number * DAYS_PER_UNIT[unit])
    return (min(values), max(values)) if values else None


@functools.lru_cache(maxsize=4096)
def is_duration_unit(word: str) -> bool:
    """Whether ``word`` reads as a duration's unit ("1 <word>" has days): asked
    once per word type, not once per token of every duration phrase."""
    return duration_days("1 " + word) is not None


# a group's size in statistical notation: "n = 18", "n=2", "N=12"
_N_EQUALS = re.compile(r"^\s*[nN]\s*=\s*(\d{1,5})\s*$")


def count_of(text: str) -> float | None:
    """The count a patients phrase states ("28 patients" -> 28, "a 51-year-old man" -> 1)."""
    if re.search(r"\byear|\bmonth|\bweek|\bday", text.lower()) and re.match(r"^\s*an?\s", text.lower()):
        return 1.0
    group_size = _N_EQUALS.match(text)
    if group_size:
        return float(group_size.group(1))
    first = text.split()[0] if text.split() else ""
    return number_of(first)


def mortality_percent(text: str) -> float | None:
    """% dying stated by a mortality phrase; survival converted, "3 of 10 died" computed."""
    lower = text.lower()
    percent = re.search(rf"({_NUMBER})\s*%", lower)
    if percent:
        value = float(percent.group(1).replace(",", "."))
        return round(100.0 - value, 4) if "surviv" in lower else value
    ratio = re.match(rf"^\s*({_NUMBER}|[a-z]+)\s+(?:out\s+)?of\s+(?:the\s+)?({_NUMBER}|[a-z]+)", lower)
    if ratio:
        dead, total = number_of(ratio.group(1)), number_of(ratio.group(2))
        if dead is not None and total:
            return round(100.0 * dead / total, 1)
    return None


STOPPED = re.compile(
    r"\b(?:discontinu\w*|stopp\w*|withdr[ae]w\w*|ceas\w*|interrupt\w*|halted|suspended|reduc\w*)\b", re.IGNORECASE
)
