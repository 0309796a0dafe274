"""The evidence-table fields (frequency, duration, patients, adverse events,
mortality) of the STS regimen."""

from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Span

from extractor.mentions.attribution import CITED, THIS_STUDY
from extractor.mentions.builder import MentionBuilder, longest_first
from extractor.mentions.drugs import (
    belongs_to_other_drug,
    clause_names_only_other_drugs,
    sentence_names_only_other_drugs,
)
from extractor.mentions.evidence import (
    NUMBER_WORDS,
    STOPPED,
    count_of,
    duration_days,
    is_duration_unit,
    mortality_percent,
    per_week,
)
from extractor.schema import Mention


class EvidenceResolver(MentionBuilder):
    """Frequency, duration, patients, adverse events and mortality of the STS regimen."""

    def _regimen_sentences(self, by_field: dict[str, list[Span]]) -> set[int]:
        """Sentences (by first token) that name STS or hold a route, dose or strength of it."""
        starts = {ent.sent.start for ent in self.sts_names}
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
            result += [m for span in longest_first(by_field.get(name, [])) if (m := resolve(span, regimen)) is not None]
        patients = longest_first(by_field.get("patients", []))
        found = [
            (span, resolved)
            for span in patients
            if span.id_ != "pat.a_case" and (resolved := self._patients(span, regimen)) is not None
        ]
        # "a case of calciphylaxis in a cat": the case is told by the patient phrase beside it
        told = {span.sent.start for span, (mention, _) in found if mention.category == "patients"}
        found += [
            (span, resolved)
            for span in patients
            if span.id_ == "pat.a_case"
            and span.sent.start not in told
            and not self._names_a_report(span)
            and (resolved := self._patients(span, regimen)) is not None
        ]
        result += _treated_group([resolved for _, resolved in found])
        return result

    def _names_a_report(self, span: Span) -> bool:
        """ "A case report", "a case series": the article's kind, not its patient."""
        after = self._word_after(span)
        return after is not None and self.columns.lower_of[after] in self.lex["report_kinds"]

    def _word_after(self, span: Span) -> int | None:
        """The first word after ``span`` in its sentence, of the next two tokens."""
        return next((i for i in range(span.end, min(span.sent.end, span.end + 2)) if not self.columns.space[i]), None)

    def _mortality(self, span: Span, regimen: set[int]) -> Mention | None:
        """A death rate of the STS-treated group: its sentence names STS or how it was
        given. "Mortality in excess of 50% at one year" with no word of the drug is the
        disease's, and a cohort's rate ("whole population mortality was 55.6%") counts
        patients who did not get it."""
        value = mortality_percent(span.text)
        if value is None or span.sent.start not in regimen or sentence_names_only_other_drugs(self.doc, span):
            return None
        return self.mention("mortality", span.start_char, span.end_char, values=(value, value, "%"), rule_id=span.id_)

    def _regimen_table(self, offset: int) -> bool:
        """The offset lies in a table about the STS regimen (one naming STS, how it is
        given or how often): a row label "Twice daily" there is the regimen's frequency."""
        for table in self.structure.tables:
            if table.start <= offset < table.end:
                if table.start not in self._regimen_tables:  # once per table, not once per candidate
                    words = set(re.findall(r"[a-z]+", self.text[table.start : table.end].lower()))
                    names_sts = self.names_sts_between(table.start, table.end)
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
        following = self.columns.lower_of[span.end] if span.end < len(self.doc) else ""
        if span.id_ == "freq.around_dialysis" and (
            following in self.lex["not_a_session"]
            or (
                "last" in self.columns.lower_of[span.start : span.end]
                and not any(map(self.columns.like_num, range(span.start, span.end)))
            )
        ):
            return None  # "after dialysis initiation", "after the last dialysis before transplantation": no schedule
        if span.id_ == "freq.adverb" and following in self.lex["amount_nouns"]:
            return None  # "a low daily dosage (10 g/day)": the amount given a day
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
        units = [k for k, t in enumerate(tokens) if is_duration_unit(t.text)]
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
        words_before = set(self.columns.lower_of[max(span.sent.start, span.start - 3) : span.start])
        if category == "treatment" and (
            words_before & self.lex["not_a_course"] or belongs_to_other_drug(self.doc, span)
        ):
            return None  # "stable for 30 days in refrigerator", "ceftriaxone (2 g/day IV for 20 days)"
        bounds = self._number_to_unit(span)
        if bounds is None:
            return None
        days = duration_days(self.text[bounds[0] : bounds[1]])
        if days is None:
            return None
        lead = " ".join(t.lower_ for t in span)
        if (
            category == "treatment"
            and days[0] >= 365
            and (words_before | set(lead.split())) & self.lex["history_words"]
        ):
            return None  # "has changed little over the last 20 years": a history, not a course
        low: float | None = None if "up to" in lead or "within" in lead else days[0]  # "for up to a 4-week period"
        return self.mention(
            "duration", bounds[0], bounds[1], values=(low, days[1], "days"), category=category, rule_id=span.id_
        )

    def _patients(self, span: Span, regimen: set[int]) -> tuple[Mention, bool] | None:
        """A count of patients or lesions, and whether it tells a treated group: its
        sentence is about treating them, or, for a cited study, about how the study
        gathered them ("a study of 14 patients reported"). A restatement like "Of the
        28 patients, 27 were female" is kept later when it repeats the group's size."""
        sentence = span.sent
        columns = self.columns
        # the first word after the span (of the next two tokens) and the two before it, off the token columns
        after = self._word_after(span)
        if after is not None and self.doc[after].lemma_.lower() in self.lex["result_verbs"]:
            return None  # "7 patients improved" is a result, not the group's size
        if (after is not None and columns.lower_of[after] == "per") or (
            span.start > sentence.start and columns.lower_of[span.start - 1] == "per"
        ):
            return None  # "4 cases per 10,000 dialysis patients": a rate, not a group
        if (
            span.start > sentence.start
            and columns.lower_of[span.start - 1] in {"of", "in", "among"}
            and span.start - 2 >= sentence.start
            and columns.like_num(span.start - 2)
        ):
            return None  # "7 of 19 patients": the result's denominator
        value = count_of(span.text)
        if value is None or (1900 <= value <= 2099 and value == int(value)):
            return None  # "In 2019 calciphylaxis patients were treated": a year
        single = span.id_ in _SINGLE_CASE_RULES
        lemmas = self.lemmas_of(sentence)
        about_treatment = single or sentence.start in regimen or bool(lemmas & self.lex["treatment_verbs"])
        category = self.x.by_id[span.id_].category or "patients"
        mention = self.mention(
            "patients", span.start_char, span.end_char, values=(value, value, None), category=category, rule_id=span.id_
        )
        if mention.source == THIS_STUDY and self._pooled_from_literature(sentence):
            mention.source = CITED  # "Across 19 articles, this review identified 30 PD patients": the studies' patients
        if mention.source == CITED and clause_names_only_other_drugs(self.doc, span):
            return None  # another drug's series
        if single and mention.source == THIS_STUDY and not self.own_sts:
            return None  # the paper names STS only from the literature: its own case was not given it
        # a cited study's group is told by how it was studied ("a study of 14 patients reported");
        # the paper's own count needs treatment words: "64 patients diagnosed with CUA were
        # identified" is a cohort of the disease, of whom some got STS
        about = about_treatment or (mention.source == CITED and bool(lemmas & self.lex["enrolment_verbs"]))
        return mention, about

    def _pooled_from_literature(self, sentence: Span) -> bool:
        """Whether the sentence counts published items ("Across 19 articles", "from
        16 publications"): the patients it counts were pooled from them. A number
        after "Table" or "Figure" ("Table 2 reports") counts nothing."""
        words = self.columns.lower_of[sentence.start : sentence.end]
        items = self.lex["literature_items"]
        for k in range(len(words) - 1):
            if not (words[k].isdigit() or words[k] in _COUNTING_WORDS):
                continue
            if k > 0 and words[k - 1].rstrip(".") in {"table", "tables", "fig", "figure", "figures"}:
                continue
            if words[k + 1] in items or (k + 2 < len(words) and words[k + 2] in items):
                return True
        return False

    def _adverse_event(self, span: Span, regimen: set[int]) -> Mention | None:
        if self.x.context.modifiers(self.doc, span, "adverse_event"):
            return None  # "no nausea", "may cause acidosis"
        if span.sent.start not in regimen and not self.words_of(span.sent) & _HARM_CONTEXT:
            return None
        if belongs_to_other_drug(self.doc, span, near_only=True):
            return None  # "nausea from opioids"
        sentence = self.text[span.sent.start_char : span.sent.end_char]
        stopped = STOPPED.search(sentence)
        if span.id_ == "ae.generic_stopped" and not (
            stopped and _BECAUSE.search(self.text[max(0, span.start_char - 40) : span.start_char])
        ):
            return None  # "side effects" names a harm only as the reason STS was stopped
        category = "stopped" if stopped else "adverse_event"
        return self.mention("adverse_event", span.start_char, span.end_char, category=category, rule_id=span.id_)


def _treated_group(found: list[tuple[Mention, bool]]) -> list[Mention]:
    """The paper's own counts that state its treated group: the count stated most
    often in sentences about treating them ("28 patients" in the abstract,
    methods and tables), with its restatements ("Of the 28 patients, 27 were
    female"), not the subgroups results are told about ("Of the 7 patients who
    ...", "one patient with an allergy"). Cited counts are other studies' and
    are kept when they tell a treated group (``_patients``)."""
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


# "... due to adverse effects": the words just before a harm given as a reason
_BECAUSE = re.compile(r"\b(?:due to|because of|owing to|secondary to)\s+(?:\w+\s+)?$", re.IGNORECASE)
# number words that count (not "a", "once", "twice"): "nineteen articles"
_COUNTING_WORDS = frozenset(word for word, value in NUMBER_WORDS.items() if value >= 2 and not word.endswith("ce"))
_SINGLE_CASE_RULES = {
    "pat.single_case",
    "pat.single_case_spaced",
    "pat.y_o",
    "pat.a_patient",
    "pat.a_described",
    "pat.a_case",
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
