"""The reviewer's evidence table: OUT.studies.csv from a real batch of the
corpus, its evidence offsets, its agreement with the hand-made gold/studies.csv,
and the workbook reopened with a reader."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.evaluate.score_studies import score_studies
from extractor.outputs.studies import DATA_COLUMNS, OUTPUT_COLUMNS, study_row

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("studies") / "x.csv"
    result = CliRunner().invoke(
        app, ["extract", str(CORPUS), "--out", str(out), "--quiet", "--xlsx", str(out.with_suffix(".xlsx"))]
    )
    assert result.exit_code == 0, result.output
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_paper_with_evidence_that_points_at_mention_rows(batch):
    studies = _rows(batch.with_name("x.studies.csv"))
    mentions = _rows(batch)
    assert list(studies[0].keys()) == list(OUTPUT_COLUMNS)
    assert sorted(s["doc_id"] for s in studies if not s["arm"]) == sorted(p.stem for p in CORPUS.glob("*.txt"))
    # corpus 000 compares topical, intradermal and intravenous STS: one row per arm after the paper's row
    assert {s["arm"] for s in studies if s["doc_id"] == "000_27e00deb6a4870f6"} == {
        "",
        "topical",
        "intradermal",
        "intravenous",
    }
    offsets = {(m["doc_id"], f"{m['start']}-{m['end']}") for m in mentions if m["source"] == "this_study"}
    for study in studies:
        for column in DATA_COLUMNS:
            for evidence in filter(None, (e.strip() for e in study[f"{column}_evidence"].split(";"))):
                assert (study["doc_id"], evidence) in offsets, (study["doc_id"], column, evidence)
            if study[f"{column}_evidence"]:
                assert study[column], column  # evidence only for a filled cell


def test_the_table_agrees_with_the_hand_made_one(batch):
    result = score_studies(ROOT / "gold" / "studies.csv", batch.with_name("x.studies.csv"))
    assert result.filled >= 40
    assert result.agreed / result.filled >= 0.90  # the target
    assert result.unsupported == 0  # no cell filled that the paper does not support


def test_cited_facts_fill_no_data_cell():
    rows = [
        {
            "doc_id": "r",
            "field": "route",
            "text": "intravenous",
            "start": 5,
            "end": 16,
            "category": "intravenous",
            "source": "cited",
            "sentence": "Intravenous STS has been reported for calciphylaxis.",
        }
    ]
    study = study_row("r", "A review of calciphylaxis treatment", rows)
    assert study["design"] == "review" and study["routes"] == "" and study["cited"] == "route=intravenous"


def test_the_workbook_opens_and_links_each_study_cell_to_its_mention(batch):
    book = openpyxl.load_workbook(batch.with_suffix(".xlsx"))
    studies, mentions = book["studies"], book["mentions"]
    header = [c.value for c in studies[1]]
    mention_header = [c.value for c in mentions[1]]
    linked = 0
    for row in studies.iter_rows(min_row=2):
        doc_id = row[header.index("doc_id")].value
        for cell in row:
            if cell.hyperlink is not None:
                sheet, target = cell.hyperlink.location.split("!")
                assert sheet == "mentions"
                linked_row = [c.value for c in mentions[int(target[1:])]]
                assert linked_row[mention_header.index("doc_id")] == doc_id
                linked += 1
    assert linked >= 20


def test_a_formula_in_a_paper_stays_text_in_the_workbook(tmp_path):
    from extractor.outputs.workbook import write_workbook

    mentions = tmp_path / "m.csv"
    mentions.write_text(
        "doc_id,field,text,start,end,value_min,value_max,unit,category,source,sentence\n"
        'd,route,topical,0,7,,,,topical,this_study,\'=HYPERLINK("http://x")\n',
        encoding="utf-8",
    )
    studies = tmp_path / "m.studies.csv"
    study = study_row(
        "d",
        "=cmd|' /C calc'!A0",
        [
            {
                "doc_id": "d",
                "field": "route",
                "text": "topical",
                "start": 0,
                "end": 7,
                "category": "topical",
                "source": "this_study",
                "sentence": "",
            }
        ],
    )
    with open(studies, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS)
        writer.writeheader()
        writer.writerow(study)
    write_workbook(mentions, studies, tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    title = book["studies"]["C2"]  # doc_id, arm, title
    assert title.value == "=cmd|' /C calc'!A0" and title.data_type == "s"
    sentence = book["mentions"]["K2"]
    assert sentence.value.startswith("=HYPERLINK") and sentence.data_type == "s"


IV_ARM = "Intravenous STS was administered to 2 patients who presented with large calcifications."


def test_an_arm_is_not_the_treated_group():
    """corpus 000: "Intravenous STS was administered to 2 patients" in a series of 80 lesions given three routes."""

    def row(field, text, start, **extra):
        return {
            "doc_id": "d",
            "field": field,
            "text": text,
            "start": start,
            "end": start + len(text),
            "source": "this_study",
            "sentence": extra.pop("sentence", text),
            **extra,
        }

    rows = [
        row("route", "topical", 0, category="topical"),
        row("route", "topical", 10, category="topical"),
        row("route", "intradermal", 20, category="intradermal"),
        row("route", "Intravenous", 40, category="intravenous", sentence=IV_ARM),
        row("patients", "2 patients", 60, category="patients", value_min=2, value_max=2, sentence=IV_ARM),
        row("patients", "80 CC lesions", 90, category="lesions", value_min=80, value_max=80),
    ]
    study = study_row("d", "Sodium thiosulfate for calcinosis cutis", rows)
    assert study["patients"] == "" and study["lesions"] == "80" and study["design"] == "cohort"
