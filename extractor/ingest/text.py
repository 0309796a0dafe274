"""Plain-text and Markdown inputs: the file decoded, unchanged.

Offsets in the CSV point into this exact string, so nothing is normalized
here (no newline translation, no BOM stripping for UTF-8). A file with a
UTF-16 or UTF-32 byte-order mark is decoded as such (the mark is not part of
the text); any other file must be UTF-8.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from extractor.ingest.document import Document, IngestError

# longest marks first: the UTF-32-LE mark starts with the UTF-16-LE one
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(path: Path, doc_id: str) -> Document:
    """Decode ``path`` (UTF-8, or UTF-16/32 with a byte-order mark); anything else is an IngestError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, "unreadable", exc.strerror or str(exc)) from exc
    encoding = next((name for mark, name in _BYTE_ORDER_MARKS if raw.startswith(mark)), None)
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise IngestError(
                path,
                "decode",
                f"starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} (offset {exc.start})",
            ) from exc
        if not text.strip():
            raise IngestError(path, "empty", "file is empty")
        if "\x00" in text:
            raise IngestError(path, "not_text", "binary content in a text file (NUL characters)")
        return Document(doc_id=doc_id, text=text, path=path)
    if not raw.strip():
        raise IngestError(path, "empty", "file is empty")
    if b"\x00" in raw:
        if _looks_like_utf16(raw):
            raise IngestError(
                path,
                "not_text",
                "looks like UTF-16 without a byte-order mark; re-save as UTF-8, e.g. iconv -f utf-16le -t utf-8",
            )
        raise IngestError(path, "not_text", "binary content in a text file (NUL bytes)")
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


def _looks_like_utf16(raw: bytes) -> bool:
    """Mostly-ASCII UTF-16: a NUL in nearly every second byte (odd ones for little-endian, even for big-endian)."""
    sample = raw[:4096]
    half = len(sample) // 2
    if half < 4:
        return False
    return max(sample[1::2].count(0), sample[0::2].count(0)) >= 0.9 * half
