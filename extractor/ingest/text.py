"""Plain-text and Markdown inputs: the file decoded as UTF-8, unchanged.

Offsets in the CSV point into this exact string, so nothing is normalized
here (no newline translation, no BOM stripping).
"""
from __future__ import annotations

from pathlib import Path

from extractor.document import Document, IngestError


def read_text(path: Path, doc_id: str) -> Document:
    """Decode ``path`` strictly as UTF-8; a wrong encoding is an IngestError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, "unreadable", exc.strerror or str(exc)) from exc
    if not raw.strip():
        raise IngestError(path, "empty", "file is empty")
    if b"\x00" in raw[:4096]:
        raise IngestError(path, "not_text", "binary content in a text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            path,
            "decode",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save as UTF-8, e.g. iconv -f latin1 -t utf-8",
        ) from exc
    return Document(doc_id=doc_id, text=text, path=path)
