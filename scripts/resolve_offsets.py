"""Turn an annotator's labels into gold JSONL with exact offsets.

An annotator writes one JSON object per mention without offsets:
``{"doc_id", "field", "text", "context", "value_min", "value_max", "unit",
"category", "source"}``; ``context`` is a longer piece of the document that
holds ``text`` and occurs once (it may be omitted when ``text`` itself occurs
once). This script finds the offsets, so no one counts characters by hand,
and refuses anything ambiguous or absent, naming file and line.

    python scripts/resolve_offsets.py LABELS.jsonl DOCS_DIR OUT_GOLD_DIR [ASSIGNED.txt]

ASSIGNED.txt lists the doc_ids the annotator read, one a line: each gets a
gold file, an empty one when it holds no mention ("labelled: no mentions").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEYS = ("doc_id", "field", "text", "start", "end", "value_min", "value_max", "unit", "category", "source")


def locate(document: str, text: str, context: str | None) -> tuple[int, str | None]:
    """Start offset of ``text`` (inside ``context`` when given), or an error message."""
    if context:
        first = document.find(context)
        if first < 0:
            return -1, "context not found in the document"
        if document.find(context, first + 1) >= 0:
            return -1, "context occurs more than once"
        inner = context.find(text)
        if inner < 0:
            return -1, "text not inside its context"
        return first + inner, None
    first = document.find(text)
    if first < 0:
        return -1, "text not found in the document"
    if document.find(text, first + 1) >= 0:
        return -1, "text occurs more than once: give a context"
    return first, None


def resolve(labels: Path, docs: Path, out: Path, assigned: list[str] = ()) -> int:
    problems = 0
    by_doc: dict[str, list[dict]] = {doc_id: [] for doc_id in assigned}
    for number, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        document = (docs / f"{record['doc_id']}.txt").read_text(encoding="utf-8")
        start, problem = locate(document, record["text"], record.get("context"))
        if problem:
            print(f"{labels}:{number}: {record['doc_id']} {record['text']!r}: {problem}", file=sys.stderr)
            problems += 1
            continue
        record["start"], record["end"] = start, start + len(record["text"])
        by_doc.setdefault(record["doc_id"], []).append({key: record.get(key) for key in KEYS})
    out.mkdir(parents=True, exist_ok=True)
    for doc_id, records in by_doc.items():
        records.sort(key=lambda r: (r["start"], r["end"], r["field"]))
        with open(out / f"{doc_id}.jsonl", "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return problems


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    ids = Path(sys.argv[4]).read_text(encoding="utf-8").split() if len(sys.argv) == 5 else []
    sys.exit(1 if resolve(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), ids) else 0)
