"""Table cells as mentions, with the unit taken from the column header or row label.

Tables arrive as tab-separated lines (the text inputs) or as rows rebuilt by
the PDF reader. A header rule (patterns/table_headers.jsonl) says which field a
column holds; the unit comes from the header ("Size of lesion, cm"), from a
sibling header of the same field ("Size (mm)/ reduction (%)"), or from the
rule's default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.mentions.quantities import (
    NUMBER,
    category_by_value,
    clean,
    concentration_values,
    dose_values,
    size_values,
    unit_in,
)
from extractor.rules.loader import RegexRule, load_rule_set
from extractor.text.structure import Cell, Table

_EMPTY_CELL = re.compile(r"^\s*(?:\.{2,}|…|-|–|—|NA|N/A|n/a|nd|ND|, ,|,)?\s*$")
_SIZE_REDUCTION = re.compile(rf"^\s*({NUMBER})\s*/\s*({NUMBER})\s*$")
_VALUE_CELL = re.compile(
    rf"^\s*[<>≤≥]?\s*{NUMBER}(?:\s*(?:[-–—]|to)\s*{NUMBER}|(?:\s*[x×]\s*{NUMBER})+)?"
    rf"(?:\s*\(\s*{NUMBER}\s*(?:[-–—]|to)\s*{NUMBER}\s*\))?\s*$"
)
RESPONSE_VALUES = {
    "cr": "complete_response",
    "complete": "complete_response",
    "complete response": "complete_response",
    "resolved": "complete_response",
    "resolution": "complete_response",
    "healed": "complete_response",
    "pr": "partial_response",
    "partial": "partial_response",
    "partial response": "partial_response",
    "improved": "partial_response",
    "improvement": "partial_response",
    "reduced": "partial_response",
    "nr": "no_response",
    "none": "no_response",
    "no response": "no_response",
    "no change": "no_response",
    "unchanged": "no_response",
    "stable": "no_response",
    "worse": "no_response",
    "progression": "no_response",
    "ur": "unknown_response",
    "unknown": "unknown_response",
    "lost to follow-up": "unknown_response",
    "lost to": "unknown_response",
    "recurrence": "recurrence",
    "recurred": "recurrence",
    "complete clearance": "complete_response",
    "clearance": "complete_response",
    "cleared": "complete_response",
    "regression": "partial_response",
    "reduction": "partial_response",
    "median reduction": "partial_response",
    "size reduced": "partial_response",
    "decreased": "partial_response",
    "softening": "partial_response",
    "no benefit": "no_response",
    "failure": "no_response",
    "not assessed": "unknown_response",
    "flattened": "partial_response",
    "softened": "partial_response",
    "smaller": "partial_response",
    "lost": "unknown_response",
    "progressed": "no_response",
    "stable disease": "no_response",
}
_LEADING_QUANTITY = re.compile(
    rf"^\s*(?:[<>≤≥]\s*)?{NUMBER}(?:\s*(?:[-–—]|to)\s*{NUMBER})?\s*(?:%|mg\s*/\s*m[lL]|[a-zA-Zµ]+(?:/(?:kg|m2|m²))?)?"
)
_RATIO = re.compile(rf"^\s*{NUMBER}\s*:\s*{NUMBER}")


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
    category: str | None = None


def _rules(rules: Sequence[RegexRule] | None) -> Sequence[RegexRule]:
    """The given header rules, or the packaged ones."""
    return rules if rules is not None else load_rule_set().table_headers


def _header_unit(text: str) -> str | None:
    if re.search(r"mg\s*/\s*ml", text, re.IGNORECASE):
        return "mg/ml"
    match = re.search(r"[,(]\s*(mm|cm|mg|g|gm|ml|%)\s*\)?", text, re.IGNORECASE)
    if match:
        return match.group(1).lower()
    return unit_in(text)


def classify_header(text: str, rules: Sequence[RegexRule] | None = None) -> ColumnRule | None:
    for rule in _rules(rules):
        if rule.regex.search(text):
            unit = _header_unit(text) if rule.data["field"] != "size_reduction" else "mm"
            return ColumnRule(rule.data["field"], unit, rule.id, rule.data.get("category"))
    return None


class HeaderClassifier:
    """:func:`classify_header` under one rule list, remembered per text: row labels
    and header cells repeat (within a table, across tables and documents, and the
    mention stage asks a header twice: for excluded columns, then for mentions)."""

    KEPT = 100_000  # texts remembered at most (a long run over ever new labels starts afresh)

    def __init__(self, rules: Sequence[RegexRule] | None = None) -> None:
        self.rules = _rules(rules)
        self._known: dict[str, ColumnRule | None] = {}

    def __call__(self, text: str) -> ColumnRule | None:
        if text in self._known:
            return self._known[text]
        if len(self._known) >= self.KEPT:
            self._known.clear()
        found = self._known[text] = classify_header(text, self.rules)
        return found


def _column_rules(
    table: Table, header_rules: Sequence[RegexRule] | None, classify: HeaderClassifier
) -> dict[int, ColumnRule]:
    rules = {cell.column: rule for cell in table.header if (rule := classify(cell.text))}
    units_by_field: dict[str, str] = {}
    for rule in rules.values():
        if rule.unit and rule.field in ("lesion_size", "size_reduction"):
            units_by_field.setdefault("lesion_size", "mm" if rule.field == "size_reduction" else rule.unit)
    for column, rule in list(rules.items()):
        if rule.unit is None or (rule.field == "lesion_size" and rule.unit not in ("mm", "cm")):
            default = {r.id: r.data.get("default_unit") for r in _rules(header_rules)}[rule.rule_id]
            unit = units_by_field.get(rule.field, default)
            rules[column] = ColumnRule(rule.field, unit, rule.rule_id, rule.category)
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
            TableMention(
                "lesion_size", start + match.start(1), start + match.end(1), size, size, "mm", None, rule.rule_id
            ),
            TableMention(
                "outcome",
                start + match.start(2),
                start + match.end(2),
                reduction,
                reduction,
                "%",
                category_by_value(reduction),
                rule.rule_id,
            ),
        ]
    if rule.field == "response":
        return _response_mentions(cell, rule)
    if rule.field == "route":
        return _route_mentions(cell, rule)
    if rule.field == "change":
        return _change_mentions(cell, rule)
    if not _VALUE_CELL.match(text):
        return _leading_quantity(cell, rule)
    if rule.field == "lesion_size":
        values = size_values(text, rule.unit)
    elif rule.field == "dose":
        values = dose_values(text, rule.unit)
    elif rule.field == "concentration":
        number = _first_number(text)
        values = (
            (clean(number / 10.0), clean(number / 10.0), "%")
            if rule.unit in ("mg/ml", "mg")
            else (clean(number), clean(number), "%")
        )
    elif rule.field == "outcome":
        number = _first_number(text)
        values = (clean(number), clean(number), "%")
    else:
        values = None
    if values is None:
        return []
    category = None
    if rule.field == "outcome":
        category = rule.category if rule.category and values[0] and values[0] > 0 else category_by_value(values[0])
    return [TableMention(rule.field, start, end, values[0], values[1], values[2], category, rule.rule_id)]


def _first_number(text: str) -> float:
    """The first number of a cell that ``_VALUE_CELL`` accepted (so there is one)."""
    match = re.search(NUMBER, text)
    if match is None:
        raise ValueError(f"no number in value cell {text!r}")
    return float(match.group(0))


_RESPONSE_PART = re.compile(r"[^,;/]+")


def _leading_quantity(cell: Cell, rule: ColumnRule) -> list[TableMention]:
    """A cell that starts with a quantity and goes on in words ("12.5 g 3×/week",
    "1–3 mL/session", "250 mg/mL", "1:1 in petrolatum")."""
    start, _, text = _trimmed(cell)
    if rule.field == "concentration":
        match = _RATIO.match(text) or _LEADING_QUANTITY.match(text)
        values = concentration_values(match.group(0)) if match else None
        if match and values and values[2] == "%" and not re.search(r"%|mg\s*/\s*ml", match.group(0), re.IGNORECASE):
            values = None  # a bare number needs the header's unit, handled by the value-cell path
    elif rule.field == "dose":
        match = _LEADING_QUANTITY.match(text)
        values = dose_values(match.group(0)) if match and unit_in(match.group(0)) else None
    elif rule.field == "lesion_size":
        match = _LEADING_QUANTITY.match(text)
        values = size_values(match.group(0), rule.unit) if match else None
    else:
        return []
    if not match or values is None:
        return []
    piece = match.group(0).rstrip()
    offset = len(piece) - len(piece.lstrip())
    return [
        TableMention(
            rule.field, start + offset, start + len(piece), values[0], values[1], values[2], None, rule.rule_id
        )
    ]


_SIGNED = re.compile(rf"^\s*([+\-−–]?)\s*({NUMBER})\s*%?\s*$")


def _change_mentions(cell: Cell, rule: ColumnRule) -> list[TableMention]:
    """A "Change (%)" column: a fall is a response (-100 complete), no change or a rise is none."""
    start, end, text = _trimmed(cell)
    match = _SIGNED.match(text)
    if not match:
        return []
    value = round(float(match.group(2)), 6)
    falling = match.group(1) in ("-", "−", "–") and value > 0
    category = ("complete_response" if value >= 100 else "partial_response") if falling else "no_response"
    return [TableMention("outcome", start, end, value, value, "%", category, rule.rule_id)]


def _route_mentions(cell: Cell, rule: ColumnRule) -> list[TableMention]:
    """A "Route" column: route words and abbreviations in the cell."""
    found = []
    for word in re.finditer(r"[A-Za-z][A-Za-z.\-]*", cell.text):
        category = ROUTE_CELL_WORDS.get(word.group(0).lower().rstrip("."))
        if category:
            start = cell.start + word.start()
            found.append(
                TableMention(
                    "route", start, start + len(word.group(0).rstrip(".")), None, None, None, category, rule.rule_id
                )
            )
    return found


ROUTE_CELL_WORDS = {
    "topical": "topical",
    "intralesional": "intralesional",
    "intra-lesional": "intralesional",
    "il": "intralesional",
    "intradermal": "intradermal",
    "intravenous": "intravenous",
    "iv": "intravenous",
    "i.v": "intravenous",
    "intraperitoneal": "intraperitoneal",
    "ip": "intraperitoneal",
    "subcutaneous": "subcutaneous",
    "sc": "subcutaneous",
    "oral": "oral",
    "po": "oral",
    "injection": "injection",
    "infusion": "intravenous",
}


def _response_mentions(cell: Cell, rule: ColumnRule) -> list[TableMention]:
    """ "CR", "PR", "Lost to follow-up", "CR, recurrence at 7 mo": each part whose
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
                percent = re.search(rf"({NUMBER})\s*%", words)
                value = clean(float(percent.group(1))) if percent else None
                end = start + (len(words) if percent else len(span_text))
                found.append(
                    TableMention(
                        "outcome",
                        start,
                        end,
                        value,
                        value,
                        "%" if percent else None,
                        RESPONSE_VALUES[key],
                        rule.rule_id,
                    )
                )
                break
    return found


def table_mentions(
    table: Table, header_rules: Sequence[RegexRule] | None = None, classify: HeaderClassifier | None = None
) -> list[TableMention]:
    """All mentions of a table: by column header, and by row label for two-column
    "parameter / value" tables whose unit sits in the row label (``classify``: a
    :class:`HeaderClassifier` of ``header_rules`` kept by the caller)."""
    found: list[TableMention] = []
    if classify is None:
        classify = HeaderClassifier(header_rules)
    columns = _column_rules(table, header_rules, classify)
    for row in table.rows[1:]:
        row_rule = classify(row[0].text) if row and row[0].text.strip() else None
        for cell in row:
            if cell.column in columns:
                found.extend(cell_mentions(cell, columns[cell.column]))
            elif row_rule is not None and cell.column > 0 and row_rule.field in ("dose", "lesion_size"):
                found.extend(cell_mentions(cell, row_rule))
    return found
