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

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from extractor.rules.loader import RegexRule, alternation, load_rule_set
from extractor.rules.prefilter import FOLDS_TO_ASCII, Scanner, folded, may_match, required_words, scanner
from extractor.text.structure import Structure

CITED, THIS_STUDY = "cited", "this_study"
CITED_SECTIONS = {"introduction"}
OWN_DATA_SECTIONS = {"methods", "results"}
_CLAUSE_BREAK = re.compile(r";|,\s*(?:but|however|whereas|while|although)\b|\s(?:but|whereas)\s")
_BREAK_WORDS = ("but", "however", "whereas", "while", "although")  # every break holds ";" or one of them
_END_PUNCT = re.compile(r"[.!?:]\s*(?:<sup>[^<]*</sup>|[\d,–⁰¹²³⁴⁵⁶⁷⁸⁹\s]|\^\{[^}]*\})*$")


class SourceAttributor:
    """Assigns ``this_study`` / ``cited`` to offsets of one document."""

    def __init__(self, structure: Structure, patterns: CitationPatterns | None = None) -> None:
        self.structure = structure
        patterns = patterns or CitationPatterns.of(load_rule_set().citations)
        self._combined, self._plans = patterns.combined, patterns.plans
        # the course cues tried only where their words occur (they open with a \b: re tries every position)
        self._course_rules = patterns.course_rules
        self._background_label, self._section_label = patterns.background_label, patterns.section_label
        self.reports_own_study = any(name in OWN_DATA_SECTIONS for _, name, _ in structure.sections) or (
            patterns.study_cues_multiline is not None
            and patterns.study_cues_multiline.search(structure.text) is not None
        )
        # a text without the chars that fold to ASCII by case folding only (none of the
        # document's) is lower-cased for the rules' prefilters as it is
        self._foldless = not any(map(structure.text.__contains__, FOLDS_TO_ASCII))
        # per kind of evidence, whether a text holds it: searched once per distinct
        # text, and only when a verdict asks for that kind
        self._found: dict[str, dict[str, bool]] = {"marker": {}, "own_cue": {}, "cited_cue": {}}
        self._cuts: dict[
            int, list[int]
        ] = {}  # per sentence index, its clause breaks (several mentions share a sentence)
        self._clause_sources: dict[tuple[int, int, int], str] = {}  # by (sentence, clause bounds)
        # Sentences are judged on demand (most hold no candidate): a verdict needs
        # only the sentences since the last reset of the cited run before it, and
        # a sentence's section and run start are worked out when a verdict asks
        self._section_starts = sorted(start for start, _, _ in structure.sections)
        self._section_names: list[str | None] = [None] * len(structure.sentences)
        self._reset_at: list[bool | None] = [None] * len(structure.sentences)
        self._background = self._label_runs(self._background_label)
        # a structured abstract's Methods, Results or Case report run tells the paper's own study
        self._own_run = self._label_runs(patterns.own_data_label)
        self._judged: list[tuple[str, str, str | None] | None] = [None] * len(structure.sentences)
        self._verdicts: list[tuple[str | None, str | None, bool] | None] = [None] * len(structure.sentences)

    def _search(self, kind: str, text: str, lowered: str | None) -> bool:
        """Whether a rule of ``kind`` matches: rule by rule, those whose words occur
        only (the words are looked for here, in one loop: most texts hold no
        rule's words, and a call per rule would cost more than the look)."""
        for words, ignore_case, search in self._plans[(kind, "\t" in text)]:
            if words is not None:
                haystack = lowered if ignore_case else text
                if haystack is not None and not any(map(haystack.__contains__, words)):
                    continue
            if search(text, lowered):
                return True
        return False

    def _has(self, kind: str, text: str) -> bool:
        """Whether ``text`` holds evidence of ``kind`` (searched once per distinct text)."""
        found = self._found[kind]
        has = found.get(text)
        if has is None:
            has = found[text] = self._search(kind, text, text.lower() if self._foldless else folded(text))
        return has

    def _own_data(self, k: int) -> bool:
        """Whether sentence ``k`` tells the paper's own data: a Methods or Results
        section, or a structured abstract's own-data run."""
        return self._section(k) in OWN_DATA_SECTIONS or self._own_run[k]

    def _section(self, k: int) -> str:
        """The section of sentence ``k`` (``structure.section_at`` of its start)."""
        name = self._section_names[k]
        if name is None:
            name = self._section_names[k] = self.structure.section_at(self.structure.sentences[k][0])
        return name

    def _mixed(self, text: str, own_data: bool) -> bool:
        """Whether ``text`` holds both own-study and cited evidence (in the paper's
        own data only a marker counts as cited)."""
        return self._has("own_cue", text) and (
            self._has("marker", text) or (not own_data and self._has("cited_cue", text))
        )

    def _verdict(self, text: str, own_data: bool) -> str | None:
        """The evidence of ``text``, strongest first; in the paper's own data
        (``own_data``) only an explicit marker makes a text cited."""
        if self._has("marker", text):
            return CITED
        if self._has("own_cue", text):
            return THIS_STUDY
        if not own_data and self._has("cited_cue", text):
            return CITED
        return None

    def _reset(self, k: int) -> bool:
        """Whether sentence ``k`` starts a new run (a paragraph or section break that
        ends any cited state inherited from the sentences before): it depends on
        sentence ``k - 1`` only, so it is worked out per sentence asked."""
        reset = self._reset_at[k]
        if reset is None:
            reset = self._reset_at[k] = self._starts_run(k)
        return reset

    def _starts_run(self, k: int) -> bool:
        """A paragraph break (not inside a continued sentence or a table) or a new section before sentence ``k``."""
        text = self.structure.text
        start, end = self.structure.sentences[k]
        previous_section: str | None
        if k:
            previous_start, previous_end = self.structure.sentences[k - 1]
            previous_section = self._section(k - 1)
        else:
            previous_start, previous_end, previous_section = 0, 0, None
        # each test only when the ones before leave the answer open (a paragraph break
        # is the only one that reads the sentences themselves)
        if "\n" in text[previous_end:start]:
            previous_text = text[previous_start:previous_end]
            sentence = text[start:end]
            continues = sentence[:1].islower() and not _END_PUNCT.search(previous_text)
            if not continues and not (sentence.lstrip().startswith("|") and previous_text.lstrip().startswith("|")):
                return True
        if self._section(k) != previous_section:
            return True
        j = bisect.bisect_right(self._section_starts, previous_end)
        return j < len(self._section_starts) and self._section_starts[j] <= start

    def _label_runs(self, opening: re.Pattern[str] | None) -> list[bool]:
        """Per sentence: inside the run of a structured abstract's label that
        ``opening`` matches ("Background and importance Calciphylaxis is ...",
        "Methods: We ..."), which goes to the next label ("Aim and objectives",
        "Results:") across paragraphs, or to the end of its paragraph when no
        label follows."""
        flags = [False] * len(self.structure.sentences)
        if opening is None:
            return flags
        text = self.structure.text
        required = required_words(opening)
        if required is not None and not may_match(required, text, folded(text) if required[0] else None):
            return flags  # no label's words anywhere: no sentence opens with one
        sentences = self.structure.sentences
        # the labels are anchored with ``^``: matched on the sentence itself, not at a ``pos`` in the text
        opened = [k for k, (a, b) in enumerate(sentences) if opening.match(text[a:b])]
        if not opened:
            return flags
        labels = [p for p in (self._background_label, self._section_label) if p is not None]
        labelled = [k for k, (a, b) in enumerate(sentences) if any(p.match(text[a:b]) for p in labels)]
        for k in opened:
            following = next((j for j in labelled if j > k), None)
            j = k
            while j < len(flags) and (j == k or (j < following if following is not None else not self._reset(j))):
                flags[j] = True
                j += 1
        return flags

    def _own_verdict(self, k: int) -> tuple[str | None, str | None, bool]:
        """(verdict, cited state it sets, whether it sets one) of sentence ``k`` on its
        own evidence, once per sentence: a sentence that sets the cited state needs
        none of the sentences before it."""
        found = self._verdicts[k]
        if found is not None:
            return found
        start, end = self.structure.sentences[k]
        sentence = self.structure.text[start:end]
        # a case report's own narrative: only an explicit marker makes a sentence cited
        own_data = self._own_data(k)
        if self._has("marker", sentence):
            # cited, but it sets the cited state only when no own-study cue competes
            sets = not own_data and not self._has("own_cue", sentence)
            found = (CITED, CITED, True) if sets else (CITED, None, False)
        elif self._has("own_cue", sentence):
            found = (THIS_STUDY, None, True)
        elif not own_data and self._has("cited_cue", sentence):
            found = (CITED, CITED, True)
        elif self.reports_own_study and self._course_rules and self._course_cue(sentence):
            found = (None, None, True)  # "IV sodium thiosulfate was started ..." after a cited background sentence
        else:
            found = (None, None, False)
        self._verdicts[k] = found
        return found

    def _course_cue(self, sentence: str) -> bool:
        """Whether a course cue ("IV sodium thiosulfate was started") occurs in ``sentence``."""
        lowered = sentence.lower() if self._foldless else folded(sentence)
        return any(rule.search(sentence, lowered) for rule in self._course_rules)

    def _judge(self, index: int) -> tuple[str, str, str | None]:
        """(source, default, cited state after it) of sentence ``index``, judging
        first the sentences of its run back to the last one that sets the cited state."""
        first = index
        while self._judged[first] is None and not self._reset(first) and first > 0 and not self._own_verdict(first)[2]:
            first -= 1
        for k in range(first, index + 1):
            if self._judged[k] is not None:
                continue
            verdict, sets, settles = self._own_verdict(k)
            if settles:
                sticky = sets
            else:
                sticky = None if self._reset(k) or k == 0 else self._judged[k - 1][2]  # type: ignore[index]  # judged above
            section = self._section(k)
            default = sticky or (
                CITED if section in CITED_SECTIONS or not self.reports_own_study or self._background[k] else THIS_STUDY
            )
            self._judged[k] = (verdict or default, default, sticky)
        return self._judged[index]  # type: ignore[return-value]  # judged above

    def nearest_cue(self, text: str, position: int, *, own_data_section: bool) -> str | None:
        """When a stretch of text holds both own-study and cited evidence, the cue
        nearest the mention decides ("In this series, intralesional STS produced
        ..., in line with earlier reports (5,6)" → this_study)."""
        if not self._mixed(text, own_data_section):
            return None
        found: list[tuple[int, str]] = []
        for kind in ("marker", "own_cue", "cited_cue"):
            pattern = self._combined[(kind, "\t" in text)]
            if pattern is None or (kind == "cited_cue" and own_data_section):
                continue
            verdict = THIS_STUDY if kind == "own_cue" else CITED
            found += [
                (min(abs(m.start() - position), abs(m.end() - position)), verdict) for m in pattern.finditer(text)
            ]
        return min(found)[1]

    def source_of(self, sentence_index: int, start: int, end: int) -> str:
        """Source for a mention at [start, end) in the given sentence: its clause's,
        judged once per clause (several mentions share one), unless the clause
        holds both kinds of evidence and the cue nearest the mention decides."""
        s_start, s_end = self.structure.sentences[sentence_index]
        cuts = self._cuts.get(sentence_index)
        if cuts is None:
            cuts = self._cuts[sentence_index] = _clause_cuts(self.structure.text[s_start:s_end])
        left, right = _clause_bounds(cuts, start - s_start)
        key = (sentence_index, left, right)
        source = self._clause_sources.get(key)
        if source is None:
            source = self._clause_sources[key] = self._clause_source(sentence_index, left, right)
        if source:
            return source
        clause = self.structure.text[s_start + left : s_start + right]
        return self.nearest_cue(clause, start - s_start - left, own_data_section=self._own_data(sentence_index)) or ""

    def _clause_source(self, sentence_index: int, left: int, right: int) -> str:
        """The source of the clause [left, right) of a sentence, or "" when it holds
        both own-study and cited evidence (the mention's position decides)."""
        s_start, s_end = self.structure.sentences[sentence_index]
        sentence = self.structure.text[s_start:s_end]
        clause = sentence[left:right]
        own_data = self._own_data(sentence_index)
        if self._mixed(clause, own_data):
            return ""
        source, default, _ = self._judge(sentence_index)
        if clause != sentence:
            # a clause speaks for itself: evidence elsewhere in the sentence belongs to another clause
            return self._verdict(clause, own_data) or default
        return source


