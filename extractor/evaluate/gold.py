"""Load and check the hand-labelled gold set (one JSONL file per document)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from extractor.rules.jsonl import iter_jsonl
from extractor.schema import CATEGORIES, FIELDS, GOLD_KEYS, SOURCES, UNITS


@dataclass(frozen=True)
class GoldProblem:
    """One problem in a gold file, located by file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def iter_gold_files(gold_dir: Path) -> list[Path]:
    """The gold files in a stable order."""
    return sorted(Path(gold_dir).glob("*.jsonl"))


def labelled_documents(gold_dir: Path | str) -> set[str]:
    """Every document with a gold file; an empty file means "labelled: no mentions"."""
    return {path.stem for path in iter_gold_files(Path(gold_dir))}


def load_gold(gold_dir: Path | str) -> list[dict]:
    """All gold mentions, for scoring. Raises ValueError naming file and line
    for a line that is not a JSON object or a record the scorer cannot use
    (missing or unknown keys, wrong types, bad offsets, unknown field), and
    for a gold folder that does not exist or holds no ``*.jsonl`` file."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise ValueError(f"{gold_dir}: no such gold folder")
    files = iter_gold_files(gold_dir)
    if not files:
        raise ValueError(f"{gold_dir}: no *.jsonl gold files")
    records: list[dict] = []
    for path in files:
        for number, record, problem in iter_jsonl(path):
            if record is None:  # iter_jsonl says why instead
                raise ValueError(f"{path}:{number}: {problem}")
            shape = record_shape_problems(record)
            if shape:
                raise ValueError(f"{path}:{number}: {'; '.join(shape)}")
            records.append(record)
    return records


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_TEXT_KEYS = ("doc_id", "field", "text")
_OPTIONAL_TEXT_KEYS = ("unit", "category", "source")


def record_shape_problems(record: dict) -> list[str]:
    """What makes a record unusable for scoring: missing or unknown keys, keys
    of the wrong type (a list where a string belongs), bad offsets, unknown field."""
    missing = [key for key in GOLD_KEYS if key not in record]
    if missing:
        return [f"missing keys {missing}"]
    problems: list[str] = []
    unknown = sorted(set(record) - set(GOLD_KEYS) - {"note"})
    if unknown:
        problems.append(f"unknown keys {unknown}")
    for key in _TEXT_KEYS:
        if not isinstance(record[key], str):
            problems.append(f"{key} must be a string, not {type(record[key]).__name__} {record[key]!r}")
    for key in _OPTIONAL_TEXT_KEYS:
        if record[key] is not None and not isinstance(record[key], str):
            problems.append(f"{key} must be a string or null, not {type(record[key]).__name__} {record[key]!r}")
    for key in ("value_min", "value_max"):
        if record[key] is not None and not _is_number(record[key]):
            problems.append(f"{key} {record[key]!r} is not a number")
    start, end = record["start"], record["end"]
    if not (type(start) is int and type(end) is int and 0 <= start < end):
        problems.append(f"bad offsets start={start!r} end={end!r}")
    if isinstance(record["field"], str) and record["field"] not in FIELDS:
        problems.append(f"unknown field {record['field']!r}")
    return problems


def low_high_missing(record: dict) -> bool:
    return record["value_min"] is None or record["value_max"] is None


def check_record(record: dict, corpus_text: str | None) -> list[str]:
    """Problems with one gold record, as messages (empty list when it is valid)."""
    shape = record_shape_problems(record)
    if shape:
        return shape
    problems: list[str] = []
    field_name = record["field"]
    start, end = record["start"], record["end"]
    if corpus_text is not None:
        actual = corpus_text[start:end]
        if actual != record["text"]:
            problems.append(f"text {record['text']!r} != corpus[{start}:{end}] {actual!r}")
    if record["unit"] not in UNITS[field_name]:
        problems.append(f"unit {record['unit']!r} not allowed for {field_name}")
    allowed = CATEGORIES.get(field_name)
    if allowed is None:
        if record["category"] is not None:
            problems.append(f"{field_name} takes no category, got {record['category']!r}")
    elif field_name == "frequency" and record["unit"] == "per_week":
        if record["category"] is not None or low_high_missing(record):
            problems.append("frequency in per_week takes values and no category")
    elif record["category"] not in allowed:
        problems.append(f"category {record['category']!r} not allowed for {field_name}")
    if record["source"] not in SOURCES:
        problems.append(f"source {record['source']!r} not in {sorted(SOURCES)}")
    low, high = record["value_min"], record["value_max"]
    if field_name == "route" and (low is not None or high is not None):
        problems.append("route takes no values")
    if field_name in ("dose", "concentration") and (low is None or high is None):
        problems.append(f"{field_name} needs value_min and value_max")
    if field_name == "lesion_size" and low is None and high is None:
        problems.append("lesion_size needs at least one bound")
    if _is_number(low) and _is_number(high) and low > high:
        problems.append(f"value_min {low} > value_max {high}")
    if field_name in ("patients", "mortality") and (low is None or high is None):
        problems.append(f"{field_name} needs value_min and value_max")
    if field_name == "duration" and low is None and high is None:
        problems.append("duration needs at least one bound")  # "up to 4 weeks", "at least 5 months"
    if field_name == "adverse_event" and (low is not None or high is not None):
        problems.append("adverse_event takes no values")
    if field_name == "outcome" and (record["unit"] == "%") != (low is not None):
        problems.append("outcome has unit '%' exactly when it carries a value")
    return problems


def check_gold(gold_dir: Path | str, corpus_dir: Path | str) -> tuple[list[GoldProblem], int]:
    """Check every gold file against the corpus; returns (problems, records checked)."""
    gold_dir, corpus_dir = Path(gold_dir), Path(corpus_dir)
    problems: list[GoldProblem] = []
    checked = 0
    if not gold_dir.is_dir():
        return [GoldProblem(gold_dir, 0, "no such gold folder")], 0
    files = iter_gold_files(gold_dir)
    if not files:
        problems.append(GoldProblem(gold_dir, 0, "no *.jsonl gold files"))
    for path in files:
        doc_id = path.stem
        corpus_file = _corpus_file(corpus_dir, doc_id)
        text = None
        if corpus_file is None:
            problems.append(GoldProblem(path, 0, f"no corpus file for doc_id {doc_id!r} in {corpus_dir}"))
        else:
            try:
                text = corpus_file.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                problems.append(
                    GoldProblem(corpus_file, 0, f"not UTF-8 (byte offset {exc.start}); offsets cannot be checked")
                )
        seen: dict[tuple, int] = {}
        for number, record, problem in iter_jsonl(path):
            if record is None:  # iter_jsonl says why instead
                problems.append(GoldProblem(path, number, problem or "unreadable line"))
                continue
            checked += 1
            messages = check_record(record, text)
            if record.get("doc_id") != doc_id:
                messages.append(f"doc_id {record.get('doc_id')!r} != file name {doc_id!r}")
            key = tuple(json.dumps(record.get(k)) for k in ("field", "start", "end"))  # any JSON value, lists too
            if key in seen:
                span = ", ".join(repr(record.get(k)) for k in ("field", "start", "end"))
                messages.append(f"duplicate span ({span}) (first on line {seen[key]})")
            else:
                seen[key] = number
            problems.extend(GoldProblem(path, number, message) for message in messages)
    return problems, checked


def _corpus_file(corpus_dir: Path, doc_id: str) -> Path | None:
    for suffix in (".txt", ".md"):
        candidate = corpus_dir / f"{doc_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None
