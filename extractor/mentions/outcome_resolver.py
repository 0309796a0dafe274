"""Outcome candidates → outcome mentions: credit to STS, hedges, widening, categories."""

from __future__ import annotations

from functools import cached_property

from spacy.tokens import Span

from extractor.mentions.builder import MentionBuilder, longest_first
from extractor.mentions.drugs import (
    clause_names_only_other_drugs,
    drugs_in,
    drugs_of_sentence_before,
    previous_drugs_credited,
    previous_drugs_of_drugless_sentence,
    result_of_named_other_drug,
    treating_drugs,
    treating_drugs_between,
)
from extractor.mentions.outcomes import (
    RELABEL_RULES,
    coordinated_rates,
    rate_category,
    symptom_category,
    widen_with_rate,
)
from extractor.schema import Mention


class OutcomeResolver(MentionBuilder):
    """Outcomes: credited to STS, not hedged, widened to counts and rates, categorized."""

    def outcomes(self, spans: list[Span]) -> list[Mention]:
        result = []
        columns = self.columns
        objects = self.lex["drug_object_heads"]
        header_rows = self.header_rows
        for span in longest_first(spans):
            sentence = span.sent
            if self._sentence_blocks_result(sentence, objects):
                continue
            if header_rows and any(a <= span.start_char < b for a, b in header_rows):
                continue  # "Healed, %" labels a column, it reports nothing
            # the drug checks before the hedge scan: each drops the result whatever its hedges say
            if self._clause_names_only_other_drugs(span, sentence, objects):
                continue
            if result_of_named_other_drug(span):
                continue  # "failed to improve on calcitriol and cinacalcet"
            modifiers = self.x.context.modifiers(self.doc, span, "outcome")
            negated = bool(modifiers) and all(self.x.context.category(m) == "negation" for m in modifiers)
            if modifiers and not negated:
                continue
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
            start, end, value = widen_with_rate(self.text, core_start, core_end, s_start, s_end)
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
                or self._blocked_by_drugs(sentence, objects)
            )
        return blocked

    def _blocked_by_drugs(self, sentence: Span, objects: frozenset[str]) -> bool:
        """The checks of :meth:`_sentence_blocks_result` that read the drugs named, each
        sentence's drugs read once: a sentence naming STS passes them all (it names
        not only other drugs, has drugs of its own and names STS); one naming other
        drugs only is blocked when one of them is a treatment or the sentence pools
        treatments; one naming none may follow a sentence crediting other drugs or a hedge."""
        start, end = sentence.start, sentence.end
        drugs = drugs_in(self.doc, start, end)
        if drugs:
            if any(is_sts for *_, is_sts in drugs):
                return False
            return bool(treating_drugs_between(self.doc, start, end, objects)) or self._pooled_without_sts(sentence)
        previous = drugs_of_sentence_before(self.doc, start)
        return (
            (previous is not None and previous_drugs_credited(self.doc, start, previous))
            # "completely healed after six months of multimodal treatment"
            or self._pooled_without_sts(sentence)
            # "... as may the use of sodium thiosulfate. We report on successful treatment of a case"
            or (previous is not None and self._hedged_before(start, previous))
        )

    @cached_property
    def _blocked_sentences(self) -> dict[int, bool]:
        """:meth:`_sentence_blocks_result` by sentence start token."""
        return {}

    def _clause_names_only_other_drugs(self, span: Span, sentence: Span, objects: frozenset[str]) -> bool:
        """``clause_names_only_other_drugs``, read only when the sentence names both STS
        and another drug as treatments: with no other drug, or with no STS (the
        sentence test has dropped the result then), no clause can name other drugs only."""
        mixed = self._mixed_sentences.get(sentence.start)
        if mixed is None:
            drugs = treating_drugs(self.doc, sentence, objects)
            mixed = self._mixed_sentences[sentence.start] = any(is_sts for *_, is_sts in drugs) and not all(
                is_sts for *_, is_sts in drugs
            )
        return mixed and clause_names_only_other_drugs(self.doc, span, objects)

    @cached_property
    def _mixed_sentences(self) -> dict[int, bool]:
        """Whether a sentence names both STS and another drug as treatments, by start token
        (the results of a sentence share it)."""
        return {}

    def _pooled_without_sts(self, sentence: Span) -> bool:
        """The sentence never names STS and credits a treatment of several parts,
        or follows a sentence naming STS among a varying set of therapies."""
        columns = self.columns
        start, end = sentence.start, sentence.end
        if columns.has_sts(start, end):
            return False
        pooled = self.lex["pooled_treatment_words"]
        if not pooled.isdisjoint(columns.lowers(start, end)) or self._names_therapy_set(start, end):
            return True
        if self._in_usage_paragraph(sentence):
            return True
        if start == 0:
            return False
        previous_start, previous_end = columns.sentence_of(start - 1)  # the sentence before's bounds
        return columns.has_sts(previous_start, previous_end) and self._names_therapy_set(previous_start, previous_end)

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
        return drugs is not None and self._hedged_before(sentence.start, drugs)

    def _hedged_before(self, start: int, drugs: list[tuple[int, int, bool]]) -> bool:
        """:meth:`_after_hedged_sts` of the sentence starting at token ``start``, given
        ``drugs``, those of the sentence before."""
        if not any(sts for *_, sts in drugs) or all(sts for *_, sts in drugs):
            return False
        previous_start, previous_end = self.columns.sentence_of(start - 1)  # the sentence before's bounds
        return not self.lex["hedge_modals"].isdisjoint(self.columns.lowers(previous_start, previous_end))

    def _names_therapy_set(self, start: int, end: int) -> bool:
        """ "various combination therapeutic agents", "different treatments" in tokens [start, end)."""
        set_words, heads = self.lex["pooled_set_words"], self.lex["pooled_set_heads"]
        words = self.columns.lowers(start, end)
        if set_words.isdisjoint(words):
            return False
        return any(word in set_words and any(u in heads for u in words[k + 1 : k + 4]) for k, word in enumerate(words))
