"""The document object every later stage reads: text plus where it came from.

Offsets of every mention point into ``Document.text``; for a PDF that text is
exactly what ``extractor text FILE`` prints, so a reviewer can check a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Page:
    """A page's character range in the document text (1-based page number)."""

    number: int
    start: int
    end: int


@dataclass
class Document:
    """A paper as text, with its pages (PDF only) and origin."""

    doc_id: str
    text: str
    path: Path | None = None
    pages: list[Page] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        """Pages of the PDF (a float moved after the text it interrupted gives its page a second range)."""
        return len({page.number for page in self.pages})

    def page_at(self, offset: int) -> int | None:
        """Page number holding ``offset``, or None for text inputs."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        if self.pages and offset >= self.pages[-1].end:
            return self.pages[-1].number
        return None


class IngestError(Exception):
    """A file that cannot be turned into text; ``reason`` is a short code.

    reasons: empty, not_pdf, encrypted, truncated, no_text_layer, decode,
    timeout, unreadable, unsupported.
    """

    def __init__(self, path: Path | str, reason: str, message: str) -> None:
        super().__init__(f"{path}: {reason}: {message}")
        self.path = Path(path)
        self.reason = reason
        self.message = message
