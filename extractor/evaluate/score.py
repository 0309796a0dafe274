"""Precision, recall and F1 of extracted mentions against the gold set.

Three views, all per field plus micro and macro averages:
- lenient: same document and field, overlapping spans, matched one-to-one
  (a maximum bipartite matching, so one long prediction cannot claim two gold
  spans);
- strict: same document, field and exact offsets;
- facts: per document, the set of normalized values (route and outcome
  categories; numbers with their unit for dose, concentration, lesion size).
Attributes (source, normalized values) are scored on lenient matches.

A gold set scores the fields it labels: the five core fields, plus the
evidence-table fields when its gold holds any of them. "micro" stays the five core fields, so figures stay comparable
across sets; the evidence fields get their own "evidence micro" line.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from extractor.schema import CORE_FIELDS, EVIDENCE_FIELDS, FIELDS


@dataclass
class Counts:
    """True positives, false positives, false negatives and their ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Score:
    """Everything the score table shows."""

    lenient: dict[str, Counts]
    strict: dict[str, Counts]
    facts: dict[str, Counts]
    source_correct: int
    value_correct: int
    matched: int
    gold_counts: dict[str, int]
    pred_counts: dict[str, int]
    false_positives: list[dict] = field(default_factory=list)
    false_negatives: list[dict] = field(default_factory=list)
    mismatches: list[tuple[dict, dict]] = field(default_factory=list)
    ignored_docs: list[str] = field(default_factory=list)
    negative_docs: list[str] = field(default_factory=list)
    negative_rows: int = 0
    fields: tuple[str, ...] = CORE_FIELDS
    evidence_matched: int = 0
    evidence_source_correct: int = 0
    evidence_value_correct: int = 0

    @staticmethod
    def micro(by_field: dict[str, Counts], names: tuple[str, ...] = CORE_FIELDS) -> Counts:
        """Summed counts over ``names`` (the five core fields unless told)."""
        total = Counts()
        for name, counts in by_field.items():
            if name in names:
                total.add(counts)
        return total

    @staticmethod
    def macro(by_field: dict[str, Counts], names: tuple[str, ...] = CORE_FIELDS) -> tuple[float, float, float]:
        """Mean P, R, F1 over the fields of ``names`` that occur in gold or predictions."""
        present = [c for name, c in by_field.items() if name in names and c.tp + c.fp + c.fn]
        if not present:
            return 0.0, 0.0, 0.0
        n = len(present)
        return (
            sum(c.precision for c in present) / n,
            sum(c.recall for c in present) / n,
            sum(c.f1 for c in present) / n,
        )

    def as_dict(self) -> dict:
        def view(by_field: dict[str, Counts]) -> dict:
            p, r, f = self.macro(by_field)
            view_data = {
                "fields": {name: counts.as_dict() for name, counts in by_field.items()},
                "micro": self.micro(by_field).as_dict(),
                "macro": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)},
            }
            if any(name in EVIDENCE_FIELDS for name in by_field):
                view_data["evidence_micro"] = self.micro(by_field, EVIDENCE_FIELDS).as_dict()
            return view_data

        return {
            "lenient": view(self.lenient),
            "strict": view(self.strict),
            "facts": view(self.facts),
            "source_accuracy": round(self.source_correct / self.matched, 4) if self.matched else None,
            "value_accuracy": round(self.value_correct / self.matched, 4) if self.matched else None,
            "matched": self.matched,
            "gold_counts": self.gold_counts,
            "pred_counts": self.pred_counts,
            "ignored_docs": self.ignored_docs,
            "negative_docs": self.negative_docs,
            "negative_rows": self.negative_rows,
        }


def _to_float(value: object) -> float | None:
    """A JSON number or CSV cell as a float; TypeError for anything else (a list, an object)."""
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int, float)):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _to_str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def normalize_record(record: dict) -> dict:
    """Types fixed the same way for gold (JSON) and predictions (CSV strings)."""
    out = dict(record)
    out["start"] = int(record["start"])
    out["end"] = int(record["end"])
    out["value_min"] = _to_float(record.get("value_min"))
    out["value_max"] = _to_float(record.get("value_max"))
    out["unit"] = _to_str(record.get("unit"))
    out["category"] = _to_str(record.get("category"))
    out["source"] = _to_str(record.get("source"))
    return out


PREDICTION_COLUMNS = ("doc_id", "field", "text", "start", "end", "value_min", "value_max", "unit", "category", "source")


