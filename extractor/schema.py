"""The extraction schema as code: fields, categories, units and CSV columns.

Single source for the gold checker, the scorer, the exporter and the rules, so
a category added in one place cannot be silently unknown in another.
"""

from __future__ import annotations

from dataclasses import dataclass

CORE_FIELDS: tuple[str, ...] = ("route", "dose", "concentration", "lesion_size", "outcome")
# the evidence-table fields of schema v2: what a reviewer's extraction sheet also holds
EVIDENCE_FIELDS: tuple[str, ...] = ("frequency", "duration", "patients", "adverse_event", "mortality")
FIELDS: tuple[str, ...] = CORE_FIELDS + EVIDENCE_FIELDS

ROUTE_CATEGORIES: frozenset[str] = frozenset(
    {
        "topical",
        "intralesional",
        "intradermal",
        "intravenous",
        "intraperitoneal",
        "subcutaneous",
        "oral",
        "injection",
    }
)
OUTCOME_CATEGORIES: frozenset[str] = frozenset(
    {
        "complete_response",
        "partial_response",
        "no_response",
        "recurrence",
        "symptom_relief",
        "unknown_response",
    }
)
CATEGORIES: dict[str, frozenset[str]] = {
    "route": ROUTE_CATEGORIES,
    "outcome": OUTCOME_CATEGORIES,
    "frequency": frozenset({"per_dialysis", "once", "as_needed"}),
    "duration": frozenset({"treatment", "follow_up"}),
    "patients": frozenset({"patients", "lesions"}),
    "adverse_event": frozenset({"adverse_event", "stopped"}),
}
UNITS: dict[str, frozenset[str | None]] = {
    "route": frozenset({None}),
    "dose": frozenset({"mg", "mL"}),
    "concentration": frozenset({"%", "ratio"}),
    "lesion_size": frozenset({"mm"}),
    "outcome": frozenset({"%", None}),
    "frequency": frozenset({"per_week", None}),
    "duration": frozenset({"days"}),
    "patients": frozenset({None}),
    "adverse_event": frozenset({None}),
    "mortality": frozenset({"%"}),
}
SOURCES: frozenset[str] = frozenset({"this_study", "cited"})

REQUIRED_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "field",
    "text",
    "start",
    "end",
    "value_min",
    "value_max",
    "unit",
    "category",
    "source",
    "sentence",
)
EXTRA_COLUMNS: tuple[str, ...] = ("pattern_id", "section", "page", "indication")
CSV_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + EXTRA_COLUMNS
GOLD_KEYS: tuple[str, ...] = REQUIRED_COLUMNS[:-1]


@dataclass
class Mention:
    """One extracted mention: a CSV row."""

    doc_id: str
    field: str
    text: str
    start: int
    end: int
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
    category: str | None = None
    source: str = "this_study"
    sentence: str = ""
    pattern_id: str = ""
    section: str = ""
    page: int | None = None
    indication: str = "calcification"  # "other" only in --all-indications output

    def row(self) -> dict[str, object]:
        """The CSV row in column order (every field is a plain value, so no
        ``dataclasses.asdict`` deep copy: it cost a tenth of a worker's time)."""
        return {column: getattr(self, column) for column in CSV_COLUMNS}
