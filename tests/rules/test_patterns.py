"""Every rule in patterns/ is checked through the production pipeline:
its examples must yield a mention made by that rule, its negatives must not."""

from __future__ import annotations

import json

import pytest

from extractor.rules.loader import PatternError, load_rules

RULES = load_rules()
EXAMPLES = [pytest.param(rule.id, text, id=f"{rule.id}:{i}") for rule in RULES for i, text in enumerate(rule.examples)]
NEGATIVES = [
    pytest.param(rule.id, text, id=f"{rule.id}:neg{i}") for rule in RULES for i, text in enumerate(rule.negatives)
]


def test_every_rule_has_an_example():
    missing = [rule.id for rule in RULES if not rule.examples]
    assert missing == []


@pytest.mark.parametrize("rule_id,text", EXAMPLES)
def test_rule_example_matches(extract_text, rule_id, text):
    made_by = {rule for m in extract_text(text) for rule in m.pattern_id.split("+")}
    assert rule_id in made_by, f"{rule_id} made nothing on: {text}"


@pytest.mark.parametrize("rule_id,text", NEGATIVES)
def test_rule_negative_does_not_match(extract_text, rule_id, text):
    made_by = {rule for m in extract_text(text) for rule in m.pattern_id.split("+")}
    assert rule_id not in made_by


def _write_rules(tmp_path, field_lines: dict[str, list[dict]]):
    """A copy of patterns/ with some field files replaced."""
    import shutil

    from extractor.rules.loader import FIELD_FILES, PATTERNS_DIR

    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, target)
    for label, lines in field_lines.items():
        (target / FIELD_FILES[label]).write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return target


def test_unknown_rule_key_is_rejected(tmp_path):
    bad = {"id": "route.x", "label": "route", "category": "topical", "pattern": [{"LOWER": "topical"}], "negativs": []}
    with pytest.raises(PatternError, match=r"unknown keys.*negativs"):
        load_rules(_write_rules(tmp_path, {"route": [bad]}))


def test_unknown_category_is_rejected(tmp_path):
    bad = {"id": "route.x", "label": "route", "category": "nasal", "pattern": [{"LOWER": "nasal"}]}
    with pytest.raises(PatternError, match="category 'nasal'"):
        load_rules(_write_rules(tmp_path, {"route": [bad]}))


def test_duplicate_rule_id_is_rejected(tmp_path):
    rule = {"id": "route.x", "label": "route", "category": "topical", "pattern": [{"LOWER": "topical"}]}
    with pytest.raises(PatternError, match="duplicate rule id"):
        load_rules(_write_rules(tmp_path, {"route": [rule, rule]}))


def test_bad_token_key_is_rejected_by_the_matcher(tmp_path):
    from extractor.nlp.build import build_nlp

    bad = {"id": "route.x", "label": "route", "category": "topical", "pattern": [{"LOWR": "topical"}]}
    with pytest.raises(ValueError):
        build_nlp(patterns_dir=_write_rules(tmp_path, {"route": [bad]}))


def test_a_new_rule_is_a_line_of_data(tmp_path):
    """Adding a pattern needs no Python: a new line in route.jsonl is picked up."""
    from extractor.ingest.document import Document
    from extractor.mentions.reader import Extractor
    from extractor.rules.loader import PATTERNS_DIR

    lines = [json.loads(line) for line in (PATTERNS_DIR / "route.jsonl").read_text().splitlines() if line.strip()]
    lines.append(
        {
            "id": "route.transdermal_test",
            "label": "route",
            "category": "topical",
            "pattern": [{"LOWER": "transdermal"}],
            "examples": ["transdermal STS"],
        }
    )
    patterns = _write_rules(tmp_path, {"route": lines})
    mentions = Extractor(patterns_dir=patterns).extract(
        Document("d", "We used transdermal sodium thiosulfate for calcinosis.")
    )
    assert [(m.text, m.pattern_id) for m in mentions] == [("transdermal", "route.transdermal_test")]


def test_a_rules_copy_without_a_word_list_names_the_missing_file(tmp_path):
    import shutil

    from extractor.rules.loader import PATTERNS_DIR, load_rule_set

    rules = tmp_path / "old-rules"
    shutil.copytree(PATTERNS_DIR, rules)
    (rules / "lexicons" / "drug_object_heads.txt").unlink()
    with pytest.raises(PatternError, match=r"drug_object_heads\.txt: missing word list"):
        load_rule_set(rules)
