"""Batch runs: a folder full of bad files, determinism across job counts,
interruption and resume, the manifest. Real parts throughout: the production
spaCy pipeline, PDFs rendered with reportlab at test time; only the last test
injects a crashing and a hanging document to exercise the worker watchdog.

jobs=1 runs reuse this process's pipeline (built once); jobs=2 workers are
forked from it, so they start without building their own.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.run import workers
from extractor.run.batch import run_batch
from extractor.run.manifest import manifest_path_for
from extractor.run.writer import errors_path_for

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))

sys.path.insert(0, str(ROOT / "scripts"))
from make_corpus_pdfs import render_pdf  # noqa: E402

QUIET = {"on_warning": lambda message: None}


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def leftovers(folder: Path) -> list[str]:
    """Temporary files of atomic writes left behind."""
    return sorted(p.name for p in folder.rglob("*.tmp"))


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """A good PDF (corpus paper 002), its first half, an encrypted and an image-only PDF."""
    from reportlab.pdfgen import canvas

    folder = tmp_path_factory.mktemp("pdfs")
    good = folder / "good.pdf"
    render_pdf(CORPUS_FILES[2].read_text(encoding="utf-8"), good)
    truncated = folder / "truncated.pdf"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    encrypted = folder / "locked.pdf"
    c = canvas.Canvas(str(encrypted), encrypt="secret")
    c.drawString(72, 720, "Sodium thiosulfate 25% topical, twice daily.")
    c.showPage()
    c.save()
    scan = folder / "scan.pdf"
    c = canvas.Canvas(str(scan))
    c.rect(72, 72, 300, 400, fill=1)
    c.showPage()
    c.save()
    return {"good": good, "truncated": truncated, "encrypted": encrypted, "scan": scan}


# doc_id -> expected reason, for every bad file of the junk folder
BAD = {
    "empty": "empty",
    "empty_pdf": "empty",
    "junk": "not_pdf",
    "truncated": "truncated",
    "locked": "encrypted",
    "scan": "no_text_layer",
    "latin1": "decode",
    "binary": "not_text",
    "notes": "unsupported",
    "figure": "unsupported",
}


@pytest.fixture(scope="module")
def junk_folder(tmp_path_factory, pdfs) -> Path:
    folder = tmp_path_factory.mktemp("junk") / "papers"
    folder.mkdir()
    shutil.copy(CORPUS_FILES[0], folder)
    shutil.copy(CORPUS_FILES[1], folder)
    shutil.copy(pdfs["good"], folder / "paper.pdf")
    shutil.copy(CORPUS_FILES[0], folder / "copy_of_000.txt")  # same bytes, other name
    (folder / "sub").mkdir()
    shutil.copy(CORPUS_FILES[3], folder / "sub")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "empty_pdf.pdf").write_bytes(b"")
    (folder / "junk.pdf").write_bytes(bytes(range(256)) * 40)
    shutil.copy(pdfs["truncated"], folder / "truncated.pdf")
    shutil.copy(pdfs["encrypted"], folder / "locked.pdf")
    shutil.copy(pdfs["scan"], folder / "scan.pdf")
    (folder / "latin1.txt").write_bytes(
        "Sodium thiosulfate was applied to the lésion; café-au-lait macules.\n".encode("latin-1")
    )
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text \x00" * 20)
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 word document")
    (folder / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "secret.txt").write_text("sodium thiosulfate 10 g intravenous\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def junk_run(junk_folder, tmp_path_factory):
    """The CLI on the junk folder (one job): exit code, stderr, rows, error rows."""
    out = tmp_path_factory.mktemp("junk_out") / "out.csv"
    result = CliRunner().invoke(app, ["extract", str(junk_folder), "--out", str(out), "--jobs", "1"])
    return result, read_rows(out), read_rows(errors_path_for(out)), out


@pytest.mark.slow
def test_junk_folder_good_files_have_rows(junk_run):
    result, rows, _errors, _ = junk_run
    doc_ids = {row["doc_id"] for row in rows}
    expected = {CORPUS_FILES[0].stem, CORPUS_FILES[1].stem, CORPUS_FILES[3].stem, "paper", "copy_of_000"}
    assert doc_ids == expected, result.output
    for row in rows:
        assert int(row["start"]) < int(row["end"])
    assert all(row["page"] for row in rows if row["doc_id"] == "paper")
    assert not any(row["page"] for row in rows if row["doc_id"] != "paper")


@pytest.mark.slow
def test_junk_folder_rows_match_single_file_runs(junk_run, corpus_mentions):
    """Rows of a corpus file in the batch are the rows of extracting it alone."""
    _, rows, _, _ = junk_run
    for path in (CORPUS_FILES[0], CORPUS_FILES[3]):
        got = [(r["field"], int(r["start"]), int(r["end"]), r["text"]) for r in rows if r["doc_id"] == path.stem]
        want = sorted((m.field, m.start, m.end, m.text) for m in corpus_mentions[path.stem])
        assert sorted(got) == want


@pytest.mark.slow
def test_junk_folder_duplicate_copies_rows(junk_run):
    _, rows, _, _ = junk_run

    def without_id(doc_id):
        return [{k: v for k, v in row.items() if k != "doc_id"} for row in rows if row["doc_id"] == doc_id]

    original = without_id(CORPUS_FILES[0].stem)
    assert original and without_id("copy_of_000") == original


@pytest.mark.slow
def test_junk_folder_one_error_row_per_bad_file(junk_run, junk_folder):
    _result, rows, errors, _ = junk_run
    assert [e["doc_id"] for e in errors] == sorted(e["doc_id"] for e in errors)
    reasons = {e["doc_id"]: e["reason"] for e in errors}
    assert len(errors) == len(reasons) == len(BAD), errors
    assert reasons == BAD
    for error in errors:
        assert Path(error["path"]).parent == junk_folder
        assert error["message"] and "\n" not in error["message"]
    assert "iconv" in next(e["message"] for e in errors if e["doc_id"] == "latin1")
    assert not {e["doc_id"] for e in errors} & {row["doc_id"] for row in rows}


@pytest.mark.slow
def test_junk_folder_hidden_files_ignored(junk_run):
    result, rows, errors, _ = junk_run
    seen = {r["doc_id"] for r in rows} | {e["doc_id"] for e in errors}
    assert not seen & {"secret", ".DS_Store", ""}
    assert ".hidden" not in result.output and ".DS_Store" not in result.output


@pytest.mark.slow
def test_junk_folder_exit_code_and_summary(junk_run):
    result, _rows, _errors, out = junk_run
    assert result.exit_code == 1, result.output
    stderr = result.stderr
    summary = [line for line in stderr.splitlines() if line.startswith("extractor: ") and " documents (" in line]
    assert len(summary) == 1, stderr
    assert f"{len(BAD)} failed" in summary[0]
    assert "15 documents (5 ok" in summary[0]
    assert str(errors_path_for(out)) in summary[0]
    # one warning line per bad file, naming it and its reason
    for doc_id, reason in BAD.items():
        lines = [line for line in stderr.splitlines() if f"{os.sep}{doc_id}." in line and f": {reason}: " in line]
        assert len(lines) == 1, (doc_id, stderr)
    assert "\r" not in stderr  # no progress bar when stderr is not a terminal


@pytest.mark.slow
def test_junk_folder_rerun_reuses_everything(junk_run, junk_folder, tmp_path):
    """A second run on the same output reuses every document, failures included."""
    _, _rows, _errors, out = junk_run
    before = out.read_bytes(), errors_path_for(out).read_bytes()
    seen = []
    summary = run_batch([junk_folder], out, jobs=1, on_result=lambda r, done, total: seen.append(r.path), **QUIET)
    assert summary.failed == len(BAD)
    assert summary.reused == 13  # all but .docx and .png, which are rejected before reading
    assert seen == []
    assert (out.read_bytes(), errors_path_for(out).read_bytes()) == before


# --------------------------------------------------------------------------
# determinism, interruption, resume


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory, pdfs) -> Path:
    """The five corpus papers, a PDF, an empty file and a duplicate."""
    folder = tmp_path_factory.mktemp("small") / "in"
    folder.mkdir()
    for path in CORPUS_FILES:
        shutil.copy(path, folder)
    shutil.copy(pdfs["good"], folder / "paper.pdf")
    (folder / "blank.txt").write_text("  \n", encoding="utf-8")
    shutil.copy(CORPUS_FILES[4], folder / "zz_copy.txt")
    return folder


@pytest.fixture(scope="module")
def fresh_csv(small_folder, tmp_path_factory) -> tuple[bytes, bytes]:
    """CSV and errors CSV of an uninterrupted one-job run."""
    out = tmp_path_factory.mktemp("fresh") / "out.csv"
    summary = run_batch([small_folder], out, jobs=1, resume=False, **QUIET)
    assert summary.documents == 8 and summary.failed == 1 and summary.mentions > 100
    return out.read_bytes(), errors_path_for(out).read_bytes()


@pytest.mark.slow
def test_two_jobs_byte_identical(small_folder, fresh_csv, tmp_path):
    out = tmp_path / "out.csv"
    summary = run_batch([small_folder], out, jobs=2, resume=False, **QUIET)
    assert summary.failed == 1
    assert (out.read_bytes(), errors_path_for(out).read_bytes()) == fresh_csv
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_csv_sorted_by_doc_id_then_offset(fresh_csv):
    rows = list(csv.DictReader(fresh_csv[0].decode("utf-8").splitlines()))
    keys = [(r["doc_id"], int(r["start"])) for r in rows]
    assert keys == sorted(keys)


class Stop:
    """on_result callback that raises KeyboardInterrupt after ``after`` documents."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.seen: list[str] = []

    def __call__(self, result, done, total) -> None:
        self.seen.append(result.path)
        if len(self.seen) >= self.after:
            raise KeyboardInterrupt