def read_predictions(path: Path | str) -> list[dict]:
    """Rows of an extractor CSV as records; ValueError naming file and line for
    bytes that are not UTF-8, a missing column or a row that cannot be scored."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in PREDICTION_COLUMNS if column not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{path}:1: missing columns {missing}")
            records = []
            for row in reader:
                try:
                    record = normalize_record(row)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"{path}:{reader.line_num}: a row with offsets {row.get('start')!r}, {row.get('end')!r} "
                        f"and values {row.get('value_min')!r}, {row.get('value_max')!r} that are not numbers"
                    ) from None
                if not 0 <= record["start"] < record["end"] or record["field"] not in FIELDS:
                    raise ValueError(
                        f"{path}:{reader.line_num}: bad row: field {record['field']!r}, offsets {record['start']}-{record['end']}"
                    )
                records.append(record)
            return records
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from None


def max_matching(gold: list[dict], pred: list[dict], *, lenient: bool) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs of a maximum matching."""
    edges: list[list[int]] = []
    for g in gold:
        if lenient:
            candidates = [
                (min(g["end"], p["end"]) - max(g["start"], p["start"]), j)
                for j, p in enumerate(pred)
                if p["start"] < g["end"] and g["start"] < p["end"]
            ]
            candidates.sort(key=lambda item: (-item[0], item[1]))
            edges.append([j for _, j in candidates])
        else:
            edges.append([j for j, p in enumerate(pred) if (p["start"], p["end"]) == (g["start"], g["end"])])
    owner: dict[int, int] = {}

    def augment(i: int, visited: set[int]) -> bool:
        for j in edges[i]:
            if j in visited:
                continue
            visited.add(j)
            if j not in owner or augment(owner[j], visited):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def fact_of(record: dict) -> tuple:
    """The normalized value a mention contributes to its document's fact set."""
    if record["field"] in ("route", "outcome"):
        return (record["field"], record["category"])

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    values = (record["field"], rounded(record["value_min"]), rounded(record["value_max"]), record["unit"])
    # an evidence field's category is part of its value: a harm that stopped STS, a follow-up's length
    return values + (record.get("category"),) if record["field"] in EVIDENCE_FIELDS else values


def _same_values(g: dict, p: dict) -> bool:
    return fact_of(g) == fact_of(p) and (
        g["field"] != "outcome" or (g["value_min"], g["unit"]) == (p["value_min"], p["unit"])
    )


def labelled_fields(gold_records: list[dict]) -> tuple[str, ...]:
    """The fields a gold set labels: the core five, plus the evidence fields
    when any gold record has one."""
    if any(r.get("field") in EVIDENCE_FIELDS for r in gold_records):
        return FIELDS
    return CORE_FIELDS


def score(
    gold_records: list[dict],
    pred_records: list[dict],
    labelled: set[str] | None = None,
    fields: tuple[str, ...] = CORE_FIELDS,
) -> Score:
    """Score predictions against gold, on ``fields`` only.

    ``labelled`` names every document that has a gold file, including empty
    ones ("labelled: no mentions"), whose predictions are all false positives;
    predictions for documents with no gold file at all are ignored."""
    gold = [normalize_record(r) for r in gold_records if r.get("field") in fields]
    gold_docs = {r["doc_id"] for r in gold_records} | (labelled or set())
    pred = [normalize_record(r) for r in pred_records if r.get("field") in fields]
    ignored = sorted({r["doc_id"] for r in pred} - gold_docs)
    pred = [r for r in pred if r["doc_id"] in gold_docs]

    groups: dict[tuple[str, str], tuple[list[dict], list[dict]]] = defaultdict(lambda: ([], []))
    for r in gold:
        groups[(r["doc_id"], r["field"])][0].append(r)
    for r in pred:
        groups[(r["doc_id"], r["field"])][1].append(r)

    lenient = {name: Counts() for name in fields}
    strict = {name: Counts() for name in fields}
    facts = {name: Counts() for name in fields}
    result = Score(lenient, strict, facts, 0, 0, 0, {}, {}, ignored_docs=ignored, fields=fields)
    result.negative_docs = sorted(gold_docs - {r["doc_id"] for r in gold_records})
    result.negative_rows = sum(1 for r in pred if r["doc_id"] in result.negative_docs)
    for name in fields:
        result.gold_counts[name] = sum(1 for r in gold if r["field"] == name)
        result.pred_counts[name] = sum(1 for r in pred if r["field"] == name)

    for (_doc_id, name), (g_list, p_list) in sorted(groups.items()):
        pairs = max_matching(g_list, p_list, lenient=True)
        lenient[name].add(Counts(len(pairs), len(p_list) - len(pairs), len(g_list) - len(pairs)))
        exact = max_matching(g_list, p_list, lenient=False)
        strict[name].add(Counts(len(exact), len(p_list) - len(exact), len(g_list) - len(exact)))
        for i, j in pairs:
            same_source = g_list[i]["source"] == p_list[j]["source"]
            same_values = _same_values(g_list[i], p_list[j])
            if name in CORE_FIELDS:  # the attribute line stays comparable across sets
                result.matched += 1
                result.source_correct += same_source
                result.value_correct += same_values
            else:
                result.evidence_matched += 1
                result.evidence_source_correct += same_source
                result.evidence_value_correct += same_values
            if not (same_source and same_values):
                result.mismatches.append((g_list[i], p_list[j]))
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        result.false_negatives += [g for i, g in enumerate(g_list) if i not in matched_g]
        result.false_positives += [p for j, p in enumerate(p_list) if j not in matched_p]
        gold_facts = {fact_of(r) for r in g_list}
        pred_facts = {fact_of(r) for r in p_list}
        facts[name].add(
            Counts(len(gold_facts & pred_facts), len(pred_facts - gold_facts), len(gold_facts - pred_facts))
        )
    return result


