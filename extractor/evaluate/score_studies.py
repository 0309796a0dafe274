"""Cell-level agreement of OUT.studies.csv with the hand-made gold/studies.csv.

A filled gold cell agrees when the predicted cell holds the same set of values
(numbers compared to two decimals; for ``responses`` the categories only, not
their rates; for ``adverse_events`` the harm named, not its wording or
whether STS was stopped). A predicted cell the gold leaves empty is "filled without
support": the table must never state what the paper does not.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from extractor.outputs.studies import DATA_COLUMNS
from extractor.run.writer import plain

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


_HARMS = re.compile(
    r"\b(pain|burning|discomfort|irritation|infection|nausea|vomiting|acidosis|hypotension|headache|hypocalca?emia|"
    r"peritonitis|dermatitis|rhinorrh?oea|rhinorrhea|diarrh?oea|qt|overload|taste|allerg\w*|stinging|flare)\b"
)


def _value(text: str, column: str) -> str:
    text = " ".join(text.lower().split())
    if column == "responses":
        text = re.sub(r"\s*\(.*?\)", "", text)
    if column == "adverse_events":
        harm = _HARMS.search(text)  # the harm, however worded ("transient pain associated with injection" = pain)
        return harm.group(1) if harm else text
    return _NUMBER.sub(lambda m: f"{round(float(m.group()), 2):g}", text)


def cell_values(cell: str, column: str) -> frozenset[str]:
    return frozenset(_value(part, column) for part in cell.split(";") if part.strip())


@dataclass
class StudiesScore:
    documents: int = 0
    per_column: dict[str, list[int]] = field(default_factory=dict)  # column -> [agreed, filled, unsupported]
    disagreements: list[tuple[str, str, str, str]] = field(default_factory=list)  # doc_id, column, gold, pred

    @property
    def agreed(self) -> int:
        return sum(counts[0] for counts in self.per_column.values())

    @property
    def filled(self) -> int:
        return sum(counts[1] for counts in self.per_column.values())

    @property
    def unsupported(self) -> int:
        return sum(counts[2] for counts in self.per_column.values())


def read_table(path: Path | str) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [{key: plain(value or "") for key, value in row.items()} for row in csv.DictReader(handle)]
    return {row["doc_id"]: row for row in rows if not row.get("arm")}  # paper rows; arm rows are not in the hand table


def score_studies(gold_path: Path | str, pred_path: Path | str) -> StudiesScore:
    gold, pred = read_table(gold_path), read_table(pred_path)
    result = StudiesScore(documents=len(gold))
    for doc_id, gold_row in sorted(gold.items()):
        pred_row = pred.get(doc_id, {})
        for column in DATA_COLUMNS:
            counts = result.per_column.setdefault(column, [0, 0, 0])
            want = cell_values(gold_row.get(column) or "", column)
            got = cell_values(pred_row.get(column) or "", column)
            if want:
                counts[1] += 1
                if want == got:
                    counts[0] += 1
                else:
                    result.disagreements.append((doc_id, column, gold_row.get(column, ""), pred_row.get(column, "")))
            elif got:
                counts[2] += 1
                result.disagreements.append((doc_id, column, "", pred_row.get(column, "")))
    return result


def format_studies(result: StudiesScore) -> str:
    lines = [
        f"studies table: {result.agreed}/{result.filled} filled gold cells agree "
        f"({result.agreed / result.filled:.1%}); {result.unsupported} cell(s) filled without support, "
        f"{result.documents} document(s)"
        if result.filled
        else "studies table: no filled gold cells"
    ]
    lines.append(
        "  " + ", ".join(f"{c} {a}/{f}" + (f" +{u}" if u else "") for c, (a, f, u) in result.per_column.items())
    )
    return "\n".join(lines)
