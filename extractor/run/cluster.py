"""The batch on a Dask cluster: a runner for ``run_batch(..., runner=)``.

``run_batch`` keeps everything a user relies on (the manifest and resume,
duplicate content, the atomic CSVs, progress); this module only turns
``(path, digest)`` pairs into DocResults on Dask workers, one document per
task, largest files first, with a bounded number of tasks in flight so a
million-document run does not hold a million futures (or file bytes) at once.

Workers build the extractor once per process, on their first task, with the
client's model, PDF time limit and indication flag, after checking that their
extractor has the client's fingerprint: a worker with other rules or another
version would write rows the manifest would then reuse as if made here.

A worker that dies (segfault, out of memory, killed) loses its documents in
flight; the scheduler runs them again elsewhere, and a document on which
workers died more than ``distributed.scheduler.allowed-failures`` times
(default 3) becomes an error row ("crashed"), like in the local pool. A task
that raises is retried ``RETRIES`` times, then becomes an error row
("internal_error"). Both reasons are retried by the next run.

``dask`` and ``distributed`` are imported only when a runner runs, so the CLI
starts as fast without them.
"""

from __future__ import annotations

import importlib.util
import re
import socket
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Generator
from pathlib import Path

from extractor.ingest import doc_id_for
from extractor.mentions.reader import ExtractorSettings
from extractor.run import batch, workers
from extractor.run.batch import Runner
from extractor.run.result import DocResult

SEND_LIMIT = 8 * 2**20  # bytes; larger files are read from the path (Dask warns on task graphs > 10 MB)
RETRIES = 2  # extra tries of a task that raised (worker deaths are counted by the scheduler)
CONNECT_TIMEOUT = 30.0  # seconds to reach the scheduler
_LOCAL = re.compile(r"local(?::(\d+))?")


class ClusterError(RuntimeError):
    """The cluster cannot run this batch: scheduler unreachable, a worker with
    another extractor or without the model, the scheduler lost mid-run."""


class WorkerSetupError(RuntimeError):
    """Raised on a worker that cannot extract at all (so not one document's fault)."""


def parse_scheduler(scheduler: str) -> tuple[str | None, int | None]:
    """``(address, None)`` for a running scheduler, ``(None, N)`` for ``local:N``
    (``(None, None)`` for ``local``: as many workers as jobs)."""
    text = scheduler.strip()
    match = _LOCAL.fullmatch(text)
    if match:
        workers = int(match.group(1)) if match.group(1) else None
        if workers == 0:
            raise ClusterError("--scheduler local:N needs N >= 1")
        return None, workers
    if "://" in text and text.split("://", 1)[1]:
        return text, None
    raise ClusterError(f"--scheduler {scheduler!r}: expected tcp://HOST:PORT, local or local:N")


# --------------------------------------------------------------------------
# worker side

_LOCK = threading.Lock()  # one document at a time per process, even with --nthreads > 1
_READY: tuple | None = None  # the configuration this process's extractor was built for


def _ensure_pipeline(settings: ExtractorSettings, pdf_timeout: float | None, expected: str) -> None:
    """Build this process's extractor for the client's configuration, once."""
    global _READY
    config = (settings, pdf_timeout, expected)
    if config == _READY:
        return
    host = socket.gethostname()
    actual = batch.fingerprint(settings)
    if actual != expected:
        raise WorkerSetupError(
            f"the worker on {host} runs another extractor (fingerprint {actual}, client {expected}); "
            "install the same extractor, patterns and spaCy versions on every worker"
        )
    try:
        workers.init_worker(settings, pdf_timeout, actual)
    except Exception as exc:  # a missing model or a bad rule file: every task here would fail
        raise WorkerSetupError(f"the worker on {host} cannot build the pipeline: {type(exc).__name__}: {exc}") from None
    _READY = config


def extract_task(
    path: str,
    digest: str,
    data: bytes | None,
    settings: ExtractorSettings,
    pdf_timeout: float | None,
    expected: str,
) -> DocResult:
    """One document on a worker: from ``path`` on shared storage, or from
    ``data`` (the file's bytes sent with the task) staged under the same file
    name, so doc_id, reader and messages are those of a local run."""
    with _LOCK:
        _ensure_pipeline(settings, pdf_timeout, expected)
        if data is None:
            file = Path(path)
            if not file.is_file():
                return DocResult(
                    doc_id_for(file),
                    path,
                    digest,
                    error=(
                        "unreadable",
                        f"not found on the worker on {socket.gethostname()}; put the inputs on storage every worker "
                        f"mounts at the same path, or use --send-files (files up to {SEND_LIMIT // 2**20} MiB)",
                    ),
                )
            return workers.process_file(file, digest)
        with tempfile.TemporaryDirectory(prefix="extractor-") as folder:
            staged = Path(folder) / Path(path).name
            try:
                staged.write_bytes(data)
            except OSError as exc:
                return DocResult(
                    doc_id_for(staged),
                    path,
                    digest,
                    error=("internal_error", f"cannot stage the sent bytes on the worker: {exc.strerror or exc}"),
                )
            result = workers.process_file(staged, digest)
        result.path = path
        return result


