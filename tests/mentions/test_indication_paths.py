"""The indication of a document that names no other use is decided without the
other-use machinery: it must be what the full decision gives."""

from __future__ import annotations

import re
from pathlib import Path

from extractor.mentions.indication import (
    CALCIFICATION,
    OTHER,
    Indication,
    _cues_in,
    _deciding_sentence,
    _first_sentence_naming_sts,
    _is_other_use,
    _listing_ranges,
    _title_cues,
    _units,
    _use_heading_ranges,
    decide_indication,
    find_cues,
)
from extractor.rules.loader import load_rule_set
from extractor.text.structure import analyse

ROOT = Path(__file__).resolve().parents[2]
STS = re.compile(r"thiosulf|thiosulph|\bSTS\b", re.IGNORECASE)


def _full_decision(structure, sts_offsets, rules, headings) -> Indication:
    """Every cue found, every unit and heading judged, whatever the cues."""
    cues = find_cues(structure.text, rules)
    starts = [c.start for c in cues]
    strong_calc = [c.start for c in cues if c.indication == CALCIFICATION and c.strong]
    other = [c for c in cues if c.indication == OTHER]
    if other and (not strong_calc or _title_cues(structure, cues, sts_offsets) == OTHER):
        return Indication(OTHER, _deciding_sentence(structure, [c.start for c in other], sts_offsets))
    if not cues:
        return Indication(OTHER, _first_sentence_naming_sts(structure, sts_offsets))
    ranges = [(a, b) for a, b in _units(structure) if _is_other_use(_cues_in(cues, starts, a, b))]
    ranges += _use_heading_ranges(structure, cues, starts)
    if any(c.strong for c in other):
        ranges += _listing_ranges(structure, headings)
    return Indication(CALCIFICATION, _deciding_sentence(structure, strong_calc, sts_offsets), sorted(ranges))


def test_indication_equals_the_full_decision():
    rule_set = load_rule_set()
    rules = list(rule_set.indications)
    headings = rule_set.lexicons.word_set("listing_headings")
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext").glob("*/docs/*.txt"))
    kinds = set()
    for path in paths:
        structure = analyse(path.read_text(encoding="utf-8"))
        sts_offsets = [m.start() for m in STS.finditer(structure.text)]
        if not sts_offsets:
            continue
        found = decide_indication(structure, sts_offsets, rules, headings)
        assert found == _full_decision(structure, sts_offsets, rules, headings), path.name
        kinds.add((found.kind, bool(found.other_ranges)))
    assert kinds == {(CALCIFICATION, False), (CALCIFICATION, True), (OTHER, False)}
