"""The reviewer's evidence table: one row per paper (OUT.studies.csv).

Built from the mention rows alone, so every cell can point at the rows it came
from: only the paper's own (``this_study``) mentions fill the data columns,
cited ones go to ``cited``, and each data column has a ``<column>_evidence``
cell listing the ``start-end`` offsets of its mentions in OUT.csv. A cell the
mentions do not support stays empty. Formats are those of gold/STUDIES.md.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

DATA_COLUMNS: tuple[str, ...] = (
    "design",
    "patients",
    "lesions",
    "disease",
    "routes",
    "concentrations",
    "doses",
    "frequency",
    "duration",
    "lesion_sizes",
    "responses",
    "recurrence",
    "adverse_events",
    "mortality",
    "follow_up",
)
STUDY_COLUMNS: tuple[str, ...] = ("doc_id", "arm", "title") + DATA_COLUMNS + ("cited",)
EVIDENCE_COLUMNS: tuple[str, ...] = tuple(f"{column}_evidence" for column in DATA_COLUMNS)
OUTPUT_COLUMNS: tuple[str, ...] = STUDY_COLUMNS + EVIDENCE_COLUMNS
DISEASES: dict[str, re.Pattern[str]] = {
    "calciphylaxis": re.compile(
        r"calciphylaxis|calcific uraemic arteriolopathy|calcific uremic arteriolopathy|\bCUA\b", re.IGNORECASE
    ),
    "tumoral_calcinosis": re.compile(r"tumou?ral calcinosis", re.IGNORECASE),
    "calcinosis_cutis": re.compile(
        r"(?<!tumoral )(?<!tumoural )calcinosis|dystrophic calcification|(?:skin|cutaneous|subcutaneous|soft[- ]tissue) calcifications?|\bCC\b|calcified nodule",
        re.IGNORECASE,
    ),
}
_SKIP_TITLE = re.compile(
    r"^\s*(?:user login|skip to|abstract|background|#+\s*(?:brief|original|case|letter)|doi\b|https?://)", re.IGNORECASE
)


def document_title(text: str) -> str:
    """The first line that reads like a title: four words or more, not site navigation."""
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 4 and not _SKIP_TITLE.match(line):
            return " ".join(words)[:200]
    return ""


def _number(value: object) -> float | None:
    """A cell's number; None when empty or not a number."""
    if not isinstance(value, (str, int, float)) or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _plain(value: float) -> str:
    return f"{value:g}"


def _span(values: Iterable[float]) -> str:
    found = sorted(set(values))
    if not found:
        return ""
    low, high = found[0], found[-1]
    return _plain(low) if low == high else f"{_plain(low)}-{_plain(high)}"


def _range_of(row: dict, unit: str = "") -> str:
    bounds = [value for value in (_number(row.get("value_min")), _number(row.get("value_max"))) if value is not None]
    if not bounds:
        return ""
    if len(bounds) == 1 or bounds[0] == bounds[1]:
        return f"{_plain(bounds[0])}{unit}"
    return f"{_plain(bounds[0])}-{_plain(bounds[1])}{unit}"


def _ratio(row: dict) -> str:
    """A mixing ratio stored as STS's share in % (50 -> "1:1")."""
    share = _number(row.get("value_min"))
    if share is None or not 0 < share < 100 or share != int(share):
        return " ".join(str(row["text"]).split())
    a, b = int(share), 100 - int(share)
    g = math.gcd(a, b)
    return f"{a // g}:{b // g}"


def _covering(rows: list[dict]) -> list[dict]:
    """When one stated range covers every other value ("doses ranging from 12.5 to
    275 mg" and each lesion's dose), the range alone summarizes them."""
    bounds: list[tuple[float, float, dict]] = []
    for r in rows:
        lo, hi = _number(r.get("value_min")), _number(r.get("value_max"))
        if lo is not None and hi is not None:
            bounds.append((lo, hi, r))
    for lo, hi, _row in sorted(bounds, key=lambda b: b[0] - b[1]):
        if lo < hi and all(lo <= a and b <= hi for a, b, _ in bounds):
            return [r for a, b, r in bounds if (a, b) == (lo, hi)]
    return rows


