"""File → Document. One reader per input kind; errors become IngestError."""

from __future__ import annotations

from pathlib import Path

from extractor.ingest.document import Document, IngestError
from extractor.ingest.text import read_text

TEXT_SUFFIXES = {".txt", ".md"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES


def doc_id_for(path: Path) -> str:
    """The CSV's doc_id: the file name without its extension."""
    return path.stem


def load_document(path: Path | str, *, pdf_timeout: float | None = 120.0) -> Document:
    """Read one input file into a Document, or raise IngestError naming it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text(path, doc_id_for(path))
    if suffix in PDF_SUFFIXES:
        from extractor.ingest.pdf import read_pdf

        return read_pdf(path, doc_id_for(path), timeout=pdf_timeout)
    raise IngestError(path, "unsupported", f"unsupported file type {suffix or '(none)'!r}")


__all__ = ["SUPPORTED_SUFFIXES", "Document", "IngestError", "doc_id_for", "load_document"]
