"""Indication cues: a rule whose required words do not occur in the text is
not searched; the cues must be exactly those of searching every rule."""

from __future__ import annotations

import re
from pathlib import Path

from extractor.mentions.indication import Cue, find_cues
from extractor.rules.loader import RegexRule, load_rule_set
from extractor.rules.prefilter import FOLDS_TO_ASCII, required_words

ROOT = Path(__file__).resolve().parents[2]


def _every_rule(text: str, rules: list[RegexRule]) -> list[Cue]:
    cues = [
        Cue(m.start(), m.end(), rule.data["indication"], rule.data["strength"] == "strong")
        for rule in rules
        for m in rule.regex.finditer(text)
    ]
    others = [c for c in cues if c.indication == "other"]
    return sorted(
        (c for c in cues if c.indication == "other" or not any(o.start < c.end and c.start < o.end for o in others)),
        key=lambda c: c.start,
    )


def test_folds_to_ascii_lists_every_char_that_matches_an_ascii_letter_ignoring_case():
    chars = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    folding = {
        c for c in re.compile("[a-z]", re.IGNORECASE).findall(chars) if c.lower() not in "abcdefghijklmnopqrstuvwxyz"
    }
    assert folding <= set(FOLDS_TO_ASCII)


def test_required_words():
    assert required_words(re.compile(r"\bcalcinos[ie]s\b", re.IGNORECASE)) == (True, frozenset(["calcinos"]))
    assert required_words(re.compile(r"\bCUA\b")) == (False, frozenset(["CUA"]))
    assert required_words(re.compile(r"\b(?:kidney|renal) stones?|\bAgatston\b", re.I)) == (
        True,
        frozenset([" stone", "agatston"]),
    )
    assert required_words(re.compile(r"\d+|x", re.I)) is None  # an alternative without a literal
    assert required_words(re.compile(r"(?-i:Ab)|dd", re.I)) is None  # inline flags: not read
    assert required_words(re.compile(r"(?-i:Ab)c|dd", re.I)) == (True, frozenset(["c", "dd"]))


def _texts(extra: str) -> list[str]:
    """Every corpus and realtext text, plus edge cases of case folding and an empty text."""
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    return texts + [
        "CALCINOSIS and Cisplatin; calcinoſis; cİsplatin ototoxicity; Kidney stones; STS for CUA, cua.",
        extra,
        "",
    ]


def test_cues_equal_searching_every_rule():
    rules = list(load_rule_set().indications)
    texts = _texts("sodium thiosulfate for nitroprusside toxicity")
    found = 0
    for text in texts:
        cues = find_cues(text, rules)
        assert cues == _every_rule(text, rules)
        found += len(cues)
    assert found > 100


def test_citation_evidence_equals_searching_the_combined_pattern():
    """Citation evidence is searched rule by rule behind the literal prefilter;
    the verdicts must be those of the one combined pattern per kind."""
    from extractor.mentions.attribution import SourceAttributor
    from extractor.rules.prefilter import folded
    from extractor.text.structure import analyse

    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))
    texts = [line for p in paths for line in p.read_text(encoding="utf-8").splitlines()]
    texts += ["Smith et al. reported it¹²; 5 cm² lesion", "in calcinoſis.12 of 20\tpatients (3)", ""]
    attributor = SourceAttributor(analyse(""))
    hits = 0
    for text in texts:
        for kind in ("marker", "own_cue", "cited_cue"):
            combined = attributor._combined[(kind, "\t" in text)]
            expected = combined is not None and combined.search(text) is not None
            assert attributor._search(kind, text, folded(text)) == expected, (kind, text)
            hits += expected
    assert hits > 500


def test_anchor_words():
    from extractor.rules.prefilter import anchor_words

    assert anchor_words(re.compile(r"\bcalcinos[ie]s\b", re.I)) == (True, frozenset(["calcinos"]), 0)
    assert anchor_words(re.compile(r"\b(?<!provide )(in )?(another|prior) study", re.I)) == (
        True,
        frozenset(["another", "prior"]),
        3,
    )
    assert anchor_words(re.compile(r"[A-Z]\w+ et al")) is None  # an unbounded run before the first literal
    assert anchor_words(re.compile(r"\d{1,3} mg|Mg")) == (False, frozenset([" mg", "Mg"]), 3)


def test_scan_equals_finditer_for_every_rule():
    """The anchored scanner yields exactly the matches of ``finditer``, for every
    regex rule the mention stage scans with it, on every corpus and realtext text."""
    from extractor.rules.prefilter import folded, scanner

    rule_set = load_rule_set()
    rules = list(rule_set.indications) + list(rule_set.citations)
    texts = _texts("In another study [3], we report (ref. 4) previous reports of calcinosis cutis.12 of 20")
    found = 0
    for text in texts:
        lowered = folded(text)
        for rule in rules:
            expected = [m.span() for m in rule.regex.finditer(text)]
            assert [m.span() for m in scanner(rule.regex).finditer(text, lowered)] == expected, rule.id
            assert scanner(rule.regex).search(text, lowered) == bool(expected), rule.id
            found += len(expected)
    assert found > 4000