def _dominant_routes(rows: list[dict]) -> list[dict]:
    """Routes the paper gives STS by: each category stated at least half as often
    as the main one (a route discussed once as an option is not the paper's
    regimen); a bare "injection" yields to a specific injected route."""
    counts = Counter(str(r.get("category") or "") for r in rows)
    counts.pop("", None)
    if not counts:
        return []
    if counts.keys() & {"intralesional", "intradermal", "intravenous", "subcutaneous"}:
        counts.pop("injection", None)
    top = max(counts.values())
    keep = {c for c, n in counts.items() if n * 2 >= top}
    return [r for r in rows if r.get("category") in keep]


def _routes_by_sentence(route_rows: Iterable[dict]) -> dict[str, set[str]]:
    """The route categories each sentence states (from the route mentions themselves)."""
    found: dict[str, set[str]] = {}
    for route in route_rows:
        found.setdefault(str(route.get("sentence", "")), set()).add(str(route.get("category")))
    return found


def _design(size: int | None, own_rows: list[dict]) -> str:
    """From the treated group's size (patients, else lesions) and trial wording."""
    if not own_rows:
        return "review"
    if any(
        re.search(r"\b(?:randomi[sz]ed|trial|placebo)\b", str(row.get("sentence", "")), re.IGNORECASE)
        for row in own_rows
    ):
        return "trial"
    if size is None:
        return "other"
    if size <= 1:
        return "case_report"
    return "case_series" if size < 10 else "cohort"


def _disease(texts: Iterable[str]) -> str:
    counts: Counter[str] = Counter()
    for text in texts:
        for name, pattern in DISEASES.items():
            counts[name] += len(pattern.findall(text))
    if not counts or max(counts.values()) == 0:
        return ""
    return max(sorted(counts), key=lambda name: counts[name])


def _joined(values: Iterable[str]) -> str:
    return "; ".join(sorted({v for v in values if v}))


def _offsets(rows: Iterable[dict]) -> str:
    return "; ".join(sorted({f"{row['start']}-{row['end']}" for row in rows}, key=lambda s: int(s.split("-")[0])))


