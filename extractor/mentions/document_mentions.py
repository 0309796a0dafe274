"""One document's candidates → mentions: filtered by scope, drug and context,
normalized, attributed, plus table cells and the evidence-table fields.

``stage`` is the ``sts_mentions_v1`` component: it holds the rules
(``by_id``, ``lexicons``, ``context``, ``route_words``, ``result_filter``)."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import ORTH
from spacy.tokens import Doc, Span

from extractor.ingest.document import Document
from extractor.mentions.attribution import SourceAttributor
from extractor.mentions.drugs import (
    belongs_to_other_drug,
    clause_names_only_other_drugs,
    previous_sentence_credits_other_drug,
    sentence_names_only_other_drugs,
)
from extractor.mentions.evidence import STOPPED, count_of, duration_days, mortality_percent, per_week
from extractor.mentions.outcomes import (
    RELABEL_RULES,
    coordinated_rates,
    rate_category,
    success_means_complete,
    symptom_category,
    widen,
)
from extractor.mentions.quantities import (
    concentration_values,
    dose_values,
    percent_in,
    size_values,
    split_dimension_change,
    unit_in,
)
from extractor.mentions.routes import filter_routes, injected_into_lesion
from extractor.mentions.tables import classify_header, table_mentions
from extractor.nlp.field_matcher import CANDIDATES
from extractor.schema import Mention
from extractor.text.scope import Scope, legend_entries
from extractor.text.structure import Structure

if TYPE_CHECKING:
    from extractor.mentions.component import MentionStage
    from extractor.rules.loader import Rule

NUMERIC_FIELDS = ("dose", "concentration", "lesion_size")
_DOSE_CHANGE = re.compile(r"(\d+(?:\.\d+)?\s*[A-Za-zµ]+)\s+to\s+(\d+(?:\.\d+)?\s*[A-Za-zµ]+)")
_ESCALATION = re.compile(
    r"\b(escalat\w*|increas\w*|titrat\w*|rais\w*|reduc\w*|decreas\w*|tapered?|switch\w*|chang\w*)\b(?:\W+\w+){0,3}\W+from\s*$"
)
# "compounded at 10% (2016-2018), 20% (2018-2020) or 25%": further strengths of a list
_LISTED_PERCENT = re.compile(
    r"(?:\s*\([^()]{0,25}\))?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|versus|vs\.?)\s+)((\d+(?:\.\d+)?)\s*%)(?!\s*of\b)"
)
_EQUIVALENT_PERCENT = re.compile(r"\s*\(\s*((\d+(?:\.\d+)?)\s*%)\s*\)")  # "250 mg/mL (25%)"


class DocumentMentions:
    """The per-document filtering and normalization steps."""

    def __init__(
        self, stage: MentionStage, document: Document, doc: Doc, text: str, structure: Structure, scope: Scope
    ):
        self.x = stage
        self.lex = stage.lexicons.words
        self.document = document
        self.doc = doc
        self.text = text
        self.structure = structure
        self.scope = scope
        self.sentence_starts = [s for s, _ in structure.sentences]
        self.attributor = SourceAttributor(structure, stage.rules.citations)
        self.success_is_complete = success_means_complete(text)
        self.excluded_cells = self._excluded_cells()
        self.learned_categories: dict[int, str] = {}
        self.header_rows = [(t.header[0].start, t.header[-1].end) for t in structure.tables]
        self._sentence_words: dict[int, set[str]] = {}
        self._sentence_lemmas: dict[int, set[str]] = {}
        self._regimen_tables: dict[int, bool] = {}
        first_sts = min((ent.start for ent in doc.ents if ent.label_ == "STS"), default=0)
        self.first_sts_sentence_start = doc[first_sts].sent.start if len(doc) else 0

    def sentence_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, offset) - 1)

    def _excluded_cells(self) -> list[tuple[int, int]]:
        cells = []
        for table in self.structure.tables:
            columns = {
                c.column
                for c in table.header
                if (r := classify_header(c.text, self.x.rules.table_headers)) and r.field == "exclude"
            }
            cells += [(c.start, c.end) for row in table.rows[1:] for c in row if c.column in columns]
        return cells

    def _in_excluded_cell(self, start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in self.excluded_cells)

    def words_of(self, sentence: Span) -> set[str]:
        """The sentence's lower-case words, computed once per sentence."""
        if sentence.start not in self._sentence_words:
            self._sentence_words[sentence.start] = {t.lower_ for t in sentence}
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

    def candidates(self) -> dict[str, list[Span]]:
        by_field: dict[str, list[Span]] = {}
        for span in self.doc.spans[CANDIDATES]:
            rule = self.x.by_id[span.id_]
            if self.scope.reason_at(span.start_char, span.end_char):
                continue
            if not self._sentence_ok(span, rule):
                continue
            if span.label_ in NUMERIC_FIELDS and "\t" in self.text[span.start_char : span.end_char]:
                continue
            by_field.setdefault(span.label_, []).append(span)
        by_field.setdefault("route", []).extend(self._learned_route_abbreviations())
        return by_field

    def _learned_route_abbreviations(self) -> list[Span]:
        """Route abbreviations the paper defines, in the text ("intralesional (IL)")
        or in a legend ("IL, intralesional"), wherever they occur."""
        defined: dict[str, str] = {}
        for short in getattr(self.doc._, "abbreviations", []) or []:
            long_form = short._.long_form
            if long_form is not None and long_form.text.lower() in self.x.route_words:
                defined[short.text] = self.x.route_words[long_form.text.lower()]
        for _, _, short_text, expansion in legend_entries(self.structure):
            if expansion.lower() in self.x.route_words:
                defined[short_text] = self.x.route_words[expansion.lower()]
        if not defined:
            return []
        matched = {t.i for s in self.doc.spans[CANDIDATES] for t in s}
        orths = self.doc.to_array(ORTH)
        ids = numpy.array([self.doc.vocab.strings.add(short) for short in defined], dtype="uint64")
        found = []
        for i in numpy.flatnonzero(numpy.isin(orths, ids)).tolist():
            token = self.doc[i]
            if i not in matched and not self.scope.reason_at(token.idx, token.idx + len(token.text)):
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
        s_start, s_end = self.structure.sentences[index] if self.structure.sentences else (0, len(self.text))
        return Mention(
            doc_id=self.document.doc_id,
            field=field,
            text=self.text[start:end],
            start=start,
            end=end,
            value_min=values[0],
            value_max=values[1],
            unit=values[2],
            category=category,
            source=self.attributor.source_of(index, start, end) if self.structure.sentences else "this_study",
            sentence=" ".join(self.text[s_start:s_end].split()),
            pattern_id=rule_id,
            section=self.structure.section_at(start),
            page=self.document.page_at(start),
        )

    def routes(self, spans: list[Span]) -> list[Mention]:
        kept = filter_routes(self.doc, spans, self.category_of, self.x.lexicons)
        result = []
        for span in kept:
            if self.x.context.modifiers(self.doc, span, "route"):
                continue
            if self._in_excluded_cell(span.start_char, span.end_char):
                continue
            category = self.category_of(span)
            if category == "injection" and injected_into_lesion(
                self.doc, span, self.x.lexicons.word_set("lesion_words")
            ):
                category = "intralesional"
            result.append(self.mention("route", span.start_char, span.end_char, category=category, rule_id=span.id_))
        return result

    def _quantity_bounds(self, span: Span) -> tuple[int, int]:
        tokens = [t for t in span if not t.is_space]
        while tokens and not (tokens[0].text[:1].isdigit() or tokens[0].lower_ in self.lex["quantity_heads"]):
            tokens.pop(0)
        if len(tokens) > 1 and tokens[0].lower_ in ("at", "up") and tokens[1].lower_ not in ("most", "least", "to"):
            tokens.pop(0)  # "compounded at 10%" (but "at most 5 mm", "up to 2.5 cm")
        while tokens and not (
            tokens[-1].text[:1].isdigit()
            or tokens[-1].lower_ in self.lex["quantity_tails"] | self.lex["unit_words"]
            or tokens[-1].text[-1:].isdigit()
        ):
            tokens.pop()
        if tokens and tokens[-1].text == ")" and not any(t.text == "(" for t in tokens):
            tokens.pop()
        if not tokens:
            return span.start_char, span.end_char
        return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)

    def _dose_parts(self, start: int, end: int) -> list[tuple[int, int]]:
        """ "escalation from 12.5 g to 25 g" is two doses; "ranged from 0.1 mL to 18 mL" one range."""
        piece = self.text[start:end]
        change = _DOSE_CHANGE.fullmatch(piece)
        before = self.text[max(0, start - 60) : start].lower()
        if change and _ESCALATION.search(before):
            return [(start + change.start(1), start + change.end(1)), (start + change.start(2), start + change.end(2))]
        return [(start, end)]

    def numeric(self, field: str, spans: list[Span]) -> list[Mention]:
        result = []
        for span in _merge_overlapping(spans):
            start, end = self._quantity_bounds(span)
            quantity = self.doc.char_span(start, end, alignment_mode="expand") or span
            if field in ("dose", "concentration") and belongs_to_other_drug(self.doc, quantity):
                continue
            if self.x.context.modifiers(self.doc, quantity, field):
                continue
            piece = self.text[start:end]
            if field == "dose":
                parts = [(a, b, dose_values(self.text[a:b])) for a, b in self._dose_parts(start, end)]
            elif field == "concentration":
                parts = [(start, end, concentration_values(piece))]
            else:
                parts = []
                for a, b in split_dimension_change(piece):
                    sub = self.text[start + a : start + b]
                    parts.append((start + a, start + b, size_values(sub, unit_in(piece))))
            for a, b, values in parts:
                if values is not None:
                    result.append(self.mention(field, a, b, values=values, rule_id=span.id_))
            if field == "concentration":
                same = _EQUIVALENT_PERCENT.match(self.text, end)
                if same:
                    value = float(same.group(2))
                    result.append(
                        self.mention(
                            field,
                            same.start(1),
                            same.end(1),
                            values=(value, value, "%"),
                            rule_id=span.id_ + "+equivalent",
                        )
                    )
                cursor = end
                while (listed := _LISTED_PERCENT.match(self.text, cursor)) is not None:
                    value = float(listed.group(2))
                    result.append(
                        self.mention(
                            field,
                            listed.start(1),
                            listed.end(1),
                            values=(value, value, "%"),
                            rule_id=span.id_ + "+listed",
                        )
                    )
                    cursor = listed.end(1)
        return result

    def outcomes(self, spans: list[Span]) -> list[Mention]:
        result = []
        for span in _longest_first(spans):
            modifiers = self.x.context.modifiers(self.doc, span, "outcome")
            negated = bool(modifiers) and all(self.x.context.category(m) == "negation" for m in modifiers)
            if modifiers and not negated:
                continue
            if any(a <= span.start_char < b for a, b in self.header_rows):
                continue  # "Healed, %" labels a column, it reports nothing
            if sentence_names_only_other_drugs(self.doc, span) or clause_names_only_other_drugs(self.doc, span):
                continue
            if previous_sentence_credits_other_drug(self.doc, span):
                continue
            if span.sent.end <= self.first_sts_sentence_start:
                continue  # a result told before STS enters the story is not STS's
            tokens = [t for t in span if not t.is_space]
            while len(tokens) > 1 and tokens[-1].lower_ in self.lex["outcome_trim"]:
                tokens.pop()
            while len(tokens) > 1 and tokens[0].lower_ in {"the", "a", "an"}:
                tokens.pop(0)
            rule = self.x.by_id[span.id_]
            category = rule.category
            before = self.doc[tokens[0].i - 1] if tokens[0].i > span.sent.start else None
            if before is not None and before.lower_ in self.lex["partial_words"] and category == "complete_response":
                tokens.insert(0, before)  # "partial healing of their wounds", "near resolution"
                category = "partial_response"
            core_start, core_end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            index = self.sentence_index(core_start)
            s_start, s_end = self.structure.sentences[index]
            start, end = widen(self.text, core_start, core_end, s_start, s_end)
            value = percent_in(self.text[start:end])
            is_success = "rate" in self.text[core_start:core_end].lower()
            if category == "by_value":
                category = rate_category(
                    value, success_is_complete=self.success_is_complete, is_success_rate=is_success
                )
            elif span.id_ in RELABEL_RULES and symptom_category(self.text, core_end, s_end, self.lex["symptom_words"]):
                category = "symptom_relief"
            if negated and category in ("partial_response", "complete_response"):
                category = "no_response"  # "did not produce improvement", "without objective regression"
            if self.x.result_filter is not None and not self.x.result_filter.keeps(
                self.text[start:end], self.text[s_start:s_end]
            ):
                continue
            values = (value, value, "%") if value is not None else (None, None, None)
            result.append(self.mention("outcome", start, end, values=values, category=category, rule_id=span.id_))
            if value is not None:
                for a, b, extra in coordinated_rates(self.text, end, s_end):
                    extra_category = (
                        rate_category(extra, success_is_complete=self.success_is_complete, is_success_rate=is_success)
                        if rule.category == "by_value"
                        else category
                    )
                    result.append(
                        self.mention(
                            "outcome",
                            a,
                            b,
                            values=(extra, extra, "%"),
                            category=extra_category,
                            rule_id=span.id_ + "+coordinated",
                        )
                    )
        return result

    def tables(self) -> list[Mention]:
        result = []
        for table in self.structure.tables:
            for found in table_mentions(table, self.x.rules.table_headers):
                if self.scope.reason_at(found.start, found.end):
                    continue
                category = found.category
                if found.field == "outcome" and "success" in found.rule_id:
                    category = rate_category(
                        found.value_min, success_is_complete=self.success_is_complete, is_success_rate=True
                    )
                result.append(
                    self.mention(
                        found.field,
                        found.start,
                        found.end,
                        values=(found.value_min, found.value_max, found.unit),
                        category=category,
                        rule_id=found.rule_id,
                    )
                )
        return result

    def build(self) -> list[Mention]:
        by_field = self.candidates()
        mentions = self.routes(by_field.get("route", []))
        mentions += self.outcomes(by_field.get("outcome", []))
        numeric = []
        for field in NUMERIC_FIELDS:
            numeric += self.numeric(field, by_field.get(field, []))
        table = self.tables()
        mentions += _without_overlaps(
            table + numeric, group=lambda m: "numeric" if m.field in NUMERIC_FIELDS else m.field
        )
        mentions += self.evidence_fields(by_field)
        mentions = _without_overlaps(mentions, group=lambda m: m.field)
        return sorted(mentions, key=lambda m: (m.start, m.end, m.field))

    def _regimen_sentences(self, by_field: dict[str, list[Span]]) -> set[int]:
        """Sentences (by first token) that name STS or hold a route, dose or strength of it."""
        starts = {ent.sent.start for ent in self.doc.ents if ent.label_ == "STS"}
        for name in ("route", "dose", "concentration"):
            starts |= {span.sent.start for span in by_field.get(name, [])}
        return starts

    def evidence_fields(self, by_field: dict[str, list[Span]]) -> list[Mention]:
        """frequency, duration, patients, adverse_event, mortality (schema v2)."""
        regimen = self._regimen_sentences(by_field)
        result: list[Mention] = []
        for name, resolve in (
            ("frequency", self._frequency),
            ("duration", self._duration),
            ("adverse_event", self._adverse_event),
            ("mortality", self._mortality),
        ):
            result += [
                m for span in _longest_first(by_field.get(name, [])) if (m := resolve(span, regimen)) is not None
            ]
        result += _treated_group(
            [
                found
                for span in _longest_first(by_field.get("patients", []))
                if (found := self._patients(span, regimen)) is not None
            ]
        )
        return result

    def _mortality(self, span: Span, regimen: set[int]) -> Mention | None:
        value = mortality_percent(span.text)
        if value is None or sentence_names_only_other_drugs(self.doc, span):
            return None
        return self.mention("mortality", span.start_char, span.end_char, values=(value, value, "%"), rule_id=span.id_)

    def _regimen_table(self, offset: int) -> bool:
        """The offset lies in a table about the STS regimen (one naming STS, how it is
        given or how often): a row label "Twice daily" there is the regimen's frequency."""
        for table in self.structure.tables:
            if table.start <= offset < table.end:
                if table.start not in self._regimen_tables:  # once per table, not once per candidate
                    words = set(re.findall(r"[a-z]+", self.text[table.start : table.end].lower()))
                    names_sts = any(table.start <= e.start_char < table.end for e in self.doc.ents if e.label_ == "STS")
                    self._regimen_tables[table.start] = names_sts or bool(words & self.lex["giving_words"])
                return self._regimen_tables[table.start]
        return False

    def _frequency(self, span: Span, regimen: set[int]) -> Mention | None:
        words = self.words_of(span.sent)
        about_regimen = (
            span.sent.start in regimen or bool(words & self.lex["giving_words"]) or self._regimen_table(span.start_char)
        )
        if not about_regimen or belongs_to_other_drug(self.doc, span, near_only=True):
            return None
        category = self.x.by_id[span.id_].category
        if category:
            return self.mention("frequency", span.start_char, span.end_char, category=category, rule_id=span.id_)
        values = per_week(span.text)
        if values is None:
            return None
        return self.mention(
            "frequency", span.start_char, span.end_char, values=(values[0], values[1], "per_week"), rule_id=span.id_
        )

    def _number_to_unit(self, span: Span) -> tuple[int, int] | None:
        """The number-and-unit core of a duration phrase ("for 6 months" -> "6 months")."""
        tokens = [t for t in span if not t.is_space]
        first = next((k for k, t in enumerate(tokens) if t.like_num or t.text[:1].isdigit()), None)
        units = [k for k, t in enumerate(tokens) if duration_days("1 " + t.text) is not None]
        if first is None or not units or units[-1] < first:
            return None
        last = units[-1]
        return tokens[first].idx, tokens[last].idx + len(tokens[last].text)

    def _duration(self, span: Span, regimen: set[int]) -> Mention | None:
        category = self.x.by_id[span.id_].category or "treatment"
        sentence_words = self.words_of(span.sent)
        if category == "treatment" and (
            (span.sent.start not in regimen and not sentence_words & self.lex["treatment_words"])
            or sentence_words & {"history", "ago", "since", "previously", "prior"}
        ):
            return None
        before = self.doc[span.start - 1].lower_ if span.start > span.sent.start else ""
        if span.id_ == "dur.n_month_follow_up" and before in {"at", "the", "by", "during"}:
            return None  # "at 3-month follow-up" dates a result; it is not the follow-up's length
        bounds = self._number_to_unit(span)
        if bounds is None:
            return None
        days = duration_days(self.text[bounds[0] : bounds[1]])
        if days is None:
            return None
        lead = " ".join(t.lower_ for t in span)
        low: float | None = None if "up to" in lead or "within" in lead else days[0]  # "for up to a 4-week period"
        return self.mention(
            "duration", bounds[0], bounds[1], values=(low, days[1], "days"), category=category, rule_id=span.id_
        )

    def _patients(self, span: Span, regimen: set[int]) -> tuple[Mention, bool] | None:
        """A count of patients or lesions, and whether its sentence is about
        treating them (a restatement like "Of the 28 patients, 27 were female"
        is kept later when it repeats the treated group's size)."""
        after = [t for t in self.doc[span.end : min(span.sent.end, span.end + 2)] if not t.is_space]
        if after and after[0].lemma_.lower() in self.lex["result_verbs"]:
            return None  # "7 patients improved" is a result, not the group's size
        before = self.doc[span.start - 1] if span.start > span.sent.start else None
        if (
            before is not None
            and before.lower_ in {"of", "in", "among"}
            and span.start - 2 >= span.sent.start
            and self.doc[span.start - 2].like_num
        ):
            return None  # "7 of 19 patients": the result's denominator
        value = count_of(span.text)
        if value is None:
            return None
        single = span.id_ in _SINGLE_CASE_RULES
        about_treatment = single or span.sent.start in regimen or bool(self.lemmas_of(span.sent) & _ENROLMENT_VERBS)
        category = self.x.by_id[span.id_].category or "patients"
        mention = self.mention(
            "patients", span.start_char, span.end_char, values=(value, value, None), category=category, rule_id=span.id_
        )
        if mention.source == "cited" and clause_names_only_other_drugs(self.doc, span):
            return None  # another drug's series
        if single and not about_treatment:
            return None
        return mention, about_treatment

    def _adverse_event(self, span: Span, regimen: set[int]) -> Mention | None:
        if self.x.context.modifiers(self.doc, span, "adverse_event"):
            return None  # "no nausea", "may cause acidosis"
        if span.sent.start not in regimen and not self.words_of(span.sent) & _HARM_CONTEXT:
            return None
        if belongs_to_other_drug(self.doc, span, near_only=True):
            return None  # "nausea from opioids"
        sentence = self.text[span.sent.start_char : span.sent.end_char]
        category = "stopped" if STOPPED.search(sentence) else "adverse_event"
        return self.mention("adverse_event", span.start_char, span.end_char, category=category, rule_id=span.id_)


