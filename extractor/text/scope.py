"""What part of a file is the STS article's own text.

General mechanisms, each returning character ranges to skip:
- article segmentation: a file may hold the tail of the previous article and
  the head of the next one (journal issue scrapes); segments are cut at DOI
  lines and letter openings, and a segment that never names STS is skipped;
- repeated blocks: a run of at least three sentences repeated verbatim is a
  scraping artefact, only its first copy counts;
- reference lists: from a References heading to the next heading (or to the
  first paragraph of running prose), plus any line shaped like a citation
  (authors, journal, year;volume:pages);
- abbreviation legends ("IV, intravenous; NR, no response") under tables;
- keyword and index-term lines ("Keywords: calciphylaxis, intralesional, ..."):
  a list of topics, not a statement of how STS was given;
- the article's own citation line ("How to cite this article: Karthik S, ...
  Sodium thiosulfate dressings facilitate healing ... 2019;65:123"): the title
  again inside a reference, not a new statement;
- website boilerplate lines (a disclaimer, copyright, cookie or privacy notice).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extractor.text.structure import ARTICLE_START, Line, Structure

REFERENCE_LINE = re.compile(
    r"^\s*(?:[-•*]\s*|\d{1,3}[.)]?\s+|-\s*\d{1,3}\.\s*|\[\d{1,3}\]\s*)?"  # bullet or number
    r"[A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+)?,?\s+(?:[A-Z]{1,3}\b|[A-Z]\.)"  # first author
    r".*(?:\b(?:19|20)\d{2}\s*[;:,.]\s*\d+|\(\s*(?:19|20)\d{2}\s*\)|doi)",
)
KEYWORD_LINE = re.compile(r"^\s*(?:key\s?words?|mesh terms|index terms|subject headings)\b", re.IGNORECASE)
BOILERPLATE_LINE = re.compile(
    r"^\s*(?:disclaimer|copyright|©|\(c\)\s*\d{4}|all rights reserved|cookie|privacy policy|terms of use)\b",
    re.IGNORECASE,
)
SELF_CITATION_LINE = re.compile(
    r"^\s*(?:how to cite this (?:article|url|paper)|(?:please )?cite this (?:article|paper)(?: as)?|to cite this (?:article|paper)|suggested citation)\s*:",
    re.IGNORECASE,
)
LEGEND_ENTRY = re.compile(
    r"(?:(?<=^)|(?<=;\s)|(?<=\.\s))([A-Z][A-Za-z0-9\-]{0,9}),\s+([A-Za-z][^;:.]{1,80}?)(?=;|\.(?:\s|$)|$)"
)


@dataclass
class Scope:
    """Character ranges outside the extraction scope, each with a reason."""

    excluded: list[tuple[int, int, str]]

    def reason_at(self, start: int, end: int) -> str | None:
        for low, high, reason in self.excluded:
            if start < high and low < end:
                return reason
        return None


def article_segments(structure: Structure) -> list[tuple[int, int]]:
    """(start, end) of each article-like segment of the file."""
    cuts = [0]
    for line in structure.lines:
        if ARTICLE_START.match(line.text) and line.start > 0:
            cuts.append(line.start)
    cuts.append(len(structure.text))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def repeated_runs(structure: Structure, *, min_run: int = 3, min_chars: int = 20) -> list[tuple[int, int]]:
    """Ranges covered by runs of >= min_run sentences that all occurred earlier.

    A sentence occurred earlier when an earlier sentence has its normalized text;
    a file whose sentences are all distinct (most) has no run."""
    text = structure.text
    keys = [" ".join(text[start:end].split()).lower() for start, end in structure.sentences]
    first: dict[str, int] = {}
    for k, key in enumerate(keys):
        first.setdefault(key, k)
    if len(first) == len(keys):
        return []
    flags = [len(key) >= min_chars and first[key] < k for k, key in enumerate(keys)]
    runs = []
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(flags) and flags[j + 1]:
            j += 1
        if j - i + 1 >= min_run:
            runs.append((structure.sentences[i][0], structure.sentences[j][1]))
        i = j + 1
    return runs


def reference_ranges(structure: Structure, segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    ranges = []
    headings = structure.sections
    article_starts = [s for s, _ in segments]
    for index, (start, name, _) in enumerate(headings):
        if name == "references":
            stops = [s for s, _, _ in headings[index + 1 :]] + [s for s in article_starts if s > start]
            end = min(stops, default=len(structure.text))
            ranges.append((start, _first_prose(structure.lines, start, end)))
    for line in structure.lines:
        if len(line.text) > 40 and REFERENCE_LINE.match(line.text):
            ranges.append((line.start, line.end))
    return ranges


def _first_prose(lines: list[Line], start: int, end: int) -> int:
    """The start of the first prose line starting inside (start, end), else ``end``:
    lines are in text order, so the search starts by bisection and stops at ``end``."""
    k = bisect.bisect_right(lines, start, key=lambda line: line.start)
    for line in lines[k:]:
        if line.start >= end:
            break
        if _is_prose(line.text):
            return line.start
    return end


_SENTENCE_BREAK = re.compile(r"[a-z)][.!?]\d{0,3}\s+[A-Z]")
_CITATION_SHAPE = re.compile(r"\b(?:19|20)\d{2}\s*[;:]\s*\d|\bdoi\b|\bet al\b|\bvol\.|\bpp\.", re.IGNORECASE)


def _is_prose(text: str) -> bool:
    """A paragraph of running text (several sentences, no citation shape): a
    "References" heading a web page shows above its article text is no
    reference list there ("What's your diagnosis?" / "References" / the answer)."""
    return len(text) > 200 and len(_SENTENCE_BREAK.findall(text)) >= 2 and not _CITATION_SHAPE.search(text)


def initials_match(abbreviation: str, expansion: str) -> bool:
    """ "TST" ~ "topical sodium thiosulfate": the capitals are the words' initials in order."""
    letters = [c.lower() for c in abbreviation if c.isupper()]
    initials = [w[0].lower() for w in re.split(r"[\s\-]+", expansion) if w]
    k = 0
    for initial in initials:
        if k < len(letters) and initial == letters[k]:
            k += 1
    return len(letters) >= 2 and k == len(letters) and initials[:1] == letters[:1]


