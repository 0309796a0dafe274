"""The command line, through typer's CliRunner: text, gold check, score,
patterns, extract (errors, progress, interruption)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import cli
from extractor.cli import app
from extractor.evaluate.gold import load_gold
from extractor.run.batch import DocResult
from extractor.schema import CORE_FIELDS, CSV_COLUMNS, FIELDS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "gold"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))

sys.path.insert(0, str(ROOT / "scripts"))
from make_corpus_pdfs import render_pdf  # noqa: E402

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def corpus_csv(tmp_path_factory) -> Path:
    """`extractor extract corpus` (one job), as `make run` does."""
    out = tmp_path_factory.mktemp("cli") / "extractions.csv"
    result = invoke("extract", CORPUS, "--out", out, "--jobs", 1, "--fresh")
    assert result.exit_code == 0, result.output
    assert "5 documents (5 ok, 0 failed, 0 reused, 0 out of scope)" in result.stderr
    return out


# --------------------------------------------------------------------------
# extractor text: the string the offsets point into


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem[:3])
def test_text_prints_txt_unchanged(path):
    result = invoke("text", path)
    assert result.exit_code == 0
    assert result.stdout_bytes == path.read_bytes()


def test_text_bytes_do_not_depend_on_locale():
    """A real process whose stdout encoding cannot encode the text ("≤", "µ")."""
    import os
    import subprocess

    path = next(p for p in CORPUS_FILES if not p.read_bytes().isascii())
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    done = subprocess.run(
        [sys.executable, "-m", "extractor", "text", str(path)], capture_output=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == path.read_bytes()


def test_offsets_point_into_text_output(corpus_csv):
    rows = read_rows(corpus_csv)
    assert len({r["doc_id"] for r in rows}) == len(CORPUS_FILES)
    texts = {p.stem: invoke("text", p).stdout for p in CORPUS_FILES}
    for row in rows:
        text = texts[row["doc_id"]]
        assert text[int(row["start"]) : int(row["end"])] == row["text"], row


def test_offsets_point_into_text_output_for_pdf(tmp_path):
    pdf = tmp_path / "in" / "paper.pdf"
    pdf.parent.mkdir()
    render_pdf(CORPUS_FILES[0].read_text(encoding="utf-8"), pdf)
    out = tmp_path / "out.csv"
    result = invoke("extract", pdf.parent, "--out", out, "--jobs", 1)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"1 documents \(1 ok, 0 failed, 0 reused, 0 out of scope\), [1-9]\d* PDF pages, [1-9]\d* mentions",
        result.stderr,
    )
    rows = read_rows(out)
    assert len(rows) > 10
    text = invoke("text", pdf).stdout
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["text"], row
        assert int(row["page"]) >= 1


def test_text_of_bad_file(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = invoke("text", empty)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{empty}: empty:" in result.stderr


# --------------------------------------------------------------------------
# gold check


def test_gold_check_passes():
    result = invoke("gold", "check", "--gold", GOLD, "--corpus", CORPUS)
    assert result.exit_code == 0, result.output
    n = len(load_gold(GOLD))
    assert result.stdout.strip() == f"gold check: {n} mentions OK"


def test_gold_check_names_file_and_line(tmp_path):
    gold = tmp_path / "gold"
    shutil.copytree(GOLD, gold)
    target = sorted(gold.glob("*.jsonl"))[1]
    lines = target.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[2])
    record["start"] += 1  # text no longer matches the corpus at these offsets
    lines[2] = json.dumps(record)
    lines[4] = lines[4][:-5]  # not JSON any more
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("gold", "check", "--gold", gold, "--corpus", CORPUS)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(target))]
    assert [p.split(":")[1] for p in problems] == ["3", "5"], result.stderr
    assert "!= corpus[" in problems[0] and "not JSON" in problems[1]
    assert "gold check: 2 problem(s) in" in result.stderr


def test_gold_check_missing_corpus_file(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / CORPUS_FILES[0].name).unlink()
    result = invoke("gold", "check", "--gold", GOLD, "--corpus", corpus)
    assert result.exit_code == 1
    assert f"no corpus file for doc_id {CORPUS_FILES[0].stem!r}" in result.stderr


# --------------------------------------------------------------------------
# score


@pytest.fixture(scope="module")
def pred_from_gold(tmp_path_factory) -> tuple[Path, dict, dict]:
    """Gold written as a prediction CSV, minus one mention (a false negative)
    plus one invented mention (a false positive)."""
    gold = load_gold(GOLD)
    missed = next(g for g in gold[3:] if g["field"] in CORE_FIELDS)
    invented = dict(
        gold[0],
        start=5,
        end=12,
        text="invented",
        field="route",
        category="oral",
        value_min=None,
        value_max=None,
        unit=None,
    )
    assert not any(
        g["doc_id"] == invented["doc_id"] and g["field"] == "route" and g["start"] < 12 and g["end"] > 5 for g in gold
    )
    path = tmp_path_factory.mktemp("score") / "pred.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for record in [g for g in gold if g is not missed] + [invented]:
            writer.writerow({k: ("" if v is None else v) for k, v in record.items()})
    return path, missed, invented


def test_score_json(pred_from_gold):
    pred, _missed, _invented = pred_from_gold
    n_all = len(load_gold(GOLD))
    n = sum(1 for g in load_gold(GOLD) if g["field"] in CORE_FIELDS)  # "micro" is the five core fields
    result = invoke("score", "--gold", GOLD, "--pred", pred, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {
        "lenient",
        "strict",
        "facts",
        "source_accuracy",
        "value_accuracy",
        "matched",
        "gold_counts",
        "pred_counts",
    }
    micro = data["lenient"]["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (n - 1, 1, 1)
    assert micro["precision"] == pytest.approx((n - 1) / n, abs=1e-4)
    assert set(data["lenient"]["fields"]) == set(FIELDS)
    assert sum(data["gold_counts"].values()) == n_all
    assert sum(data["pred_counts"].values()) == n_all
    evidence = data["lenient"]["evidence_micro"]
    assert (evidence["tp"], evidence["fp"], evidence["fn"]) == (n_all - n, 0, 0)
    assert data["source_accuracy"] == 1.0 and data["value_accuracy"] == 1.0
    assert "false_positives" not in data


def test_score_json_show_errors(pred_from_gold):
    pred, missed, invented = pred_from_gold
    result = invoke("score", "--gold", GOLD, "--pred", pred, "--json", "--show-errors")
    data = json.loads(result.stdout)
    [fp] = data["false_positives"]
    [fn] = data["false_negatives"]
    assert (fp["doc_id"], fp["start"], fp["end"], fp["text"]) == (invented["doc_id"], 5, 12, "invented")
    assert (fn["doc_id"], fn["start"], fn["end"], fn["text"]) == (
        missed["doc_id"],
        missed["start"],
        missed["end"],
        missed["text"],
    )


def test_score_table_show_errors(pred_from_gold):
    pred, missed, invented = pred_from_gold
    result = invoke("score", "--gold", GOLD, "--pred", pred, "--show-errors", "--corpus", CORPUS)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["field", "gold", "pred"]
    assert any(line.startswith("micro") for line in lines)
    fp = [line for line in lines if line.startswith("FP ")]
    fn = [line for line in lines if line.startswith("FN ")]
    assert len(fp) == 1 and f"{invented['doc_id']} route" in fp[0] and "'invented'" in fp[0]
    assert len(fn) == 1 and f"{missed['start']}-{missed['end']}" in fn[0]
    context = lines[lines.index(fn[0]) + 1]
    assert " ".join(f"[[{missed['text']}]]".split()) in context  # the missed mention marked in its context


def test_score_table_of_extraction(corpus_csv):
    result = invoke("score", "--gold", GOLD, "--pred", corpus_csv)
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()[2:12]] == list(FIELDS)
    assert any(line.startswith("evidence micro") for line in result.stdout.splitlines())


def test_score_missing_prediction_file(tmp_path):
    result = invoke("score", "--gold", GOLD, "--pred", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "cannot score" in result.stderr


# --------------------------------------------------------------------------
# patterns


def test_patterns_lists_rule_counts():
    result = invoke("patterns")
    assert result.exit_code == 0, result.output
    counts = {}
    for line in result.stdout.splitlines():
        label, number, word = line.split()
        assert word == "rules"
        counts[label] = int(number)
    assert set(counts) == set(FIELDS)
    assert all(n > 0 for n in counts.values())


# --------------------------------------------------------------------------
# extract: usage errors, interruption, progress


def test_extract_missing_input(tmp_path):
    out = tmp_path / "out.csv"
    result = invoke("extract", CORPUS_FILES[0], tmp_path / "no_such_folder", "--out", out)
    assert result.exit_code == 2
    assert f"no such file or folder: {tmp_path / 'no_such_folder'}" in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_extract_empty_folder(tmp_path):
    (tmp_path / "in").mkdir()
    result = invoke("extract", tmp_path / "in", "--out", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert "no input files found" in result.stderr


def test_extract_interrupted(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_batch", interrupted)
    out = tmp_path / "out.csv"
    result = invoke("extract", CORPUS, "--out", out)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "resume" in result.stderr
    assert not out.exists()


def test_extract_jobs_default_is_cores_that_fit_in_memory(tmp_path, monkeypatch):
    seen = {}

    def fake_run_batch(paths, out, **kwargs):
        seen.update(kwargs)
        from extractor.run.batch import BatchSummary

        return BatchSummary(documents=1)

    monkeypatch.setattr(cli, "run_batch", fake_run_batch)
    monkeypatch.setattr(cli, "_cores", lambda: 7)
    monkeypatch.setattr(cli, "memory_slots", lambda limit: 99)
    assert invoke("extract", CORPUS, "--out", tmp_path / "o.csv").exit_code == 0
    assert seen["jobs"] == 7 and seen["resume"] is True
    monkeypatch.setattr(cli, "memory_slots", lambda limit: 3 if limit == 2048 * 2**20 else 1)
    assert invoke("extract", CORPUS, "--out", tmp_path / "o.csv").exit_code == 0
    assert seen["jobs"] == 3 and seen["memory_limit"] == 2048 * 2**20  # no more workers than fit in memory
    assert invoke("extract", CORPUS, "--out", tmp_path / "o.csv", "-j", 3, "--fresh").exit_code == 0
    assert seen["jobs"] == 3 and seen["resume"] is False


def test_progress_line(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    progress = cli.Progress(enabled=True)
    progress(DocResult("a", "a.pdf", "d", rows=[{}] * 3, pages=4), 1, 4)
    progress(DocResult("b", "b.txt", "e", rows=[{}] * 2), 2, 4)
    progress.close()
    text = stream.getvalue()
    last = text.rstrip("\n").split("\r")[-1]
    assert last.startswith("[" + "#" * 12 + "." * 12 + "] 2/4 docs  4 pages  5 mentions")
    assert "docs/s" in last and "ETA" in last and text.endswith("\n")

    quiet = cli.Progress(enabled=False)
    stream.truncate(0)
    quiet(DocResult("a", "a.txt", "d", rows=[{}]), 1, 1)
    quiet.close()
    assert stream.getvalue() == "" and quiet.mentions == 1


def test_output_csv_gets_the_usual_file_permissions(tmp_path):
    import os

    from extractor.run.writer import write_csv

    out = tmp_path / "x.csv"
    write_csv(out, [])
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


# --------------------------------------------------------------------------
# --version; the library's diagnostics through logging


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"extractor {version('sts-extractor')}\n"


def test_library_warnings_go_to_logging(tmp_path, caplog):
    """Without on_warning, run_batch's one-line warnings are log records of its module, not prints."""
    from extractor.run.batch import run_batch

    caplog.set_level(logging.INFO, logger="extractor")
    summary = run_batch([CORPUS_FILES[0], tmp_path / "gone.txt"], tmp_path / "out.csv", jobs=1)
    assert summary.failed == 1
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert [record.name for record in warnings] == ["extractor.run.batch"]
    assert f"skipped {tmp_path / 'gone.txt'}: missing" in warnings[0].getMessage()
    notes = [record.getMessage() for record in caplog.records if record.levelno == logging.INFO]
    assert any(note.startswith("inputs: 2, to extract: 1") for note in notes)


def test_verbose_shows_the_librarys_notes_and_the_default_does_not(tmp_path):
    quiet = invoke("extract", CORPUS_FILES[0], "--out", tmp_path / "a.csv", "--jobs", 1)
    loud = invoke("--verbose", "extract", CORPUS_FILES[0], "--out", tmp_path / "b.csv", "--jobs", 1)
    assert quiet.exit_code == loud.exit_code == 0
    assert "INFO" not in quiet.stderr
    assert "extractor.run.batch: INFO: inputs: 1, to extract: 1" in loud.stderr
    assert "extractor.run.workers: INFO: worker processes: 1 for 1 documents" in loud.stderr
    assert read_rows(tmp_path / "a.csv") == read_rows(tmp_path / "b.csv")
