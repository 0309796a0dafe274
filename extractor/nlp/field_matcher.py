"""``sts_field_matcher_v1``: the field rules (``patterns/*.jsonl``) as spaCy
Matchers; candidates land in ``doc.spans["sts_candidates"]`` with the rule id
as ``span.id_``."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import chain, compress
from typing import NamedTuple

import numpy
import spacy.attrs
from spacy.attrs import ENT_TYPE, LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc, Span

from extractor.nlp.extensions import token_column
from extractor.nlp.rules_component import RulesComponent
from extractor.nlp.sentences import sentence_bounds
from extractor.rules.loader import Rule, RuleSet

CANDIDATES = "sts_candidates"


@Language.factory("sts_field_matcher_v1", default_config={"rules_dir": ""})
def create_field_matcher(nlp: Language, name: str, rules_dir: str) -> FieldMatcher:
    return FieldMatcher(nlp, rules_dir)


class FieldMatcher(RulesComponent):
    """Rule matches as candidate spans; ``span.id_`` is the rule id.

    Rules are grouped by anchor words (the word set of a required,
    non-function-word token of the pattern). The anchor tokens and, per token,
    the token tests it passes (bits, :class:`TokenMasks`) are read once per Doc;
    each group's Matcher then runs only on the stretch of the anchor's sentence
    that a match holding that anchor can reach (:class:`Reach`: "?" counts one token, "{0,8}" eight, a
    "*" of listed words the run of such words). Rules without anchor words
    (a number-shaped REGEX, "a 51-year-old") are anchored on their first
    required word list or REGEX token and run, as one Matcher, on windows of
    the whole Doc. A match always holds an anchor token, so the windows hold
    every match, and as they are disjoint and taken left to right, the
    Matcher yields them in the same order as over the whole sentence (or Doc).
    A window where, for every rule of the group, some required token test (a
    word list, REGEX, true lexeme flag or entity label of an element that takes
    at least one token) passes on no token cannot hold a match: the Matcher is
    not run there (most windows). A group of one rule made of plain one-token
    elements (:func:`_exact_tests`) is matched on the bits, without its Matcher.
    """

    name = "sts_field_matcher_v1"
    # from this many tokens on, a Doc is matched by arrays: on shorter ones numpy's
    # cost per call outweighs the per-token and per-anchor Python loops
    array_from = 500

    def __init__(self, nlp: Language, rules_dir: str) -> None:
        self.nlp = nlp
        super().__init__(rules_dir)

    def use_rules(self, rule_set: RuleSet) -> None:
        super().use_rules(rule_set)
        nlp = self.nlp
        self.by_id: dict[str, Rule] = {rule.id: rule for rule in rule_set.fields}
        # the Matchers' match ids (hashes of rule ids) → hashes of the candidate's label and rule id
        # (a Span given hashes skips the string store)
        self.made: dict[int, tuple[int, int]] = {
            nlp.vocab.strings.add(rule.id): (nlp.vocab.strings.add(rule.label), nlp.vocab.strings.add(rule.id))
            for rule in self.by_id.values()
        }
        self.groups: list[tuple[tuple[str, frozenset[str]] | None, Matcher]] = []
        self.reach: list[list[Reach]] = []  # per group: how far each of its rules reaches around its anchor
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
        self.required: list[list[tuple[Need, ...]]] = []  # per group, per rule: the tests a match needs
        # per group of one rule whose elements are all plain token tests: its match id and,
        # per element, the tests its token must pass (matched on the token bits, no Matcher)
        self.exact: list[tuple[int, list[tuple[Need, ...]]] | None] = []
        # per group whose rules are all token rules (:func:`_token_steps`): each rule's match id and steps
        self.token_rules: list[list[tuple[int, list[Step]]] | None] = []
        for anchors, rules in grouped.items():
            self.groups.append((anchors, _matcher(nlp, rules)))
            elements = _exact_tests(rules[0].pattern, nlp.vocab.strings) if len(rules) == 1 else None
            self.exact.append(None if elements is None else (nlp.vocab.strings.add(rules[0].id), elements))
            self.token_rules.append(None if elements is not None else self._token_rules(rules))
            self.required.append([self._needs(rule.pattern) for rule in rules])
            self.reach.append([Reach(rule.pattern, _anchor_element(rule.pattern)[0]) for rule in rules])  # type: ignore[arg-type,index]  # anchored rules are token patterns
        self.loose: list[tuple[Reach, Need]] | None = None  # the unanchored rules' reach and anchor token test
        if unanchored:
            self.groups.append((None, _matcher(nlp, unanchored)))
            self.exact.append(None)
            self.token_rules.append(self._token_rules(unanchored))
            self.required.append([self._needs(rule.pattern) for rule in unanchored])
            self.reach.append([])
            loose = [
                (rule.pattern, found)
                for rule in unanchored
                if isinstance(rule.pattern, list) and (found := _loose_anchor(rule.pattern)) is not None
            ]
            if len(loose) == len(unanchored):  # else the group runs over the whole Doc
                self.loose = [
                    (Reach(pattern, found[0]), need_of(found[1], nlp.vocab.strings)) for pattern, found in loose
                ]
        # per column: every anchor word's hash → the groups it anchors, so one
        # look-up per token of the Doc's column finds the anchor tokens of every group
        by_word: dict[str, dict[int, list[int]]] = {"LOWER": {}, "LEMMA": {}}
        for index, (anchors, _) in enumerate(self.groups):
            if anchors is not None:
                for word in sorted(anchors[1]):
                    by_word[anchors[0]].setdefault(nlp.vocab.strings.add(word), []).append(index)
        self.anchor_index = [
            (attr, table) for attr, table in ((LOWER, by_word["LOWER"]), (LEMMA, by_word["LEMMA"])) if table
        ]
        self.unanchored = [index for index, (anchors, _) in enumerate(self.groups) if anchors is None]
        # every token test as a bit: the needs, the "*" runs of the reaches and the loose anchors
        tests = [need for group in self.required for needs in group for need in needs]
        strings = nlp.vocab.strings
        tests += [need_of(test, strings) for reaches in self.reach for reach in reaches for test in reach.runs()]
        for reach, need in self.loose or []:
            tests += [need] + [need_of(run, strings) for run in reach.runs()]
        tests += [need for exact in self.exact if exact is not None for element in exact[1] for need in element]
        tests += [
            need
            for rules in self.token_rules
            for _, steps in rules or []
            for step in steps
            for need in step.needs + step.refuses
        ]
        # windows of token rules with at most one match: no Matcher (off: the Matcher everywhere, as tests compare)
        self.match_token_rules = True
        self._lemmas: bool | None = None  # whether the Doc being matched has lemmas (asked once, when needed)
        self.masks = TokenMasks(tests, dict(self.anchor_index))
        self._rule_bits: tuple[list[list[tuple[Need, ...]]], list[list[int]]] = ([], [])
        # per group, per rule (in the order of ``reach`` and ``loose``): the bits a match needs, to leave out
        # the windows of the rules that cannot match in a Doc (kept apart from ``required``, which may be replaced)
        self.live_bits = [[self.masks.bits(needs) for needs in group] for group in self.required]
        self._exact_bits: list[tuple[int, list[int], bool] | None] | None = None
        # per group of token rules: whether they read LEMMA and, per rule, its match id and steps as bits
        self.token_bits = [
            None
            if rules is None
            else (
                any(need.attr == LEMMA for _, steps in rules for step in steps for need in step.needs + step.refuses),
                [
                    (key, [(step.quant, self.masks.bits(step.needs), self.masks.bits(step.refuses)) for step in steps])
                    for key, steps in rules
                ],
            )
            for rules in self.token_rules
        ]
        self._rule_rows: RuleRows | None = None

    def _token_rules(self, rules: list[Rule]) -> list[tuple[int, list[Step]]] | None:
        """Each rule's match id and steps, when every rule of the group is a token rule."""
        strings = self.nlp.vocab.strings
        found = []
        for rule in rules:
            steps = _token_steps(rule.pattern, strings)
            if steps is None:
                return None
            found.append((strings.add(rule.id), steps))
        return found

    def _needs(self, pattern: list[dict] | str) -> tuple[Need, ...]:
        """The pattern's needs, word tests first."""
        needs = [need_of(test, self.nlp.vocab.strings) for test in _required_tests(pattern)]
        needs += [Need(flag, None, None) for flag in _required_flags(pattern)]
        needs += [
            Need(ENT_TYPE, frozenset(self.nlp.vocab.strings.add(label) for label in labels), None)
            for labels in _required_entities(pattern)
        ]
        return tuple(sorted(needs, key=lambda need: need.ids is None))

    def _window_matches(
        self, doc: Doc, masks: TokenMasks, index: int, low: int, high: int
    ) -> list[tuple[int, int, int]]:
        """Group ``index``'s matches in the window [low, high): of token rules, the
        one match or none found on the token bits (:func:`token_matches`); the
        Matcher where two or more need its order, or for other rules."""
        token = self.token_bits[index] if self.match_token_rules else None
        if token is not None and (not token[0] or self._has_lemmas(doc)):  # else the Matcher raises its error
            found = token_matches(token[1], masks.span_bits(low, high), low)
            if found is not None:
                return found
        return [(key, low + start, low + end) for key, start, end in self.groups[index][1](doc[low:high])]

    def _has_lemmas(self, doc: Doc) -> bool:
        """Whether the Doc being matched has lemmas (``doc.has_annotation`` reads
        every token: asked once per Doc, by whichever rule needs it first)."""
        if self._lemmas is None:
            self._lemmas = doc.has_annotation("LEMMA")
        return self._lemmas

    def exact_bits(self) -> list[tuple[int, list[int], bool] | None]:
        """Per group, for :attr:`exact`: the match id, per element the bits its token needs, and whether it reads LEMMA."""
        if self._exact_bits is None:
            self._exact_bits = [
                None
                if exact is None
                else (
                    exact[0],
                    [self.masks.bits(element) for element in exact[1]],
                    any(need.attr == LEMMA for element in exact[1] for need in element),
                )
                for exact in self.exact
            ]
        return self._exact_bits

    def rule_bits(self) -> list[list[int]]:
        """Per group, per rule: the bits of the tests a match needs (rebuilt when ``required`` is replaced)."""
        if self._rule_bits[0] is not self.required:
            self._rule_bits = (self.required, [[self.masks.bits(needs) for needs in group] for group in self.required])
        return self._rule_bits[1]

    def __call__(self, doc: Doc) -> Doc:
        rule_bits, exact_bits = self.rule_bits(), self.exact_bits()  # before reading the Doc: they may register tests
        self._lemmas = None  # a new Doc: whether it has lemmas is asked again
        starts, ends = sentence_bounds(doc)
        masks = self.masks.of(doc, rows=len(doc) >= self.array_from)
        if masks.by_rows:
            found = self._by_arrays(doc, masks, starts, ends, rule_bits, exact_bits)
        else:
            found = self._per_anchor(doc, masks, starts, ends, rule_bits, exact_bits)
        if len(self.phrases):
            found += self.phrases(doc)
        made = self.made
        doc.spans[CANDIDATES] = [
            Span(doc, start, end, label=made[key][0], span_id=made[key][1]) for key, start, end in found
        ]
        return doc

    def _per_anchor(
        self,
        doc: Doc,
        masks: TokenMasks,
        starts: list[int],
        ends: list[int],
        rule_bits: list[list[int]],
        exact_bits: list[tuple[int, list[int], bool] | None],
    ) -> list[tuple[int, int, int]]:
        """The candidates (match id, start, end), group by group, window by window in Python."""
        found: list[tuple[int, int, int]] = []
        tokens, present = masks.tokens, masks.present
        anchored: dict[int, list[tuple[int, int]]] = {}  # group index → (anchor token, its sentence), in text order
        for i, indexes in masks.anchored:
            k = bisect_right(starts, i) - 1
            for index in indexes:
                anchored.setdefault(index, []).append((i, k))
        for index in sorted(anchored) + self.unanchored:
            # the rules that can match somewhere in this Doc: only their windows are looked at
            required = [bits for bits in rule_bits[index] if present & bits == bits]
            if not required:
                continue
            live = [rule for rule, bits in enumerate(self.live_bits[index]) if present & bits == bits]
            matcher = self.groups[index][1]
            if index in anchored:
                pairs = anchored[index]
                ranges = []
                # the windows of fixed reach around one anchor all hold it: their union is the widest
                before = after = -1
                for rule in live:
                    reach = self.reach[index][rule]
                    if reach.fixed is not None:  # most rules: counts only, no run to measure
                        before, after = max(before, reach.fixed[0]), max(after, reach.fixed[1])
                    else:
                        ranges += [reach.around(i, starts[k], ends[k], masks) for i, k in pairs]
                if before >= 0:
                    ranges += [(max(starts[k], i - before), min(ends[k], i + 1 + after)) for i, k in pairs]
            elif self.loose is not None:
                loose = [self.loose[rule] for rule in live]
                where = masks.where([need for _, need in loose])
                ranges = [reach.around(i, 0, len(doc), masks) for (reach, _), hits in zip(loose, where) for i in hits]
            else:
                found += matcher(doc)
                continue
            exact = exact_bits[index]
            if exact is not None and exact[2] and not self._has_lemmas(doc):
                exact = None  # the Matcher raises its error for the missing lemmas
            for low, high in merged(ranges):
                window = 0
                for bits in tokens[low:high]:
                    window |= bits
                if not any(window & bits == bits for bits in required):
                    continue
                if exact is None:
                    found += self._window_matches(doc, masks, index, low, high)
                    continue
                # one rule of fixed length: its matches in the window, left to right, as the Matcher yields them
                key, elements, _ = exact
                size = len(elements)
                found += [
                    (key, start, start + size)
                    for start in range(low, high - size + 1)
                    if all(tokens[start + j] & bits == bits for j, bits in enumerate(elements))
                ]
        return found

    def _by_arrays(
        self,
        doc: Doc,
        masks: TokenMasks,
        starts: list[int],
        ends: list[int],
        rule_bits: list[list[int]],
        exact_bits: list[tuple[int, list[int], bool] | None],
    ) -> list[tuple[int, int, int]]:
        """The same candidates in the same order as :meth:`_per_anchor`, the
        windows worked out and tested as arrays over all anchor tokens at once."""
        found: list[tuple[int, int, int]] = []
        windows = self._windows(doc, masks, starts, ends, self._rows(rule_bits, exact_bits))
        rows = self._rows(rule_bits, exact_bits)  # again: measuring a run may have added a test (a wider row)
        groups, lows, highs = self._feasible(windows, masks, rows)
        # the windows of the groups matched on the bits: every start that fits, tested at once
        exact = rows.exact_size[groups] > 0
        if exact.any() and rows.lemma_exact[groups[exact]].any() and not self._has_lemmas(doc):
            exact &= ~rows.lemma_exact[groups]  # the Matcher raises its error for the missing lemmas
        hit_windows: list[int] = []
        hit_starts: list[int] = []
        if exact.any():
            hits = self._exact_hits(groups[exact], lows[exact], highs[exact], masks.table(), rows)
            hit_windows, hit_starts = numpy.flatnonzero(exact)[hits[0]].tolist(), hits[1].tolist()
        hit_windows.append(-1)
        at = 0
        for window, (index, low, high) in enumerate(zip(groups.tolist(), lows.tolist(), highs.tolist())):
            if window == hit_windows[at]:
                key, elements, _ = exact_bits[index]  # a group matched on bits
                size = len(elements)
                while window == hit_windows[at]:
                    found.append((key, hit_starts[at], hit_starts[at] + size))
                    at += 1
            elif not exact[window]:
                found += self._window_matches(doc, masks, index, low, high)
        if self.loose is None:  # the unanchored rules (the last group) over the whole Doc
            for index in self.unanchored:
                if any(masks.present & bits == bits for bits in rule_bits[index]):
                    found += self.groups[index][1](doc)
        return found

    def _windows(
        self, doc: Doc, masks: TokenMasks, starts: list[int], ends: list[int], rows: RuleRows
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """Group index, start and end of every merged window, in group order and
        then text order, worked out as arrays over all anchor tokens at once: the
        groups whose live rules all reach a fixed count around the anchor (most)
        through the widest of them, the others anchor by anchor (:meth:`Reach.around`).
        Only the groups with a rule whose required tests all pass somewhere in
        the Doc, and only their live rules (whose own needs all pass), count."""
        present = rows.of_bits(masks.present)
        group_live = numpy.logical_or.reduceat(rows.passes(rows.required, present), rows.first)
        live = rows.passes(rows.live, present) & group_live[rows.live_group]
        anchored = masks.anchored
        lists = [groups for _, groups in anchored]
        counts = list(map(len, lists))
        group_of = numpy.fromiter(chain.from_iterable(lists), dtype=numpy.intp, count=sum(counts))
        token_of = numpy.repeat(numpy.fromiter((i for i, _ in anchored), dtype=numpy.intp, count=len(anchored)), counts)
        order = numpy.lexsort((token_of, group_of))  # by group, then in text order
        group_of, token_of = group_of[order], token_of[order]
        sentence_starts, sentence_ends = numpy.array(starts, dtype=numpy.intp), numpy.array(ends, dtype=numpy.intp)
        sentence = numpy.searchsorted(sentence_starts, token_of, side="right") - 1
        low_bound, high_bound = sentence_starts[sentence], sentence_ends[sentence]
        # the fixed windows: [max(sentence start, i - before), min(sentence end, i + 1 + after)), the widest live rule
        before = numpy.full(len(self.groups), -1, dtype=numpy.intp)
        after = numpy.full(len(self.groups), -1, dtype=numpy.intp)
        if len(rows.live_first):
            before[rows.live_groups] = numpy.maximum.reduceat(numpy.where(live, rows.before, -1), rows.live_first)
            after[rows.live_groups] = numpy.maximum.reduceat(numpy.where(live, rows.after, -1), rows.live_first)
        keep = before[group_of] >= 0
        window_groups = [group_of[keep]]
        lows = [numpy.maximum(low_bound[keep], token_of[keep] - before[group_of[keep]])]
        highs = [numpy.minimum(high_bound[keep], token_of[keep] + 1 + after[group_of[keep]])]
        measured = (live & (rows.before < 0)).nonzero()[0].tolist()
        if measured:
            for row in measured:
                index, reach = rows.live_group[row], rows.reaches[row]
                if reach is None:  # an unanchored rule: anchored on its first required token test
                    reach, need = self.loose[rows.live_rule[row]]  # type: ignore[index]  # loose rules have their anchor test
                    if reach.fixed is not None:  # counts only: the windows of all its anchors at once
                        bit = masks.bit(need)  # first: a new test reads the Doc again
                        anchors = numpy.flatnonzero(column(masks.table(), bit))
                        window_groups.append(numpy.full(len(anchors), index, dtype=numpy.intp))
                        lows.append(numpy.maximum(anchors - reach.fixed[0], 0))
                        highs.append(numpy.minimum(anchors + 1 + reach.fixed[1], len(doc)))
                        continue
                    ranges = [reach.around(i, 0, len(doc), masks) for i in masks.where([need])[0]]
                else:
                    first, last = numpy.searchsorted(group_of, [index, index + 1]).tolist()
                    pairs = zip(token_of[first:last].tolist(), sentence[first:last].tolist())
                    ranges = [reach.around(i, starts[k], ends[k], masks) for i, k in pairs]
                found = numpy.array(ranges, dtype=numpy.intp).reshape(-1, 2)
                window_groups.append(numpy.full(len(found), index, dtype=numpy.intp))
                lows.append(found[:, 0])
                highs.append(found[:, 1])
        if len(window_groups) == 1:  # fixed windows only: already by group, then by start
            return merged_windows(window_groups[0], lows[0], highs[0], len(doc), ordered=True)
        return merged_windows(
            numpy.concatenate(window_groups), numpy.concatenate(lows), numpy.concatenate(highs), len(doc)
        )

    def _feasible(
        self, windows: tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray], masks: TokenMasks, rows: RuleRows
    ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """The windows where, for some rule of the group, every required test
        passes on some token (the others cannot hold a match): the OR of each
        window's token bits by one ``reduceat`` over all windows."""
        window_groups, lows, highs = windows
        if not len(lows):
            return windows
        # windows by start: the stretches between them, reduced too, add up to at most the Doc once
        order = numpy.argsort(lows, kind="stable")
        bounds = numpy.empty(2 * len(lows), dtype=numpy.intp)
        bounds[0::2], bounds[1::2] = lows[order], highs[order]
        ors = numpy.empty((len(lows), masks.words()), dtype=numpy.uint64)
        ors[order] = numpy.bitwise_or.reduceat(masks.table(padded=True), bounds, axis=0)[0::2]
        # each window against each rule of its group
        per = rows.per_group[window_groups]
        which = numpy.repeat(numpy.arange(len(lows)), per)
        rule = numpy.repeat(rows.first[window_groups] - numpy.cumsum(per) + per, per) + numpy.arange(len(which))
        wanted = rows.required[rule]
        passes = ((ors[which] & wanted) == wanted).all(axis=1)
        feasible = numpy.zeros(len(lows), dtype=bool)
        feasible[which[passes]] = True
        return window_groups[feasible], lows[feasible], highs[feasible]

    def _exact_hits(
        self, groups: numpy.ndarray, lows: numpy.ndarray, highs: numpy.ndarray, table: numpy.ndarray, rows: RuleRows
    ) -> tuple[numpy.ndarray, numpy.ndarray]:
        """For windows of groups matched on the bits: (window number, start) of
        every match, in window then text order (as the Matcher yields them)."""
        sizes = rows.exact_size[groups]
        fits = numpy.maximum(highs - lows - sizes + 1, 0)
        which = numpy.repeat(numpy.arange(len(lows)), fits)
        starts = numpy.repeat(lows - numpy.cumsum(fits) + fits, fits) + numpy.arange(len(which))
        ok = numpy.ones(len(which), dtype=bool)
        elements = rows.exact[groups[which]]
        last = len(table) - 1
        for j in range(elements.shape[1]):  # past a rule's own length its rows are zero: every token passes
            wanted = elements[:, j]
            ok &= ((table[numpy.minimum(starts + j, last)] & wanted) == wanted).all(axis=1)
        return which[ok], starts[ok]

    def _rows(self, rule_bits: list[list[int]], exact_bits: list[tuple[int, list[int], bool] | None]) -> RuleRows:
        """The rules' bits as rows (rebuilt when ``required`` is replaced or a test is added)."""
        words = self.masks.words()
        known = self._rule_rows
        if known is not None and known.key[0] is rule_bits and known.key[1] is exact_bits and known.key[2] == words:
            return known
        # the rules matched in windows: anchored ones, and unanchored ones when they have their anchor test
        live = [
            (index, rule, bits)
            for index, group in enumerate(self.live_bits)
            if self.reach[index] or self.loose is not None
            for rule, bits in enumerate(group)
        ]
        reaches = [self.reach[index][rule] if self.reach[index] else None for index, rule, _ in live]
        per_group = numpy.array([len(group) for group in rule_bits], dtype=numpy.intp)
        live_group = numpy.array([index for index, _, _ in live], dtype=numpy.intp)
        live_groups, live_first = numpy.unique(live_group, return_index=True)
        rows = self._rule_rows = RuleRows(
            key=(rule_bits, exact_bits, words),
            required=as_rows([bits for group in rule_bits for bits in group], words),
            per_group=per_group,
            first=numpy.cumsum(per_group) - per_group,
            live=as_rows([bits for _, _, bits in live], words),
            live_group=live_group,
            live_first=live_first,
            live_groups=live_groups,
            live_rule=[rule for _, rule, _ in live],
            reaches=reaches,
            before=numpy.array([-1 if r is None or r.fixed is None else r.fixed[0] for r in reaches], dtype=numpy.intp),
            after=numpy.array([-1 if r is None or r.fixed is None else r.fixed[1] for r in reaches], dtype=numpy.intp),
            exact_size=numpy.array([0 if e is None else len(e[1]) for e in exact_bits], dtype=numpy.intp),
            lemma_exact=numpy.array([e is not None and e[2] for e in exact_bits], dtype=bool),
            exact=_exact_rows(exact_bits, words),
        )
        return rows


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges, overlapping or touching ones joined."""
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1]:
            out[-1] = (out[-1][0], max(high, out[-1][1]))
        else:
            out.append((low, high))
    return out


def merged_windows(
    groups: numpy.ndarray, lows: numpy.ndarray, highs: numpy.ndarray, size: int, ordered: bool = False
) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Per group, its ranges sorted and the overlapping or touching ones joined;
    groups in increasing order (``ordered``: they come sorted by group and start)."""
    if not ordered:
        order = numpy.lexsort((lows, groups))
        groups, lows, highs = groups[order], lows[order], highs[order]
    # the furthest end so far within the group: a group's offset lifts its ends above every earlier group's
    offset = groups * (size + 1)
    furthest = numpy.maximum.accumulate(highs + offset) - offset
    opens = numpy.ones(len(lows), dtype=bool)
    opens[1:] = (groups[1:] != groups[:-1]) | (lows[1:] > furthest[:-1])
    closes = numpy.ones(len(lows), dtype=bool)
    closes[:-1] = opens[1:]
    return groups[opens], lows[opens], furthest[closes]


def column(table: numpy.ndarray, bit: int) -> numpy.ndarray:
    """Whether each token (row of :meth:`TokenMasks.matrix`) has ``bit``."""
    position = bit.bit_length() - 1
    return (table[:, position >> 6] >> numpy.uint64(position & 63)) & numpy.uint64(1) != 0


def as_rows(values: list[int], words: int) -> numpy.ndarray:
    """Bit sets (ints) as rows of ``words`` uint64s, lowest bits first."""
    size = 8 * words
    packed = b"".join([value.to_bytes(size, "little") for value in values])
    return numpy.frombuffer(packed, dtype="<u8").reshape(len(values), words)


_COLUMNS = {"LOWER": LOWER, "ORTH": ORTH, "LEMMA": LEMMA}


class RuleRows(NamedTuple):
    """The field matcher's rule bits as rows of uint64s, to test every rule
    against a Doc's or a window's bits at once. ``required``: per group
    (``first``, ``per_group`` rows) the bits each rule needs; ``live``: per rule
    (of the groups matched in windows, ``live_groups`` from ``live_first`` on) its
    own needs, its group and rule number, its :class:`Reach` (None for an unanchored rule) and the fixed
    counts it reaches (-1: a run to measure); ``exact``: per group matched on
    the bits, its element rows, zero past its ``exact_size``."""

    key: tuple[object, object, int]
    required: numpy.ndarray
    per_group: numpy.ndarray
    first: numpy.ndarray
    live: numpy.ndarray
    live_group: numpy.ndarray
    live_first: numpy.ndarray
    live_groups: numpy.ndarray
    live_rule: list[int]
    reaches: list[Reach | None]
    before: numpy.ndarray
    after: numpy.ndarray
    exact_size: numpy.ndarray
    lemma_exact: numpy.ndarray
    exact: numpy.ndarray

    def of_bits(self, bits: int) -> numpy.ndarray:
        """``bits`` as one row."""
        return as_rows([bits], self.required.shape[1])[0]

    @staticmethod
    def passes(rows: numpy.ndarray, bits: numpy.ndarray) -> numpy.ndarray:
        """Per row, whether ``bits`` holds all of it."""
        return ((rows & bits) == rows).all(axis=1)


def _exact_rows(exact_bits: list[tuple[int, list[int], bool] | None], words: int) -> numpy.ndarray:
    """Per group, its elements' bits as rows, zero-padded to the longest rule (no rows for a Matcher group)."""
    longest = max((len(exact[1]) for exact in exact_bits if exact is not None), default=1)
    padded = [(exact[1] if exact is not None else []) + [0] * longest for exact in exact_bits]
    flat = [bits for elements in padded for bits in elements[:longest]]
    return as_rows(flat, words).reshape(len(exact_bits), longest, words)


class Need(NamedTuple):
    """A token test a match needs, on a column: its word hashes (``ids``) or a
    ``regex`` on its strings; with neither, ``attr`` is a lexeme flag that must be set."""

    attr: int
    ids: frozenset[int] | None
    regex: str | None


def need_of(test: tuple, strings: StringStore) -> Need:
    """A token test (:func:`_token_test`) as a :class:`Need` on string hashes."""
    if test[0] == "REGEX":
        return Need(_COLUMNS[test[1]], None, test[2])
    return Need(_COLUMNS[test[0]], frozenset(strings.add(word) for word in test[1]), None)


class TokenMasks:
    """Per Doc, the token tests each token passes, as bits: a window holds a
    match of a rule only if the OR of its tokens' bits has every bit the rule
    needs. A token's LOWER and ORTH tests depend on its ORTH alone (LOWER is an
    attribute of the lexeme), so their bits are worked out once per ORTH
    string, the first time any Doc holds it (word look-ups and every REGEX),
    and kept across Docs as an int and as a row of one growing array (its
    "place"); LEMMA tests are word lists, looked up only on the tokens whose
    LEMMA is one of their words. Anchor words (``anchors``: per column LOWER or
    LEMMA, word hash → group indexes) are found the same way. A Doc is read
    into ``tokens`` (an int per token), or with ``rows`` (long Docs, matched by
    arrays) into :meth:`table`: every token's place found by one
    ``searchsorted`` over the known ORTH hashes and its row taken by one
    ``take``, the work per token left to numpy."""

    _LIMIT = 500_000  # ORTH strings remembered before the memory is cleared

    def __init__(self, needs: Iterable[Need] = (), anchors: dict[int, dict[int, list[int]]] | None = None) -> None:
        self._bit: dict[Need, int] = {}
        self._words: dict[int, dict[int, int]] = {LOWER: {}, ORTH: {}, LEMMA: {}, ENT_TYPE: {}}  # column: hash → bits
        self._regexes: dict[int, list[tuple[re.Pattern, int]]] = {LOWER: [], ORTH: []}
        self._flags: list[tuple[int, int]] = []  # lexeme flag, its bit
        self._anchors = anchors or {}
        self._tests: dict[tuple, Need] = {}
        self._test_bits: dict[tuple, int] = {}
        self._forget()
        for need in needs:
            self._add(need)
        self.doc: Doc | None = None
        self.present = 0  # the bits some token of the Doc passes
        self.by_rows = False  # whether the Doc was read by rows (else into ``tokens``)
        self._tokens: list[int] | None = []
        self.anchored: list[tuple[int, list[int]]] = []  # (anchor token, its groups), per column in text order
        self._places = numpy.zeros(0, dtype=numpy.intp)  # per token (read by rows), its ORTH's place
        # token → the bits its LEMMA or entity label adds to its ORTH's (read by rows: made when first asked)
        self._extra: dict[int, int] | None = {}
        self._place_list: list[int] | None = None  # ``_places`` as a list (made when a token is read one by one)
        self._lemma_hits: tuple[list[int], list[int]] = ([], [])  # read by rows: tokens of a LEMMA word, its number
        self._entity_bits: dict[int, int] = {}  # read by rows: token → the bits its entity label adds
        self._table: numpy.ndarray | None = None  # the tokens' rows and a row of zeros

    def _add(self, need: Need) -> int:
        if need in self._bit:
            return self._bit[need]
        bit = self._bit[need] = 1 << len(self._bit)
        if need.ids is not None:
            words = self._words[need.attr]
            for key in need.ids:
                words[key] = words.get(key, 0) | bit
        elif need.regex is not None:
            assert need.attr in self._regexes, "REGEX tests read LOWER or ORTH"
            self._regexes[need.attr].append((re.compile(need.regex), bit))
        else:
            self._flags.append((need.attr, bit))
        self._forget()
        return bit

    def _forget(self) -> None:
        """Drop what is known per ORTH string (the tests changed, or the memory is full)."""
        self._by_orth: dict[int, int] = {}  # ORTH hash → bits of its LOWER and ORTH tests
        self._place: dict[int, int] = {}  # ORTH hash → its place (item of ``_known_bits``, row of ``_known``)
        self._known_bits: list[int] = []  # per place, the bits of its ORTH string
        self._known = numpy.zeros((0, self.words()), dtype=numpy.uint64)  # per place, the bits as a row (and room)
        self._anchor_at = numpy.zeros(0, dtype=bool)  # per place, whether its LOWER is an anchor word (and room)
        self._keys = numpy.zeros(0, dtype=numpy.uint64)  # the ORTH hashes of ``_place``, sorted (the newest not yet)
        self._key_places = numpy.zeros(0, dtype=numpy.intp)  # their places
        self._anchor_orth: dict[int, list[int]] = {}  # ORTH hash → groups its LOWER anchors
        self._lemma_keys = frozenset(self._words[LEMMA].keys() | self._anchors.get(LEMMA, {}).keys())
        lemma_keys = sorted(self._lemma_keys)
        self._lemma_array = numpy.array(lemma_keys, dtype=numpy.uint64)  # the same, sorted
        # per LEMMA word (numbered as sorted): the bits it adds (as ints and rows) and the groups it anchors
        self._lemma_bits = [self._words[LEMMA].get(key, 0) for key in lemma_keys]
        self._lemma_rows = as_rows(self._lemma_bits, self.words())
        lemma_anchors = self._anchors.get(LEMMA, {})
        self._lemma_groups = [lemma_anchors.get(key, []) for key in lemma_keys]
        self._lemma_anchor_at = numpy.array([key in lemma_anchors for key in lemma_keys], dtype=bool)

    def bits(self, needs: Iterable[Need]) -> int:
        """The bits of ``needs`` (each registered on first use)."""
        total = 0
        for need in needs:
            total |= self._bit[need] if need in self._bit else self._add(need)
        return total

    def words(self) -> int:
        """How many uint64s a row of :meth:`table` takes."""
        return max(1, (len(self._bit) + 63) // 64)

    def _learn(self, doc: Doc, new: Iterable[int]) -> None:
        """Work out the bits, place and anchor groups of ORTH strings not seen before."""
        vocab, strings = doc.vocab, doc.vocab.strings
        lower_words, orth_words = self._words[LOWER], self._words[ORTH]
        lower_regexes, orth_regexes = self._regexes[LOWER], self._regexes[ORTH]
        lower_anchors, flags = self._anchors.get(LOWER, {}), self._flags
        known_bits, place, first = self._known_bits, self._place, len(self._known_bits)
        anchor_places = []
        for orth in new:
            lexeme = vocab[orth]
            lower = lexeme.lower
            bits = lower_words.get(lower, 0) | orth_words.get(orth, 0)
            for flag, bit in flags:
                if lexeme.check_flag(flag):
                    bits |= bit
            if lower_regexes:
                text = strings[lower]
                for regex, bit in lower_regexes:
                    if regex.search(text) is not None:
                        bits |= bit
            if orth_regexes:
                text = strings[orth]
                for regex, bit in orth_regexes:
                    if regex.search(text) is not None:
                        bits |= bit
            self._by_orth[orth] = bits
            place[orth] = len(known_bits)
            known_bits.append(bits)
            if (groups := lower_anchors.get(lower)) is not None:
                self._anchor_orth[orth] = groups
                anchor_places.append(place[orth])
        size = len(known_bits)
        if size > len(self._known):  # room for twice as many: the rows are copied O(log n) times
            room = max(2 * size, 1024)
            known = numpy.zeros((room, self.words()), dtype=numpy.uint64)
            known[:first] = self._known[:first]
            anchor_at = numpy.zeros(room, dtype=bool)
            anchor_at[:first] = self._anchor_at[:first]
            self._known, self._anchor_at = known, anchor_at
        self._known[first:size] = as_rows(known_bits[first:size], self.words())
        self._anchor_at[anchor_places] = True

    def _places_of(self, doc: Doc, orths: numpy.ndarray) -> numpy.ndarray:
        """Every token's place, from its ORTH hash: one ``searchsorted`` over the
        sorted known hashes; the others (new, or not sorted in yet) by the dict."""
        keys = self._keys
        if len(keys):
            where = numpy.minimum(keys.searchsorted(orths), len(keys) - 1)
            places = self._key_places[where]
            missing = numpy.flatnonzero(keys[where] != orths)
        else:
            places = numpy.zeros(len(orths), dtype=numpy.intp)
            missing = numpy.arange(len(orths))
        if len(missing):
            wanted = orths[missing].tolist()
            new = set(wanted).difference(self._place)
            if new:
                self._learn(doc, new)
            places[missing] = list(map(self._place.__getitem__, wanted))
            if (len(self._place) - len(keys)) * 10 > len(keys) or len(missing) > 1000:
                self._fold()
        return places

    def _fold(self) -> None:
        """Sort every known ORTH hash in with its place."""
        keys = numpy.fromiter(self._place.keys(), dtype=numpy.uint64, count=len(self._place))
        places = numpy.fromiter(self._place.values(), dtype=numpy.intp, count=len(self._place))
        order = numpy.argsort(keys)
        self._keys, self._key_places = keys[order], places[order]

    def of(self, doc: Doc, rows: bool = False) -> TokenMasks:
        """Read ``doc``'s ORTH, LEMMA (and ENT_TYPE) columns once and work out the
        bits present, the anchors and every token's bits (``rows``: as rows)."""
        self.doc, self._table, self._extra, self.by_rows = doc, None, {}, rows
        self._lemma_hits, self._entity_bits = ([], []), {}
        self._place_list = None
        if not len(doc):
            self._tokens, self.present, self.anchored = [], 0, []
            self._places = numpy.zeros(0, dtype=numpy.intp)
            return self
        # ORTH from the columns the stages share, LEMMA (and entity labels) read here: set by earlier stages
        orths = token_column(doc, ORTH)
        # a column per attribute (``to_array`` of one attribute gives a flat array)
        others = doc.to_array([LEMMA, ENT_TYPE] if self._words[ENT_TYPE] else [LEMMA]).reshape(len(doc), -1)
        if len(self._by_orth) > self._LIMIT:
            self._forget()
        if rows:
            self._of_rows(doc, orths, others)
        else:
            self._of_tokens(doc, orths, others)
        return self

    def _of_tokens(self, doc: Doc, orth_column: numpy.ndarray, others: numpy.ndarray) -> None:
        """An int per token: the bits of its ORTH string, LEMMA and entity label."""
        entities = self._words[ENT_TYPE]
        orths = orth_column.tolist()
        unique = set(orths)
        new = unique.difference(self._by_orth)
        if new:
            self._learn(doc, new)
        tokens = list(map(self._by_orth.__getitem__, orths))
        anchor_orth = self._anchor_orth
        anchored: list[tuple[int, list[int]]] = []
        # the anchor tokens' positions picked by C-level passes (compress, map), not a Python loop per token
        if not anchor_orth.keys().isdisjoint(unique):
            positions = compress(range(len(orths)), map(anchor_orth.__contains__, orths))
            anchored = [(i, anchor_orth[orths[i]]) for i in positions]
        if self._lemma_keys:
            lemmas = others[:, 0].tolist()
            keys = self._lemma_keys
            if not keys.isdisjoint(lemmas):
                lemma_words, lemma_anchors = self._words[LEMMA], self._anchors.get(LEMMA, {})
                for i in compress(range(len(lemmas)), map(keys.__contains__, lemmas)):
                    lemma = lemmas[i]
                    tokens[i] |= lemma_words.get(lemma, 0)
                    if (groups := lemma_anchors.get(lemma)) is not None:
                        anchored.append((i, groups))
        if entities:
            hits = numpy.flatnonzero(others[:, 1])
            for i, label in zip(hits.tolist(), others[hits, 1].tolist()):
                tokens[i] |= entities.get(label, 0)
        present = 0
        for bits in set(tokens):
            present |= bits
        self._tokens, self.present, self.anchored = tokens, present, anchored

    def _of_rows(self, doc: Doc, orths: numpy.ndarray, others: numpy.ndarray) -> None:
        """The table: per token the row of its ORTH string's place, with the bits its LEMMA or entity label adds."""
        self._tokens = None
        entities = self._words[ENT_TYPE]
        places = self._places = self._places_of(doc, orths)
        words = self.words()
        table = numpy.empty((len(places) + 1, words), dtype=numpy.uint64)
        numpy.take(self._known, places, axis=0, out=table[:-1])
        table[-1] = 0
        anchored: list[tuple[int, list[int]]] = []
        positions = numpy.flatnonzero(self._anchor_at[places])
        if len(positions):
            anchor_orth = self._anchor_orth
            groups = list(map(anchor_orth.__getitem__, orths[positions].tolist()))
            anchored = list(zip(positions.tolist(), groups))
        lemma_array = self._lemma_array
        if len(lemma_array):
            # the tokens whose LEMMA is a test or anchor word, found by one numpy pass, in text order:
            # their bits added as rows, their anchor groups looked up
            lemmas = others[:, 0]
            where = numpy.minimum(lemma_array.searchsorted(lemmas), len(lemma_array) - 1)
            hits = numpy.flatnonzero(lemma_array[where] == lemmas)
            if len(hits):
                keys = where[hits]
                table[hits] |= self._lemma_rows[keys]
                self._lemma_hits = (hits.tolist(), keys.tolist())
                anchors = numpy.flatnonzero(self._lemma_anchor_at[keys])
                if len(anchors):
                    anchored += zip(hits[anchors].tolist(), map(self._lemma_groups.__getitem__, keys[anchors].tolist()))
        if entities:
            hits = numpy.flatnonzero(others[:, 1])
            entity_bits = self._entity_bits
            for i, label in zip(hits.tolist(), others[hits, 1].tolist()):
                if bits := entities.get(label, 0):
                    entity_bits[i] = bits
            if entity_bits:
                table[list(entity_bits)] |= as_rows(list(entity_bits.values()), words)
        self._extra = None
        self._table = table
        self.present = int.from_bytes(numpy.bitwise_or.reduce(table, axis=0).tobytes(), "little")
        self.anchored = anchored

    def extra(self) -> dict[int, int]:
        """Token → the bits its LEMMA or entity label adds to its ORTH string's (read by rows: made once, when asked)."""
        if self._extra is None:
            hits, keys = self._lemma_hits
            extra = dict(zip(hits, map(self._lemma_bits.__getitem__, keys)))
            for i, bits in self._entity_bits.items():
                extra[i] = extra.get(i, 0) | bits
            self._extra = extra
        return self._extra

    def table(self, padded: bool = False) -> numpy.ndarray:
        """The tokens' bits as rows of :meth:`words` uint64s (``padded``: and a row
        of zeros after the last token, so that the Doc's length is a row)."""
        words = self.words()
        if self._table is None or self._table.shape[1] != words:
            if self.by_rows:  # a test was added since the Doc was read: read again
                assert self.doc is not None
                self.of(self.doc, rows=True)
            else:  # converted once per distinct bit set
                size = len(self.tokens)
                table = numpy.empty((size + 1, words), dtype=numpy.uint64)
                distinct = list(set(self.tokens))
                row = {bits: k for k, bits in enumerate(distinct)}
                picked = numpy.fromiter(map(row.__getitem__, self.tokens), dtype=numpy.intp, count=size)
                numpy.take(as_rows(distinct, words), picked, axis=0, out=table[:-1])
                table[-1] = 0
                self._table = table
        assert self._table is not None
        return self._table if padded else self._table[:-1]

    @property
    def tokens(self) -> list[int]:
        """Per token, the bits of the tests it passes (worked out from the places once, when read by rows)."""
        if self._tokens is None:
            tokens = list(map(self._known_bits.__getitem__, self._places.tolist()))
            for i, bits in self.extra().items():
                tokens[i] |= bits
            self._tokens = tokens
        return self._tokens

    def need(self, test: tuple) -> Need:
        """The :class:`Need` of a token test (cached)."""
        need = self._tests.get(test)
        if need is None:
            assert self.doc is not None
            need = self._tests[test] = need_of(test, self.doc.vocab.strings)
        return need

    def bit(self, need: Need) -> int:
        """The bit of ``need``; a test not known yet is added and the Doc's bits worked out again."""
        if need not in self._bit:
            self._add(need)
            assert self.doc is not None
            self.of(self.doc)
        return self._bit[need]

    def test_bit(self, test: tuple) -> int:
        """The bit of a token test (:func:`_token_test`), looked up once per test (a bit never changes)."""
        bit = self._test_bits.get(test)
        if bit is None:
            bit = self._test_bits[test] = self.bit(self.need(test))
        return bit

    def where(self, needs: list[Need]) -> list[list[int]]:
        """Per need, the tokens that pass it, in text order (one pass over the Doc for all)."""
        wanted = [self.bit(need) & self.present for need in needs]
        if self.by_rows:
            table = self.table()
            return [numpy.flatnonzero(column(table, bit)).tolist() if bit else [] for bit in wanted]
        either = 0
        for bit in wanted:
            either |= bit
        if not either:
            return [[] for _ in needs]
        tokens = self.tokens
        hits = [i for i, bits in enumerate(tokens) if bits & either]
        return [[i for i in hits if tokens[i] & bit] if bit else [] for bit in wanted]

    def span_bits(self, low: int, high: int) -> list[int]:
        """The bits of tokens ``low`` to ``high`` - 1."""
        if self._tokens is not None:
            return self._tokens[low:high]
        known_bits, extra = self._known_bits, self.extra()
        places = self._places[low:high].tolist()
        if not extra:
            return list(map(known_bits.__getitem__, places))
        return [known_bits[place] | extra.get(i, 0) for i, place in enumerate(places, low)]

    def _bits_at(self, i: int) -> int:
        """Token ``i``'s bits (read by rows: from its ORTH string's and the ones its LEMMA or entity label adds)."""
        if self._tokens is not None:
            return self._tokens[i]
        if self._place_list is None:
            self._place_list = self._places.tolist()
        return self._known_bits[self._place_list[i]] | self.extra().get(i, 0)

    def ahead(self, bit: int, start: int) -> int:
        """How many tokens from ``start`` on have ``bit`` (the run a "*" or "+" can take)."""
        size = len(self._places) if self._tokens is None else len(self._tokens)
        end = start
        while end < size and self._bits_at(end) & bit:
            end += 1
        return end - start

    def behind(self, bit: int, end: int) -> int:
        """How many tokens up to ``end`` - 1 have ``bit``."""
        start = end
        while start > 0 and self._bits_at(start - 1) & bit:
            start -= 1
        return end - start


class Reach:
    """How far a match of a token pattern can reach before and after the token its
    ``anchor`` element takes: fixed counts ("?" one, "{0,8}" eight) or, for a "*"
    or "+" of listed words or a REGEX, the run of tokens passing that test;
    anything else reaches to the edge of the range matched in. Over-counting is
    safe: the window only grows."""

    def __init__(self, pattern: list[dict], anchor: int) -> None:
        self.extra = _most_tokens(pattern[anchor]) - 1
        self.before = [_step(spec) for spec in reversed(pattern[:anchor])]
        self.after = [_step(spec) for spec in pattern[anchor + 1 :]]
        fixed = all(isinstance(step, int) for step in self.before + self.after)
        # most patterns: plain counts on both sides
        self.fixed = (self.extra + sum(self.before), self.extra + sum(self.after)) if fixed else None  # type: ignore[arg-type]  # all ints here

    def runs(self) -> list[tuple]:
        """The token tests of the "*" and "+" runs it measures."""
        return [step for step in self.before + self.after if isinstance(step, tuple)]

    def around(self, i: int, low_bound: int, high_bound: int, masks: TokenMasks) -> tuple[int, int]:
        """The token range, inside [low_bound, high_bound), that a match holding token ``i`` as anchor can take."""
        if self.fixed is not None:
            return max(low_bound, i - self.fixed[0]), min(high_bound, i + 1 + self.fixed[1])
        high = i + 1 + self.extra
        for step in self.after:
            if isinstance(step, int):
                high += step
            elif step is None or high >= high_bound:
                high = high_bound
                break
            else:
                # p + ahead[p], the first failing token from p on, never decreases with p:
                # the furthest reach from any of i + 1 .. high is the one from high
                high += masks.ahead(masks.test_bit(step), high)
        low = i - self.extra
        for step in self.before:
            if isinstance(step, int):
                low -= step
            elif step is None or low <= low_bound:
                low = low_bound
                break
            else:
                # p - behind[p] never decreases with p: the furthest reach back is from low
                low -= masks.behind(masks.test_bit(step), low)
        return max(low_bound, low), min(high_bound, high)


def _token_test(spec: dict) -> tuple | None:
    """A test that every token ``spec`` accepts passes (a word list or a REGEX), or None."""
    for key in ("LOWER", "TEXT", "ORTH", "LEMMA"):
        value = spec.get(key)
        column = {"TEXT": "ORTH"}.get(key, key)
        if isinstance(value, str):
            return (column, frozenset([value]))
        if isinstance(value, dict):
            if isinstance(value.get("IN"), list):
                return (column, frozenset(value["IN"]))
            if isinstance(value.get("REGEX"), str) and column in ("LOWER", "ORTH"):
                return ("REGEX", column, value["REGEX"])
    return None


def _step(spec: dict) -> int | tuple | None:
    """One element's most tokens: a count, a token test (a run of "*" or "+"), or None (no bound)."""
    most = _most_tokens(spec)
    if most < UNBOUNDED:
        return most
    return _token_test(spec)


def _required_tests(pattern: list[dict] | str) -> tuple[tuple, ...]:
    """The token tests of the elements that take at least one token: a match
    holds, for each, a token that passes it."""
    if not isinstance(pattern, list):
        return ()
    return tuple(
        test for spec in pattern if spec.get("OP") in (None, "1", "+") and (test := _token_test(spec)) is not None
    )


# lexeme flags (the same for every token of an ORTH string) a pattern element may demand as true
_LEXEME_FLAGS = {
    name: getattr(spacy.attrs, name)
    for name in (
        "IS_ALPHA",
        "IS_ASCII",
        "IS_DIGIT",
        "IS_LOWER",
        "IS_UPPER",
        "IS_TITLE",
        "IS_PUNCT",
        "IS_SPACE",
        "IS_STOP",
        "IS_BRACKET",
        "IS_QUOTE",
        "IS_LEFT_PUNCT",
        "IS_RIGHT_PUNCT",
        "IS_CURRENCY",
        "LIKE_NUM",
        "LIKE_URL",
        "LIKE_EMAIL",
    )
}


def _required_flags(pattern: list[dict] | str) -> tuple[int, ...]:
    """The lexeme flags (``{"LIKE_NUM": true}``) of the elements that take at
    least one token: a match holds, for each, a token whose lexeme has it."""
    if not isinstance(pattern, list):
        return ()
    return tuple(
        flag
        for spec in pattern
        if spec.get("OP") in (None, "1", "+")
        for name, flag in _LEXEME_FLAGS.items()
        if spec.get(name) is True
    )


def _required_entities(pattern: list[dict] | str) -> tuple[tuple[str, ...], ...]:
    """The entity labels (``{"ENT_TYPE": "STS"}`` or an "IN" list) of the
    elements that take at least one token: a match holds, for each, a token
    whose ENT_TYPE is one of them."""
    if not isinstance(pattern, list):
        return ()
    found = []
    for spec in pattern:
        value = spec.get("ENT_TYPE")
        if spec.get("OP") in (None, "1", "+"):
            if isinstance(value, str):
                found.append((value,))
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                found.append(tuple(value["IN"]))
    return tuple(found)


_WORD_KEYS = {"LOWER": LOWER, "TEXT": ORTH, "ORTH": ORTH, "LEMMA": LEMMA}


def _exact_tests(pattern: list[dict] | str, strings: StringStore) -> list[tuple[Need, ...]] | None:
    """Per element of ``pattern``, the needs its token must pass, when every
    element takes exactly one token and says nothing but word lists, REGEXes
    on LOWER or TEXT, true lexeme flags and entity labels: then a token passes
    the element exactly when it passes all its needs. None for any other pattern."""
    if not isinstance(pattern, list) or not pattern:
        return None
    elements = []
    for spec in pattern:
        needs = []
        for key, value in spec.items():
            if key in _WORD_KEYS or key == "ENT_TYPE":
                column = ENT_TYPE if key == "ENT_TYPE" else _WORD_KEYS[key]
                if isinstance(value, str):
                    needs.append(Need(column, frozenset([strings.add(value)]), None))
                elif isinstance(value, dict) and len(value) == 1 and "IN" in value and key != "ENT_TYPE":
                    words = value["IN"]
                    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
                        return None
                    needs.append(Need(column, frozenset(strings.add(word) for word in words), None))
                elif isinstance(value, dict) and len(value) == 1 and "REGEX" in value and column in (LOWER, ORTH):
                    if not isinstance(value["REGEX"], str):
                        return None
                    needs.append(Need(column, None, value["REGEX"]))
                else:
                    return None
            elif key in _LEXEME_FLAGS and value is True:
                needs.append(Need(_LEXEME_FLAGS[key], None, None))
            else:  # "OP" or any other attribute
                return None
        if not needs:
            return None
        elements.append(tuple(needs))
    return elements


# a token rule's step quantifiers (spaCy's ONE, ZERO_ONE and ZERO_PLUS)
ONE, OPTIONAL, STAR = 1, 2, 3


class Step(NamedTuple):
    """One token of a token rule: its quantifier, the needs its token must pass and those it must fail."""

    quant: int
    needs: tuple[Need, ...]
    refuses: tuple[Need, ...]


def token_matches(
    rules: list[tuple[int, list[tuple[int, int, int]]]], bits: list[int], low: int
) -> list[tuple[int, int, int]] | None:
    """The matches (match id, start, end) of token rules (per rule its match id
    and, per step, quantifier, needed and refused bits) in a window whose tokens
    have ``bits`` and which starts at token ``low``: every distinct non-empty
    run of tokens that passes the rule's steps, as spaCy's Matcher finds them.
    Only when there is at most one; None for two or more (their order is the Matcher's)."""
    found: set[tuple[int, int, int]] = set()
    size = len(bits)
    for key, steps in rules:
        first_quant, first_need, first_refuse = steps[0]
        for start in range(size):
            if first_quant == ONE:  # most rules: the first token decides most starts
                token = bits[start]
                if token & first_need != first_need or token & first_refuse:
                    continue
            positions = {start}
            for quant, need, refuse in steps:
                reached = set()
                for at in positions:
                    if quant != ONE:  # a "?" or "*" may take no token
                        reached.add(at)
                    while at < size and (token := bits[at]) & need == need and not token & refuse:
                        at += 1
                        reached.add(at)
                        if quant != STAR:
                            break
                positions = reached
                if not positions:
                    break
            for end in positions:
                if end > start:
                    found.add((key, start, end))
                    if len(found) > 1:
                        return None
    return [(key, low + start, low + end) for key, start, end in found]


def _quantifiers(op: object) -> tuple[int, ...] | None:
    """spaCy's expansion of an element's "OP" (``_get_operators``): "+" is one
    then "*", "{n,m}" n ones then m - n "?"s, "{n,}" n ones then "*"; None for "!"
    or anything else."""
    if op is None or op == "1":
        return (ONE,)
    simple = {"?": (OPTIONAL,), "*": (STAR,), "+": (ONE, STAR)}
    if isinstance(op, str) and op in simple:
        return simple[op]
    count = _COUNT.fullmatch(op) if isinstance(op, str) else None
    if count is None:
        return None
    low, comma, high = count.groups()
    if not comma:
        high = low
    if not (low or high) or (low and high and int(low) > int(high)):
        return None
    head = (ONE,) * int(low or 0)
    return head + ((OPTIONAL,) * (int(high) - int(low or 0)) if high else (STAR,))


def _token_steps(pattern: list[dict] | str, strings: StringStore) -> list[Step] | None:
    """The steps of a token rule: a pattern whose elements say nothing but
    word lists (IN, NOT_IN or one word), REGEXes on LOWER or TEXT, lexeme flags
    (true or false) and entity labels, with the quantifiers of :func:`_quantifiers`:
    a token then passes an element exactly when it passes the needs of its step
    and none of its refusals. None for any other pattern."""
    if not isinstance(pattern, list) or not pattern:
        return None
    steps = []
    for spec in pattern:
        quants = _quantifiers(spec.get("OP"))
        if quants is None:
            return None
        needs: list[Need] = []
        refuses: list[Need] = []
        for key, value in spec.items():
            if key == "OP":
                continue
            if key in _WORD_KEYS or key == "ENT_TYPE":
                column = ENT_TYPE if key == "ENT_TYPE" else _WORD_KEYS[key]
                if isinstance(value, str):
                    needs.append(Need(column, frozenset([strings.add(value)]), None))
                    continue
                if not isinstance(value, dict) or len(value) != 1:
                    return None
                ((operator, argument),) = value.items()
                if operator in ("IN", "NOT_IN") and isinstance(argument, list):
                    if not all(isinstance(word, str) for word in argument):
                        return None
                    need = Need(column, frozenset(strings.add(word) for word in argument), None)
                    (needs if operator == "IN" else refuses).append(need)
                elif operator == "REGEX" and column in (LOWER, ORTH) and isinstance(argument, str):
                    needs.append(Need(column, None, argument))
                else:
                    return None
            elif key in _LEXEME_FLAGS and isinstance(value, bool):
                (needs if value else refuses).append(Need(_LEXEME_FLAGS[key], None, None))
            else:
                return None
        steps += [Step(quant, tuple(needs), tuple(refuses)) for quant in quants]
    return steps


def _loose_anchor(pattern: list[dict]) -> tuple[int, tuple] | None:
    """Index and token test of the first required element of a pattern without
    anchor words (a word list, function words allowed, or a REGEX)."""
    for index, spec in enumerate(pattern):
        if spec.get("OP") in (None, "1", "+") and (test := _token_test(spec)) is not None:
            return index, test
    return None


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


def _matcher(nlp: Language, rules: list[Rule]) -> Matcher:
    matcher = Matcher(nlp.vocab, validate=True)
    for rule in rules:
        if isinstance(rule.pattern, list):  # phrase rules (strings) go to the PhraseMatcher
            matcher.add(rule.id, [rule.pattern])
    return matcher
