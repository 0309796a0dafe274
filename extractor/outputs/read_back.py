"""Reading a finished batch back: OUT.csv, OUT.documents.csv, OUT.errors.csv,
and each document's text re-read from the path the batch recorded.

The report and the annotation-tool export both need the same thing: the
mentions of one paper next to the exact string their offsets point into. The
text comes from the project's own ``load_document`` (so a PDF gives the same
string as at extraction time) and is checked against every mention's text, so
a file that was edited or replaced since the run is reported, not mis-highlighted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from extractor.ingest import load_document
from extractor.ingest.document import Document, IngestError, Page
from extractor.run.writer import documents_path_for, errors_path_for, plain

NUMBER_COLUMNS = ("value_min", "value_max")


@dataclass
class BatchDocument:
    """One input of a batch: its row of OUT.documents.csv, its mentions, its error."""

    doc_id: str
    path: str = ""
    status: str = "ok"  # ok, out_of_scope, error
    pages: int = 0
    words: int = 0
    indication: str = ""
    mentions: list[dict] = field(default_factory=list)
    error: tuple[str, str] | None = None  # (reason, message) from OUT.errors.csv


@dataclass
class LoadedText:
    """A document's text, or why it is not available."""

    text: str | None
    pages: list[Page] = field(default_factory=list)
    problem: str = ""


def parse_number(cell: str | None) -> int | float | None:
    """A CSV number cell as the gold files write it: '' → None, '12500' → 12500, '0.1' → 0.1."""
    if cell is None or cell == "":
        return None
    value = float(cell)
    return int(value) if value.is_integer() and "." not in cell and "e" not in cell.lower() else value


def mention_record(row: dict) -> dict:
    """A CSV row with typed cells: int offsets, numbers, None for empty cells."""
    record = {key: (None if value == "" else value) for key, value in row.items()}
    record["start"] = int(row["start"])
    record["end"] = int(row["end"])
    for column in NUMBER_COLUMNS:
        record[column] = parse_number(row.get(column))
    record["source"] = row.get("source") or "this_study"
    return record


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        # undo the spreadsheet-safety apostrophe, so a mention text or path starting
        # with "-" or "=" compares equal to the document text again
        return [
            {key: plain(value) if isinstance(value, str) else value for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def read_batch(out_csv: Path | str) -> list[BatchDocument]:
    """Every document of a batch in doc_id order, with its mentions in CSV order.

    OUT.documents.csv lists every input (papers with no mention too); without
    it (an older run, a hand-made CSV) the documents are those named in OUT.csv.
    """
    out_csv = Path(out_csv)
    documents: dict[str, BatchDocument] = {}
    documents_csv = documents_path_for(out_csv)
    if documents_csv.is_file():
        for row in _read_csv(documents_csv):
            documents[row["doc_id"]] = BatchDocument(
                row["doc_id"],
                row.get("path", ""),
                row.get("status", "ok") or "ok",
                int(row.get("pages") or 0),
                int(row.get("words") or 0),
                row.get("indication", ""),
            )
    errors_csv = errors_path_for(out_csv)
    if errors_csv.is_file():
        for row in _read_csv(errors_csv):
            document = documents.setdefault(row["doc_id"], BatchDocument(row["doc_id"], row.get("path", ""), "error"))
            document.status = "error"
            document.error = (row.get("reason", ""), row.get("message", ""))
    for row in _read_csv(out_csv):
        documents.setdefault(row["doc_id"], BatchDocument(row["doc_id"])).mentions.append(mention_record(row))
    return [documents[doc_id] for doc_id in sorted(documents)]


def resolve_path(recorded: str, out_csv: Path) -> Path | None:
    """The recorded input path as it was given (relative to where extract ran),
    else relative to the CSV's folder; None when neither exists."""
    if not recorded:
        return None
    path = Path(recorded)
    candidates = [path] if path.is_absolute() else [path, out_csv.parent / path]
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def load_text(document: BatchDocument, out_csv: Path, *, pdf_timeout: float | None = 120.0) -> LoadedText:
    """The text the document's offsets point into, checked against its mentions."""
    if document.status == "error":
        reason, message = document.error or ("error", "")
        return LoadedText(None, problem=f"not extracted: {reason}: {message}".rstrip(": "))
    path = resolve_path(document.path, Path(out_csv))
    if path is None:
        where = document.path or "(no path recorded)"
        return LoadedText(None, problem=f"{where}: file not found; the text cannot be shown")
    try:
        loaded: Document = load_document(path, pdf_timeout=pdf_timeout)
    except IngestError as exc:
        return LoadedText(None, problem=f"{exc.path}: {exc.reason}: {exc.message}")
    changed = [m for m in document.mentions if loaded.text[m["start"] : m["end"]] != m["text"]]
    if changed:
        first = changed[0]
        return LoadedText(
            None,
            problem=f"{path}: the file changed since extraction ({len(changed)} mention(s) no longer match, "
            f"e.g. {first['text']!r} at {first['start']})",
        )
    return LoadedText(loaded.text, loaded.pages)


def find_document_file(docs_dir: Path, doc_id: str) -> Path | None:
    """docs_dir/<doc_id>.<txt|md|pdf>, the file a gold file's offsets point into."""
    for suffix in (".txt", ".md", ".pdf"):
        candidate = Path(docs_dir) / f"{doc_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None
