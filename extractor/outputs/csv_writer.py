"""CSV output: the schema's columns first, written so a crash never leaves half a file,
with every text cell inert in a spreadsheet."""

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

from extractor.schema import CSV_COLUMNS, Mention


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
