"""Table cells as mentions, with the unit taken from the column header or row label.

Tables arrive as tab-separated lines (the text inputs) or as rows rebuilt by
the PDF reader. A header rule (patterns/table_headers.jsonl) says which field a
column holds; the unit comes from the header ("Size of lesion, cm"), from a
sibling header of the same field ("Size (mm)/ reduction (%)"), or from the
rule's default.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.patterns import PATTERNS_DIR, RegexRule, load_regex_rules
from extractor.quantities import (
    NUMBER,
    category_by_value,
    clean,
    dose_values,
    size_values,
    unit_in,
)
from extractor.structure import Cell, Table

_EMPTY_CELL = re.compile(r"^\s*(?:\.{2,}|…|-|–|—|NA|N/A|n/a|nd|ND|, ,|,)?\s*$")
_SIZE_REDUCTION = re.compile(rf"^\s*({NUMBER})\s*/\s*({NUMBER})\s*$")
_VALUE_CELL = re.compile(
    rf"^\s*[<>≤≥]?\s*{NUMBER}(?:\s*(?:[-–—]|to)\s*{NUMBER}|(?:\s*[x×]\s*{NUMBER})+)?"
    rf"(?:\s*\(\s*{NUMBER}\s*(?:[-–—]|to)\s*{NUMBER}\s*\))?\s*$"
)
RESPONSE_VALUES = {
    "cr": "complete_response", "complete": "complete_response", "complete response": "complete_response",
    "resolved": "complete_response", "resolution": "complete_response", "healed": "complete_response",
    "pr": "partial_response", "partial": "partial_response", "partial response": "partial_response",
    "improved": "partial_response", "improvement": "partial_response", "reduced": "partial_response",
    "nr": "no_response", "none": "no_response", "no response": "no_response", "no change": "no_response",
    "unchanged": "no_response", "stable": "no_response", "worse": "no_response", "progression": "no_response",
    "ur": "unknown_response", "unknown": "unknown_response", "lost to follow-up": "unknown_response", "lost to": "unknown_response",
    "recurrence": "recurrence", "recurred": "recurrence",
}


@dataclass(frozen=True)
class TableMention:
    field: str
    start: int
    end: int
    value_min: float | None
    value_max: float | None
    unit: str | None
    category: str | None
    rule_id: str


@dataclass(frozen=True)
class ColumnRule:
    field: str
    unit: str | None
    rule_id: str


_RULES: list[RegexRule] | None = None


def _rules() -> list[RegexRule]:
    global _RULES
    if _RULES is None:
        _RULES = load_regex_rules("table_headers", PATTERNS_DIR, keys={"field", "default_unit"})
    return _RULES


def _header_unit(text: str) -> str | None:
    if re.search(r"mg\s*/\s*ml", text, re.IGNORECASE):
        return "mg/ml"
    match = re.search(r"[,(]\s*(mm|cm|mg|g|gm|ml|%)\s*\)?", text, re.IGNORECASE)
    if match:
        return match.group(1).lower()
    return unit_in(text)


def classify_header(text: str) -> ColumnRule | None:
    for rule in _rules():
        if rule.regex.search(text):
            return ColumnRule(rule.data["field"], _header_unit(text) if rule.data["field"] != "size_reduction" else "mm", rule.id)
    return None


def _column_rules(table: Table) -> dict[int, ColumnRule]:
    rules = {cell.column: rule for cell in table.header if (rule := classify_header(cell.text))}
    units_by_field: dict[str, str] = {}
    for rule in rules.values():
        if rule.unit and rule.field in ("lesion_size", "size_reduction"):
            units_by_field.setdefault("lesion_size", "mm" if rule.field == "size_reduction" else rule.unit)
    for column, rule in list(rules.items()):
        if rule.unit is None or (rule.field == "lesion_size" and rule.unit not in ("mm", "cm")):
            default = {r.id: r.data.get("default_unit") for r in _rules()}[rule.rule_id]
            unit = units_by_field.get(rule.field, default)
            rules[column] = ColumnRule(rule.field, unit, rule.rule_id)
    return rules


def _trimmed(cell: Cell) -> tuple[int, int, str]:
    left = len(cell.text) - len(cell.text.lstrip())
    text = cell.text.strip()
    return cell.start + left, cell.start + left + len(text), text


def cell_mentions(cell: Cell, rule: ColumnRule) -> list[TableMention]:
    """Mentions in one cell under a column (or row) rule."""
    start, end, text = _trimmed(cell)
    if _EMPTY_CELL.match(text):
        return []
    if rule.field == "size_reduction":
        match = _SIZE_REDUCTION.match(text)
        if not match:
            return []
        size = clean(float(match.group(1)) * (10.0 if rule.unit == "cm" else 1.0))
        reduction = clean(float(match.group(2)))
        return [
            TableMention("lesion_size", start + match.start(1), start + match.end(1), size, size, "mm", None, rule.rule_id),
            TableMention(
                "outcome", start + match.start(2), start + match.end(2), reduction, reduction, "%",
                category_by_value(reduction), rule.rule_id,
            ),
        ]
    if rule.field == "response":
        return _response_mentions(cell, rule)
    if not _VALUE_CELL.match(text):
        return []
    if rule.field == "lesion_size":
        values = size_values(text, rule.unit)
    elif rule.field == "dose":
        values = dose_values(text, rule.unit)
    elif rule.field == "concentration":
        number = float(re.search(NUMBER, text).group(0))
        values = (clean(number / 10.0), clean(number / 10.0), "%") if rule.unit in ("mg/ml", "mg") else (clean(number), clean(number), "%")
    elif rule.field == "outcome":
        number = float(re.search(NUMBER, text).group(0))
        values = (clean(number), clean(number), "%")
    else:
        values = None
    if values is None:
        return []
    category = category_by_value(values[0]) if rule.field == "outcome" else None
    return [TableMention(rule.field, start, end, values[0], values[1], values[2], category, rule.rule_id)]


_RESPONSE_PART = re.compile(r"[^,;/]+")


def _response_mentions(cell: Cell, rule: ColumnRule) -> list[TableMention]:
    """"CR", "PR", "Lost to follow-up", "CR, recurrence at 7 mo": each part whose
    leading words name a response is one outcome."""
    found = []
    for part in _RESPONSE_PART.finditer(cell.text):
        words = part.group(0).strip()
        lowered = " ".join(words.lower().split())
        for size in (3, 2, 1):
            key = " ".join(lowered.split()[:size])
            if key in RESPONSE_VALUES:
                start = cell.start + part.start() + (len(part.group(0)) - len(part.group(0).lstrip()))
                span_text = " ".join(words.split()[:size]) if size < len(words.split()) else words
                found.append(TableMention("outcome", start, start + len(span_text), None, None, None, RESPONSE_VALUES[key], rule.rule_id))
                break
    return found


def table_mentions(table: Table) -> list[TableMention]:
    """All mentions of a table: by column header, and by row label for two-column
    "parameter / value" tables whose unit sits in the row label."""
    found: list[TableMention] = []
    columns = _column_rules(table)
    for row in table.rows[1:]:
        row_rule = classify_header(row[0].text) if row and row[0].text.strip() else None
        for cell in row:
            if cell.column in columns:
                found.extend(cell_mentions(cell, columns[cell.column]))
            elif row_rule is not None and cell.column > 0 and row_rule.field in ("dose", "lesion_size"):
                found.extend(cell_mentions(cell, row_rule))
    return found
