"""extractor: sodium thiosulfate treatment details from calcinosis cutis papers.

    from extractor import Extractor, extract_paths

Both are imported on first use, so ``import extractor`` (and ``extractor --version``) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["Extractor", "PaperReading", "extract_paths"]

if TYPE_CHECKING:
    from extractor.api import PaperReading, extract_paths
    from extractor.mentions.reader import Extractor


def __getattr__(name: str) -> Any:
    if name == "Extractor":
        from extractor.mentions.reader import Extractor

        return Extractor
    if name in ("extract_paths", "PaperReading"):
        from extractor import api

        return getattr(api, name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
