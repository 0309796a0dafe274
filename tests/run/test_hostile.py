"""Hostile input, as a careless user or an attacker would give it (issue 14).

Each case asserts what a user sees: rows or one error row per file, the
user's files unchanged, no worker process left behind, a one-line error for
a refused command. Memory is bounded by the worker's address-space limit
(``memory_limit``): a document that succeeds under a 1 GB limit peaked under
1 GB. Real parts throughout (the production pipeline in forked workers, PDFs
built at test time, the CLI in a subprocess where the parent must die); only
the retry-policy tests inject a fault into the worker.
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.run import workers
from extractor.run.batch import run_batch
from extractor.run.manifest import BatchError, OutputLock, manifest_path_for
from extractor.run.writer import documents_path_for, errors_path_for, plain

ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILES = sorted((ROOT / "corpus").glob("*.txt"))
GOLD = ROOT / "gold"
GB = 2**30
QUIET = {"on_warning": lambda message: None}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORK = pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="fault injection needs forked workers")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below ``folder`` (links not followed)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def no_workers_left() -> bool:
    return not multiprocessing.active_children()


def parenthesis_bomb(n: int = 3000) -> str:
    """The issue's repro scaled to 6 KB: one sentence of n nested parentheses."""
    return "Topical sodium thiosulfate 25% for calcinosis. " + "(" * n + "sodium thiosulfate" + ")" * n


# --------------------------------------------------------------------------
# 1. the parenthesis bomb