@dataclass(frozen=True)
class CitationPatterns:
    """The citation rules combined into one pattern per kind of evidence (with and
    without table rows), compiled once per rule set, not per document."""

    study_cues: re.Pattern[str] | None
    study_cues_multiline: re.Pattern[str] | None  # ``^`` at every line start (structured abstract headings)
    course: re.Pattern[str] | None
    combined: dict[tuple[str, bool], re.Pattern[str] | None]
    background_label: re.Pattern[str] | None = None
    section_label: re.Pattern[str] | None = None  # any label that ends a run (own-data labels included)
    own_data_label: re.Pattern[str] | None = None
    # per kind, the rules one by one with their literal prefilters, unpacked once for the
    # search loop: (required words or None, case-insensitive, search)
    plans: dict[tuple[str, bool], tuple[_Plan, ...]] = field(default_factory=dict)
    course_rules: tuple[Scanner, ...] = ()  # ``course`` rule by rule

    @classmethod
    def of(cls, rules: Sequence[RegexRule]) -> CitationPatterns:
        study_cues = _combine([r for r in rules if r.data["kind"] in ("own_cue", "study_cue", "narrative_cue")])
        of_kind = {
            (kind, tables): [
                r for r in rules if r.data["kind"] == kind and (not tables or r.data.get("in_tables", True))
            ]
            for kind in ("marker", "own_cue", "cited_cue")
            for tables in (False, True)
        }
        return cls(
            study_cues,
            None if study_cues is None else re.compile(study_cues.pattern, study_cues.flags | re.MULTILINE),
            _combine([r for r in rules if r.data["kind"] == "course_cue"]),
            {key: _combine(kind_rules) for key, kind_rules in of_kind.items()},
            _combine([r for r in rules if r.data["kind"] == "background_label"]),
            _combine([r for r in rules if r.data["kind"] in ("section_label", "own_data_label")]),
            _combine([r for r in rules if r.data["kind"] == "own_data_label"]),
            {key: tuple(_plan(scanner(r.regex)) for r in kind_rules) for key, kind_rules in of_kind.items()},
            tuple(scanner(r.regex) for r in rules if r.data["kind"] == "course_cue"),
        )


