"""A field-matcher shortcut must change no candidate: the same spans, in the
same order, as with the shortcut switched off, on the corpus and the dev set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def candidates_unchanged(matcher: Any, doc_before: Callable, attribute: str, switched_off: Any) -> int:
    """Compare the candidates with ``matcher.<attribute>`` as it is and set to
    ``switched_off``; returns how many candidates were compared."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "realtext" / "dev" / "docs").glob("*.txt"))]
    kept = getattr(matcher, attribute)
    compared = 0
    for text in texts:
        doc = doc_before(text, "sts_field_matcher_v1")
        got = [(s.id_, s.start, s.end) for s in matcher(doc).spans["sts_candidates"]]
        try:
            setattr(matcher, attribute, switched_off)
            without = [(s.id_, s.start, s.end) for s in matcher(doc).spans["sts_candidates"]]
        finally:
            setattr(matcher, attribute, kept)
        assert got == without
        compared += len(got)
    return compared
