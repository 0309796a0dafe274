"""Worker processes: each extracts one document at a time and sends back
plain rows, never spaCy Docs (measured here: ``nlp.pipe`` with ``n_process=2``
is slower than one process because the parent deserializes every Doc).

Every document is extracted in a worker process, even with one job: each
worker gets one document at a time, largest files first, under an
address-space limit (``memory_limit``, ``RLIMIT_AS``) and the hard time limit
(twice ``pdf_timeout`` plus 30 s; the PDF reader's own limit is checked
between pages only). A document over either limit, or whose worker dies
(segfault, out of memory), costs that one document an error row and the
worker is replaced. Workers ignore SIGINT (on Ctrl-C the parent stops them),
hold no other worker's pipe and die with the parent (``PR_SET_PDEATHSIG`` on
Linux, and a thread watching the parent's pid everywhere), so a parent killed
with SIGKILL leaves no worker behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from extractor.ingest import doc_id_for, load_document
from extractor.ingest.document import IngestError
from extractor.outputs.studies import document_title
from extractor.run.result import DocResult
from extractor.run.writer import format_cell
from extractor.schema import Mention

if TYPE_CHECKING:
    from extractor.mentions.reader import Extractor, ExtractorSettings

try:
    import resource
except ImportError:  # Windows: no address-space limit
    resource = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 2048  # address space per worker, pipeline included (~250 MB)
MAX_CHARS = 5_000_000  # characters per document (a 385-page PDF is ~1.3 M)

_WORKER: tuple[Extractor, float | None] | None = None  # (extractor, pdf_timeout) of this process
_WORKER_KEY: str | None = None
_MEMORY_LIMIT: int | None = None  # bytes of address space this worker may use


def init_worker(settings: ExtractorSettings, pdf_timeout: float | None, key: str) -> None:
    """Build this process's extractor, or keep the one built before for the same
    ``key``, the caller's fingerprint (a second run in one process, or a worker
    forked from a parent that already has one, skips the ~1.5 s pipeline build)."""
    global _WORKER, _WORKER_KEY
    if _WORKER is None or key != _WORKER_KEY:
        extractor = settings.build()
        # spaCy's 1,000,000-character guard (E088) is sized for parsers and NER
        # models this pipeline does not run; the memory limit is the real bound.
        extractor.nlp.max_length = MAX_CHARS
        _WORKER = (extractor, pdf_timeout)
        _WORKER_KEY = key
    else:
        _WORKER = (_WORKER[0], pdf_timeout)


def _mention_dict(mention: Mention) -> dict:
    return {column: format_cell(value) for column, value in mention.row().items()}


def process_file(path: Path, digest: str) -> DocResult:
    """Extract one file with this process's extractor; never raises for bad input."""
    if _WORKER is None:
        raise RuntimeError("process_file() before init_worker() in this process")
    extractor, pdf_timeout = _WORKER
    doc_id = doc_id_for(path)
    try:
        return _extract(extractor, path, digest, doc_id, pdf_timeout)
    except MemoryError:
        pass  # leaving the handler frees the document before the error row is built
    if _MEMORY_LIMIT is None:
        message = "out of memory; the file was not extracted"
    else:
        message = f"over the memory limit of {_MEMORY_LIMIT // 2**20} MB per worker (--max-memory); the file was not extracted"
    return DocResult(doc_id, str(path), digest, error=("memory", message))


def _extract(extractor: Extractor, path: Path, digest: str, doc_id: str, pdf_timeout: float | None) -> DocResult:
    try:
        document = load_document(path, pdf_timeout=pdf_timeout)
        if len(document.text) > MAX_CHARS:
            return DocResult(
                doc_id,
                str(path),
                digest,
                error=("too_long", f"{len(document.text):,} characters, over the limit of {MAX_CHARS:,} per document"),
            )
        reading = extractor.read(document)
    except IngestError as exc:
        return DocResult(doc_id, str(path), digest, error=(exc.reason, " ".join(exc.message.split())))
    except MemoryError:
        raise
    except Exception as exc:  # a bug on one document must not stop the batch
        return DocResult(
            doc_id, str(path), digest, error=("internal_error", " ".join(f"{type(exc).__name__}: {exc}".split()))
        )
    return DocResult(
        doc_id,
        str(path),
        digest,
        [_mention_dict(m) for m in reading.mentions],
        document.page_count,
        words=reading.words,
        indication=reading.indication.kind,
        indication_sentence=reading.indication.sentence,
        title=document_title(document.text),
    )


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL = 1.0  # seconds between checks that the parent is still there


