"""CSV output: the schema's columns first, written so a crash never leaves half a file."""
from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

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


def mention_row(mention: Mention) -> list[str]:
    row = mention.row()
    return [format_cell(row[column]) for column in CSV_COLUMNS]


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
