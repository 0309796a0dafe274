"""``sts_field_matcher_v1``: the field rules (``patterns/*.jsonl``) as spaCy
Matchers; candidates land in ``doc.spans["sts_candidates"]`` with the rule id
as ``span.id_``."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from typing import NamedTuple

import numpy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

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
    non-function-word token of the pattern). One look-up over the Doc's LOWER
    and LEMMA columns finds every anchor token; each group's Matcher then runs
    only on the stretch of the anchor's sentence that a match holding that
    anchor can reach (:class:`Reach`: "?" counts one token, "{0,8}" eight, a
    "*" of listed words the run of such words). Rules without anchor words
    (a number-shaped REGEX, "a 51-year-old") are anchored on their first
    required word list or REGEX token and run, as one Matcher, on windows of
    the whole Doc. A match always holds an anchor token, so the windows hold
    every match, and as they are disjoint and taken left to right, the
    Matcher yields them in the same order as over the whole sentence (or Doc).
    A window where, for every rule of the group, some required token test (a
    word list or REGEX of an element that takes at least one token) passes on
    no token cannot hold a match: the Matcher is not run there (most windows).
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
        for anchors, rules in grouped.items():
            self.groups.append((anchors, _matcher(nlp, rules)))
            self.required.append([self._needs(rule.pattern) for rule in rules])
            self.reach.append([Reach(rule.pattern, _anchor_element(rule.pattern)[0]) for rule in rules])  # type: ignore[arg-type,index]  # anchored rules are token patterns
        self.loose: list[tuple[Reach, tuple]] | None = None  # the unanchored rules' reach and anchor token test
        if unanchored:
            self.groups.append((None, _matcher(nlp, unanchored)))
            self.required.append([self._needs(rule.pattern) for rule in unanchored])
            self.reach.append([])
            loose = [
                (rule.pattern, found)
                for rule in unanchored
                if isinstance(rule.pattern, list) and (found := _loose_anchor(rule.pattern)) is not None
            ]
            if len(loose) == len(unanchored):  # else the group runs over the whole Doc
                self.loose = [(Reach(pattern, found[0]), found[1]) for pattern, found in loose]
        # per column: every anchor word's hash → the groups it anchors, so one
        # look-up over the Doc's column finds the anchor tokens of every group
        by_word: dict[str, dict[int, list[int]]] = {"LOWER": {}, "LEMMA": {}}
        for index, (anchors, _) in enumerate(self.groups):
            if anchors is not None:
                for word in sorted(anchors[1]):
                    by_word[anchors[0]].setdefault(nlp.vocab.strings.add(word), []).append(index)
        self.anchor_index = [
            (attr, table) for attr, table in ((LOWER, by_word["LOWER"]), (LEMMA, by_word["LEMMA"])) if table
        ]
        self.masks = TokenMasks(
            [need for group in self.required for needs in group for need in needs if need.regex is not None]
        )

    def _needs(self, pattern: list[dict] | str) -> tuple[Need, ...]:
        """The pattern's needs, word tests first (cheap, and they fail most windows)."""
        strings = self.nlp.vocab.strings
        needs = [
            Need(_COLUMNS[test[1]], None, test[2])
            if test[0] == "REGEX"
            else Need(_COLUMNS[test[0]], frozenset(strings.add(word) for word in test[1]), None)
            for test in _required_tests(pattern)
        ]
        return tuple(sorted(needs, key=lambda need: need.ids is None))

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        starts, ends = sentence_bounds(doc)
        masks = self.masks.of(doc)
        anchored: dict[int, list[tuple[int, int]]] = {}  # group index → (anchor token, its sentence), in text order
        for attr, table in self.anchor_index:
            column = masks.column(attr)
            hits = numpy.flatnonzero(masks.among(attr, table))
            if not hits.size:
                continue
            sentence_of = numpy.searchsorted(starts, hits, side="right") - 1
            for word, i, k in zip(column[hits].tolist(), hits.tolist(), sentence_of.tolist()):
                for index in table[word]:
                    anchored.setdefault(index, []).append((i, k))
        for index, (anchors, matcher) in enumerate(self.groups):
            if anchors is not None and index not in anchored:
                continue
            # the rules that can match somewhere in this Doc
            required = [needs for needs in self.required[index] if masks.all_anywhere(needs)]
            if not required:
                continue
            if anchors is not None:
                pairs = anchored.get(index, [])
                ranges = []
                for reach in self.reach[index]:
                    if reach.fixed is not None:  # most rules: counts only, no run to measure
                        before, after = reach.fixed
                        ranges += [(max(starts[k], i - before), min(ends[k], i + 1 + after)) for i, k in pairs]
                    else:
                        ranges += [reach.around(i, starts[k], ends[k], masks) for i, k in pairs]
            elif self.loose is not None:
                ranges = [
                    reach.around(i, 0, len(doc), masks)
                    for reach, test in self.loose
                    for i in numpy.flatnonzero(masks.get(test)).tolist()
                ]
            else:
                spans.extend(matcher(doc, as_spans=True))
                continue
            for low, high in merged(ranges):
                if masks.may_hold_match(required, low, high):
                    spans.extend(matcher(doc[low:high], as_spans=True))
        if len(self.phrases):
            spans.extend(self.phrases(doc, as_spans=True))
        doc.spans[CANDIDATES] = [
            Span(doc, s.start, s.end, label=self.by_id[s.label_].label, span_id=s.label_) for s in spans
        ]
        return doc


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges, overlapping or touching ones joined."""
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1]:
            out[-1] = (out[-1][0], max(high, out[-1][1]))
        else:
            out.append((low, high))
    return out


_COLUMNS = {"LOWER": LOWER, "ORTH": ORTH, "LEMMA": LEMMA}


class Need(NamedTuple):
    """A token test a match needs, on a column: its word hashes (``ids``) or a ``regex`` on its strings."""

    attr: int
    ids: frozenset[int] | None
    regex: str | None


class TokenMasks:
    """Per Doc, which tokens may satisfy a token test: ("LOWER"|"ORTH"|"LEMMA", words) or
    ("REGEX", "LOWER"|"ORTH", pattern); REGEX results are cached per distinct string."""

    def __init__(self, regex_needs: Iterable[Need] = ()) -> None:
        self._regex: dict[str, tuple[re.Pattern, dict[int, bool]]] = {}
        # the REGEX needs per column, the strings already tested and, per regex, those that pass
        self._regex_needs: dict[int, list[re.Pattern]] = {}
        for need in dict.fromkeys(regex_needs):  # each (column, regex) once
            assert need.regex is not None
            self._regex_needs.setdefault(need.attr, []).append(re.compile(need.regex))
        self._known: dict[int, set[int]] = {}
        self._hits: dict[tuple[int, str], set[int]] = {
            (attr, regex.pattern): set() for attr, regexes in self._regex_needs.items() for regex in regexes
        }
        self._updated: set[int] = set()  # columns whose new strings this Doc has been tested
        self._ids: dict[tuple, frozenset[int]] = {}
        self.doc: Doc | None = None
        self._columns: dict[int, numpy.ndarray] = {}
        self._distincts: dict[int, tuple[list[int], numpy.ndarray]] = {}
        self._masks: dict[tuple, numpy.ndarray] = {}
        self._runs: dict[tuple, tuple[list[int], list[int]]] = {}
        self._anywhere: dict[Need, bool] = {}
        self._values: dict[int, set[int]] = {}

    def of(self, doc: Doc) -> TokenMasks:
        self.doc, self._columns, self._distincts, self._masks, self._runs = doc, {}, {}, {}, {}
        self._anywhere, self._values, self._updated = {}, {}, set()
        return self

    def get(self, test: tuple) -> numpy.ndarray:
        if test not in self._masks:
            self._masks[test] = self._compute(test)
        return self._masks[test]

    def column(self, attr: int) -> numpy.ndarray:
        if attr not in self._columns:
            assert self.doc is not None
            self._columns[attr] = self.doc.to_array(attr)
        return self._columns[attr]

    def _distinct(self, attr: int) -> tuple[list[int], numpy.ndarray]:
        """The column's distinct values and, per token, the index of its value."""
        if attr not in self._distincts:
            distinct, inverse = numpy.unique(self.column(attr), return_inverse=True)
            self._distincts[attr] = (distinct.tolist(), inverse)
        return self._distincts[attr]

    def among(self, attr: int, keys: Container[int]) -> numpy.ndarray:
        """Tokens whose ``attr`` value (a string hash) is one of ``keys``: one
        look-up per distinct value, not a search per token."""
        distinct, inverse = self._distinct(attr)
        return numpy.fromiter(map(keys.__contains__, distinct), dtype=bool, count=len(distinct))[inverse]

    def _compute(self, test: tuple) -> numpy.ndarray:
        doc = self.doc
        assert doc is not None
        strings = doc.vocab.strings
        if test[0] != "REGEX":
            if test not in self._ids:
                self._ids[test] = frozenset(strings.add(word) for word in test[1])
            return self.among({"LOWER": LOWER, "ORTH": ORTH, "LEMMA": LEMMA}[test[0]], self._ids[test])
        regex, seen = self._regex.setdefault(test[2], (re.compile(test[2]), {}))
        if len(seen) > 200_000:
            seen.clear()
        distinct, inverse = self._distinct(LOWER if test[1] == "LOWER" else ORTH)
        for key in set(distinct).difference(seen):  # the regex only on strings not seen before
            seen[key] = regex.search(strings[key]) is not None
        return numpy.fromiter(map(seen.__getitem__, distinct), dtype=bool, count=len(distinct))[inverse]

    def _passes(self, need: Need, keys: set[int]) -> bool:
        """Whether one of the string hashes ``keys`` passes ``need``."""
        if need.ids is not None:
            return not need.ids.isdisjoint(keys)
        assert self.doc is not None and need.regex is not None
        strings = self.doc.vocab.strings
        if need.regex not in self._regex:
            self._regex[need.regex] = (re.compile(need.regex), {})
        regex, seen = self._regex[need.regex]
        for key in keys:
            if key not in seen:
                seen[key] = regex.search(strings[key]) is not None
            if seen[key]:
                return True
        return False

    def anywhere(self, need: Need) -> bool:
        """Whether some token of the Doc passes ``need`` (tested on the column's distinct values)."""
        found = self._anywhere.get(need)
        if found is None:
            values = self._values.get(need.attr)
            if values is None:
                values = self._values[need.attr] = set(self._distinct(need.attr)[0])
            found = self._anywhere[need] = (
                not need.ids.isdisjoint(values) if need.ids is not None else self._regex_anywhere(need, values)
            )
        return found

    def all_anywhere(self, needs: tuple[Need, ...]) -> bool:
        """Whether every one of ``needs`` passes on some token of the Doc (:meth:`anywhere`, cached per Doc)."""
        known = self._anywhere
        for need in needs:
            found = known.get(need)
            if found is None:
                found = self.anywhere(need)
            if not found:
                return False
        return True

    def _regex_anywhere(self, need: Need, values: set[int]) -> bool:
        """Whether one of ``values`` (a Doc's distinct strings) passes the REGEX
        need. Every REGEX need is tested once on each string the first time any
        Doc holds it; a Doc then costs one set difference per column."""
        assert self.doc is not None and need.regex is not None
        if need.attr not in self._updated:
            self._updated.add(need.attr)
            known = self._known.setdefault(need.attr, set())
            if len(known) > 500_000:
                known.clear()
                for regex in self._regex_needs.get(need.attr, []):
                    self._hits[need.attr, regex.pattern].clear()
            new = values.difference(known)
            strings = self.doc.vocab.strings
            for regex in self._regex_needs.get(need.attr, []):
                hits = self._hits[need.attr, regex.pattern]
                hits.update(key for key in new if regex.search(strings[key]) is not None)
            known.update(new)
        return not self._hits[need.attr, need.regex].isdisjoint(values)

    def may_hold_match(self, required: list[tuple[Need, ...]], low: int, high: int) -> bool:
        """Whether, for one of the rules' ``required`` needs, every need passes on
        some token in [low, high); the window's values are read once per column."""
        values: dict[int, set[int]] = {}
        for needs in required:
            for need in needs:
                keys = values.get(need.attr)
                if keys is None:
                    keys = values[need.attr] = set(self.column(need.attr)[low:high].tolist())
                if not self._passes(need, keys):
                    break
            else:
                return True
        return False

    def runs(self, test: tuple) -> tuple[list[int], list[int]]:
        """(ahead, behind): ahead[p] tokens from p on pass the test; behind[p] tokens up to p-1 do."""
        if test not in self._runs:
            mask = self.get(test)
            n = len(mask)
            index = numpy.arange(n)
            next_fail = numpy.minimum.accumulate(numpy.where(mask, n, index)[::-1])[::-1]
            last_fail = numpy.maximum.accumulate(numpy.where(mask, -1, index))
            ahead = numpy.zeros(n + 1, dtype="int64")
            behind = numpy.zeros(n + 1, dtype="int64")
            ahead[:n] = next_fail - index
            behind[1:] = index - last_fail
            self._runs[test] = (ahead.tolist(), behind.tolist())
        return self._runs[test]


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
                high += masks.runs(step)[0][high]
        low = i - self.extra
        for step in self.before:
            if isinstance(step, int):
                low -= step
            elif step is None or low <= low_bound:
                low = low_bound
                break
            else:
                # p - behind[p] never decreases with p: the furthest reach back is from low
                low -= masks.runs(step)[1][low]
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
