"""Outcome candidates → outcome mentions: credit to STS, hedges, widening, categories."""

from __future__ import annotations

from functools import cached_property

from spacy.tokens import Span

from extractor.mentions.builder import MentionBuilder, longest_first
from extractor.mentions.drugs import (
    clause_names_only_other_drugs,
    previous_drugs_of_drugless_sentence,
    previous_sentence_credits_other_drug,
    result_of_named_other_drug,
    sentence_names_only_other_drugs,
    treating_drugs,
)
from extractor.mentions.outcomes import (
    RELABEL_RULES,
    coordinated_rates,
    rate_category,
    symptom_category,
    widen,
)
from extractor.mentions.quantities import (
    percent_in,
)
from extractor.schema import Mention


class OutcomeResolver(MentionBuilder):
    """Outcomes: credited to STS, not hedged, widened to counts and rates, categorized."""

    def outcomes(self, spans: list[Span]) -> list[Mention]:
        result = []
        columns = self.columns
        objects = self.lex["drug_object_heads"]
        for span in longest_first(spans):
            if any(a <= span.start_char < b for a, b in self.header_rows):
                continue  # "Healed, %" labels a column, it reports nothing
            sentence = span.sent
            if self._sentence_blocks_result(sentence, objects):
                continue
            modifiers = self.x.context.modifiers(self.doc, span, "outcome")
            negated = bool(modifiers) and all(self.x.context.category(m) == "negation" for m in modifiers)
            if modifiers and not negated:
                continue
            if self._clause_names_only_other_drugs(span, sentence, objects):
                continue
            if result_of_named_other_drug(span):
                continue  # "failed to improve on calcitriol and cinacalcet"
            # the span's non-space tokens (indices), trimmed of trailing words and leading articles
            words = columns.lowers(span.start, span.end)
            tokens = [i for i, blank in enumerate(columns.space[span.start : span.end], span.start) if not blank]
            trim = self.lex["outcome_trim"]
            while len(tokens) > 1 and words[tokens[-1] - span.start] in trim:
                tokens.pop()
            while len(tokens) > 1 and words[tokens[0] - span.start] in ("the", "a", "an", "and", "or"):
                tokens.pop(0)
            rule = self.x.by_id[span.id_]
            category = rule.category
            first = tokens[0]
            if category == "complete_response" and first > sentence.start:
                if columns.lowers(first - 1, first)[0] in self.lex["partial_words"]:
                    tokens.insert(0, first - 1)  # "partial healing of their wounds", "near resolution"
                    category = "partial_response"
                elif self._partial_range_before(first):
                    tokens[:0] = [first - 2, first - 1]  # "partial to complete resolution"
                    category = "partial_response"
            last = self.doc[tokens[-1]]
            core_start, core_end = self.doc[tokens[0]].idx, last.idx + len(last.text)
            index = self.sentence_index(core_start)
            s_start, s_end = self.structure.sentences[index]
            start, end = widen(self.text, core_start, core_end, s_start, s_end)
            value = percent_in(self.text[start:end])
            is_success = "rate" in self.text[core_start:core_end].lower()
            if category == "by_value":
                category = rate_category(
                    value, success_is_complete=is_success and self.success_is_complete, is_success_rate=is_success
                )
            elif span.id_ in RELABEL_RULES and symptom_category(self.text, core_end, s_end, self.lex["symptom_words"]):
                category = "symptom_relief"
            if negated and category in ("partial_response", "complete_response"):
                category = "no_response"  # "did not produce improvement", "without objective regression"
            elif category == "recurrence" and (negated or self._denied(tokens[0])):
                continue  # "no relapse was seen in the following 2 years", "without recurrence to date"
            if self.x.result_filter is not None and not self.x.result_filter.keeps(
                self.text[start:end], self.text[s_start:s_end]
            ):
                continue
            values = (value, value, "%") if value is not None else (None, None, None)
            result.append(self.mention("outcome", start, end, values=values, category=category, rule_id=span.id_))
            if value is not None:
                for a, b, extra in coordinated_rates(self.text, end, s_end):
                    extra_category = (
                        rate_category(
                            extra,
                            success_is_complete=is_success and self.success_is_complete,
                            is_success_rate=is_success,
                        )
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

    def _sentence_blocks_result(self, sentence: Span, objects: frozenset[str]) -> bool:
        """Whether no result in ``sentence`` is STS's, for reasons of the sentence
        alone (asked once per sentence; several results share one): it comes
        before STS enters the story, names other drugs only, follows a sentence
        crediting them, pools STS with other treatments or follows a hedge."""
        blocked = self._blocked_sentences.get(sentence.start)
        if blocked is None:
            blocked = self._blocked_sentences[sentence.start] = (
                # a result told before STS enters the story is not STS's
                sentence.end <= self.first_sts_sentence_start
                or self.sts_enters_case_after(sentence)
                or sentence_names_only_other_drugs(self.doc, sentence, objects)
                or previous_sentence_credits_other_drug(self.doc, sentence)
                # "completely healed after six months of multimodal treatment"
                or self._pooled_without_sts(sentence)
                # "... as may the use of sodium thiosulfate. We report on successful treatment of a case"
                or self._after_hedged_sts(sentence)
            )
        return blocked

    @cached_property
    def _blocked_sentences(self) -> dict[int, bool]:
        """:meth:`_sentence_blocks_result` by sentence start token."""
        return {}

    def _clause_names_only_other_drugs(self, span: Span, sentence: Span, objects: frozenset[str]) -> bool:
        """``clause_names_only_other_drugs``, read only when the sentence names both STS
        and another drug as treatments: with no other drug, or with no STS (the
        sentence test has dropped the result then), no clause can name other drugs only."""
        drugs = treating_drugs(self.doc, sentence, objects)
        if all(is_sts for *_, is_sts in drugs) or not any(is_sts for *_, is_sts in drugs):
            return False
        return clause_names_only_other_drugs(self.doc, span, objects)

    def _pooled_without_sts(self, sentence: Span) -> bool:
        """The sentence never names STS and credits a treatment of several parts,
        or follows a sentence naming STS among a varying set of therapies."""
        columns = self.columns
        if columns.has_sts(sentence.start, sentence.end):
            return False
        pooled = self.lex["pooled_treatment_words"]
        if not pooled.isdisjoint(columns.lowers(sentence.start, sentence.end)) or self._names_therapy_set(sentence):
            return True
        if self._in_usage_paragraph(sentence):
            return True
        if sentence.start == 0:
            return False
        previous = self.doc[sentence.start - 1].sent
        return columns.has_sts(previous.start, previous.end) and self._names_therapy_set(previous)

    def _in_usage_paragraph(self, sentence: Span) -> bool:
        """The result's paragraph (a blank-line separated block, so a hard-wrapped
        paragraph is one) tells which treatments a cohort used ("Sodium
        thiosulphate and calcimimetic were the most widely used management
        strategies"): its results are pooled over them."""
        start, end = self.paragraph_at(sentence.start_char)
        end = max(end, sentence.end_char)
        found = self._usage_blocks.get((start, end))
        if found is None:
            if not self.names_sts_between(start, end):
                found = False
            else:
                block = self.text[start:end].lower()
                found = any(phrase in block for phrase in self.lex["usage_phrases"])
            self._usage_blocks[(start, end)] = found
        return found

    @cached_property
    def _usage_blocks(self) -> dict[tuple[int, int], bool]:
        """:meth:`_in_usage_paragraph` by text block: the sentences of a paragraph share one."""
        return {}

    def _denied(self, first: int) -> bool:
        """ "no relapse", "no further recurrence": the word before token ``first`` denies the event."""
        before = self.columns.words(max(self.doc[first].sent.start, first - 2), first)
        return bool(before) and (before[-1] == "no" or before[-2:] == ["no", "further"])

    def _partial_range_before(self, first: int) -> bool:
        """A range from partial to complete ("partial to complete resolution of skin
        lesions") before token ``first`` promises only a partial response."""
        if first - 2 < self.doc[first].sent.start:
            return False
        two_before, one_before = self.columns.lowers(first - 2, first)
        return one_before in ("to", "or") and two_before in self.lex["partial_words"]

    def _after_hedged_sts(self, sentence: Span) -> bool:
        """A result sentence naming no drug, after a sentence that names STS and
        another treatment only as possibilities ("may assist in healing as may the
        use of sodium thiosulfate and hyperbaric oxygen therapy"): the result is
        not told of STS."""
        drugs = previous_drugs_of_drugless_sentence(self.doc, sentence)
        if drugs is None or not any(sts for *_, sts in drugs) or all(sts for *_, sts in drugs):
            return False
        previous = self.doc[sentence.start - 1].sent
        return not self.lex["hedge_modals"].isdisjoint(self.columns.lowers(previous.start, previous.end))

    def _names_therapy_set(self, sentence: Span) -> bool:
        """ "various combination therapeutic agents", "different treatments"."""
        set_words, heads = self.lex["pooled_set_words"], self.lex["pooled_set_heads"]
        words = self.columns.lowers(sentence.start, sentence.end)
        if set_words.isdisjoint(words):
            return False
        return any(word in set_words and any(u in heads for u in words[k + 1 : k + 4]) for k, word in enumerate(words))
