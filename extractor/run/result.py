"""One document's outcome in a batch (CSV rows or an error), as workers send it
and the manifest stores it, one JSON line per document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from extractor.mentions.indication import CALCIFICATION
from extractor.schema import CSV_COLUMNS, FIELDS


@dataclass
class DocResult:
    """What one document produced: CSV rows or an error."""

    doc_id: str
    path: str
    digest: str  # content_key(): "text:<sha256>" or "pdf:<sha256>"; "" when never read
    rows: list[dict] = field(default_factory=list)
    pages: int = 0
    error: tuple[str, str] | None = None  # (reason, message)
    words: int = 0
    indication: str = ""  # calcification, other or no_sts
    indication_sentence: str = ""
    attempts: int = 1  # runs that ended in this error ("crashed" is retried once)
    title: str = ""  # for the studies table

    def as_json(self) -> str:
        return json.dumps(
            {
                "doc_id": self.doc_id,
                "path": self.path,
                "digest": self.digest,
                "rows": self.rows,
                "pages": self.pages,
                "error": list(self.error) if self.error else None,
                "words": self.words,
                "indication": self.indication,
                "indication_sentence": self.indication_sentence,
                "attempts": self.attempts,
                "title": self.title,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, line: str | bytes) -> DocResult:
        """One manifest line; ValueError for anything that is not a well-formed
        result (torn, not UTF-8, hand-edited rows missing columns or with bad offsets)."""
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        text_keys = ("doc_id", "path", "digest", "indication", "indication_sentence")
        strings = [data.get(key, "") for key in text_keys]
        if not all(isinstance(value, str) for value in strings) or not _DIGEST.fullmatch(strings[2]):
            raise ValueError("bad doc_id, path, digest or indication")
        pages, words, attempts = data.get("pages", 0), data.get("words", 0), data.get("attempts", 1)
        if not all(type(n) is int and n >= 0 for n in (pages, words, attempts)):
            raise ValueError("bad pages, words or attempts")
        error = data.get("error")
        if error is not None and not (
            isinstance(error, list) and len(error) == 2 and all(isinstance(part, str) and part for part in error)
        ):
            raise ValueError("bad error")
        rows = data.get("rows")
        if not isinstance(rows, list) or not all(_valid_row(row) for row in rows):
            raise ValueError("bad rows")
        title = data.get("title", "")
        if not isinstance(title, str):
            raise ValueError("bad title")
        return cls(
            strings[0],
            strings[1],
            strings[2],
            rows,
            pages,
            tuple(error) if error else None,
            words,
            strings[3],
            strings[4],
            attempts,
            title,
        )

    @property
    def status(self) -> str:
        """ok, out_of_scope (STS absent or treating something else) or error."""
        if self.error:
            return "error"
        return "ok" if self.indication == CALCIFICATION else "out_of_scope"


_DIGEST = re.compile(r"(?:text|pdf):[0-9a-f]{64}")


def _valid_row(row: object) -> bool:
    """A CSV row as the workers write it: every column a string, a known field,
    and offsets that are integers with start < end."""
    if not isinstance(row, dict) or not all(isinstance(row.get(column), str) for column in CSV_COLUMNS):
        return False
    if row["field"] not in FIELDS or not (row["start"].isdigit() and row["end"].isdigit()):
        return False
    return int(row["start"]) < int(row["end"])
