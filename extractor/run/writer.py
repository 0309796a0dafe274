"""Every CSV a run writes, and the one way they are written: atomically (a
temporary file beside the target, moved into place, so a crash never leaves
half a file), UTF-8, with every text cell inert in a spreadsheet.

A batch writes OUT.csv (the mentions, the schema's columns), OUT.errors.csv,
OUT.documents.csv and OUT.studies.csv; ``write_csv`` writes a mentions CSV
from Mention objects. The readers (report, workbook, scoring) undo
:func:`inert` with :func:`plain`.
"""

from __future__ import annotations

import csv
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from extractor.outputs.studies import OUTPUT_COLUMNS, study_rows
from extractor.run.result import DocResult
from extractor.schema import CSV_COLUMNS, Mention

ERROR_COLUMNS = ("doc_id", "path", "reason", "message")
DOCUMENT_COLUMNS = ("doc_id", "path", "pages", "words", "indication", "sentence", "mentions", "status")
STUDY_TEXT_COLUMNS = frozenset({"doc_id", "title", "adverse_events", "cited"})  # the studies CSV's free-text cells


def format_cell(value: object) -> str:
    """Plain decimals with a dot, empty for None; 12500.0 → '12500', 0.1 → '0.1'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 6))
    return str(value)


# Cells a spreadsheet would run as a formula (OWASP "CSV injection"): starting
# with = + - @, a tab or a line break, also after leading spaces; leading
# apostrophes are looked through so that the escape below can be undone exactly.
_FORMULA = re.compile(r"'*(?:[=+\-@\t\r\n]| +[=+\-@])")
NUMERIC_COLUMNS = frozenset({"start", "end", "value_min", "value_max", "page"})


def inert(value: str) -> str:
    """``value`` with an apostrophe in front when a spreadsheet would read it as a
    formula ("=HYPERLINK(…)" → "'=HYPERLINK(…)"); other values unchanged."""
    return "'" + value if _FORMULA.match(value) else value


def plain(cell: str) -> str:
    """The value :func:`inert` was given: one leading apostrophe dropped where it added one."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell[1:]) else cell


def safe_row(row: dict[str, str]) -> dict[str, str]:
    """A CSV row with every text column made inert (numbers are written by us and left as they are)."""
    return {key: value if key in NUMERIC_COLUMNS else inert(value) for key, value in row.items()}


def mention_row(mention: Mention) -> list[str]:
    row = mention.row()
    return [
        format_cell(row[column]) if column in NUMERIC_COLUMNS else inert(format_cell(row[column]))
        for column in CSV_COLUMNS
    ]


@contextmanager
def atomic_write(path: Path | str, *, newline: str = "") -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and move it into place on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; an output file gets the usual permissions
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def write_csv(path: Path | str, mentions: Iterable[Mention]) -> int:
    """Write all mentions atomically; returns the number of rows."""
    count = 0
    with atomic_write(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for mention in mentions:
            writer.writerow(mention_row(mention))
            count += 1
    return count


def errors_path_for(out: Path) -> Path:
    return out.with_name(out.stem + ".errors.csv")


def documents_path_for(out: Path) -> Path:
    return out.with_name(out.stem + ".documents.csv")


def studies_path_for(out: Path) -> Path:
    return out.with_name(out.stem + ".studies.csv")


def write_outputs(results: list[DocResult], out: Path) -> int:
    """The CSV (sorted by doc_id, then offset), the documents CSV (one row per
    input: indication, size, status), the errors CSV and the studies CSV, all
    atomically; returns the number of mention rows."""
    rows = [row for r in results if not r.error for row in r.rows]
    rows.sort(key=lambda row: (row["doc_id"], int(row["start"]), int(row["end"]), row["field"]))
    write_mention_rows(out, rows)
    write_errors(errors_path_for(out), results)
    write_documents(documents_path_for(out), results)
    write_studies(studies_path_for(out), results, rows)
    return len(rows)


def write_mention_rows(path: Path, rows: Iterable[dict[str, str]]) -> None:
    """The mentions CSV from the rows workers made (cells already formatted)."""
    with atomic_write(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(safe_row(row) for row in rows)


def write_errors(path: Path, results: Iterable[DocResult]) -> None:
    """One row per failed input: doc_id, path, reason and the message on one line."""
    with atomic_write(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(ERROR_COLUMNS)
        for r in sorted(results, key=lambda r: (r.doc_id, r.path)):
            if r.error:
                reason, message = r.error
                writer.writerow([inert(r.doc_id), inert(r.path), inert(reason), inert(" ".join(message.split()))])


def write_documents(path: Path, results: Iterable[DocResult]) -> None:
    """One row per input: pages, words, indication and its sentence, mentions, status."""
    with atomic_write(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(DOCUMENT_COLUMNS)
        for r in sorted(results, key=lambda r: (r.doc_id, r.path)):
            writer.writerow(
                [
                    inert(r.doc_id),
                    inert(r.path),
                    r.pages,
                    r.words,
                    inert(r.indication),
                    inert(r.indication_sentence),
                    0 if r.error else len(r.rows),
                    r.status,
                ]
            )


def write_studies(path: Path, results: Iterable[DocResult], rows: Iterable[dict[str, str]]) -> None:
    """One row per paper treating calcification (more for separate arms), built
    from its mention ``rows`` (see extractor.outputs.studies)."""
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    in_scope = sorted((r for r in results if r.status == "ok"), key=lambda r: (r.doc_id, r.path))
    with atomic_write(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for r in in_scope:
            for study in study_rows(r.doc_id, r.title, by_doc.get(r.doc_id, []), [r.indication_sentence]):
                writer.writerow(
                    {key: inert(value) if key in STUDY_TEXT_COLUMNS else value for key, value in study.items()}
                )
