"""The batch on a real Dask cluster: a scheduler and two worker processes
started with the ``dask`` CLI on localhost (no mocks), compared byte for byte
with the local batch; a worker killed mid-run; resume across local and cluster
runs; file bytes sent to workers that cannot see the inputs.

Every process the module starts runs in its own process group, killed at the
end of the module whatever happens to the tests.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.run.batch import run_batch
from extractor.run.cluster import dask_runner
from extractor.run.writer import documents_path_for, errors_path_for

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # Dask clusters: worker processes started and killed

ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILES = sorted((ROOT / "corpus").glob("*.txt"))
DASK = Path(sys.executable).parent / "dask"
QUIET = {"on_warning": lambda message: None}

sys.path.insert(0, str(ROOT / "scripts"))

from make_corpus_pdfs import render_pdf  # noqa: E402


def outputs(out: Path) -> list[Path]:
    return [out, errors_path_for(out), documents_path_for(out)]


def assert_same_outputs(got: Path, want: Path) -> None:
    for a, b in zip(outputs(got), outputs(want)):
        assert filecmp.cmp(a, b, shallow=False), f"{a.name} differs from the local run's {b.name}"


def summary_counts(stderr: str) -> str:
    """The CLI's closing line up to the time it took."""
    line = stderr.strip().splitlines()[-1]
    return line.split(" mentions in ")[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def stop_groups(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process group, then SIGKILL what is left after 10 s."""
    for process in processes:
        if alive(process.pid):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        while alive(process.pid) and time.monotonic() < deadline:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)
            if process.poll() is not None and not alive(process.pid):
                break
        if alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``(address, client)``: a ``dask scheduler`` and two ``dask worker``
    processes (one thread each) started in a folder that holds no inputs."""
    logs = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    processes: list[subprocess.Popen] = []
    client = None

    def start(*args: str, name: str) -> None:
        with open(logs / f"{name}.log", "wb") as log:
            processes.append(
                subprocess.Popen(
                    [str(DASK), *args],
                    cwd=logs,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    try:
        start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--no-dashboard",
            "--dashboard-address",
            "127.0.0.1:0",
            name="scheduler",
        )
        for n in (1, 2):
            start(
                "worker",
                address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--name",
                f"w{n}",
                "--death-timeout",
                "60",
                name=f"worker{n}",
            )
        client = distributed.Client(address, timeout=30)
        client.wait_for_workers(2, timeout=60)
        yield address, client
    finally:
        if client is not None:
            client.close()
        stop_groups(processes)
        assert not any(alive(p.pid) for p in processes), "a Dask process survived the module"


@pytest.fixture(scope="module")
def junk(tmp_path_factory) -> Path:
    """The corpus, a good PDF and bad files: a PDF that is not one, a binary
    .txt, an empty file."""
    folder = tmp_path_factory.mktemp("inputs") / "papers"
    folder.mkdir()
    for path in CORPUS_FILES:
        shutil.copy(path, folder)
    render_pdf(CORPUS_FILES[2].read_text(encoding="utf-8"), folder / "paper.pdf")
    (folder / "bad.pdf").write_bytes(bytes(range(256)) * 40)
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text \x00" * 20)
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> tuple[Path, Path]:
    """24 distinct documents (corpus papers with a numbered last line), so a
    run lasts long enough to lose a worker in the middle, and the local
    batch's outputs for them."""
    folder = tmp_path_factory.mktemp("many") / "docs"
    folder.mkdir()
    for i in range(24):
        text = CORPUS_FILES[i % len(CORPUS_FILES)].read_text(encoding="utf-8")
        (folder / f"doc{i:02d}.txt").write_text(text + f"\nAcknowledgement number {i}.\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("many_local") / "out.csv"
    run_batch([folder], out, jobs=1, resume=False, **QUIET)
    return folder, out


def worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def killer(client, after: int):
    """An on_result callback that SIGKILLs a worker process holding a task
    once ``after`` documents are done (its nanny starts a new one)."""
    pids = worker_pids(client)
    killed: list[int] = []

    def on_result(result, finished: int, total: int) -> None:
        if killed or finished < after:
            return
        busy = [address for address, keys in client.processing().items() if keys]
        address = busy[0] if busy else next(iter(pids))
        os.kill(pids[address], signal.SIGKILL)
        killed.append(pids[address])

    return on_result, killed


def suspicious(client) -> int:
    """Times the scheduler saw an extraction task on a worker that died."""
    return client.run_on_scheduler(
        lambda dask_scheduler: sum(
            p.suspicious for name, p in dask_scheduler.task_prefixes.items() if name == "extract"
        )
    )


def set_allowed_failures(client, value: int) -> int:
    def change(dask_scheduler, value=value):
        before = dask_scheduler.allowed_failures
        dask_scheduler.allowed_failures = value
        return before

    return client.run_on_scheduler(change)


def test_cli_on_cluster_writes_the_local_run_byte_for_byte(cluster, junk, tmp_path):
    address, _ = cluster
    local, remote = tmp_path / "local" / "out.csv", tmp_path / "cluster" / "out.csv"
    local.parent.mkdir()
    remote.parent.mkdir()
    want = CliRunner().invoke(app, ["extract", str(junk), "--out", str(local), "--jobs", "1"])
    got = CliRunner().invoke(app, ["extract", str(junk), "--out", str(remote), "--scheduler", address])
    assert got.exit_code == want.exit_code == 1, got.output
    assert_same_outputs(remote, local)
    errors = errors_path_for(remote).read_text(encoding="utf-8")
    for name in ("bad", "binary", "empty"):
        assert f"\n{name}," in errors
    assert summary_counts(got.stderr) == summary_counts(want.stderr)
    assert "3 failed, 0 reused" in got.stderr, got.stderr


def test_killed_worker_loses_nothing(cluster, many, tmp_path):
    address, client = cluster
    folder, local = many
    before = suspicious(client)
    on_result, killed = killer(client, after=2)
    out = tmp_path / "out.csv"
    summary = run_batch([folder], out, resume=False, runner=dask_runner(address), on_result=on_result, **QUIET)
    assert killed, "no worker was killed"
    assert suspicious(client) > before, "the killed worker held no task"
    assert (summary.documents, summary.failed) == (24, 0)
    assert_same_outputs(out, local)
    client.wait_for_workers(2, timeout=60)
    assert killed[0] not in worker_pids(client).values()


def test_document_that_keeps_killing_workers_is_a_crashed_row(cluster, many, tmp_path):
    """With the scheduler allowing no worker death per task, the documents a
    killed worker held become "crashed" rows (the batch does not hang); the
    next run retries just those and ends with the local run's outputs."""
    address, client = cluster
    folder, local = many
    client.wait_for_workers(2, timeout=60)
    out = tmp_path / "out.csv"
    on_result, killed = killer(client, after=2)
    previous = set_allowed_failures(client, 0)
    try:
        started = time.monotonic()
        summary = run_batch([folder], out, resume=False, runner=dask_runner(address), on_result=on_result, **QUIET)
    finally:
        set_allowed_failures(client, previous)
    assert killed and time.monotonic() - started < 60
    assert summary.documents == 24 and summary.failed >= 1
    assert {e.error[0] for e in summary.errors} == {"crashed"}
    assert all("worker process died" in e.error[1] for e in summary.errors)
    crashed = {e.doc_id for e in summary.errors}
    client.wait_for_workers(2, timeout=60)
    again = run_batch([folder], out, runner=dask_runner(address), **QUIET)
    assert (again.reused, again.failed) == (24 - len(crashed), 0)
    assert_same_outputs(out, local)


def test_resume_across_local_and_cluster_runs(cluster, junk, tmp_path):
    """One manifest for both engines: a cluster run after a local one (and a
    local run after a cluster one) extracts nothing again."""
    address, _ = cluster
    inputs = [junk, tmp_path / "gone.txt"]
    first = tmp_path / "a" / "out.csv"
    run_batch(inputs, first, jobs=1, **QUIET)
    written = [p.read_bytes() for p in outputs(first)]
    again = run_batch(inputs, first, runner=dask_runner(address), **QUIET)
    assert again.reused == 9 and again.documents == 10
    assert [p.read_bytes() for p in outputs(first)] == written

    second = tmp_path / "b" / "out.csv"
    run_batch(inputs, second, runner=dask_runner(address), **QUIET)
    local = run_batch(inputs, second, jobs=1, **QUIET)
    assert local.reused == 9
    assert_same_outputs(second, first)


def test_send_files_reaches_workers_without_the_inputs(cluster, junk, tmp_path, monkeypatch):
    """Relative paths name nothing in the workers' folder: without
    --send-files every document is an error row saying so; with it the
    outputs are the local run's."""
    address, _ = cluster
    shutil.copytree(junk, tmp_path / "papers")
    monkeypatch.chdir(tmp_path)
    local, shared, sent = Path("local.csv"), Path("shared.csv"), Path("sent.csv")
    CliRunner().invoke(app, ["extract", "papers", "--out", str(local), "--jobs", "1"])
    blind = CliRunner().invoke(app, ["extract", "papers", "--out", str(shared), "--scheduler", address])
    assert blind.exit_code == 1
    assert "not found on the worker" in blind.stderr and "--send-files" in blind.stderr
    assert shared.read_text(encoding="utf-8").count("\n") == 1  # the header only
    result = CliRunner().invoke(
        app, ["extract", "papers", "--out", str(sent), "--scheduler", address, "--send-files", "--fresh"]
    )
    assert result.exit_code == 1, result.output
    assert_same_outputs(sent, local)


def test_local_cluster_and_bad_scheduler(tmp_path):
    """``local:1`` starts its own cluster (and stops it); a bad value is one line."""
    out = tmp_path / "out.csv"
    local = tmp_path / "local.csv"
    run_batch(CORPUS_FILES[:2], local, jobs=1, **QUIET)
    result = CliRunner().invoke(
        app, ["extract", *map(str, CORPUS_FILES[:2]), "--out", str(out), "--scheduler", "local:1"]
    )
    assert result.exit_code == 0, result.output
    assert_same_outputs(out, local)
    bad = CliRunner().invoke(app, ["extract", str(CORPUS_FILES[0]), "--out", str(out), "--scheduler", "localhost"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "extractor: --scheduler 'localhost': expected tcp://HOST:PORT, local or local:N"
