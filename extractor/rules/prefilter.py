"""Literal prefilters for regex rules: the words one of which every match of a
rule holds, read off the parsed pattern. A rule none of whose words occurs in
a text cannot match there and is not searched: Python's ``re`` finds no
literal prefix in a pattern that opens with ``\\b`` or a lookbehind, and tries
it at every position of the text."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]  # the stdlib's parser and compiler: rules read, rewritten
from typing import Any

# the non-ASCII chars that match an ASCII letter under re.IGNORECASE other than
# by str.lower() (tests/mentions/test_cue_prefilter.py checks the list)
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT)
_CLASS_LIMIT = 32  # a character class of more chars than this is no useful prefilter

Required = tuple[bool, frozenset[str]]


@functools.lru_cache(maxsize=1024)
def required_words(regex: re.Pattern[str]) -> Required | None:
    """(case-insensitive, words) such that every match of ``regex`` holds one of
    the words (ASCII literal runs, lower-cased when case-insensitive, or the
    chars of a small character class), or None when the pattern gives no such
    words. Read off the parsed pattern."""
    try:
        parsed = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # an unexpected parser: no prefilter, the rule is always searched
        return None
    ignore_case = bool(regex.flags & re.IGNORECASE)
    words = _required(list(parsed), ignore_case)
    if not words:
        return None
    return ignore_case, frozenset(word.lower() for word in words) if ignore_case else frozenset(words)


def folded(text: str) -> str | None:
    """``text`` lower-cased for the case-insensitive words, or None when it holds a
    char that matches an ASCII letter by case folding only (then no prefilter)."""
    return None if any(char in text for char in FOLDS_TO_ASCII) else text.lower()


def may_match(required: Required | None, text: str, lowered: str | None) -> bool:
    """False when no word of ``required`` occurs in ``text`` (``lowered`` is
    :func:`folded` of it): the rule cannot match there."""
    if required is None:
        return True
    ignore_case, words = required
    haystack = lowered if ignore_case else text
    # map over the C-level ``in``: no generator frame per word (a text meets every rule)
    return haystack is None or any(map(haystack.__contains__, words))


_RUN = object()  # an item of _with_runs: a run of ASCII literal chars, as one string


def _with_runs(items: list) -> Iterator[tuple[Any, Any]]:
    """The parsed items with each run of ASCII literal chars merged into one
    ``(_RUN, text)`` item, then a closing ``(None, None)``."""
    run: list[str] = []
    for op, av in items:
        if op is _constants.LITERAL and av < 128:
            run.append(chr(av))
            continue
        if run:
            yield _RUN, "".join(run)
            run = []
        yield op, av
    if run:
        yield _RUN, "".join(run)
    yield None, None


def _required(items: list, ignore_case: bool) -> set[str] | None:
    """Strings one of which every match of the item sequence holds: the most
    selective of its literal runs and its required groups, alternations and
    character classes."""
    found: list[set[str]] = []
    for op, av in _with_runs(items):
        if op is _RUN:
            found.append({av})
            continue
        inner: set[str] | None = None
        if op is _constants.BRANCH:
            alternatives = [_required(list(alternative), ignore_case) for alternative in av[1]]
            if all(alternatives):
                inner = set().union(*alternatives)  # type: ignore[arg-type]  # all checked
        elif op is _constants.SUBPATTERN and not av[1] and not av[2]:  # no inline flags
            inner = _required(list(av[3]), ignore_case)
        elif op in _REPEATS and av[0] >= 1:
            inner = _required(list(av[2]), ignore_case)
        elif op is _constants.IN:
            inner = _class_chars(av, ignore_case)
        if inner:
            found.append(inner)
    return max(found, key=lambda words: min(len(word) for word in words), default=None)


def _class_chars(items: list, ignore_case: bool) -> set[str] | None:
    """The chars of a character class made of literals and ranges only; under
    IGNORECASE only ASCII chars without case (digits, punctuation), which match
    themselves alone."""
    chars: set[str] = set()
    for op, av in items:
        if op is _constants.LITERAL:
            chars.add(chr(av))
        elif op is _constants.RANGE and av[1] - av[0] < _CLASS_LIMIT:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
        if len(chars) > _CLASS_LIMIT:
            return None
    if ignore_case and any(not char.isascii() or char.lower() != char.upper() for char in chars):
        return None
    return chars or None


_ZERO_WIDTH = (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT)
_SHORTEST_ANCHOR = 4  # shorter anchor words ("in", "he") occur so often that a plain scan is cheaper

Anchors = tuple[bool, frozenset[str], int]


@functools.lru_cache(maxsize=1024)
def anchor_words(regex: re.Pattern[str]) -> Anchors | None:
    """(case-insensitive, words, lead) such that every match of ``regex`` holds
    one of the words (ASCII literal runs) starting at most ``lead`` chars after
    the match's start, or None when the pattern gives no such words (an
    unbounded repeat before the first literal)."""
    found = scan_anchors(regex)
    return None if found is None else found[:3]


@functools.lru_cache(maxsize=1024)
def scan_anchors(regex: re.Pattern[str]) -> tuple[bool, frozenset[str], int, bool] | None:
    """:func:`anchor_words` and whether each occurrence must start a word: a
    ``\\b`` stands right before the anchor in the pattern and every anchor word
    opens with a word char."""
    try:
        parsed = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # an unexpected parser: the rule is scanned in full
        return None
    ignore_case = bool(regex.flags & re.IGNORECASE)
    found = _anchor(list(parsed), parsed.state, False)
    if found is None:
        return None
    words, lead, bounded = found
    # under re.ASCII a \b sees only ASCII word chars: no word-start test then
    bounded = bounded and not regex.flags & re.ASCII and all(is_word_char(word[0]) for word in words)
    return ignore_case, frozenset(word.lower() for word in words) if ignore_case else frozenset(words), lead, bounded


def is_word_char(char: str) -> bool:
    """Whether ``re`` counts ``char`` as a word char (``\\w`` on str patterns)."""
    return char.isalnum() or char == "_"


def _anchor(items: list, state: _parser.State, bounded: bool) -> tuple[set[str], int, bool] | None:
    """The first literal run of the item sequence (or of a required group or
    alternation), the widest stretch of the match that can come before it, and
    whether a word boundary (``\\b``) stands right before it (``bounded``: one
    stands at the sequence's start)."""
    offset = 0
    for op, av in _with_runs(items):
        if op is _RUN:
            return {av}, offset, bounded
        if op is None:
            return None
        inner: tuple[set[str], int, bool] | None = None
        if op is _constants.BRANCH:
            alternatives = [_anchor(list(alternative), state, bounded) for alternative in av[1]]
            if all(alternatives):
                inner = (
                    set().union(*(a[0] for a in alternatives)),  # type: ignore[index]  # all checked
                    max(a[1] for a in alternatives),  # type: ignore[index]
                    all(a[2] for a in alternatives),  # type: ignore[index]
                )
        elif op is _constants.SUBPATTERN and not av[1] and not av[2]:  # no inline flags
            inner = _anchor(list(av[3]), state, bounded)
        elif op in _REPEATS and av[0] >= 1:
            inner = _anchor(list(av[2]), state, bounded)
        if inner is not None:
            return inner[0], offset + inner[1], inner[2]
        if op in _ZERO_WIDTH:
            bounded = bounded or (op is _constants.AT and av is _constants.AT_BOUNDARY)
            continue
        width = _parser.SubPattern(state, [(op, av)]).getwidth()[1]
        if width >= _constants.MAXREPEAT:
            return None
        offset += width
        bounded = False
    return None


def _opens_blind(regex: re.Pattern[str]) -> bool:
    """Whether ``re`` finds no literal prefix or first-char set in the pattern
    (it opens with a \\b or a lookbehind) and so tries a match at every position."""
    try:
        items = list(_parser.parse(regex.pattern, regex.flags))
    except Exception:  # an unexpected parser: as if re had its own prefilter
        return False
    while items:
        op, av = items[0]
        if op is _constants.SUBPATTERN:
            items = list(av[3])
        elif op is _constants.BRANCH:
            return not all(alternative and alternative[0][0] is _constants.LITERAL for alternative in av[1])
        else:
            return op in _ZERO_WIDTH
    return False


_FIRST_CHAR = (_constants.LITERAL, _constants.IN)


@functools.lru_cache(maxsize=1024)
def char_first(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """``regex`` with its opening zero-width assertions (lookbehinds, ``\\b``) moved
    into a lookbehind after its first char, or None when it opens with none or
    its first char is not one plain char or class. ``Z C R`` matches at a
    position exactly where ``C (?<= Z C) R`` does, with the same span and
    groups; ``re`` then finds the first char's literal or class in C (its
    prefix scan) and tries only there, where ``regex`` is tried at every
    position. Also None when ``re`` would find no such prefix (a cased char
    under IGNORECASE): then nothing is gained."""
    try:
        parsed = _parser.parse(regex.pattern, regex.flags)
        items = list(parsed)
        lead = 0
        while lead < len(items) and items[lead][0] in _ZERO_WIDTH:
            lead += 1
        if lead == 0 or lead == len(items):
            return None
        op, av = items[lead]
        rest = items[lead + 1 :]
        if op in _REPEATS and av[0] >= 1 and len(av[2]) == 1 and av[2][0][0] in _FIRST_CHAR:
            # C{m,n} = C C{m-1,n-1}: the same lengths, tried in the same order
            high = av[1] if av[1] == _constants.MAXREPEAT else av[1] - 1
            rest = ([(op, (av[0] - 1, high, av[2]))] if high > 0 else []) + rest
            op, av = av[2][0]
        if op not in _FIRST_CHAR or (regex.flags & re.IGNORECASE and not _uncased(op, av)):
            return None
        first = (op, av)
        behind = _parser.SubPattern(parsed.state, [*items[:lead], first])
        moved = _parser.SubPattern(parsed.state, [first, (_constants.ASSERT, (-1, behind)), *rest])
        return _compiler.compile(moved, regex.flags)
    except Exception:  # an unexpected parser or compiler: the rule is searched as written
        return None


def _uncased(op: Any, av: Any) -> bool:
    """Whether a literal or a class of literals and ranges holds only chars
    without case, the only ones ``re`` scans for under IGNORECASE."""
    if op is _constants.LITERAL:
        codes: Iterator[int] = iter((av,))
    elif all(item_op in (_constants.LITERAL, _constants.RANGE) for item_op, _ in av):
        codes = (
            code
            for item_op, item_av in av
            for code in ((item_av,) if item_op is _constants.LITERAL else range(item_av[0], item_av[1] + 1))
        )
    else:
        return False
    return all(chr(code).lower() == chr(code).upper() and chr(code) not in FOLDS_TO_ASCII for code in codes)


class Scanner:
    """One rule's regex with its prefilters: not searched where none of its
    required words occurs (:func:`required_words`), and tried only where a match
    can start, at most ``lead`` chars before an occurrence of an anchor word
    (:func:`scan_anchors`). Short anchor words are used only where they are
    rare: when an occurrence must start a word (a ``\\b`` before it), or when
    ``re`` itself would try every position (the pattern opens with a ``\\b`` or
    a lookbehind, :func:`_opens_blind`). A pattern that opens blind before one
    char or class is searched char first instead (:func:`char_first`) unless
    its anchor words are long. Built once per rule."""

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.required = required_words(regex)
        found = scan_anchors(regex)
        anchors: Anchors | None = None
        # an anchor occurrence counts only at the start of a word (tested only for short anchor words)
        self.word_start = False
        if found is not None:
            if min(len(word) for word in found[1]) >= _SHORTEST_ANCHOR:
                anchors = found[:3]
            elif found[3] or _opens_blind(regex):
                anchors, self.word_start = found[:3], found[3]
        self.anchors = anchors
        # a blind opening moved behind the first char (:func:`char_first`): ``re`` scans for that char in
        # C, cheaper than a try per occurrence of a short anchor word (long ones are rare: kept)
        long_anchors = anchors is not None and min(len(word) for word in anchors[1]) >= _SHORTEST_ANCHOR
        self._fast = None if long_anchors else char_first(regex)
        self._search = (self._fast or regex).search
        # the required words are looked for first unless they are the anchor words, found on the way anyway
        self._required_first = self.required is not None and (
            anchors is None or self._fast is not None or self.required != anchors[:2]
        )

    def _occurrences(self, haystack: str, text: str, word: str) -> Iterator[int]:
        """Where ``word`` occurs in ``haystack`` (of ``text``'s length), at word starts of ``text`` only if it must."""
        at = haystack.find(word)
        if not self.word_start:
            while at != -1:
                yield at
                at = haystack.find(word, at + 1)
            return
        while at != -1:
            if at == 0 or not is_word_char(text[at - 1]):
                yield at
            at = haystack.find(word, at + 1)

    def _starts(self, text: str, lowered: str | None) -> list[int] | None:
        """Sorted positions where a match can start, or None when every position can."""
        if self.anchors is None:
            return None
        ignore_case, words, lead = self.anchors
        haystack = lowered if ignore_case else text
        if haystack is None or len(haystack) != len(text):
            return None
        starts: set[int] = set()
        for word in words:
            for at in self._occurrences(haystack, text, word):
                starts.update(range(max(0, at - lead), at + 1))
        return sorted(starts)

    def finditer(self, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
        """``regex.finditer(text)`` (``lowered`` is :func:`folded` of ``text``): matches
        are tried left to right from the end of the last one, as ``finditer`` does,
        so they are the same."""
        if not may_match(self.required, text, lowered):
            return
        starts = None if self._fast is not None else self._starts(text, lowered)
        if starts is None:
            yield from self._scan(text)
            return
        end = 0
        for start in starts:
            if start >= end and (match := self.regex.match(text, start)) is not None:
                yield match
                end = match.end()

    def _scan(self, text: str) -> Iterator[re.Match[str]]:
        """``regex.finditer(text)``: each match found by the char-first regex (no
        empty match: it opens with a char) and made again by ``regex`` there, so
        the matches are ``regex``'s own."""
        if self._fast is None:
            yield from self.regex.finditer(text)
            return
        search, match = self._fast.search, self.regex.match
        found = search(text)
        while found is not None:
            again = match(text, found.start())
            if again is None:  # cannot happen (the two regexes match at the same positions): stay exact
                yield from self.regex.finditer(text, found.start())
                return
            yield again
            found = search(text, again.end())

    def search(self, text: str, lowered: str | None) -> bool:
        """Whether ``regex`` matches somewhere in ``text``: the positions where a
        match can start are tried anchor occurrence by anchor occurrence, and
        the first match ends the search (no sorted list of starts)."""
        if self._required_first and not may_match(self.required, text, lowered):
            return False
        if self.anchors is None or self._fast is not None:
            return self._search(text) is not None
        ignore_case, words, lead = self.anchors
        haystack = lowered if ignore_case else text
        if haystack is None or len(haystack) != len(text):
            return self._search(text) is not None
        match = self.regex.match
        word_start = self.word_start
        for word in words:
            tried = -1  # the starts up to here were tried for an earlier occurrence of the word
            at = haystack.find(word)
            while at != -1:
                if not word_start or at == 0 or not is_word_char(text[at - 1]):
                    for start in range(max(0, at - lead, tried + 1), at + 1):
                        if match(text, start) is not None:
                            return True
                    tried = at
                at = haystack.find(word, at + 1)
        return False


@functools.lru_cache(maxsize=1024)
def scanner(regex: re.Pattern[str]) -> Scanner:
    """The :class:`Scanner` of a compiled rule regex (built once)."""
    return Scanner(regex)
