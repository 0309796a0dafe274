"""Source of a mention: the paper's own data (``this_study``) or another study (``cited``).

Evidence, strongest first, looked for in the mention's clause and then its
sentence: a citation marker (superscript, bracketed or parenthesized number,
a digit glued after a full stop, "et al., 2012") → cited; a first-person or
this-study cue ("we", "our patient", "this case") → this_study; a reporting
cue ("has been reported", "in another study", "case reports") → cited. A
sentence without evidence inherits a cited state from earlier sentences of
its paragraph (a case retold over several sentences; the rows of one table
are one paragraph), then the section's
default: background sections are cited, everything else this_study, except in
a document that never shows its own study (no first-person or this-study cue,
no patient narrative, no structured Methods/Results: news items, drug
monographs, narrative reviews), whose default is cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.rules.loader import RegexRule, load_rule_set
from extractor.text.structure import Structure

CITED, THIS_STUDY = "cited", "this_study"
CITED_SECTIONS = {"introduction"}
OWN_DATA_SECTIONS = {"methods", "results"}
_CLAUSE_BREAK = re.compile(r";|,\s*(?:but|however|whereas|while|although)\b|\s(?:but|whereas)\s")
_END_PUNCT = re.compile(r"[.!?:]\s*(?:<sup>[^<]*</sup>|[\d,–⁰¹²³⁴⁵⁶⁷⁸⁹\s]|\^\{[^}]*\})*$")


@dataclass
class SentenceEvidence:
    markers: bool
    own: bool
    cited_cue: bool

    def verdict(self) -> str | None:
        if self.markers:
            return CITED
        if self.own:
            return THIS_STUDY
        if self.cited_cue:
            return CITED
        return None


class SourceAttributor:
    """Assigns ``this_study`` / ``cited`` to offsets of one document."""

    def __init__(self, structure: Structure, patterns: CitationPatterns | None = None) -> None:
        self.structure = structure
        patterns = patterns or CitationPatterns.of(load_rule_set().citations)
        self.sentence_source: list[str] = []
        self.sentence_default: list[str] = []  # what a sentence without evidence would get
        study_cues, self._course, self._combined = patterns.study_cues, patterns.course, patterns.combined
        self.reports_own_study = any(name in OWN_DATA_SECTIONS for _, name, _ in structure.sections) or (
            study_cues is not None and _search_multiline(study_cues, structure.text)
        )
        self._compute()

    def _search(self, kind: str, text: str) -> bool:
        pattern = self._combined[(kind, "\t" in text)]
        return pattern is not None and pattern.search(text) is not None

    def evidence(self, text: str) -> SentenceEvidence:
        return SentenceEvidence(
            self._search("marker", text), self._search("own_cue", text), self._search("cited_cue", text)
        )

    def _compute(self) -> None:
        text = self.structure.text
        sticky: str | None = None
        previous_end = 0
        previous_text = ""
        previous_section = None
        for start, end in self.structure.sentences:
            section = self.structure.section_at(start)
            gap = text[previous_end:start]
            sentence = text[start:end]
            continues = sentence[:1].islower() and not _END_PUNCT.search(previous_text)
            new_section = any(previous_end < start_ <= start for start_, _, _ in self.structure.sections)
            same_table = sentence.lstrip().startswith("|") and previous_text.lstrip().startswith("|")
            if ("\n" in gap and not continues and not same_table) or section != previous_section or new_section:
                sticky = None
            evidence = self.evidence(sentence)
            if section in OWN_DATA_SECTIONS:
                # a case report's own narrative: only an explicit marker makes a sentence cited
                evidence.cited_cue = False
            verdict = evidence.verdict()
            if verdict == CITED and not evidence.own and section not in OWN_DATA_SECTIONS:
                sticky = CITED
            elif verdict == THIS_STUDY:
                sticky = None
            elif (
                verdict is None
                and self.reports_own_study
                and self._course is not None
                and self._course.search(sentence)
            ):
                sticky = None  # "IV sodium thiosulfate was started ..." after a cited background sentence
            default = sticky or (CITED if section in CITED_SECTIONS or not self.reports_own_study else THIS_STUDY)
            self.sentence_default.append(default)
            self.sentence_source.append(verdict or default)
            previous_end, previous_text, previous_section = end, sentence, section

    def nearest_cue(self, text: str, position: int, *, own_data_section: bool) -> str | None:
        """When a stretch of text holds both own-study and cited evidence, the cue
        nearest the mention decides ("In this series, intralesional STS produced
        ..., in line with earlier reports (5,6)" → this_study)."""
        found: list[tuple[int, str]] = []
        for kind in ("marker", "own_cue", "cited_cue"):
            pattern = self._combined[(kind, "\t" in text)]
            if pattern is None or (kind == "cited_cue" and own_data_section):
                continue
            verdict = THIS_STUDY if kind == "own_cue" else CITED
            found += [
                (min(abs(m.start() - position), abs(m.end() - position)), verdict) for m in pattern.finditer(text)
            ]
        if len({verdict for _, verdict in found}) < 2:
            return None
        return min(found)[1]

    def source_of(self, sentence_index: int, start: int, end: int) -> str:
        """Source for a mention at [start, end) in the given sentence."""
        s_start, s_end = self.structure.sentences[sentence_index]
        sentence = self.structure.text[s_start:s_end]
        clause = _clause(sentence, start - s_start, end - s_start)
        own_data = self.structure.section_at(s_start) in OWN_DATA_SECTIONS
        clause_offset = s_start + sentence.find(clause) if clause in sentence else s_start
        mixed = self.nearest_cue(clause, start - clause_offset, own_data_section=own_data)
        if mixed:
            return mixed
        if clause != sentence:
            evidence = self.evidence(clause)
            if own_data:
                evidence.cited_cue = False
            # a clause speaks for itself: evidence elsewhere in the sentence belongs to another clause
            return evidence.verdict() or self.sentence_default[sentence_index]
        return self.sentence_source[sentence_index]


@dataclass(frozen=True)
class CitationPatterns:
    """The citation rules combined into one pattern per kind of evidence (with and
    without table rows), compiled once per rule set, not per document."""

    study_cues: re.Pattern[str] | None
    course: re.Pattern[str] | None
    combined: dict[tuple[str, bool], re.Pattern[str] | None]

    @classmethod
    def of(cls, rules: Sequence[RegexRule]) -> CitationPatterns:
        return cls(
            _combine([r for r in rules if r.data["kind"] in ("own_cue", "study_cue", "narrative_cue")]),
            _combine([r for r in rules if r.data["kind"] == "course_cue"]),
            {
                (kind, tables): _combine(
                    [r for r in rules if r.data["kind"] == kind and (not tables or r.data.get("in_tables", True))]
                )
                for kind in ("marker", "own_cue", "cited_cue")
                for tables in (False, True)
            },
        )


def _combine(rules: list[RegexRule]) -> re.Pattern[str] | None:
    """One alternation per evidence kind (each rule keeps its own case flag)."""
    if not rules:
        return None
    parts = [f"(?{'i' if r.regex.flags & re.IGNORECASE else '-i'}:{r.regex.pattern})" for r in rules]
    return re.compile("|".join(parts))


def _search_multiline(pattern: re.Pattern[str], text: str) -> bool:
    """Search with ``^`` matching at every line start (structured abstract headings)."""
    return re.compile(pattern.pattern, pattern.flags | re.MULTILINE).search(text) is not None


def _clause(sentence: str, start: int, end: int) -> str:
    cuts = [0] + [m.start() for m in _CLAUSE_BREAK.finditer(sentence)] + [len(sentence)]
    for left, right in zip(cuts, cuts[1:]):
        if left <= start < right:
            return sentence[left:right]
    return sentence
