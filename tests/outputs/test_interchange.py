"""Round trip through annotation tools: the corpus gold exported to Label
Studio, Prodigy, brat and spaCy DocBin and imported back is the same gold;
extractor output exported as pre-annotations comes back as valid gold, with a
reviewer's corrections."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import CORPUS, GOLD
from typer.testing import CliRunner

from extractor.cli import app
from extractor.evaluate.gold import iter_gold_files, load_gold
from extractor.outputs.interchange import FORMATS
from extractor.schema import FIELDS

runner = CliRunner()
EXPORT_NAMES = {"labelstudio": "tasks.json", "prodigy": "tasks.jsonl", "brat": "brat", "docbin": "gold.spacy"}


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """`extractor export --gold gold --docs corpus` in every format."""
    folder = tmp_path_factory.mktemp("export")
    paths = {}
    for fmt in FORMATS:
        paths[fmt] = folder / EXPORT_NAMES[fmt]
        result = invoke("export", "--gold", GOLD, "--docs", CORPUS, "--format", fmt, "--out", paths[fmt])
        assert result.exit_code == 0, result.output
        assert f"5 documents, {len(load_gold(GOLD))} spans" in result.stderr
    return paths


@pytest.mark.parametrize("fmt", FORMATS)
def test_gold_round_trip_is_lossless(fmt, exported, tmp_path):
    back = tmp_path / "gold"
    result = invoke("import", exported[fmt], "--format", fmt, "--out", back)
    assert result.exit_code == 0, result.output
    originals = iter_gold_files(GOLD)
    assert [p.name for p in iter_gold_files(back)] == [p.name for p in originals]
    for original in originals:
        assert (back / original.name).read_bytes() == original.read_bytes(), original.name
    assert load_gold(back) == load_gold(GOLD)
    check = invoke("gold", "check", "--gold", back, "--corpus", CORPUS)
    assert check.exit_code == 0 and f"{len(load_gold(GOLD))} mentions OK" in check.output


def test_labelstudio_tasks_are_label_studio_json(exported):
    tasks = json.loads(exported["labelstudio"].read_text(encoding="utf-8"))
    config = ET.parse(exported["labelstudio"].with_name("tasks.label_config.xml")).getroot()
    assert [label.get("value") for label in config.find("Labels")] == list(FIELDS)
    assert {choices.get("name") for choices in config.findall("Choices")} == {"category", "source"}
    first = load_gold(GOLD)[0]
    task = next(t for t in tasks if t["data"]["doc_id"] == first["doc_id"])
    region = next(r for r in task["annotations"][0]["result"] if r["type"] == "labels")
    assert region["from_name"] == "label" and region["to_name"] == "text"
    assert region["value"] == {
        "start": first["start"],
        "end": first["end"],
        "text": first["text"],
        "labels": [first["field"]],
    }
    assert region["meta"]["category"] == first["category"] and region["meta"]["source"] == first["source"]


def test_prodigy_tasks_are_prodigy_jsonl(exported):
    tasks = [json.loads(line) for line in exported["prodigy"].read_text(encoding="utf-8").splitlines()]
    assert len(tasks) == 5
    for task in tasks:
        assert set(task) >= {"text", "spans", "meta"}
        for span in task["spans"]:
            assert task["text"][span["start"] : span["end"]] == span["text"] and span["label"] in FIELDS


def test_brat_files_are_standoff_with_a_config(exported):
    folder = exported["brat"]
    assert "[entities]" in (folder / "annotation.conf").read_text() and (folder / "visual.conf").is_file()
    t_line = re.compile(r"^T\d+\t(\w+) (\d+ \d+(?:;\d+ \d+)*)\t(.+)$")
    for ann in sorted(folder.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        assert text == (CORPUS / f"{ann.stem}.txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            assert line[0] in "TA#", line
            if line.startswith("T"):
                label, offsets, shown = t_line.match(line).groups()
                pieces = [tuple(map(int, piece.split())) for piece in offsets.split(";")]
                assert label in FIELDS and shown == " ".join(text[a:b] for a, b in pieces)
                assert all("\n" not in text[a:b] for a, b in pieces)


@pytest.mark.slow
def test_docbin_loads_in_a_fresh_process(exported):
    code = (
        "import json, sys, spacy\nfrom spacy.tokens import DocBin\n"
        "docs = DocBin().from_disk(sys.argv[1]).get_docs(spacy.blank('en').vocab)\n"
        "print(json.dumps([[d.user_data['doc_id'], s.label_, s.start_char, s.end_char, s.text]"
        " for d in docs for s in d.spans['sc']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(exported["docbin"])], capture_output=True, text=True, check=True
    )
    spans = json.loads(result.stdout)
    assert spans == [[g["doc_id"], g["field"], g["start"], g["end"], g["text"]] for g in load_gold(GOLD)]


@pytest.fixture(scope="module")
def corpus_csv(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("extract") / "out.csv"
    result = invoke("extract", CORPUS, "--out", out, "--jobs", 1, "--fresh", "--quiet")
    assert result.exit_code == 0, result.output
    return out


def test_pre_annotations_come_back_as_gold_with_the_reviewers_corrections(corpus_csv, tmp_path):
    tasks_path = tmp_path / "pre.json"
    result = invoke("export", corpus_csv, "--format", "labelstudio", "--out", tasks_path)
    assert result.exit_code == 0, result.output
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    predicted = [region for task in tasks for region in task["predictions"][0]["result"] if region["type"] == "labels"]
    assert all(region["meta"]["pattern_id"] for region in predicted)
    # The reviewer, in Label Studio: deletes the first region of the first
    # paper, turns a route into "oral" with the per-region choice, and submits.
    task = tasks[0]
    result_list = [dict(r) for r in task["predictions"][0]["result"]]
    deleted = result_list[0]["id"]
    route = next(
        r for r in result_list if r["type"] == "labels" and r["value"]["labels"] == ["route"] and r["id"] != deleted
    )
    kept = [r for r in result_list if r["id"] != deleted]
    for r in kept:
        if r["id"] == route["id"] and r["from_name"] == "category":
            r["value"] = {**r["value"], "choices": ["oral"]}
    task["annotations"] = [{"result": kept, "was_cancelled": False}]
    tasks_path.write_text(json.dumps(tasks), encoding="utf-8")

    gold_dir = tmp_path / "gold"
    result = invoke("import", tasks_path, "--format", "labelstudio", "--out", gold_dir)
    assert result.exit_code == 0, result.output
    check = invoke("gold", "check", "--gold", gold_dir, "--corpus", CORPUS)
    assert check.exit_code == 0, check.output
    doc_id = task["data"]["doc_id"]
    records = [json.loads(line) for line in (gold_dir / f"{doc_id}.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = [r for r in result_list if r["type"] == "labels"]
    assert len(records) == len(labels) - 1
    assert (labels[0]["value"]["start"], labels[0]["value"]["end"]) not in {
        (r["start"], r["end"]) for r in records if r["field"] == labels[0]["value"]["labels"][0]
    }
    changed = next(
        r
        for r in records
        if r["field"] == "route" and (r["start"], r["end"]) == (route["value"]["start"], route["value"]["end"])
    )
    assert changed["category"] == "oral"
    assert len(list(gold_dir.glob("*.jsonl"))) == 5


def test_a_new_span_without_attributes_is_reported_not_dropped(exported, tmp_path):
    lines = exported["prodigy"].read_text(encoding="utf-8").splitlines()
    task = json.loads(lines[0])
    task["spans"].append({"start": 0, "end": 5, "label": "route"})
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join([json.dumps(task)] + lines[1:]) + "\n", encoding="utf-8")
    result = invoke("import", edited, "--format", "prodigy", "--out", tmp_path / "gold")
    assert result.exit_code == 1
    assert re.search(rf"{task['meta']['doc_id']}\.jsonl:\d+: category None not allowed for route", result.stderr)
    assert "source None not in" in result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_broken_file_is_one_line_naming_it(fmt, tmp_path):
    broken = tmp_path / ("broken" if fmt == "brat" else "broken.x")
    if fmt == "brat":
        broken.mkdir()
        (broken / "a.txt").write_text("topical STS", encoding="utf-8")
        (broken / "a.ann").write_text("T1\troute zero 7\ttopical\n", encoding="utf-8")
    else:
        broken.write_text("{not json", encoding="utf-8")
    result = invoke("import", broken, "--format", fmt, "--out", tmp_path / "gold")
    assert result.exit_code == 2
    assert str(broken) in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "gold").exists()
