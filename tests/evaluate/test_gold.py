"""The gold set is the instrument: it must check clean, and the checker must catch errors."""

from __future__ import annotations

import json
import shutil
from collections import Counter

from conftest import CORPUS, GOLD

from extractor.evaluate.gold import check_gold, load_gold
from extractor.schema import FIELDS


def test_gold_set_checks_clean():
    problems, checked = check_gold(GOLD, CORPUS)
    assert [str(p) for p in problems] == []
    assert checked >= 200


def test_gold_covers_every_paper_and_field():
    records = load_gold(GOLD)
    assert {r["doc_id"] for r in records} == {p.stem for p in CORPUS.glob("*.txt")}
    labelled = set(Counter(r["field"] for r in records))
    # the corpus papers state no mortality rate; every other field occurs
    assert labelled == set(FIELDS) - {"mortality"}


def _corrupt(tmp_path, mutate):
    gold = tmp_path / f"gold{len(list(tmp_path.iterdir()))}"
    shutil.copytree(GOLD, gold)
    path = gold / "004_2aee7e247fadcbf4.jsonl"
    lines = path.read_text().splitlines()
    record = json.loads(lines[2])
    mutate(record)
    lines[2] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    problems, _ = check_gold(gold, CORPUS)
    return [str(p) for p in problems]


def test_checker_names_file_and_line_of_a_shifted_offset(tmp_path):
    problems = _corrupt(tmp_path, lambda r: r.update(start=r["start"] + 1))
    assert len(problems) == 1 and "004_2aee7e247fadcbf4.jsonl:3:" in problems[0] and "corpus[" in problems[0]


def test_checker_rejects_unknown_category_and_unit(tmp_path):
    assert any(
        "category 'cured'" in p for p in _corrupt(tmp_path, lambda r: r.update(field="outcome", category="cured"))
    )
    assert any(
        "unit 'g'" in p
        for p in _corrupt(tmp_path, lambda r: r.update(field="dose", unit="g", value_min=1, value_max=1, category=None))
    )


def test_checker_rejects_duplicate_spans(tmp_path):
    gold = tmp_path / "gold"
    shutil.copytree(GOLD, gold)
    path = gold / "000_27e00deb6a4870f6.jsonl"
    first = path.read_text().splitlines()[0]
    path.write_text(path.read_text() + first + "\n")
    problems, _ = check_gold(gold, CORPUS)
    assert any("duplicate span" in str(p) for p in problems)


def test_heldout_gold_checks_clean():
    from conftest import ROOT

    problems, checked = check_gold(ROOT / "heldout" / "gold", ROOT / "heldout" / "corpus")
    assert [str(p) for p in problems] == []
    assert checked >= 400