# --------------------------------------------------------------------------
# client side


def dask_runner(scheduler: str, *, send_files: bool = False, retries: int = RETRIES) -> Runner:
    """A ``run_batch`` runner on the Dask cluster at ``scheduler`` (tcp://HOST:PORT,
    or local[:N] for a LocalCluster of N one-thread worker processes).

    ``send_files``: send the bytes of files up to SEND_LIMIT with their task,
    for workers that do not share this machine's disk; larger files and
    everything without it are read by the workers from the same path.
    """
    parse_scheduler(scheduler)  # a bad value fails now, before any work
    if importlib.util.find_spec("distributed") is None:
        raise ClusterError("--scheduler needs Dask: pip install 'extractor[cluster]' (dask and distributed)")

    def runner(
        todo: list[tuple[Path, str]],
        *,
        jobs: int,
        settings: ExtractorSettings,
        pdf_timeout: float | None,
    ) -> Generator[DocResult, None, None]:
        return _run(
            scheduler,
            todo,
            jobs=jobs,
            settings=settings,
            pdf_timeout=pdf_timeout,
            send_files=send_files,
            retries=retries,
        )

    return runner


def connect(scheduler: str, jobs: int = 1):
    """A ``distributed.Client`` and the LocalCluster it owns (None for a remote scheduler)."""
    import logging

    from distributed import Client, LocalCluster

    address, workers = parse_scheduler(scheduler)
    if address is None:
        import dask

        # the workers' statistical profiler samples the running task's stack every
        # 10 ms: a diagnostic, measured here at ~15 % of a document's time
        dask.config.set({"distributed.worker.profile.enabled": False})
        cluster = LocalCluster(
            n_workers=workers or max(1, jobs),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # its HTTP routes: any free port, not 8787
        )
        return Client(cluster), cluster
    try:
        return Client(address, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _run(
    scheduler: str,
    todo: list[tuple[Path, str]],
    *,
    jobs: int,
    settings: ExtractorSettings,
    pdf_timeout: float | None,
    send_files: bool,
    retries: int,
) -> Generator[DocResult, None, None]:
    """DocResults in completion order; closing the generator closes the client
    (and a LocalCluster), which cancels the tasks still queued."""
    if not todo:
        return
    from distributed import as_completed

    expected = batch.fingerprint(settings)
    client, cluster = connect(scheduler, jobs)
    try:
        queue = deque(sorted(todo, key=lambda task: -_size(task[0])))  # the tail of the run: short files
        pending: dict = {}
        finished = as_completed(loop=client.loop, with_results=True, raise_errors=False)
        window = _Window(client)
        run = uuid.uuid4().hex[:8]

        def submit() -> None:
            limit = window.size()
            while queue and len(pending) < limit:
                path, digest = queue.popleft()
                data = _bytes_to_send(path) if send_files else None
                future = client.submit(
                    extract_task,
                    str(path),
                    digest,
                    data,
                    settings,
                    pdf_timeout,
                    expected,
                    key=f"extract-{run}-{len(queue)}",
                    retries=retries,
                    pure=False,
                )
                pending[future] = (path, digest)
                finished.add(future)

        submit()
        for future, value in finished:
            path, digest = pending.pop(future)
            yield _result(future.status, value, path, digest)
            submit()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _result(status: str, value, path: Path, digest: str) -> DocResult:
    """A finished task's DocResult; a failed task's error row; a ClusterError
    when the failure is the cluster's, not the document's."""
    from distributed import KilledWorker

    if status == "finished":
        return value
    if status == "error":
        exc = value[1]
        if isinstance(exc, WorkerSetupError):
            raise ClusterError(str(exc))
        if isinstance(exc, KilledWorker):
            deaths = exc.allowed_failures + 1
            message = (
                f"the worker process died while on this file ({deaths} time{'s' if deaths > 1 else ''}: "
                "segfault, out of memory or killed); the file was not extracted"
            )
            return DocResult(doc_id_for(path), str(path), digest, error=("crashed", message))
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        return DocResult(doc_id_for(path), str(path), digest, error=("internal_error", message))
    raise ClusterError(
        f"lost the task for {path} ({status}): the scheduler went away or restarted; "
        "run the same command again to resume"
    )


class _Window:
    """How many tasks to keep submitted: twice the cluster's threads (so no
    worker waits for the client between tasks), re-read at most once a second
    as workers come and go."""

    def __init__(self, client) -> None:
        self.client = client
        self.checked = 0.0
        self.value = 4

    def size(self) -> int:
        now = time.monotonic()
        if now - self.checked >= 1.0:
            threads = sum(self.client.nthreads().values())
            self.value = max(4, 2 * threads)
            self.checked = now
        return self.value


def _bytes_to_send(path: Path) -> bytes | None:
    """The file's bytes when small enough to travel with the task, else None
    (the worker reads the path)."""
    try:
        if path.stat().st_size > SEND_LIMIT:
            return None
        return path.read_bytes()
    except OSError:
        return None  # the worker reads it and reports the error as a local run would


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