def _die_with_parent(parent: int) -> None:
    """End this worker when the parent ends, however it ends (SIGKILL and the
    kernel's out-of-memory killer included): the kernel's parent-death signal
    on Linux, and everywhere a thread that notices the parent's pid change."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="extractor-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL)
        if os.getppid() != parent:
            os._exit(1)


def limit_memory(limit: int | None) -> None:
    """Cap this process's address space at ``limit`` bytes (never raising a
    lower limit already set), so a document that needs more gets a
    MemoryError here instead of taking the machine's memory."""
    global _MEMORY_LIMIT
    if limit is None or resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    for existing in (soft, hard):
        if existing != resource.RLIM_INFINITY:
            limit = min(limit, existing)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _MEMORY_LIMIT = limit


def _worker_main(
    conn: Connection,
    settings: ExtractorSettings,
    pdf_timeout: float | None,
    key: str,
    memory_limit: int | None = None,
    parent: int | None = None,
    inherited: Iterable[Connection] = (),
) -> None:
    """A worker process: receive (path, digest), send back a DocResult; None or
    EOF ends it, and so does a document over the memory limit (the parent
    starts a fresh worker). ``inherited``: the parent's pipe ends a forked
    worker holds copies of; closed so each pipe reports EOF when the parent dies."""
    for other in inherited:
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    if parent is not None:
        _die_with_parent(parent)
    limit_memory(memory_limit)
    init_worker(settings, pdf_timeout, key)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = process_file(Path(task[0]), task[1])
        try:
            conn.send(result)
        except OSError:  # the parent is gone
            return
        if result.error and result.error[0] == "memory":
            return


