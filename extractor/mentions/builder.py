"""The shared part of every resolver: one document's sentences, word sets,
candidates by field, and the one place a Mention is built."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import LOWER
from spacy.tokens import Doc, Span

from extractor.ingest.document import Document
from extractor.mentions.attribution import THIS_STUDY, SourceAttributor
from extractor.mentions.doc_arrays import arrays_of
from extractor.mentions.outcomes import (
    success_means_complete,
)
from extractor.nlp.extensions import doc_value, span_value
from extractor.nlp.field_matcher import CANDIDATES
from extractor.schema import Mention
from extractor.text.scope import Scope, legend_entries
from extractor.text.structure import Structure, paragraphs

if TYPE_CHECKING:
    from extractor.mentions.component import MentionStage
    from extractor.rules.loader import Rule

NUMERIC_FIELDS = ("dose", "concentration", "lesion_size")
# how far (characters) from a name of STS a "not given" phrase still speaks of it
_NOT_GIVEN_REACH = 80


class MentionBuilder:
    """The per-document filtering and normalization steps."""

    def __init__(
        self,
        stage: MentionStage,
        document: Document,
        doc: Doc,
        text: str,
        structure: Structure,
        scope: Scope,
        sts_names: list[Span] | None = None,
        lower_keys: numpy.ndarray | None = None,
    ):
        """``sts_names``: the STS entities of ``doc`` in text order, and ``lower_keys``
        its LOWER column, when the caller has them."""
        self.x = stage
        self.lex = stage.lexicons.words
        self.document = document
        self.doc = doc
        self.text = text
        self.structure = structure
        self.scope = scope
        self.sentence_starts = [s for s, _ in structure.sentences]
        self.excluded_cells = self._excluded_cells()
        self.learned_categories: dict[int, str] = {}
        self.header_rows = [(t.header[0].start, t.header[-1].end) for t in structure.tables]
        self._sentence_words: dict[int, set[str]] = {}
        self._sentence_lemmas: dict[int, set[str]] = {}
        self._regimen_tables: dict[int, bool] = {}
        self._sentence_texts: dict[int, str] = {}  # a mention's sentence, whitespace-normalized once
        self.columns = arrays_of(doc)
        self.sts_names = [ent for ent in doc.ents if ent.label_ == "STS"] if sts_names is None else sts_names
        self._sts_chars = [ent.start_char for ent in self.sts_names]
        first = self.sts_names[0].start if self.sts_names else 0
        self.first_sts_sentence_start = doc[first].sent.start if len(doc) else 0
        self.sts_sentence_chars = sorted({ent.sent.start_char for ent in self.sts_names})
        self._lower_keys = lower_keys
        # while ``_deferring``, a mention's source is worked out only if it survives the
        # overlap removal (:meth:`settle_sources`): the attribution is the dearest step
        self._deferring = False
        self._unsourced: list[tuple[Mention, int]] = []  # (mention, its sentence index)

    @cached_property
    def own_sts(self) -> bool:
        """Whether the paper names STS in a sentence about its own study: where STS
        is only told from the literature ("ongoing trials with sodium thiosulphate"),
        the paper's own lesions and results are not those of lesions treated with it;
        nor where the paper says its patient did not get it ("was not available and
        not given")."""
        if not self.structure.sentences:
            return bool(self.sts_names)  # no sentences to judge: a mention's source is this_study too
        not_given = self.x.not_given
        for ent in self.sts_names:
            index = self.sentence_index(ent.start_char)
            if self.attributor.source_of(index, ent.start_char, ent.end_char) != THIS_STUDY:
                continue
            s_start, s_end = self.structure.sentences[index]
            # the phrase near the drug's name, as whole words: "data were unavailable" at
            # the other end of the sentence says nothing of the drug
            near = self.text[
                max(s_start, ent.start_char - _NOT_GIVEN_REACH) : min(s_end, ent.end_char + _NOT_GIVEN_REACH)
            ]
            near = " ".join(near.lower().split())
            if not_given is None or not not_given.search(near):
                return True
        return False

    @cached_property
    def attributor(self) -> SourceAttributor:
        """Built on the first mention: a document whose candidates all fail reads no sources."""
        return SourceAttributor(self.structure, self.x.citation_patterns)

    @cached_property
    def success_is_complete(self) -> bool:
        """Searched over the whole text only when a success rate asks."""
        return success_means_complete(self.text)

    @cached_property
    def _paragraphs(self) -> list[tuple[int, int]]:
        return paragraphs(self.structure)

    @cached_property
    def _paragraph_starts(self) -> list[int]:
        return [start for start, _ in self._paragraphs]

    @cached_property
    def _section_reach(self) -> tuple[list[int], list[str]]:
        """Per section, the furthest start up to it, and its name: ``structure.section_at``
        (the last section before the first one starting after an offset) is one bisection."""
        reach: list[int] = []
        names: list[str] = []
        for start, name, _ in self.structure.sections:
            reach.append(max(start, reach[-1]) if reach else start)
            names.append(name)
        return reach, names

    def _section_before(self, offset: int) -> int:
        """The number of sections up to the first one starting after ``offset`` (one bisection)."""
        return bisect.bisect_right(self._section_reach[0], offset)

    def section_at(self, offset: int) -> str:
        """``structure.section_at(offset)``, by bisection (a mention asks it once)."""
        k = self._section_before(offset)
        return self._section_reach[1][k - 1] if k else "body"

    def paragraph_at(self, offset: int) -> tuple[int, int]:
        """The paragraph (blank-line separated block) holding ``offset``."""
        k = bisect.bisect_right(self._paragraph_starts, offset) - 1
        return self._paragraphs[k] if k >= 0 else (0, len(self.text))

    def names_sts_between(self, start: int, end: int) -> bool:
        """Whether an STS name starts in the text range [start, end)."""
        k = bisect.bisect_left(self._sts_chars, start)
        return k < len(self._sts_chars) and self._sts_chars[k] < end

    def sts_enters_case_after(self, sentence: Span) -> bool:
        """Whether ``sentence`` lies in a case narrative section ("Case Description")
        before STS is named in that section: the patient's course up to then is
        history, whatever the background said of STS before the case."""
        k = self._section_before(sentence.start_char)  # the sections before the first one opening after it
        if not k or self.structure.sections[k - 1][1] != "methods":
            return False
        k = bisect.bisect_left(self.sts_sentence_chars, self.structure.sections[k - 1][0])
        return k == len(self.sts_sentence_chars) or sentence.end_char <= self.sts_sentence_chars[k]

    def sentence_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, offset) - 1)

    def _excluded_cells(self) -> list[tuple[int, int]]:
        cells = []
        for table in self.structure.tables:
            columns = {c.column for c in table.header if (r := self.x.classify_header(c.text)) and r.field == "exclude"}
            cells += [(c.start, c.end) for row in table.rows[1:] for c in row if c.column in columns]
        return cells

    @cached_property
    def _excluded_cell_reach(self) -> tuple[list[int], list[int]]:
        return starts_and_reach(self.excluded_cells)

    def _in_excluded_cell(self, start: int, end: int) -> bool:
        """Whether an excluded cell holds [start, end): of the cells starting at or
        before ``start``, the one reaching furthest reaches ``end`` (one bisection; a
        long table's excluded column has thousands of cells)."""
        starts, reach = self._excluded_cell_reach
        k = bisect.bisect_right(starts, start)
        return k > 0 and reach[k - 1] >= end

    def words_of(self, sentence: Span) -> set[str]:
        """The sentence's lower-case words, computed once per sentence."""
        if sentence.start not in self._sentence_words:
            self._sentence_words[sentence.start] = set(self.columns.lowers(sentence.start, sentence.end))
        return self._sentence_words[sentence.start]

    def lemmas_of(self, sentence: Span) -> set[str]:
        if sentence.start not in self._sentence_lemmas:
            self._sentence_lemmas[sentence.start] = {t.lemma_.lower() for t in sentence}
        return self._sentence_lemmas[sentence.start]

    def _sentence_ok(self, span: Span, rule: Rule) -> bool:
        if not rule.sentence_requires:
            return True
        words = self.words_of(span.sent)
        for requirement in rule.sentence_requires:
            if requirement.startswith("@"):
                if words & self.x.lexicons.word_set(requirement[1:]):
                    return True
            elif requirement.lower() in words:
                return True
        return False

    @cached_property
    def _scope_reach(self) -> tuple[list[int], list[int]]:
        return starts_and_reach([(low, high) for low, high, _ in self.scope.excluded])

    def out_of_scope(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps an out-of-scope range: ``scope.reason_at``
        by bisection (every reason is a word, so a reason is found exactly when a
        range overlaps)."""
        starts, reach = self._scope_reach
        k = bisect.bisect_left(starts, end)  # the ranges starting before ``end``
        return k > 0 and reach[k - 1] > start

    def candidates(self) -> dict[str, list[Span]]:
        by_field: dict[str, list[Span]] = {}
        covered: list[tuple[int, int]] = []  # every candidate's tokens, for the learned abbreviations
        by_id, text, out_of_scope = self.x.by_id, self.text, self.out_of_scope
        # a span's rule and label by their string keys: ``span.id_`` and ``span.label_``
        # decode a new string on every read, and a dense paper has thousands of candidates
        # from a few dozen rules
        strings = self.doc.vocab.strings
        rules: dict[int, Rule] = {}
        labels: dict[int, str] = {}
        for span in self.doc.spans[CANDIDATES]:
            covered.append((span.start, span.end))
            rule = rules.get(span.id)
            if rule is None:
                rule = rules[span.id] = by_id[span.id_]
            start, end = span.start_char, span.end_char
            if out_of_scope(start, end):
                continue
            if rule.sentence_requires and not self._sentence_ok(span, rule):
                continue
            label = labels.get(span.label)
            if label is None:
                label = labels[span.label] = strings[span.label]
            if label in NUMERIC_FIELDS and "\t" in text[start:end]:
                continue
            by_field.setdefault(label, []).append(span)
        by_field.setdefault("route", []).extend(self._learned_route_abbreviations(covered))
        return by_field

    def _learned_route_abbreviations(self, covered: list[tuple[int, int]]) -> list[Span]:
        """Route abbreviations the paper defines, in the text ("intralesional (IL)")
        or in a legend ("IL, intralesional"), wherever they occur outside the
        ``covered`` token ranges (the candidates'). Tokens are found by their
        lower-case form in the LOWER column the stage read, then by their exact text.

        The short forms and their long forms are read where spaCy keeps the
        extensions (``doc.user_data``, keyed by character bounds): ``short._.long_form``
        builds an Underscore object per read, and a long form is read once."""
        defined: dict[str, str] = {}
        route_of: dict[tuple[int, int], str | None] = {}  # per long form's bounds, its route category
        for short in doc_value(self.doc, "abbreviations") or []:
            long_form = span_value(short, "long_form")
            if long_form is None:
                continue
            long_bounds = (long_form.start, long_form.end)
            if long_bounds not in route_of:
                route_of[long_bounds] = self.x.route_words.get(long_form.text.lower())
            category = route_of[long_bounds]
            if category is not None:
                defined[short.text] = category
        for _, _, short_text, expansion in legend_entries(self.structure):
            if expansion.lower() in self.x.route_words:
                defined[short_text] = self.x.route_words[expansion.lower()]
        if not defined:
            return []
        lowers = self._lower_keys if self._lower_keys is not None else self.doc.to_array(LOWER)
        ids = numpy.array([self.doc.vocab.strings.add(short.lower()) for short in defined], dtype="uint64")
        hits = numpy.flatnonzero(numpy.isin(lowers, ids)).tolist()
        if not hits:
            return []
        matched = {i for start, end in covered for i in range(start, end)}
        found = []
        for i in hits:
            if i in matched:
                continue  # a candidate's token (most hits: the rules know the common short forms)
            token = self.doc[i]
            if token.text not in defined:
                continue  # another case of the short form ("Il" for "IL")
            if not self.out_of_scope(token.idx, token.idx + len(token.text)):
                span = Span(self.doc, i, i + 1, label="route", span_id="route.learned_abbreviation")
                self.learned_categories[span.start] = defined[token.text]
                found.append(span)
        return found

    def category_of(self, span: Span) -> str | None:
        if span.id_ == "route.learned_abbreviation":
            return self.learned_categories[span.start]
        return self.x.by_id[span.id_].category

    def mention(
        self, field: str, start: int, end: int, *, values=(None, None, None), category=None, rule_id=""
    ) -> Mention:
        index = self.sentence_index(start)
        sentence = self._sentence_texts.get(index)
        if sentence is None:
            s_start, s_end = self.structure.sentences[index] if self.structure.sentences else (0, len(self.text))
            sentence = self._sentence_texts[index] = " ".join(self.text[s_start:s_end].split())
        defer = self._deferring and bool(self.structure.sentences)
        found = Mention(
            doc_id=self.document.doc_id,
            field=field,
            text=self.text[start:end],
            start=start,
            end=end,
            value_min=values[0],
            value_max=values[1],
            unit=values[2],
            category=category,
            source=""
            if defer
            else (self.attributor.source_of(index, start, end) if self.structure.sentences else "this_study"),
            sentence=sentence,
            pattern_id=rule_id,
            section=self.section_at(start),
            page=self.document.page_at(start),
        )
        if defer:
            self._unsourced.append((found, index))
        return found

    @contextmanager
    def sources_deferred(self) -> Iterator[None]:
        """Within the block, mentions are made without their source: the caller
        settles the sources of those it keeps (:meth:`settle_sources`)."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False

    def settle_sources(self, kept: list[Mention]) -> None:
        """The sources of the deferred mentions among ``kept`` (the others are
        dropped), in the order they were made; the source of a mention depends only
        on its sentence and bounds, not on which mentions were judged before."""
        ids = {id(m) for m in kept}
        for found, index in self._unsourced:
            if id(found) in ids:
                found.source = self.attributor.source_of(index, found.start, found.end)
        self._unsourced = []


def starts_and_reach(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The ranges' starts, sorted, and the furthest end of the ranges up to each:
    which ranges hold or overlap a stretch is then one bisection."""
    starts: list[int] = []
    reach: list[int] = []
    for low, high in sorted(ranges):
        starts.append(low)
        reach.append(max(high, reach[-1]) if reach else high)
    return starts, reach


def longest_first(spans: list[Span]) -> list[Span]:
    """Among overlapping candidates keep the longest, before any filter runs, so a
    hedge that removes "lack of further improvement" also removes "improvement".

    Kept spans never overlap, so sorted by start they are sorted by end too: one
    bisection finds the only neighbours that could overlap (as in :func:`without_overlaps`)."""
    bounds: list[tuple[int, int]] = []  # the kept spans' (start, end), sorted
    kept: list[Span] = []  # the kept spans, in the same order
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        start, end = span.start, span.end
        k = bisect.bisect_left(bounds, (start, end))
        if (k > 0 and bounds[k - 1][1] > start) or (k < len(bounds) and bounds[k][0] < end):
            continue
        bounds.insert(k, (start, end))
        kept.insert(k, span)
    return kept


def merge_overlapping(spans: list[Span]) -> list[Span]:
    """Overlapping candidates of one field are parts of one quantity ("<5 mm" and
    "5 mm in diameter"): their union, named after all their rules ("a+b")."""
    groups: list[list[Span]] = []
    reach = 0  # the furthest end in the last group
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if groups and span.start < reach:
            groups[-1].append(span)
            reach = max(reach, span.end)
        else:
            groups.append([span])
            reach = span.end
    merged = []
    for group in groups:
        if len(group) == 1:
            merged.append(group[0])  # a candidate overlapping none is its own union
            continue
        rule_ids = "+".join(dict.fromkeys(s.id_ for s in group))
        merged.append(
            Span(group[0].doc, group[0].start, max(s.end for s in group), label=group[0].label, span_id=rule_ids)
        )
    return merged


def without_overlaps(mentions: list[Mention], *, group) -> list[Mention]:
    """Keep the first-listed, then longest, mention among overlapping ones of a group.

    Kept spans of a group never overlap, so sorted by start they are sorted by
    end too: one bisection finds the only neighbours that could overlap
    (linear-logarithmic; a 15,000-row table no longer takes quadratic time)."""
    order = sorted(range(len(mentions)), key=lambda i: (-(mentions[i].end - mentions[i].start), i))
    kept: list[Mention] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for i in order:
        m = mentions[i]
        spans = taken.setdefault(group(m), [])
        k = bisect.bisect_left(spans, (m.start, m.end))
        if (k > 0 and spans[k - 1][1] > m.start) or (k < len(spans) and spans[k][0] < m.end):
            continue
        spans.insert(k, (m.start, m.end))
        kept.append(m)
    return kept
