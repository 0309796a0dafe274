"""``sts_field_matcher_v1``: the field rules (``patterns/*.jsonl``) as spaCy
Matchers; candidates land in ``doc.spans["sts_candidates"]`` with the rule id
as ``span.id_``."""

from __future__ import annotations

import re

import numpy
from spacy.attrs import LEMMA, LOWER, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from extractor.nlp.rules_component import RulesComponent
from extractor.rules.loader import Rule, RuleSet

CANDIDATES = "sts_candidates"


@Language.factory("sts_field_matcher_v1", default_config={"rules_dir": ""})
def create_field_matcher(nlp: Language, name: str, rules_dir: str) -> FieldMatcher:
    return FieldMatcher(nlp, rules_dir)


class FieldMatcher(RulesComponent):
    """Rule matches as candidate spans; ``span.id_`` is the rule id.

    Rules are grouped by anchor words (the word set of a required,
    non-function-word token of the pattern). One look-up over the Doc's LOWER
    and LEMMA columns finds every anchor token; each group's Matcher then runs
    only on the stretch of the anchor's sentence a match holding that anchor
    can reach (the pattern's widest extent before and after its anchor
    element: "?" counts one token, "{0,8}" eight, "*" to the sentence edge).
    A match always holds an anchor token, so these windows hold every match
    the whole sentence would give, in the same order (windows are disjoint
    and taken left to right). Most patterns never see most tokens (measured:
    the matcher's words/s 18k -> see the commit log). Rules without an anchor
    run everywhere.
    """

    name = "sts_field_matcher_v1"

    def __init__(self, nlp: Language, rules_dir: str) -> None:
        self.nlp = nlp
        super().__init__(rules_dir)

    def use_rules(self, rule_set: RuleSet) -> None:
        super().use_rules(rule_set)
        nlp = self.nlp
        self.by_id: dict[str, Rule] = {rule.id: rule for rule in rule_set.fields}
        self.groups: list[tuple[tuple[str, frozenset[str]] | None, Matcher]] = []
        self.reach: list[tuple[int, int]] = []  # per group: tokens a match may hold before / after its anchor
        grouped: dict[tuple[str, frozenset[str]], list[Rule]] = {}
        unanchored: list[Rule] = []
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for rule in self.by_id.values():
            if isinstance(rule.pattern, str):
                self.phrases.add(rule.id, [nlp.make_doc(rule.pattern)])
            elif (anchors := rule_anchors(rule.pattern)) is None:
                unanchored.append(rule)
            else:
                grouped.setdefault(anchors, []).append(rule)
        for anchors, rules in grouped.items():
            self.groups.append((anchors, _matcher(nlp, rules)))
            reaches = [anchor_reach(rule.pattern) for rule in rules if isinstance(rule.pattern, list)]
            self.reach.append((max(before for before, _ in reaches), max(after for _, after in reaches)))
        if unanchored:
            self.groups.append((None, _matcher(nlp, unanchored)))
            self.reach.append((UNBOUNDED, UNBOUNDED))
        # per column: every anchor word's hash → the groups it anchors, so one
        # look-up over the Doc's column finds the anchor tokens of every group
        by_word: dict[str, dict[int, list[int]]] = {"LOWER": {}, "LEMMA": {}}
        for index, (anchors, _) in enumerate(self.groups):
            if anchors is not None:
                for word in sorted(anchors[1]):
                    by_word[anchors[0]].setdefault(nlp.vocab.strings.add(word), []).append(index)
        self.anchor_index = [
            (attr, numpy.array(sorted(table), dtype="uint64"), table)
            for attr, table in ((LOWER, by_word["LOWER"]), (LEMMA, by_word["LEMMA"]))
            if table
        ]

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        starts, ends = sentence_bounds(doc)
        anchored: dict[int, list[tuple[int, int]]] = {}  # group index → (anchor token, its sentence), in text order
        for attr, ids, table in self.anchor_index:
            column = doc.to_array(attr)
            hits = numpy.flatnonzero(numpy.isin(column, ids))
            if not hits.size:
                continue
            sentence_of = numpy.searchsorted(starts, hits, side="right") - 1
            for word, i, k in zip(column[hits].tolist(), hits.tolist(), sentence_of.tolist()):
                for index in table[word]:
                    anchored.setdefault(index, []).append((i, k))
        for index, (anchors, matcher) in enumerate(self.groups):
            if anchors is None:
                spans.extend(matcher(doc, as_spans=True))
                continue
            before, after = self.reach[index]
            for low, high in _windows(anchored.get(index, []), before, after, starts, ends):
                spans.extend(matcher(doc[low:high], as_spans=True))
        if len(self.phrases):
            spans.extend(self.phrases(doc, as_spans=True))
        doc.spans[CANDIDATES] = [
            Span(doc, s.start, s.end, label=self.by_id[s.label_].label, span_id=s.label_) for s in spans
        ]
        return doc