def study_row(doc_id: str, title: str, rows: list[dict], context: Iterable[str] = ()) -> dict[str, str]:
    """One paper's row (data, cited and evidence columns) from its mention rows."""
    own = [row for row in rows if row.get("source") == "this_study"]
    by_field: dict[str, list[dict]] = {}
    for row in own:
        by_field.setdefault(str(row["field"]), []).append(row)
    cells: dict[str, tuple[str, list[dict]]] = {}

    def count(category: str) -> tuple[int | None, list[dict]]:
        found = [
            r
            for r in by_field.get("patients", [])
            if r.get("category") == category and _number(r.get("value_min")) is not None
        ]
        if not found:
            return None, []
        best = max(int(_number(r["value_min"]) or 0) for r in found)
        return best, [r for r in found if int(_number(r["value_min"]) or 0) == best]

    patients, patient_rows = count("patients")
    lesions, lesion_rows = count("lesions")
    route_names = {str(r.get("category")) for r in by_field.get("route", []) if r.get("category")} - {"injection"}
    routes_named = _routes_by_sentence(by_field.get("route", []))
    if (
        patients is not None
        and len(route_names) >= 2
        and all(len(routes_named.get(str(r.get("sentence", "")), set()) & route_names) == 1 for r in patient_rows)
    ):
        patients, patient_rows = None, []  # "IV STS was given to 2 patients" in a paper of three routes: an arm
    cells["patients"] = ("" if patients is None else str(patients), patient_rows)
    cells["lesions"] = ("" if lesions is None else str(lesions), lesion_rows)
    size = max(patients or 0, lesions or 0) or None
    cells["design"] = (_design(size, own), patient_rows or lesion_rows)
    disease = _disease([title]) or _disease([title, *context, *(str(r.get("sentence", "")) for r in rows)])
    cells["disease"] = (disease, [])
    routes = _dominant_routes(by_field.get("route", []))
    cells["routes"] = (_joined(str(r.get("category") or "") for r in routes), routes)
    strengths = by_field.get("concentration", [])
    cells["concentrations"] = (
        _joined(_ratio(r) if r.get("unit") == "ratio" else _range_of(r, "%") for r in strengths),
        strengths,
    )
    doses = _covering(by_field.get("dose", []))
    cells["doses"] = (_joined(f"{_range_of(r)} {r.get('unit') or ''}".strip() for r in doses if _range_of(r)), doses)
    frequency = by_field.get("frequency", [])
    cells["frequency"] = (
        _joined(str(r.get("category")) if r.get("category") else f"{_range_of(r)}/week" for r in frequency),
        frequency,
    )
    for column, category in (("duration", "treatment"), ("follow_up", "follow_up")):
        found = [r for r in by_field.get("duration", []) if r.get("category") == category]
        values = [v for r in found for v in (_number(r.get("value_min")), _number(r.get("value_max"))) if v is not None]
        cells[column] = (_span(values), found)
    # a size stated with its reduction ("30/57": 30 mm, 57 % smaller) was measured after treatment
    sizes = [r for r in by_field.get("lesion_size", []) if r.get("pattern_id") != "table.size_and_reduction"]
    size_values = [
        v for r in sizes for v in (_number(r.get("value_min")), _number(r.get("value_max"))) if v
    ]  # 0: gone after treatment
    cells["lesion_sizes"] = (_span(size_values), sizes)
    outcomes = by_field.get("outcome", [])
    responses: dict[str, float | None] = {}  # category -> its share in %, when given
    for row in outcomes:
        category = str(row.get("category") or "")
        share = _number(row.get("value_min"))
        if category and (category not in responses or (responses[category] is None and share is not None)):
            responses[category] = share
    cells["responses"] = (
        "; ".join(f"{c} ({_plain(v)}%)" if v is not None else c for c, v in sorted(responses.items())),
        outcomes,
    )
    recurrences = [r for r in outcomes if r.get("category") == "recurrence"]
    cells["recurrence"] = ("yes" if recurrences else "", recurrences)
    harms = by_field.get("adverse_event", [])
    cells["adverse_events"] = (
        _joined(
            " ".join(str(r["text"]).lower().split()) + (" (stopped)" if r.get("category") == "stopped" else "")
            for r in harms
        ),
        harms,
    )
    deaths = by_field.get("mortality", [])
    cells["mortality"] = (_joined(f"{_range_of(r)}%" for r in deaths if _range_of(r)), deaths)
    cited = [row for row in rows if row.get("source") == "cited"]
    cited_cell = _joined(
        f"{row['field']}={row.get('category') if row['field'] in ('route', 'outcome') else ' '.join(str(row['text']).split())}"
        for row in cited
    )
    result: dict[str, str] = {"doc_id": doc_id, "arm": "", "title": title, "cited": cited_cell}
    for column in DATA_COLUMNS:
        value, evidence = cells.get(column, ("", []))
        result[column] = value
        result[f"{column}_evidence"] = _offsets(evidence) if value else ""
    return result


def study_rows(doc_id: str, title: str, rows: list[dict], context: Iterable[str] = ()) -> list[dict[str, str]]:
    """The paper's row, then one row per arm when the paper gives STS by two or
    more routes: an arm holds the mentions told in sentences that name its route
    and no other of the paper's routes ("Topical STS ... resolved 78%",
    "Intradermal injections ... 20%")."""
    paper = study_row(doc_id, title, rows, context)
    own_routes = [r for r in rows if r.get("source") == "this_study" and r.get("field") == "route"]
    arms = sorted({str(r.get("category")) for r in _dominant_routes(own_routes)} - {"injection"})
    if len(arms) < 2:
        return [paper]
    by_sentence = _routes_by_sentence(own_routes)
    result = [paper]
    for arm in arms:
        members = [
            r
            for r in rows
            if r.get("source") == "this_study"
            and by_sentence.get(str(r.get("sentence", "")), set()) & set(arms) == {arm}
        ]
        if len(members) > 1:  # more than the route word itself
            row = study_row(doc_id, title, members, context)
            row["arm"] = arm
            row["cited"] = ""
            result.append(row)
    return result
