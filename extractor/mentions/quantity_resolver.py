"""Dose, concentration and lesion-size candidates → normalized quantity mentions."""

from __future__ import annotations

import re
from functools import cached_property

from spacy.tokens import Span

from extractor.mentions.builder import MentionBuilder, merge_overlapping
from extractor.mentions.drugs import (
    belongs_to_other_drug,
)
from extractor.mentions.quantities import (
    concentration_values,
    dose_values,
    size_values,
    split_dimension_change,
    unit_in,
)
from extractor.schema import Mention

_DOSE_CHANGE = re.compile(r"(\d+(?:\.\d+)?\s*[A-Za-zµ]+)\s+to\s+(\d+(?:\.\d+)?\s*[A-Za-zµ]+)")
_ESCALATION = re.compile(
    r"\b(escalat\w*|increas\w*|titrat\w*|rais\w*|reduc\w*|decreas\w*|tapered?|switch\w*|chang\w*)\b(?:\W+\w+){0,3}\W+from\s*$"
)
# "compounded at 10% (2016-2018), 20% (2018-2020) or 25%": further strengths of a list
_LISTED_PERCENT = re.compile(
    r"(?:\s*\([^()]{0,25}\))?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|versus|vs\.?)\s+)((\d+(?:\.\d+)?)\s*%)(?!\s*of\b)"
)
_EQUIVALENT_PERCENT = re.compile(r"\s*\(\s*((\d+(?:\.\d+)?)\s*%)\s*\)")  # "250 mg/mL (25%)"
# "ranging in diameter from 1 mm to several centimeters": a disease's usual sizes, no lesion measured
_VAGUE_RANGE_END = re.compile(r"\s*(?:to|and|[-–])\s+(?:several|a few|few|many|multiple|numerous)\b", re.IGNORECASE)


class QuantityResolver(MentionBuilder):
    """Doses, concentrations and lesion sizes: span bounds, values and units."""

    def _quantity_bounds(self, span: Span) -> tuple[int, int]:
        """The span trimmed to its quantity, read on the token columns (a token's
        lower-case form starts or ends with a digit, or is a bracket, exactly when
        the token's text does)."""
        heads = self.lex["quantity_heads"]
        tails = self._quantity_tails
        lowers = self.columns.lowers(span.start, span.end)
        space = self.columns.space[span.start : span.end]
        tokens = [(i, lowers[i - span.start]) for i, blank in enumerate(space, span.start) if not blank]
        while tokens and not (tokens[0][1][:1].isdigit() or tokens[0][1] in heads):
            tokens.pop(0)
        if len(tokens) > 1 and tokens[0][1] in ("at", "up") and tokens[1][1] not in ("most", "least", "to"):
            tokens.pop(0)  # "compounded at 10%" (but "at most 5 mm", "up to 2.5 cm")
        while tokens and not (tokens[-1][1][:1].isdigit() or tokens[-1][1] in tails or tokens[-1][1][-1:].isdigit()):
            tokens.pop()
        if tokens and tokens[-1][1] == ")" and not any(word == "(" for _, word in tokens):
            tokens.pop()
        if not tokens:
            return span.start_char, span.end_char
        first, last = self.doc[tokens[0][0]], self.doc[tokens[-1][0]]
        return first.idx, last.idx + len(last.text)

    @cached_property
    def _quantity_tails(self) -> frozenset[str]:
        """The words a quantity may end with: its tails and units, joined once per document."""
        return self.lex["quantity_tails"] | self.lex["unit_words"]

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
        for span in merge_overlapping(spans):
            start, end = self._quantity_bounds(span)
            quantity = self.doc.char_span(start, end, alignment_mode="expand") or span
            if field in ("dose", "concentration") and belongs_to_other_drug(self.doc, quantity):
                continue
            if self.x.context.modifiers(self.doc, quantity, field):
                continue
            if field == "lesion_size" and _VAGUE_RANGE_END.match(self.text, end):
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
                    result.append(self._percent(same, span.id_ + "+equivalent"))
                cursor = end
                while (listed := _LISTED_PERCENT.match(self.text, cursor)) is not None:
                    result.append(self._percent(listed, span.id_ + "+listed"))
                    cursor = listed.end(1)
        return result

    def _percent(self, match: re.Match[str], rule_id: str) -> Mention:
        """A concentration written after another ("250 mg/mL (25%)", "10%, 20%"):
        group 1 is its span, group 2 its value."""
        value = float(match.group(2))
        return self.mention("concentration", match.start(1), match.end(1), values=(value, value, "%"), rule_id=rule_id)