def test_parenthesis_bomb_extracted_fast_under_1gb(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.txt").write_text(parenthesis_bomb(), encoding="utf-8")
    balanced = (
        "Topical sodium thiosulfate 25% was applied to calcinosis. " + " ".join(f"({i})" for i in range(1, 1500)) + "."
    )
    (folder / "balanced.txt").write_text(balanced, encoding="utf-8")
    before = snapshot(folder)
    assert 6000 <= (folder / "bomb.txt").stat().st_size < 6200
    started = time.monotonic()
    summary = run_batch([folder], tmp_path / "out.csv", jobs=1, memory_limit=1 * GB, **QUIET)
    elapsed = time.monotonic() - started
    assert summary.failed == 0, summary.errors
    assert elapsed < 10, elapsed
    rows = read_rows(tmp_path / "out.csv")
    assert {(r["doc_id"], r["field"], r["text"]) for r in rows} >= {
        ("bomb", "route", "Topical"),
        ("balanced", "route", "Topical"),
    }
    assert snapshot(folder) == before and no_workers_left()


# --------------------------------------------------------------------------
# 2. memory: a compression-bomb PDF costs one error row, under the limit


def compression_bomb_pdf(path: Path, inflated: int) -> None:
    """A one-page PDF whose content stream inflates to ``inflated`` bytes of
    blanks (built from one compressed block repeated, in about a second)."""
    chunk = b" " * (1 << 24)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = raw.compress(b"BT /F1 12 Tf 72 720 Td (Sodium thiosulfate) Tj ET\n") + raw.flush(zlib.Z_FULL_FLUSH)
    block = raw.compress(chunk) + raw.flush(zlib.Z_FULL_FLUSH)
    tail = raw.flush(zlib.Z_FINISH)
    count = inflated // len(chunk)
    checksum = zlib.adler32(b"BT /F1 12 Tf 72 720 Td (Sodium thiosulfate) Tj ET\n")
    for _ in range(count):
        checksum = zlib.adler32(chunk, checksum)
    data = b"\x78\xda" + head + block * count + tail + checksum.to_bytes(4, "big")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


@pytest.mark.slow
def test_compression_bomb_pdf_is_one_error_row_under_the_memory_limit(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    compression_bomb_pdf(folder / "bomb.pdf", int(1.5 * GB))
    assert (folder / "bomb.pdf").stat().st_size < 2 * 2**20
    (folder / "paper.txt").write_bytes(CORPUS_FILES[2].read_bytes())
    before = snapshot(folder)
    started = time.monotonic()
    summary = run_batch([folder], tmp_path / "out.csv", jobs=1, memory_limit=1 * GB, **QUIET)
    assert time.monotonic() - started < 60
    [error] = read_rows(errors_path_for(tmp_path / "out.csv"))
    assert error["doc_id"] == "bomb" and error["reason"] in ("memory", "crashed")
    assert "1024 MB" in error["message"]
    assert {r["doc_id"] for r in read_rows(tmp_path / "out.csv")} == {"paper"}
    assert summary.failed == 1 and snapshot(folder) == before and no_workers_left()


# --------------------------------------------------------------------------
# 3. long documents: over spaCy's 1,000,000 characters, offsets exact


@pytest.mark.slow
def test_long_text_is_extracted_with_exact_offsets(tmp_path):
    paper = CORPUS_FILES[0].read_text(encoding="utf-8")
    filler = "Skin biopsies were reviewed by two pathologists who recorded the depth of each deposit. "
    text = paper + "\n\n" + filler * ((1_300_000 - 2 * len(paper)) // len(filler)) + "\n\n" + paper
    assert len(text) > 1_290_000
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    summary = run_batch([path], tmp_path / "out.csv", jobs=1, memory_limit=1 * GB, **QUIET)
    assert summary.failed == 0, summary.errors
    rows = read_rows(tmp_path / "out.csv")
    tail = [r for r in rows if int(r["start"]) > 1_000_000]
    head = [r for r in rows if int(r["end"]) <= len(paper)]
    assert len(tail) >= 10 and len(head) >= 10
    assert all(text[int(r["start"]) : int(r["end"])] == plain(r["text"]) for r in rows)
    # the second copy sits after the first one's references, so fewer of its
    # mentions count; those that do are the first copy's, shifted exactly
    shift = len(text) - len(paper)
    assert {(int(r["start"]) - shift, r["field"], r["text"]) for r in tail} <= {
        (int(r["start"]), r["field"], r["text"]) for r in head
    }
    assert no_workers_left()


def test_text_over_the_character_limit_is_one_error_row(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MAX_CHARS", 50_000)  # read by the forked worker
    path = tmp_path / "huge.txt"
    path.write_text(CORPUS_FILES[0].read_text(encoding="utf-8") * 10, encoding="utf-8")
    summary = run_batch([path], tmp_path / "out.csv", jobs=1, **QUIET)
    [error] = summary.errors
    assert error.error[0] == "too_long" and "50,000" in error.error[1]


# --------------------------------------------------------------------------
# 4. one time limit in every mode


def slow_table(rows: int) -> str:
    """A table whose extraction takes far longer than a few seconds."""
    lines = ["Patient\tDose\tSize"] + [f"{i}\tSTS {i % 50 + 1} g IV\t{i % 30 + 1} mm" for i in range(rows)]
    return "Intravenous sodium thiosulfate was given.\n\n" + "\n".join(lines) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_same_time_limit_with_one_and_two_jobs(tmp_path, monkeypatch, jobs):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "slow.txt").write_text(slow_table(40000), encoding="utf-8")  # linear now, but ~40 s of work: far over 3 s
    (folder / "paper.txt").write_bytes(CORPUS_FILES[4].read_bytes())
    monkeypatch.setattr(workers, "HARD_LIMIT_GRACE", 0.0)
    started = time.monotonic()
    summary = run_batch([folder], tmp_path / "out.csv", jobs=jobs, pdf_timeout=1.5, **QUIET)  # hard limit 3 s
    assert time.monotonic() - started < 40
    assert [(e.doc_id, e.error[0]) for e in summary.errors] == [("slow", "timeout")]
    assert {r["doc_id"] for r in read_rows(tmp_path / "out.csv")} == {"paper"}
    assert no_workers_left()


# --------------------------------------------------------------------------
# 5. --out: refused up front when it is an input or a folder; locked


def test_out_naming_an_input_file_is_refused_and_nothing_changes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in CORPUS_FILES[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    before = snapshot(tmp_path)
    victim = folder / CORPUS_FILES[1].name
    result = invoke("extract", folder, "--out", victim)
    assert result.exit_code == 2
    assert (
        result.stderr.count("\n") == 1 and "would overwrite the input" in result.stderr and str(victim) in result.stderr
    )
    assert snapshot(tmp_path) == before and sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in CORPUS_FILES[:2]
    )
    result = invoke("extract", victim, "--out", victim)
    assert result.exit_code == 2 and snapshot(tmp_path) == before


def test_out_naming_a_folder_is_refused_before_any_work(tmp_path):
    (tmp_path / "results").mkdir()
    started = time.monotonic()
    result = invoke("extract", CORPUS_FILES[0], "--out", tmp_path / "results")
    assert result.exit_code == 2 and time.monotonic() - started < 5
    assert result.stderr.count("\n") == 1 and "is a folder" in result.stderr
    assert list(tmp_path.rglob("*")) == [tmp_path / "results"]


def test_second_run_on_the_same_out_fails_clearly(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("the first run's CSV\n", encoding="utf-8")
    with OutputLock(out):  # a first run holding --out
        result = invoke("extract", CORPUS_FILES[0], "--out", out)
        assert result.exit_code == 2
        assert f"another extractor run (pid {os.getpid()}) is writing {out}" in result.stderr
        assert result.stderr.count("\n") == 1
    assert out.read_text(encoding="utf-8") == "the first run's CSV\n"
    assert not manifest_path_for(out).exists()
    assert invoke("extract", CORPUS_FILES[0], "--out", out).exit_code == 0  # released: the next run goes ahead
    assert read_rows(out) and not list(tmp_path.glob(".*"))  # rows written; no lock or temporary file left


def test_stale_temporary_files_are_removed(tmp_path):
    out = tmp_path / "out.csv"
    stale = [tmp_path / ".out.csv.a1b2c3d4.tmp", tmp_path / ".out.csv.manifest.jsonl.zz99yy88.tmp"]
    for path in stale:
        path.write_text("half a file from a run killed with -9", encoding="utf-8")
    other = tmp_path / ".notes.txt.a1b2c3d4.tmp"  # not ours
    other.write_text("keep", encoding="utf-8")
    warnings: list[str] = []
    run_batch([CORPUS_FILES[0]], out, jobs=1, on_warning=warnings.append)
    assert not any(path.exists() for path in stale) and other.exists()
    assert any("left by an interrupted run" in w for w in warnings)


# --------------------------------------------------------------------------
# 6. workers die with their parent


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_parent(tmp_path, how):
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(2):
        (folder / f"slow{k}.txt").write_text(slow_table(40000 + k), encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "extractor",
            "extract",
            str(folder),
            "--out",
            str(tmp_path / "out.csv"),
            "-j",
            "2",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        workers = _children(process.pid)
    if len(workers) < 2:
        process.kill()
        pytest.fail(f"the workers never started: {process.communicate()[1].decode(errors='replace')}")
    time.sleep(1.0)
    os.kill(process.pid, how)
    try:
        process.communicate(timeout=20)  # EOF: no worker holds the caller's stderr
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
        assert not (tmp_path / "out.csv").exists()
    finally:  # a failing run must not leave its orphans on the machine
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------
# 7. the manifest: any bytes, validated rows


@pytest.mark.slow
def test_manifest_with_torn_multibyte_line_bad_bytes_and_edited_rows(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in CORPUS_FILES[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "accents.txt").write_text(
        "Topical sodium thiosulfate 25% — lésions réduites (STS). Intralesional STS.\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    run_batch([folder], out, jobs=1, **QUIET)
    fresh = out.read_bytes()
    manifest = manifest_path_for(out)
    lines = manifest.read_bytes().split(b"\n")
    header, results = lines[0], [line for line in lines[1:] if line]
    accents = next(i for i, line in enumerate(results) if b"accents" in line)
    cut = results[accents].index("é".encode()) + 1  # inside a two-byte character
    edit, keep = [i for i in range(len(results)) if i != accents][:2]
    edited = json.loads(results[edit])
    for row in edited["rows"]:
        row.pop("start")  # a hand-edited row without its offset
    manifest.write_bytes(
        b"\n".join(
            [
                header,
                json.dumps(edited).encode(),
                results[keep],
                b"\xff\xfe not UTF-8 at all \x80",
                b'{"doc_id": ["not", "a", "string"]}',
                b"[1, 2, 3]",
                results[accents][:cut],
            ]
        )
    )
    seen: list[str] = []
    summary = run_batch([folder], out, jobs=1, on_result=lambda r, d, t: seen.append(r.path), **QUIET)
    assert summary.failed == 0 and summary.reused == 1
    kept = json.loads(results[keep])["path"]
    assert sorted(seen) == sorted(str(p) for p in folder.iterdir() if str(p) != kept)
    assert out.read_bytes() == fresh


# --------------------------------------------------------------------------
# 8. formula-safe cells in every CSV


def test_no_cell_starts_a_formula_and_text_is_recoverable(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    sentence = " topical sodium thiosulfate 25% was applied to calcinosis twice daily with complete response."
    documents = {
        "hyperlink": '=HYPERLINK("http://example.com/x","click")' + sentence,
        "at": "@SUM(1+1)" + sentence,
        "plus": "+1+1" + sentence,
        "minus": "-2+3" + sentence,
        "tab": "\t=1+1" + sentence,  # whitespace collapsing would expose the "="
        "cr": "\r=1+1" + sentence,
    }
    for name, text in documents.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
    (folder / '=HYPERLINK("http:x").txt').write_text(
        "Topical sodium thiosulfate 25% was applied." + sentence, encoding="utf-8"
    )
    (folder / "@empty.txt").write_bytes(b"")
    out = tmp_path / "out.csv"
    summary = run_batch([folder], out, jobs=1, **QUIET)
    assert summary.failed == 1
    rows = read_rows(out)
    assert {r["doc_id"] for r in rows} >= set(documents) | {'\'=HYPERLINK("http:x")'}
    for path in (out, errors_path_for(out), documents_path_for(out)):
        with open(path, newline="", encoding="utf-8") as handle:
            for record in csv.reader(handle):
                assert not any(cell.startswith(FORMULA_START) for cell in record), (path.name, record)
    texts = {name: text for name, text in documents.items()}
    for row in rows:
        doc_id = plain(row["doc_id"])
        source = texts.get(doc_id) or (folder / f"{doc_id}.txt").read_text(encoding="utf-8")
        assert source[int(row["start"]) : int(row["end"])] == plain(row["text"])
    sentences = {plain(r["sentence"]) for r in rows}
    assert any(s.startswith("=1+1") for s in sentences)  # the raw value, once the apostrophe is dropped
    assert [plain(e["doc_id"]) for e in read_rows(errors_path_for(out))] == ["@empty"]


# --------------------------------------------------------------------------
# 9. deterministic failures are not retried forever; crashes once more


def _buggy_load_document(path, *, pdf_timeout=None, _real=workers.load_document):
    if Path(path).name == "bug.txt":
        raise RuntimeError("a bug that fires on this file every time")
    if Path(path).name == "crash.txt":
        os.kill(os.getpid(), signal.SIGKILL)
    return _real(path, pdf_timeout=pdf_timeout)


@pytest.mark.slow
@FORK
def test_internal_error_reused_crash_retried_once(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bug.txt").write_text("sodium thiosulfate bug " * 20, encoding="utf-8")
    (folder / "crash.txt").write_text("sodium thiosulfate crash " * 20, encoding="utf-8")
    (folder / "paper.txt").write_bytes(CORPUS_FILES[0].read_bytes())
    monkeypatch.setattr(workers, "load_document", _buggy_load_document)
    out = tmp_path / "out.csv"
    runs = []
    for _ in range(3):
        seen: list[str] = []
        summary = run_batch([folder], out, jobs=1, on_result=lambda r, d, t, seen=seen: seen.append(r.doc_id), **QUIET)
        runs.append((sorted(seen), {e.doc_id: e.error[0] for e in summary.errors}))
    assert runs[0] == (["bug", "crash", "paper"], {"bug": "internal_error", "crash": "crashed"})
    assert runs[1] == (["crash"], {"bug": "internal_error", "crash": "crashed"})  # the crash is tried once more
    assert runs[2] == ([], {"bug": "internal_error", "crash": "crashed"})  # and then reused, like the bug
    fresh = run_batch([folder], out, jobs=1, resume=False, **QUIET)
    assert fresh.reused == 0 and no_workers_left()


# --------------------------------------------------------------------------
# 10. links: followed, dangling and looping ones reported


def test_symlinks_followed_dangling_reported_loops_warned(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "linked_paper.txt").write_bytes(CORPUS_FILES[1].read_bytes())
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "paper.txt").write_bytes(CORPUS_FILES[0].read_bytes())
    (folder / "sub").symlink_to(real, target_is_directory=True)
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    dangling = tmp_path / "dangling.pdf"
    dangling.symlink_to(tmp_path / "nowhere.pdf")
    out = tmp_path / "out.csv"
    result = invoke("extract", folder, dangling, "--out", out)
    assert result.exit_code == 1  # not 2: the rest of the run went on
    assert {r["doc_id"] for r in read_rows(out)} == {"paper", "linked_paper"}
    errors = {e["doc_id"]: (e["reason"], e["message"]) for e in read_rows(errors_path_for(out))}
    assert errors["gone"][0] == "missing" and "symbolic link" in errors["gone"][1]
    assert errors["dangling"][0] == "missing"
    assert f"skipped {folder / 'loop'}: a link to a folder already read" in result.stderr


# --------------------------------------------------------------------------
# 11. gold check and score: file:line, no traceback, nonzero for a missing folder


def test_gold_check_and_score_on_hostile_gold(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    source = sorted(GOLD.glob("*.jsonl"))[0]
    lines = source.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    target = gold / source.name
    target.write_bytes(
        b"\n".join(
            [
                json.dumps(dict(first, field=["route"])).encode(),
                json.dumps(dict(first, unit=["mg"])).encode(),
                b'{"doc_id": "\xff\xfe"}',
                json.dumps(dict(first, start=10, end=5)).encode(),
                json.dumps(dict(first, extra_key=1)).encode(),
                json.dumps({k: v for k, v in first.items() if k != "source"}).encode(),
            ]
        )
        + b"\n"
    )
    result = invoke("gold", "check", "--gold", gold, "--corpus", ROOT / "corpus")
    assert result.exit_code == 1 and "Traceback" not in result.output
    located = {int(line.split(":")[1]) for line in result.stderr.splitlines() if line.startswith(f"{target}:")}
    assert located == {1, 2, 3, 4, 5, 6}
    assert (
        "not UTF-8" in result.stderr
        and "bad offsets" in result.stderr
        and "unknown keys ['extra_key']" in result.stderr
    )

    pred = tmp_path / "pred.csv"
    pred.write_text("doc_id,field,text,start,end,value_min,value_max,unit,category,source\n", encoding="utf-8")
    for bad_line, expected in [
        (json.dumps(dict(first, field=["route"])), ":1: field must be a string"),
        (json.dumps(dict(first, start=10, end=5)), ":1: bad offsets"),
        (json.dumps(dict(first, extra_key=1)), ":1: unknown keys"),
        (json.dumps({k: v for k, v in first.items() if k != "source"}), ":1: missing keys ['source']"),
    ]:
        target.write_text(bad_line + "\n", encoding="utf-8")
        result = invoke("score", "--gold", gold, "--pred", pred)
        assert result.exit_code == 2 and f"{target}{expected}" in result.stderr, result.stderr
        assert "Traceback" not in result.output
    result = invoke("score", "--gold", tmp_path / "no_such_gold", "--pred", pred)
    assert result.exit_code == 2 and "no such gold folder" in result.stderr
    result = invoke("gold", "check", "--gold", tmp_path / "no_such_gold")
    assert result.exit_code == 1 and "no such gold folder" in result.stderr

    target.write_text(lines[0] + "\n", encoding="utf-8")
    pred.write_bytes(
        b"doc_id,field,text,start,end,value_min,value_max,unit,category,source\n"
        + f"{first['doc_id']},route,x,seven,9,,,,topical,this_study\n".encode()
    )
    result = invoke("score", "--gold", gold, "--pred", pred)
    assert result.exit_code == 2 and f"{pred}:2:" in result.stderr
    pred.write_bytes(b"doc_id,field,text,start,end,value_min,value_max,unit,category,source\n\xff\n")
    result = invoke("score", "--gold", gold, "--pred", pred)
    assert result.exit_code == 2 and "not UTF-8" in result.stderr and "Traceback" not in result.output


# --------------------------------------------------------------------------
# 12. smaller ones


def test_negative_pdf_timeout_and_bad_options_refused(tmp_path):
    for args, message in [
        (["--pdf-timeout", "-5"], "--pdf-timeout must be 0 or more"),
        (["--max-memory", "-1"], "--max-memory must be 0"),
        (["--doc-id", "stem"], "--doc-id must be one of name, path"),
    ]:
        result = invoke("extract", CORPUS_FILES[0], "--out", tmp_path / "out.csv", *args)
        assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())
    with pytest.raises(BatchError):
        run_batch([CORPUS_FILES[0]], tmp_path / "out.csv", pdf_timeout=-1.0, **QUIET)


@pytest.mark.slow
def test_utf16_decoded_and_nul_anywhere_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = CORPUS_FILES[2].read_text(encoding="utf-8")
    (folder / "utf16.txt").write_bytes(text.encode("utf-16"))  # with its byte-order mark
    (folder / "utf16_no_bom.txt").write_bytes(text.encode("utf-16-le"))
    (folder / "late_nul.txt").write_bytes(text.encode("utf-8") + b"\x00binary tail")
    assert len(text.encode("utf-8")) > 4096
    out = tmp_path / "out.csv"
    run_batch([folder], out, jobs=1, **QUIET)
    rows = [r for r in read_rows(out) if r["doc_id"] == "utf16"]
    assert len(rows) > 10 and all(text[int(r["start"]) : int(r["end"])] == plain(r["text"]) for r in rows)
    errors = {e["doc_id"]: (e["reason"], e["message"]) for e in read_rows(errors_path_for(out))}
    assert errors["utf16_no_bom"][0] == "not_text" and "UTF-16" in errors["utf16_no_bom"][1]
    assert errors["late_nul"][0] == "not_text"
    printed = subprocess.run(
        [sys.executable, "-m", "extractor", "text", str(folder / "utf16.txt")], capture_output=True, cwd=ROOT
    )
    assert printed.stdout.decode("utf-8") == text


def test_terminal_escapes_in_file_names_are_not_printed_raw(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\x1b]0;pwned\x07\x1b[2J.txt").write_bytes(b"")
    result = invoke("extract", folder, "--out", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J.txt" in result.stderr


@pytest.mark.slow
def test_doc_ids_from_relative_paths_when_names_clash(tmp_path):
    folder = tmp_path / "studies"
    for k, paper in enumerate(CORPUS_FILES[:2], 1):
        (folder / f"study{k}").mkdir(parents=True)
        (folder / f"study{k}" / "fulltext.txt").write_bytes(paper.read_bytes())
    result = invoke("extract", folder, "--out", tmp_path / "by_name.csv")
    assert result.exit_code == 1 and "--doc-id path" in result.stderr
    result = invoke("extract", folder, "--out", tmp_path / "by_path.csv", "--doc-id", "path")
    assert result.exit_code == 0, result.stderr
    assert {r["doc_id"] for r in read_rows(tmp_path / "by_path.csv")} == {"study1/fulltext", "study2/fulltext"}
    assert {r["doc_id"] for r in read_rows(documents_path_for(tmp_path / "by_path.csv"))} == {
        "study1/fulltext",
        "study2/fulltext",
    }
