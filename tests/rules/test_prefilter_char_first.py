"""A pattern that opens with zero-width assertions (a lookbehind, ``\\b``) before
one char or class is searched char first (:func:`char_first`): ``re`` then
scans for that char in C instead of trying every position. The rewritten
pattern must match exactly where the rule's own does, with the same spans
and groups, and the scanner must yield the rule's own matches."""

from __future__ import annotations

import re
from pathlib import Path

from extractor.rules.loader import RegexRule, load_rule_set
from extractor.rules.prefilter import Scanner, char_first, folded

ROOT = Path(__file__).resolve().parents[2]

EDGE_PATTERNS = [
    re.compile(r"(?<=[a-z)]\.)[0-9]{1,3}(?:[,–-][0-9]{1,3})*(?=\s|$)"),
    re.compile(r"(?<=[a-z]{4})[0-9]{1,2}(?:,[0-9]{1,2})*(?=[\s.,;]|$)"),
    re.compile(r"(?<!\bm)(?<!cm)(?<!mm)(?<!\bg)[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[,–-][⁰¹²³⁴⁵⁶⁷⁸⁹]+)*"),
    re.compile(r"(?<=[A-Za-z]\s)\(\s*[0-9]{1,3}(?:\s*[,–—-]\s*[0-9]{1,3})*\s*\)(?=\s*[.;,]|\s*$)", re.I),
    re.compile(r"\b(?<!x)[0-9]{2,3}?(\d)"),  # a lazy repeat of at least two, then a group
    re.compile(r"(?<=a)\d++(?P<tail>[a-z]*)"),  # a possessive repeat and a named group
    re.compile(r"(?=\d\d)\d(\d)"),  # a lookahead opening
    re.compile(r"^(?<!-)\d+", re.M),  # a line start
    re.compile(r"\b\(\d\)"),
]
EDGE_TEXTS = [
    "",
    "1",
    "12 of 20 patients.12 and text.3,4 here; cited12,13. mass1 unit 2cm³ m² g¹ x¹²,³ wound⁴–⁶",
    "a123 b4567def aa1b x12 (3) see (12, 14). end (1-3)\n-45\n67 (x) 9",
    "treated daily1 and weekly12 after (4); shown.5 then.",
]


def _rules() -> list[RegexRule]:
    rule_set = load_rule_set()
    return [*rule_set.sections, *rule_set.citations, *rule_set.table_headers, *rule_set.indications]


def _texts() -> list[str]:
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths] + EDGE_TEXTS


def _same(regex: re.Pattern[str], fast: re.Pattern[str], text: str) -> int:
    """Assert the char-first pattern matches exactly as ``regex`` does; the match count."""
    expected = [(m.span(), m.groups(), m.groupdict()) for m in regex.finditer(text)]
    assert [(m.span(), m.groups(), m.groupdict()) for m in fast.finditer(text)] == expected, regex.pattern
    scanner = Scanner(regex)
    scanned = list(scanner.finditer(text, folded(text)))
    assert all(m.re is regex for m in scanned)
    assert [(m.span(), m.groups(), m.groupdict()) for m in scanned] == expected, regex.pattern
    assert scanner.search(text, folded(text)) == bool(expected), regex.pattern
    return len(expected)


def test_char_first_applies_to_blind_openings_only():
    for regex in EDGE_PATTERNS:
        assert char_first(regex) is not None, regex.pattern
    assert char_first(re.compile(r"\[\d\]")) is None  # no blind opening: re has its own prefix
    assert char_first(re.compile(r"\b(?:we|us) report")) is None  # an alternation first
    assert char_first(re.compile(r"\b[A-Z]\w+ et al", re.I)) is None  # cased chars under IGNORECASE
    assert char_first(re.compile(r"(?<=a)")) is None  # nothing after the assertions
    citations = {rule.id: rule.regex for rule in load_rule_set().citations}
    for rule_id in ("cite.digit_after_period", "cite.digit_glued", "cite.unicode_superscript"):
        assert char_first(citations[rule_id]) is not None, rule_id


def test_char_first_matches_the_rule_on_every_text():
    """Every rule of the rule set that gets a char-first pattern, and the edge
    patterns, on every corpus and realtext text: identical matches."""
    rewritten = [(rule.regex, char_first(rule.regex)) for rule in _rules()]
    pairs = [(regex, fast) for regex, fast in rewritten if fast is not None]
    pairs += [(regex, char_first(regex)) for regex in EDGE_PATTERNS]  # type: ignore[misc]  # checked above
    assert len(pairs) > len(EDGE_PATTERNS) + 2
    found = 0
    for text in _texts():
        for regex, fast in pairs:
            found += _same(regex, fast, text)
    assert found > 1000