def _treated_group(found: list[tuple[Mention, bool]]) -> list[Mention]:
    """The paper's own counts that state its treated group: the count stated most
    often in sentences about treating them ("28 patients" in the abstract,
    methods and tables), with its restatements ("Of the 28 patients, 27 were
    female"), not the subgroups results are told about ("Of the 7 patients who
    ...", "one patient with an allergy"). Cited counts are other studies' and
    are kept when their sentence is about treatment."""
    kept = [m for m, about in found if m.source != "this_study" and about]
    for category in ("patients", "lesions"):
        own = [(m, about) for m, about in found if m.source == "this_study" and m.category == category]
        several = [m.value_min for m, about in own if about and m.value_min is not None and m.value_min > 1]
        if not several:
            kept += [m for m, about in own if about]  # a case report: each introduction of the one patient
            continue
        counts = Counter(several)
        group = max(counts, key=lambda value: (counts[value], value))
        kept += [m for m, _ in own if m.value_min == group]
    return kept


_SINGLE_CASE_RULES = {"pat.single_case", "pat.y_o", "pat.a_patient"}
_ENROLMENT_VERBS = {
    "treat",
    "receive",
    "undergo",
    "give",
    "include",
    "enrol",
    "enroll",
    "identify",
    "review",
    "present",
    "report",
    "describe",
    "analyse",
    "analyze",
    "recruit",
    "study",
    "evaluate",
    "inject",
    "apply",
}
_HARM_CONTEXT = {
    "side",
    "adverse",
    "tolerated",
    "tolerance",
    "complication",
    "complications",
    "developed",
    "experienced",
    "injection",
    "infusion",
    "infusions",
    "injections",
    "treatment",
    "therapy",
    "discontinued",
    "stopped",
}


def _longest_first(spans: list[Span]) -> list[Span]:
    """Among overlapping candidates keep the longest, before any filter runs, so a
    hedge that removes "lack of further improvement" also removes "improvement"."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(span.start < k.end and k.start < span.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _merge_overlapping(spans: list[Span]) -> list[Span]:
    """Overlapping candidates of one field are parts of one quantity ("<5 mm" and
    "5 mm in diameter"): their union, named after all their rules ("a+b")."""
    groups: list[list[Span]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if groups and span.start < max(s.end for s in groups[-1]):
            groups[-1].append(span)
        else:
            groups.append([span])
    merged = []
    for group in groups:
        rule_ids = "+".join(dict.fromkeys(s.id_ for s in group))
        merged.append(
            Span(group[0].doc, group[0].start, max(s.end for s in group), label=group[0].label, span_id=rule_ids)
        )
    return merged


def _without_overlaps(mentions: list[Mention], *, group) -> list[Mention]:
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