def manifest_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in manifest_path_for(out).read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupt_then_resume(small_folder, fresh_csv, tmp_path, jobs):
    out = tmp_path / "out.csv"
    out.write_text("sentinel: the previous run's CSV\n", encoding="utf-8")
    errors_path_for(out).write_text("sentinel errors\n", encoding="utf-8")
    stop = Stop(after=2)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_batch([small_folder], out, jobs=jobs, on_result=stop, **QUIET)
    assert time.monotonic() - started < 30  # workers are stopped, not waited for
    assert out.read_text(encoding="utf-8") == "sentinel: the previous run's CSV\n"
    assert errors_path_for(out).read_text(encoding="utf-8") == "sentinel errors\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.csv.manifest.jsonl", "out.errors.csv"]
    if jobs == 2:
        assert not multiprocessing.active_children()
    lines = manifest_lines(out)
    assert "fingerprint" in lines[0]
    assert sorted(line["path"] for line in lines[1:]) == sorted(stop.seen)

    again: list[str] = []
    summary = run_batch([small_folder], out, jobs=1, on_result=lambda r, d, t: again.append(r.path), **QUIET)
    assert summary.reused == 2
    assert not set(again) & set(stop.seen)
    assert (out.read_bytes(), errors_path_for(out).read_bytes()) == fresh_csv
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_torn_manifest_line_ignored(small_folder, fresh_csv, tmp_path):
    out = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        run_batch([small_folder], out, jobs=1, on_result=Stop(after=3), **QUIET)
    manifest = manifest_path_for(out)
    text = manifest.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 4
    last_start = text.rstrip("\n").rfind("\n") + 1
    manifest.write_text(text[: last_start + (len(text) - last_start) // 2], encoding="utf-8")  # crash mid-line
    summary = run_batch([small_folder], out, jobs=1, **QUIET)
    assert summary.reused == 2
    assert (out.read_bytes(), errors_path_for(out).read_bytes()) == fresh_csv
    assert all(line.endswith("}") for line in manifest.read_text(encoding="utf-8").splitlines())


@pytest.mark.slow
def test_other_fingerprint_reuses_nothing(small_folder, fresh_csv, tmp_path):
    out = tmp_path / "out.csv"
    run_batch([small_folder], out, jobs=1, **QUIET)
    manifest = manifest_path_for(out)
    lines = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text("\n".join([json.dumps({"fingerprint": "0" * 16})] + lines[1:]) + "\n", encoding="utf-8")
    summary = run_batch([small_folder], out, jobs=1, **QUIET)
    assert summary.reused == 0
    assert out.read_bytes() == fresh_csv[0]


@pytest.fixture
def work_folder(small_folder, tmp_path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(small_folder, folder)
    return folder


@pytest.mark.slow
def test_rerun_reuses_all_change_reextracts_one_rename_reuses(work_folder, fresh_csv, tmp_path):
    out = tmp_path / "out" / "out.csv"
    first = run_batch([work_folder], out, jobs=1, **QUIET)
    assert first.reused == 0 and out.read_bytes() == fresh_csv[0]

    # unchanged: nothing extracted again (the duplicate is reused too)
    seen: list[str] = []
    summary = run_batch([work_folder], out, jobs=1, on_result=lambda r, d, t: seen.append(r.path), **QUIET)
    assert (summary.reused, seen) == (8, [])
    assert (summary.documents, summary.failed, summary.mentions) == (first.documents, first.failed, first.mentions)
    assert out.read_bytes() == fresh_csv[0]

    # one file changed: only that file is extracted
    changed = work_folder / CORPUS_FILES[1].name
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nIntralesional sodium thiosulfate 250 mg/mL was injected.\n",
        encoding="utf-8",
    )
    seen.clear()
    summary = run_batch([work_folder], out, jobs=1, on_result=lambda r, d, t: seen.append(r.path), **QUIET)
    assert seen == [str(changed)] and summary.reused == 7
    rows = read_rows(out)
    assert any(r["doc_id"] == changed.stem and r["text"] == "Intralesional" for r in rows)

    # a renamed file is matched by content: reused under its new doc_id
    before = rows
    renamed = work_folder / "renamed_paper.txt"
    (work_folder / CORPUS_FILES[0].name).rename(renamed)
    seen.clear()
    summary = run_batch([work_folder], out, jobs=1, on_result=lambda r, d, t: seen.append(r.path), **QUIET)
    assert seen == [] and summary.reused == 8
    after = read_rows(out)

    def strip(rows, doc_id):
        return [{k: v for k, v in r.items() if k != "doc_id"} for r in rows if r["doc_id"] == doc_id]

    assert strip(after, "renamed_paper") == strip(before, CORPUS_FILES[0].stem)
    assert not strip(after, CORPUS_FILES[0].stem)


@pytest.mark.slow
def test_output_inside_input_folder(work_folder):
    """The batch's own CSV, errors CSV and manifest are not inputs of the next run."""
    out = work_folder / "results.csv"
    first = run_batch([work_folder], out, jobs=1, **QUIET)
    second = run_batch([work_folder], out, jobs=1, **QUIET)
    assert (second.documents, second.failed, second.reused) == (first.documents, first.failed, 8)
    assert {e["reason"] for e in read_rows(errors_path_for(out))} == {"empty"}


def test_same_file_twice_and_duplicate_doc_id(tmp_path):
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    shutil.copy(CORPUS_FILES[4], folder / "a" / "paper.txt")
    shutil.copy(CORPUS_FILES[2], folder / "b" / "paper.txt")
    out = tmp_path / "out.csv"
    summary = run_batch([folder, folder / "a" / "paper.txt"], out, jobs=1, **QUIET)
    assert (summary.documents, summary.failed) == (2, 1)
    [error] = read_rows(errors_path_for(out))
    assert error["reason"] == "duplicate_doc_id" and error["path"] == str(folder / "b" / "paper.txt")


@pytest.mark.slow
def test_timeout_not_reused_when_limit_changes(small_folder, tmp_path):
    out = tmp_path / "out.csv"
    summary = run_batch([small_folder / "paper.pdf"], out, jobs=1, pdf_timeout=0.0, **QUIET)
    assert [e.error[0] for e in summary.errors] == ["timeout"]
    same = run_batch([small_folder / "paper.pdf"], out, jobs=1, pdf_timeout=0.0, **QUIET)
    assert same.reused == 1 and same.failed == 1
    longer = run_batch([small_folder / "paper.pdf"], out, jobs=1, pdf_timeout=60.0, **QUIET)
    assert longer.reused == 0 and longer.failed == 0 and longer.pages == 2


# --------------------------------------------------------------------------
# worker watchdog (fault injection)


def _faulty_process_file(path, digest, _real=workers.process_file):
    if path.name == "crash.txt":
        os.kill(os.getpid(), 9)
    if path.name == "hang.txt":
        time.sleep(120)
    return _real(path, digest)


@pytest.mark.slow
@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="fault injection needs forked workers")
def test_worker_crash_and_hang_cost_one_document_each(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in CORPUS_FILES[:3]:
        shutil.copy(path, folder)
    (folder / "crash.txt").write_text("sodium thiosulfate crash " * 50, encoding="utf-8")
    (folder / "hang.txt").write_text("sodium thiosulfate hang " * 40, encoding="utf-8")
    monkeypatch.setattr(workers, "process_file", _faulty_process_file)
    monkeypatch.setattr(workers, "HARD_LIMIT_GRACE", 0.0)
    out = tmp_path / "out.csv"
    started = time.monotonic()
    summary = run_batch([folder], out, jobs=2, pdf_timeout=2.0, resume=False, **QUIET)  # hard limit 4 s
    assert time.monotonic() - started < 60
    assert {e.doc_id: e.error[0] for e in summary.errors} == {"crash": "crashed", "hang": "timeout"}
    assert {r["doc_id"] for r in read_rows(out)} == {p.stem for p in CORPUS_FILES[:3]}
    assert not multiprocessing.active_children()
