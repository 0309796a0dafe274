"""Outcome candidates → outcome mentions: credit to STS, hedges, widening, categories."""

from __future__ import annotations

from spacy.tokens import Span, Token

from extractor.mentions.builder import MentionBuilder, longest_first
from extractor.mentions.drugs import (
    clause_names_only_other_drugs,
    previous_drugs_of_drugless_sentence,
    previous_sentence_credits_other_drug,
    result_of_named_other_drug,
    sentence_names_only_other_drugs,
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
        for span in longest_first(spans):
            modifiers = self.x.context.modifiers(self.doc, span, "outcome")
            negated = bool(modifiers) and all(self.x.context.category(m) == "negation" for m in modifiers)
            if modifiers and not negated:
                continue
            if any(a <= span.start_char < b for a, b in self.header_rows):
                continue  # "Healed, %" labels a column, it reports nothing
            objects = self.lex["drug_object_heads"]
            if sentence_names_only_other_drugs(self.doc, span, objects) or clause_names_only_other_drugs(
                self.doc, span, objects
            ):
                continue
            if previous_sentence_credits_other_drug(self.doc, span):
                continue
            if self._pooled_without_sts(span):
                continue  # "completely healed after six months of multimodal treatment"
            if self._after_hedged_sts(span):
                continue  # "... as may the use of sodium thiosulfate. We report on successful treatment of a case"
            if result_of_named_other_drug(span):
                continue  # "failed to improve on calcitriol and cinacalcet"
            if span.sent.end <= self.first_sts_sentence_start or self.sts_enters_case_after(span.sent):
                continue  # a result told before STS enters the story is not STS's
            tokens = [t for t in span if not t.is_space]
            while len(tokens) > 1 and tokens[-1].lower_ in self.lex["outcome_trim"]:
                tokens.pop()
            while len(tokens) > 1 and tokens[0].lower_ in {"the", "a", "an", "and", "or"}:
                tokens.pop(0)
            rule = self.x.by_id[span.id_]
            category = rule.category
            before = self.doc[tokens[0].i - 1] if tokens[0].i > span.sent.start else None
            if before is not None and before.lower_ in self.lex["partial_words"] and category == "complete_response":
                tokens.insert(0, before)  # "partial healing of their wounds", "near resolution"
                category = "partial_response"
            elif category == "complete_response" and self._partial_range_before(tokens[0]):
                tokens[:0] = self.doc[tokens[0].i - 2 : tokens[0].i]  # "partial to complete resolution"
                category = "partial_response"
            core_start, core_end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
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

    def _pooled_without_sts(self, span: Span) -> bool:
        """The sentence never names STS and credits a treatment of several parts,
        or follows a sentence naming STS among a varying set of therapies."""
        sentence = span.sent
        columns = self.columns
        if columns.has_sts(sentence.start, sentence.end):
            return False
        pooled = self.lex["pooled_treatment_words"]
        if any(word in pooled for word in columns.lowers(sentence.start, sentence.end)) or self._names_therapy_set(
            sentence
        ):
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
        block = self.text[start:end].lower()
        return any(phrase in block for phrase in self.lex["usage_phrases"]) and self.names_sts_between(start, end)

    def _denied(self, first: Token) -> bool:
        """ "no relapse", "no further recurrence": the word before denies the event."""
        before = [t.lower_ for t in self.doc[max(first.sent.start, first.i - 2) : first.i] if not t.is_space]
        return bool(before) and (before[-1] == "no" or before[-2:] == ["no", "further"])

    def _partial_range_before(self, first: Token) -> bool:
        """A range from partial to complete ("partial to complete resolution of skin
        lesions") promises only a partial response."""
        i = first.i
        if i - 2 < first.sent.start:
            return False
        return self.doc[i - 1].lower_ in ("to", "or") and self.doc[i - 2].lower_ in self.lex["partial_words"]

    def _after_hedged_sts(self, span: Span) -> bool:
        """A result sentence naming no drug, after a sentence that names STS and
        another treatment only as possibilities ("may assist in healing as may the
        use of sodium thiosulfate and hyperbaric oxygen therapy"): the result is
        not told of STS."""
        drugs = previous_drugs_of_drugless_sentence(self.doc, span)
        return (
            drugs is not None
            and any(sts for *_, sts in drugs)
            and any(not sts for *_, sts in drugs)
            and any(t.lower_ in self.lex["hedge_modals"] for t in self.doc[span.sent.start - 1].sent)
        )

    def _names_therapy_set(self, sentence: Span) -> bool:
        """ "various combination therapeutic agents", "different treatments"."""
        set_words, heads = self.lex["pooled_set_words"], self.lex["pooled_set_heads"]
        words = self.columns.lowers(sentence.start, sentence.end)
        return any(word in set_words and any(u in heads for u in words[k + 1 : k + 4]) for k, word in enumerate(words))
