"""Literal prefilters for regex rules: the words one of which every match of a
rule holds, read off the parsed pattern. A rule none of whose words occurs in
a text cannot match there and is not searched: Python's ``re`` finds no
literal prefix in a pattern that opens with ``\\b`` or a lookbehind, and tries
it at every position of the text."""

from __future__ import annotations

import functools
import re
from re import _constants, _parser  # type: ignore[attr-defined]  # the stdlib's own parser: literal words of a rule

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
    return haystack is None or any(word in haystack for word in words)


def _required(items: list, ignore_case: bool) -> set[str] | None:
    """Strings one of which every match of the item sequence holds: the most
    selective of its literal runs and its required groups, alternations and
    character classes."""
    found: list[set[str]] = []
    run: list[str] = []
    for op, av in items + [(None, None)]:
        if op is _constants.LITERAL and av < 128:
            run.append(chr(av))
            continue
        if run:
            found.append({"".join(run)})
            run = []
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