def _windows(
    anchors: list[tuple[int, int]], before: int, after: int, starts: list[int], ends: list[int]
) -> list[tuple[int, int]]:
    """Token ranges to match in: around each (anchor token, sentence), ``before``
    tokens back and ``after`` on, inside the sentence; overlapping or touching
    ranges of one sentence merged."""
    windows: list[tuple[int, int]] = []
    current = -1
    for i, k in anchors:
        low, high = max(starts[k], i - before), min(ends[k], i + after + 1)
        if windows and k == current and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(high, windows[-1][1]))
        else:
            windows.append((low, high))
            current = k
    return windows


def sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Start and end tokens of ``doc.sents``, from the SENT_START column (no Span per sentence)."""
    if not len(doc):
        return [], []
    flags = doc.to_array(SENT_START)
    starts = [0] + (numpy.flatnonzero(flags[1:] == 1) + 1).tolist()
    return starts, starts[1:] + [len(doc)]


_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "to",
        "by",
        "for",
        "with",
        "and",
        "or",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "has",
        "have",
        "had",
        "did",
        "does",
        "not",
        "no",
        "as",
        "at",
        "from",
        "that",
        "this",
        "it",
        "its",
        "their",
        "her",
        "his",
    ]
)


def _anchor_element(pattern: list[dict]) -> tuple[int, str, frozenset[str]] | None:
    """Index, column (LOWER or LEMMA) and lower-case words of the first required
    token of ``pattern`` that names content words, or None."""
    for index, spec in enumerate(pattern):
        if spec.get("OP") in ("?", "*", "!"):
            continue
        for key in ("LOWER", "TEXT", "ORTH", "LEMMA"):
            value = spec.get(key)
            words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
            if words and not any(word.lower() in _FUNCTION_WORDS for word in words):
                return index, ("LEMMA" if key == "LEMMA" else "LOWER"), frozenset(word.lower() for word in words)
    return None


def rule_anchors(pattern: list[dict]) -> tuple[str, frozenset[str]] | None:
    """The column (LOWER or LEMMA) and lower-case words one of which must occur
    for ``pattern`` to match, or None."""
    found = _anchor_element(pattern)
    return None if found is None else (found[1], found[2])


UNBOUNDED = 1 << 40  # a "*" or "+" before or after the anchor: the window runs to the sentence edge
_COUNT = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _most_tokens(spec: dict) -> int:
    """The most tokens one pattern element can take (over-counting is safe: the window only grows)."""
    op = spec.get("OP")
    if op in (None, "?", "!", "1"):
        return 1
    count = _COUNT.fullmatch(op) if isinstance(op, str) else None
    if count is None:  # "*", "+" or anything new
        return UNBOUNDED
    low, comma, high = count.groups()
    if not comma:
        return int(low or 0)
    return int(high) if high else UNBOUNDED


def anchor_reach(pattern: list[dict]) -> tuple[int, int]:
    """The most tokens a match of ``pattern`` holds before and after one of its
    anchor tokens (an anchor element taking several tokens widens both sides)."""
    found = _anchor_element(pattern)
    if found is None:
        return UNBOUNDED, UNBOUNDED
    index = found[0]
    extra = _most_tokens(pattern[index]) - 1
    before = extra + sum(_most_tokens(spec) for spec in pattern[:index])
    after = extra + sum(_most_tokens(spec) for spec in pattern[index + 1 :])
    return min(before, UNBOUNDED), min(after, UNBOUNDED)


def _matcher(nlp: Language, rules: list[Rule]) -> Matcher:
    matcher = Matcher(nlp.vocab, validate=True)
    for rule in rules:
        if isinstance(rule.pattern, list):  # phrase rules (strings) go to the PhraseMatcher
            matcher.add(rule.id, [rule.pattern])
    return matcher
