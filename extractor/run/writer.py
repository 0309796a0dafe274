"""Every CSV a run writes, and the one way they are written: atomically (a
temporary file beside the target, moved into place, so a crash never leaves
half a file), UTF-8, with every text cell inert in a spreadsheet.

A batch writes OUT.csv (the mentions, the schema's columns), OUT.errors.csv,
OUT.documents.csv and OUT.studies.csv (:class:`RenderedOutputs`, one document at a
time as results arrive); ``write_csv`` writes a mentions CSV
from Mention objects. The readers (report, workbook, scoring) undo
:func:`inert` with :func:`plain`.
"""

from __future__ import annotations

import csv
import io
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


def _row_order(row: dict[str, str]) -> tuple[str, int, int, str]:
    return row["doc_id"], int(row["start"]), int(row["end"]), row["field"]


class RenderedOutputs:
    """The four CSVs of a batch, rendered one document at a time as its result
    arrives, and written at the end.

    A batch renders each result while the workers read the next documents, so
    the end of the run only sorts and writes. The files are byte-identical to
    rendering everything at the end: a document's rows are sorted as the whole
    file is (doc_id, start, end, field; doc_ids of extracted documents are
    unique), and documents are ordered by (doc_id, path).
    """

    def __init__(self) -> None:
        self._mentions: list[tuple[str, str]] = []  # (doc_id, that document's mention lines)
        self._documents: list[tuple[tuple[str, str], str, str]] = []  # (order, document line, study lines)
        self._errors: list[tuple[tuple[str, str], str]] = []
        self._rows = 0

    def add(self, result: DocResult) -> None:
        order = (result.doc_id, result.path)
        rows: list[dict[str, str]] = []
        if result.error:
            reason, message = result.error
            self._errors.append(
                (
                    order,
                    _line([inert(result.doc_id), inert(result.path), inert(reason), inert(" ".join(message.split()))]),
                )
            )
        else:
            rows = sorted(result.rows, key=_row_order)
            self._rows += len(rows)
            if rows:
                self._mentions.append((result.doc_id, _dict_lines(CSV_COLUMNS, (safe_row(row) for row in rows))))
        studies = ""
        if result.status == "ok":
            studies = _dict_lines(
                OUTPUT_COLUMNS,
                (
                    {key: inert(value) if key in STUDY_TEXT_COLUMNS else value for key, value in study.items()}
                    for study in study_rows(result.doc_id, result.title, rows, [result.indication_sentence])
                ),
            )
        document = _line(
            [
                inert(result.doc_id),
                inert(result.path),
                result.pages,
                result.words,
                inert(result.indication),
                inert(result.indication_sentence),
                0 if result.error else len(result.rows),
                result.status,
            ]
        )
        self._documents.append((order, document, studies))

    def write(self, out: Path) -> int:
        """Write the four files atomically; returns the number of mention rows."""
        self._mentions.sort(key=lambda item: item[0])
        self._documents.sort(key=lambda item: item[0])
        self._errors.sort(key=lambda item: item[0])
        with atomic_write(out) as handle:
            handle.write(_line(CSV_COLUMNS))
            handle.writelines(lines for _, lines in self._mentions)
        with atomic_write(errors_path_for(out)) as handle:
            handle.write(_line(ERROR_COLUMNS))
            handle.writelines(line for _, line in self._errors)
        with atomic_write(documents_path_for(out)) as handle:
            handle.write(_line(DOCUMENT_COLUMNS))
            handle.writelines(line for _, line, _ in self._documents)
        with atomic_write(studies_path_for(out)) as handle:
            handle.write(_line(OUTPUT_COLUMNS))
            handle.writelines(studies for _, _, studies in self._documents)
        return self._rows


def _line(cells: Iterable[object]) -> str:
    """One CSV line, as ``csv.writer`` writes it."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def _dict_lines(columns: Iterable[str], rows: Iterable[dict[str, str]]) -> str:
    """CSV lines of ``rows`` under ``columns`` (other keys ignored), as ``csv.DictWriter`` writes them."""
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore").writerows(rows)
    return buffer.getvalue()
