"""ConText-style modifiers: is a candidate hedged, a definition, a back-reference, an adverse event?

Triggers live in patterns/context.jsonl (literal, category, direction,
window). A trigger's scope runs ``window`` tokens in its direction and stops
at a clause boundary, as in medspaCy's ConText.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress

from spacy.tokens import Doc, Span

from extractor.mentions.doc_arrays import DocArrays, arrays_of
from extractor.nlp.extensions import doc_value

CATEGORY_FIELDS = {
    "hypothetical": {"outcome", "adverse_event"},
    "definition": {"outcome"},
    "backref": {"outcome"},
    "adverse": {"route"},
    "diluent": {"dose"},
    "not_lesion": {"lesion_size"},
    "adverse_event": {"outcome"},
    "not_dose": {"dose"},
    "negation": {"outcome", "adverse_event"},
    "historical": {"outcome"},
    "prior_treatment": {"route"},
    "not_result": {"outcome"},  # "a reduction of dose", "reduction of arteriolar blood flow"
    "absent": {"adverse_event"},  # "had no nausea", "denied headache"
}
_NO_FIELDS: frozenset[str] = frozenset()  # a category that applies to no field
# a history trigger ("refractory to X, ...") stops at a mention of STS: what follows is the STS course
STOPPED_BY_STS = {"historical"}


@dataclass(frozen=True)
class Trigger:
    id: str
    category: str
    words: tuple[str, ...]
    direction: str
    window: int
    through_commas: bool = False
    through_colons: bool = False  # a recipe runs "Composition for 100 g: ST 25 g, glycerine 10 g"


class ContextRules:
    """Compiled trigger list; ``modifiers(doc, span)`` gives the categories that apply."""

    def __init__(self, rules: list[dict], terminators: frozenset[str]) -> None:
        self.terminators = terminators
        self.triggers = [
            Trigger(
                r["id"],
                r["category"],
                tuple(r["literal"].lower().split()),
                r["direction"],
                int(r["window"]),
                bool(r.get("through_commas", False)),
                bool(r.get("through_colons", False)),
            )
            for r in rules
        ]
        self.by_id = {trigger.id: trigger for trigger in self.triggers}
        self.by_first: dict[str, list[Trigger]] = {}
        for trigger in self.triggers:
            self.by_first.setdefault(trigger.words[0], []).append(trigger)
        # per first word, its triggers with their further words and the fields they apply to
        self._openings: dict[str, tuple[tuple[Trigger, tuple[str, ...], frozenset[str]], ...]] = {
            word: tuple(
                (trigger, trigger.words[1:], frozenset(CATEGORY_FIELDS.get(trigger.category, _NO_FIELDS)))
                for trigger in triggers
            )
            for word, triggers in self.by_first.items()
        }
        # the clause boundaries a scope stops at, by (through_commas, through_colons)
        self.stops: dict[tuple[bool, bool], frozenset[str]] = {}
        for commas in (False, True):
            for colons in (False, True):
                stops = terminators - {",", ";"} if commas else terminators
                self.stops[(commas, colons)] = stops - {":"} if colons else stops

    def category(self, trigger_id: str) -> str:
        return self.by_id[trigger_id].category

    def _found(self, doc: Doc, columns: DocArrays, token: int) -> dict[str, list[tuple[Trigger, int, int]]]:
        """The triggers of the sentence holding ``token``, by field they apply to
        (found once per sentence: a sentence's candidates of one field read only
        that field's triggers, most often none)."""
        cache = doc_value(doc, "context_triggers")
        if cache is None:
            cache = doc._.context_triggers = {}
        start, end = columns.sentence_of(token)
        found: dict[str, list[tuple[Trigger, int, int]]] | None = cache.get(start)
        if found is None:
            found = {}
            cache[start] = found
            for trigger, first, last, fields in self._find_in(columns, start, end):
                for field in fields:
                    found.setdefault(field, []).append((trigger, first, last))
        return found

    def _find(self, sentence: Span) -> list[tuple[Trigger, int, int]]:
        """The triggers of a sentence, in token order."""
        return [found[:3] for found in self._find_in(arrays_of(sentence.doc), sentence.start, sentence.end)]

    def _find_in(self, columns: DocArrays, start: int, end: int) -> list[tuple[Trigger, int, int, frozenset[str]]]:
        """The triggers of the sentence of tokens [start, end) in token order, with the
        fields each applies to: looked for only at the tokens whose word opens one
        (picked out at C level: a space token's word never opens one), a longer
        trigger's further words read on over space tokens."""
        found = []
        space = columns.space
        end = min(end, len(space))
        lower = columns.lower_of
        openings = self._openings
        for i in compress(range(start, end), map(openings.__contains__, lower[start:end])):
            for trigger, further, fields in openings[lower[i]]:
                if not further:
                    found.append((trigger, i, i + 1, fields))
                    continue
                last = _words_end(further, lower, space, i, end)
                if last is not None:
                    found.append((trigger, i, last, fields))
        return found

    def _stops_of(self, trigger: Trigger) -> frozenset[str]:
        return self.stops[(trigger.through_commas, trigger.through_colons)]

    def modifiers(self, doc: Doc, span: Span, field: str) -> list[str]:
        """Trigger ids whose scope covers the start of ``span`` and apply to ``field``."""
        hits: list[str] = []
        columns = arrays_of(doc)
        triggers = self._found(doc, columns, span.start).get(field)
        if triggers is None:
            return hits
        for trigger, start, end in triggers:
            if start < span.end and span.start < end:
                if trigger.category == "hypothetical" and trigger.direction != "backward" and start < span.start:
                    hits.append(trigger.id)  # "could be" opening "be effective"
                continue
            if trigger.direction in ("forward", "both") and end <= span.start:
                if trigger.category in STOPPED_BY_STS and columns.has_sts(end, span.start):
                    continue
                if _in_scope(columns, end, span.start, trigger.window, self._stops_of(trigger)):
                    hits.append(trigger.id)
                    continue
            if trigger.direction in ("backward", "both") and start >= span.end:
                if _in_scope(columns, span.end, start, trigger.window, self._stops_of(trigger)):
                    hits.append(trigger.id)
        return hits


def _words_end(further: tuple[str, ...], lower: list[str], space: list[bool], i: int, end: int) -> int | None:
    """One past the token of the last of ``further`` when they are the words of the
    non-space tokens after token ``i`` (before ``end``), else None."""
    j = i
    for word in further:
        j += 1
        while j < end and space[j]:
            j += 1
        if j >= end or lower[j] != word:
            return None
    return j + 1


def _in_scope(columns: DocArrays, left: int, right: int, window: int, stops: frozenset[str]) -> bool:
    """Tokens between left and right (exclusive) fit the window and cross no clause
    boundary (``stops``: a definition's list runs through its commas and
    semicolons, a recipe through its colons). Space tokens count for nothing
    and are no boundary (a lexicon word is never blank)."""
    if right - left > window and right - left - columns.space[left:right].count(True) > window:
        return False
    return stops.isdisjoint(columns.lowers(left, right))