_Plan = tuple[frozenset[str] | None, bool, Callable[[str, str | None], bool]]


def _plan(rule: Scanner) -> _Plan:
    """A rule's required words, whether they are case-insensitive, and its search."""
    if rule.required is None:
        return None, False, rule.search
    return rule.required[1], rule.required[0], rule.search


def _combine(rules: list[RegexRule]) -> re.Pattern[str] | None:
    """One alternation per evidence kind (each rule keeps its own case flag)."""
    return re.compile(alternation(rules)) if rules else None


def _clause_cuts(sentence: str) -> list[int]:
    """0, each clause break, the end: a sentence without a break's literal words has none."""
    if ";" not in sentence and not any(map(sentence.__contains__, _BREAK_WORDS)):
        return [0, len(sentence)]
    return [0] + [m.start() for m in _CLAUSE_BREAK.finditer(sentence)] + [len(sentence)]


def _clause_bounds(cuts: list[int], start: int) -> tuple[int, int]:
    """The clause of ``cuts`` holding offset ``start``; the whole sentence for an offset outside."""
    if len(cuts) == 2:  # a sentence without a break: its one clause either way
        return 0, cuts[1]
    for left, right in zip(cuts, cuts[1:]):
        if left <= start < right:
            return left, right
    return 0, cuts[-1]