def format_table(result: Score) -> str:
    """The human-readable score table."""
    header = f"{'field':<14}{'gold':>5}{'pred':>5} | {'lenient P':>9}{'R':>7}{'F1':>7} | {'strict F1':>9} | {'fact P':>6}{'R':>7}{'F1':>7}"
    lines = [header, "-" * len(header)]

    def row(label: str, gold_n: str, pred_n: str, len_c: tuple, strict_f: float, fact_c: tuple) -> str:
        return (
            f"{label:<14}{gold_n:>5}{pred_n:>5} | {len_c[0]:>9.3f}{len_c[1]:>7.3f}{len_c[2]:>7.3f} | "
            f"{strict_f:>9.3f} | {fact_c[0]:>6.3f}{fact_c[1]:>7.3f}{fact_c[2]:>7.3f}"
        )

    for name in result.fields:
        le, s, f = result.lenient[name], result.strict[name], result.facts[name]
        lines.append(
            row(
                name,
                str(result.gold_counts[name]),
                str(result.pred_counts[name]),
                (le.precision, le.recall, le.f1),
                s.f1,
                (f.precision, f.recall, f.f1),
            )
        )
    lines.append("-" * len(header))
    groups = [("micro", CORE_FIELDS)]
    if any(name in EVIDENCE_FIELDS for name in result.fields):
        groups.append(("evidence micro", EVIDENCE_FIELDS))
    for label, names in groups:
        ml, ms, mf = (Score.micro(v, names) for v in (result.lenient, result.strict, result.facts))
        lines.append(
            row(
                label,
                str(sum(n for k, n in result.gold_counts.items() if k in names)),
                str(sum(n for k, n in result.pred_counts.items() if k in names)),
                (ml.precision, ml.recall, ml.f1),
                ms.f1,
                (mf.precision, mf.recall, mf.f1),
            )
        )
    lines.append(
        row("macro", "", "", Score.macro(result.lenient), Score.macro(result.strict)[2], Score.macro(result.facts))
    )
    if result.matched:
        lines.append(
            f"source correct on {result.source_correct}/{result.matched} matched mentions "
            f"({result.source_correct / result.matched:.1%}); normalized values correct on "
            f"{result.value_correct}/{result.matched} ({result.value_correct / result.matched:.1%})"
        )
    if result.evidence_matched:
        lines.append(
            f"evidence fields: source correct on {result.evidence_source_correct}/{result.evidence_matched} "
            f"({result.evidence_source_correct / result.evidence_matched:.1%}); normalized values correct on "
            f"{result.evidence_value_correct}/{result.evidence_matched} ({result.evidence_value_correct / result.evidence_matched:.1%})"
        )
    if result.negative_docs:
        flagged = sorted({r["doc_id"] for r in result.false_positives} & set(result.negative_docs))
        lines.append(
            f"negatives: {len(result.negative_docs)} labelled document(s) without mentions, "
            f"{result.negative_rows} predicted row(s) in {len(flagged)} of them"
        )
    if result.ignored_docs:
        lines.append(f"ignored predictions for {len(result.ignored_docs)} document(s) without gold")
    return "\n".join(lines)


def _context(record: dict, texts: dict[str, str]) -> str:
    sentence = record.get("sentence")
    if sentence:
        return " ".join(str(sentence).split())
    text = texts.get(record["doc_id"])
    if text is None:
        return ""
    left = max(0, record["start"] - 80)
    return " ".join(
        (text[left : record["start"]] + "[[" + record["text"] + "]]" + text[record["end"] : record["end"] + 80]).split()
    )


def format_errors(result: Score, texts: dict[str, str]) -> str:
    """Each false positive and false negative with its sentence or context, then
    matched mentions whose source or normalized values differ from gold."""
    lines: list[str] = []
    for label, records in (("FP", result.false_positives), ("FN", result.false_negatives)):
        for r in sorted(records, key=lambda r: (r["doc_id"], r["start"])):
            value = fact_of(r)[1:]
            lines.append(
                f"{label} {r['doc_id']} {r['field']:<13} {r['start']}-{r['end']} {r['text']!r} {value} "
                f"{r.get('source')} {r.get('pattern_id') or ''}\n    {_context(r, texts)}"
            )
    for g, p in sorted(result.mismatches, key=lambda pair: (pair[0]["doc_id"], pair[0]["start"])):
        lines.append(
            f"ATTR {g['doc_id']} {g['field']:<13} {g['start']}-{g['end']} {g['text']!r} gold {fact_of(g)[1:]} "
            f"{g['source']} | pred {p['text']!r} {fact_of(p)[1:]} {p['source']} {p.get('pattern_id') or ''}\n    {_context(p, texts)}"
        )
    return "\n".join(lines)