def legend_entries(structure: Structure) -> list[tuple[int, int, str, str]]:
    """(start, end, abbreviation, expansion) of abbreviation-legend entries:
    "ABBR, expansion;" two or more on a line, or one whose expansion spells the
    abbreviation. They are definitions, not mentions, but they teach the paper's
    abbreviations ("IL, intralesional")."""
    if "legends" not in structure.derived:
        structure.derived["legends"] = _find_legend_entries(structure)
    entries: list[tuple[int, int, str, str]] = structure.derived["legends"]  # type: ignore[assignment]  # set just above
    return entries  # read by the drug tagger, the scope and the route learner


# what every LEGEND_ENTRY match holds inside its line: a short capitalised word, a comma, a space
_LEGEND_HINT = re.compile(r"[A-Z][A-Za-z0-9\-]{0,9},\s")


def _find_legend_entries(structure: Structure) -> list[tuple[int, int, str, str]]:
    """Only the lines holding a :data:`_LEGEND_HINT` are searched (one scan of the text finds them)."""
    found = []
    lines = structure.lines
    starts = [line.start for line in lines]
    hints: dict[int, list[int]] = {}  # line number → the hints' offsets in the line
    for hint in _LEGEND_HINT.finditer(structure.text):
        k = bisect.bisect_right(starts, hint.start()) - 1
        if k >= 0:
            hints.setdefault(k, []).append(hint.start() - starts[k])
    for k in sorted(hints):
        line = lines[k]
        entries = [
            m for m in _legend_matches(line.text, hints[k]) if line.text[m.end() : m.end() + 1] in (";", ".", "")
        ]
        several = len(entries) >= 2 and ";" in line.text
        for m in entries:
            if several or initials_match(m.group(1), m.group(2)):
                found.append((line.start + m.start(), line.start + m.end(), m.group(1), m.group(2).strip()))
    return found


def _legend_matches(text: str, hints: list[int]) -> list[re.Match]:
    """``LEGEND_ENTRY.finditer(text)``, tried only at the line's hints: every
    entry opens with a hint, and the text's one scan for hints reports it (an
    earlier hint it might overlap is a word the entry's look-behind rules out)."""
    found = []
    position = 0
    for offset in hints:
        if offset >= position:
            match = LEGEND_ENTRY.match(text, offset)
            if match is not None:
                found.append(match)
                position = match.end()
    return found


def legend_ranges(structure: Structure) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _, _ in legend_entries(structure)]


def find_scope(structure: Structure, mentions_sts) -> Scope:
    """Excluded ranges of a document.

    ``mentions_sts(start, end)`` says whether a text range names sodium
    thiosulfate; a segment without STS is another article.
    """
    excluded: list[tuple[int, int, str]] = []
    segments = article_segments(structure)
    for start, end in segments:
        if not mentions_sts(start, end):
            excluded.append((start, end, "other_article"))
    excluded += [(a, b, "repeated_block") for a, b in repeated_runs(structure)]
    excluded += [(a, b, "references") for a, b in reference_ranges(structure, segments)]
    excluded += [(a, b, "legend") for a, b in legend_ranges(structure)]
    # the line kinds, tested in one pass over the lines (the list is sorted below)
    for line in structure.lines:
        for pattern, reason in _LINE_KINDS:
            if pattern.match(line.text):
                excluded.append((line.start, line.end, reason))
    return Scope(sorted(excluded))


_LINE_KINDS = ((KEYWORD_LINE, "keywords"), (SELF_CITATION_LINE, "self_citation"), (BOILERPLATE_LINE, "boilerplate"))