def memory_slots(memory_limit: int | None) -> int | None:
    """How many workers of ``memory_limit`` bytes fit in the memory available
    now (MemAvailable on Linux, free pages elsewhere); None when unknown."""
    if not memory_limit:
        return None
    available = None
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if available is None:
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            return None
    return max(1, available // memory_limit)


HARD_LIMIT_GRACE = 30.0  # seconds on top of twice the PDF time limit


def hard_time_limit(pdf_timeout: float | None) -> float | None:
    """Seconds after which a worker still busy with one document is killed."""
    return None if pdf_timeout is None else 2 * pdf_timeout + HARD_LIMIT_GRACE


def run_pool(
    todo: list[tuple[Path, str]],
    *,
    jobs: int,
    settings: ExtractorSettings,
    pdf_timeout: float | None,
    key: str,
    memory_limit: int | None = DEFAULT_MEMORY_MB * 2**20,
) -> Generator[DocResult, None, None]:
    """Results in completion order, from worker processes (one at least, so the
    memory and time limits hold with one job too); closing the generator stops
    the workers. ``key``: the extractor's fingerprint (see ``init_worker``)."""
    if not todo:
        return
    # Built here even for workers: a bad model or rule file fails once, here, and
    # forked workers inherit the pipeline instead of building their own.
    init_worker(settings, pdf_timeout, key)
    workers = max(1, min(jobs, len(todo)))
    limit = f"{memory_limit // 2**20} MB" if memory_limit else "no limit"
    logger.info("worker processes: %d for %d documents (memory: %s each)", workers, len(todo), limit)
    yield from _WorkerPool(workers, settings, pdf_timeout, key, memory_limit).run(todo)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: tuple[Path, str] | None = None
    since: float = 0.0


class _WorkerPool:
    """Worker processes fed one document at a time over a pipe each.

    Unlike a ``ProcessPoolExecutor``, the parent knows which document each
    worker holds, so a worker that dies or overruns the time limit costs that
    one document (an error row) and is replaced; the batch goes on.
    """

    def __init__(
        self,
        jobs: int,
        settings: ExtractorSettings,
        pdf_timeout: float | None,
        key: str,
        memory_limit: int | None = None,
    ) -> None:
        self.jobs = jobs
        self.settings = settings
        self.key = key
        self.pdf_timeout = pdf_timeout
        self.memory_limit = memory_limit
        self.limit = hard_time_limit(pdf_timeout)
        self.context = multiprocessing.get_context()
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        # a forked worker holds copies of the parent's pipe ends (its own and
        # the other workers'); it closes them so every pipe sees EOF when the parent dies
        inherited = [parent_end] + [w.conn for w in self.workers] if self.context.get_start_method() == "fork" else []
        process = self.context.Process(
            target=_worker_main,
            args=(
                child_end,
                self.settings,
                self.pdf_timeout,
                self.key,
                self.memory_limit,
                os.getpid(),
                inherited,
            ),
            name="extractor-worker",
            daemon=True,
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _stop(self, worker: _Worker, *, kill: bool) -> None:
        if kill:
            worker.process.kill()
        else:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        worker.process.join(timeout=None if kill else 10)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        if worker in self.workers:
            self.workers.remove(worker)

    def _assign(self, worker: _Worker, queue: deque[tuple[Path, str]]) -> None:
        if queue:
            worker.task = queue.popleft()
            worker.since = time.monotonic()
            worker.conn.send((str(worker.task[0]), worker.task[1]))
        else:
            worker.task = None

    def _failed(self, worker: _Worker, reason: str, message: str) -> DocResult:
        if worker.task is None:
            raise RuntimeError("a result from a worker that holds no document")
        path, digest = worker.task
        return DocResult(doc_id_for(path), str(path), digest, error=(reason, message))

    def _crash_message(self, code: int | None) -> str:
        why = f"exit code {code}" if code is None or code >= 0 else f"signal {-code}"
        limit = (
            f"; it may have run out of its {self.memory_limit // 2**20} MB memory limit" if self.memory_limit else ""
        )
        return f"the worker process died while on this file ({why}){limit}; the file was not extracted"

    def run(self, todo: list[tuple[Path, str]]) -> Generator[DocResult, None, None]:
        # largest files first: the last documents to finish are short ones
        queue = deque(sorted(todo, key=lambda task: -_size(task[0])))
        finished = False
        try:
            for _ in range(self.jobs):
                worker = self._start()
                self.workers.append(worker)
                self._assign(worker, queue)
            while True:
                busy = [w for w in self.workers if w.task is not None]
                if not busy:
                    break
                timeout = None
                if self.limit is not None:
                    timeout = max(0.0, min(w.since for w in busy) + self.limit - time.monotonic()) + 0.05
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
                for worker in busy:
                    result = None
                    replace = False
                    if worker.conn in ready or worker.process.sentinel in ready:
                        try:
                            result = worker.conn.recv()
                            replace = bool(result.error and result.error[0] == "memory")  # that worker has ended
                        except Exception:  # EOF: the worker died (segfault, out of memory, killed)
                            worker.process.join(timeout=5)
                            result = self._failed(worker, "crashed", self._crash_message(worker.process.exitcode))
                            replace = True
                    elif self.limit is not None and time.monotonic() - worker.since > self.limit:
                        result = self._failed(
                            worker,
                            "timeout",
                            f"no result after {self.limit:g} s (the per-document limit: twice --pdf-timeout plus "
                            f"{HARD_LIMIT_GRACE:g} s); the worker was stopped",
                        )
                        replace = True
                    if result is None:
                        continue
                    if replace:
                        logger.info("replacing worker pid %s after %s", worker.process.pid, result.error)
                        self._stop(worker, kill=True)
                        worker = self._start()
                        self.workers.append(worker)
                    # the next document first: the worker reads it while the caller
                    # records this result (a manifest line and its fsync)
                    self._assign(worker, queue)
                    yield result
            finished = True
        finally:
            for worker in list(self.workers):
                self._stop(worker, kill=not finished)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
