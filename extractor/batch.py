"""Batch extraction over files and folders: worker processes, isolated errors,
a resumable manifest, atomic output.

Workers return plain rows, never spaCy Docs (measured here: ``nlp.pipe`` with
``n_process=2`` is slower than one process because the parent deserializes
every Doc). Each finished document is appended to a manifest
(``OUT.manifest.jsonl``: content hash, rows or error) and flushed, so an
interrupted run loses nothing; a rerun reuses every document whose content
hash and extractor fingerprint are already there. The CSV and the error CSV
are written to temporary files and moved into place at the end.

With ``jobs > 1`` each worker process gets one document at a time, largest
files first, so a slow document never holds finished ones back and the tail of
the run stays short. The parent knows which document each worker holds: a
worker that dies (segfault, out of memory) turns only that document into an
error row ("crashed") and is replaced, and a document still running after the
hard time limit (twice ``pdf_timeout`` plus 30 s; the PDF reader's own limit is
checked between pages only) gets its worker killed and an error row
("timeout"). Workers ignore SIGINT; on Ctrl-C the parent stops them.
"""
from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from extractor import __version__
from extractor.document import IngestError
from extractor.export import atomic_write, format_cell
from extractor.ingest import PDF_SUFFIXES, SUPPORTED_SUFFIXES, doc_id_for, load_document
from extractor.patterns import PATTERNS_DIR
from extractor.indication import CALCIFICATION
from extractor.schema import CSV_COLUMNS, Mention

ERROR_COLUMNS = ("doc_id", "path", "reason", "message")
DOCUMENT_COLUMNS = ("doc_id", "path", "pages", "words", "indication", "sentence", "mentions", "status")
PACKAGE_DIR = Path(__file__).resolve().parent
# Failures that may not happen again: never reused from the manifest. ("timeout"
# is reused only while the time limit is the same.)
RETRY_REASONS = frozenset({"internal_error", "crashed", "unreadable"})


@dataclass
class DocResult:
    """What one document produced: CSV rows or an error."""

    doc_id: str
    path: str
    digest: str  # content_key(): "text:<sha256>" or "pdf:<sha256>"; "" when never read
    rows: list[dict] = field(default_factory=list)
    pages: int = 0
    error: tuple[str, str] | None = None  # (reason, message)
    words: int = 0
    indication: str = ""  # calcification, other or no_sts
    indication_sentence: str = ""

    def as_json(self) -> str:
        return json.dumps(
            {"doc_id": self.doc_id, "path": self.path, "digest": self.digest, "rows": self.rows,
             "pages": self.pages, "error": list(self.error) if self.error else None,
             "words": self.words, "indication": self.indication, "indication_sentence": self.indication_sentence},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, line: str) -> "DocResult":
        data = json.loads(line)
        return cls(data["doc_id"], data["path"], data["digest"], data["rows"], data.get("pages", 0),
                   tuple(data["error"]) if data.get("error") else None,
                   data.get("words", 0), data.get("indication", ""), data.get("indication_sentence", ""))

    @property
    def status(self) -> str:
        """ok, out_of_scope (STS absent or treating something else) or error."""
        if self.error:
            return "error"
        return "ok" if self.indication == CALCIFICATION else "out_of_scope"


@dataclass
class BatchSummary:
    documents: int = 0
    failed: int = 0
    reused: int = 0
    out_of_scope: int = 0
    mentions: int = 0
    pages: int = 0
    seconds: float = 0.0
    errors: list[DocResult] = field(default_factory=list)


def collect_inputs(paths: Iterable[Path | str], *, exclude: Iterable[Path] = ()) -> tuple[list[Path], list[DocResult]]:
    """Files to process (folders walked recursively, hidden files skipped) and
    error results for inputs that cannot be processed at all. ``exclude``: files
    to leave out silently (the batch's own outputs, when they sit in an input
    folder); a file named twice is taken once."""
    files: list[Path] = []
    problems: list[DocResult] = []
    skip = {Path(p).resolve() for p in exclude}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(DocResult(doc_id_for(path), str(path), "", error=("missing", "no such file or folder")))
    accepted: list[Path] = []
    seen_ids: dict[str, Path] = {}
    for path in files:
        resolved = path.resolve()
        if resolved in skip:
            continue
        skip.add(resolved)
        doc_id = doc_id_for(path)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            problems.append(DocResult(doc_id, str(path), "", error=("unsupported", f"not a .txt, .md or .pdf file ({path.suffix or 'no extension'})")))
        elif doc_id in seen_ids:
            problems.append(DocResult(doc_id, str(path), "", error=("duplicate_doc_id", f"doc_id {doc_id!r} already used by {seen_ids[doc_id]}")))
        else:
            seen_ids[doc_id] = path
            accepted.append(path)
    return accepted, problems


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_key(path: Path) -> str:
    """What the manifest and the duplicate check match on: the reader that will
    read the file (a zero-byte .txt and a zero-byte .pdf are different
    documents) and the SHA-256 of its bytes (not its name)."""
    kind = "pdf" if path.suffix.lower() in PDF_SUFFIXES else "text"
    return f"{kind}:{file_digest(path)}"


def fingerprint(model: str | None = None, patterns_dir: Path = PATTERNS_DIR, all_indications: bool = False) -> str:
    """Identifies the extractor's behaviour: version, model, indication gate,
    spaCy and scispaCy versions, every pattern file and the extractor's own
    source, so a changed rule or code path never reuses rows made by the old one."""
    from importlib.metadata import PackageNotFoundError, version

    libraries = []
    for name in ("spacy", "scispacy"):
        try:
            libraries.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            libraries.append(f"{name}=?")
    digest = hashlib.sha256(f"{__version__}|{model or ''}|{all_indications}|{'|'.join(libraries)}".encode())
    for root, pattern in ((Path(patterns_dir), "*"), (PACKAGE_DIR, "*.py")):
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_WORKER = None  # (extractor, pdf_timeout) of this process
_WORKER_KEY: str | None = None


def _init_worker(model: str | None, pdf_timeout: float | None, all_indications: bool = False) -> None:
    """Build this process's extractor, or keep the one built before for the same
    fingerprint (a second run in one process, or a worker forked from a parent
    that already has one, skips the ~1.5 s pipeline build)."""
    global _WORKER, _WORKER_KEY
    key = fingerprint(model, all_indications=all_indications)
    if _WORKER is None or _WORKER_KEY != key:
        from extractor.extract import Extractor

        _WORKER = (Extractor(model=model, all_indications=all_indications), pdf_timeout)
        _WORKER_KEY = key
    else:
        _WORKER = (_WORKER[0], pdf_timeout)


def _mention_dict(mention: Mention) -> dict:
    return {column: format_cell(value) for column, value in mention.row().items()}


def process_file(path: Path, digest: str) -> DocResult:
    """Extract one file with this process's extractor; never raises for bad input."""
    extractor, pdf_timeout = _WORKER
    doc_id = doc_id_for(path)
    try:
        document = load_document(path, pdf_timeout=pdf_timeout)
        reading = extractor.read(document)
    except IngestError as exc:
        return DocResult(doc_id, str(path), digest, error=(exc.reason, " ".join(exc.message.split())))
    except Exception as exc:  # a bug on one document must not stop the batch
        return DocResult(doc_id, str(path), digest, error=("internal_error", " ".join(f"{type(exc).__name__}: {exc}".split())))
    return DocResult(
        doc_id, str(path), digest, [_mention_dict(m) for m in reading.mentions], len(document.pages),
        words=reading.words, indication=reading.indication.kind, indication_sentence=reading.indication.sentence,
    )


def _worker_main(conn, model: str | None, pdf_timeout: float | None, all_indications: bool = False) -> None:
    """A worker process: receive (path, digest), send back a DocResult; None or EOF ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    _init_worker(model, pdf_timeout, all_indications)
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


class Manifest:
    """Append-only record of finished documents for one output file."""

    def __init__(self, path: Path, fingerprint_value: str, pdf_timeout: float | None = None) -> None:
        self.path = path
        self.fingerprint = fingerprint_value
        self.pdf_timeout = pdf_timeout

    def header(self) -> dict:
        return {"fingerprint": self.fingerprint, "pdf_timeout": self.pdf_timeout}

    def load(self) -> dict[str, DocResult]:
        """Finished documents by content digest; a torn last line is ignored, and
        so are failures worth retrying (see RETRY_REASONS; a timeout only while
        the time limit is unchanged)."""
        if not self.path.exists():
            return {}
        done: dict[str, DocResult] = {}
        with open(self.path, encoding="utf-8") as handle:
            try:
                header = json.loads(handle.readline())
                if header.get("fingerprint") != self.fingerprint:
                    return {}
            except (json.JSONDecodeError, AttributeError):
                return {}
            same_limit = "pdf_timeout" in header and header["pdf_timeout"] == self.pdf_timeout
            for line in handle:
                try:
                    result = DocResult.from_json(line)
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    continue
                if result.error and (result.error[0] in RETRY_REASONS or (result.error[0] == "timeout" and not same_limit)):
                    continue
                done[result.digest] = result
        return done

    def start(self, keep: dict[str, DocResult]) -> "ManifestWriter":
        return ManifestWriter(self.path, self.header(), keep.values())


class ManifestWriter:
    """Rewrites the manifest (header and the results kept), then appends one
    line per finished document, flushed and fsynced so a crash loses at most
    the line being written (a torn last line is skipped on load)."""

    def __init__(self, path: Path, header: dict, keep: Iterable[DocResult]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, newline="\n") as handle:
            handle.write(json.dumps(header) + "\n")
            for result in keep:
                handle.write(result.as_json() + "\n")
        self.handle = open(path, "a", encoding="utf-8")

    def add(self, result: DocResult) -> None:
        self.handle.write(result.as_json() + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.handle.close()


def errors_path_for(out: Path) -> Path:
    return out.with_name(out.stem + ".errors.csv")


def documents_path_for(out: Path) -> Path:
    return out.with_name(out.stem + ".documents.csv")


def manifest_path_for(out: Path) -> Path:
    return out.with_name(out.name + ".manifest.jsonl")


def run_batch(
    inputs: Iterable[Path | str],
    out: Path | str,
    *,
    jobs: int = 1,
    model: str | None = None,
    resume: bool = True,
    pdf_timeout: float | None = 120.0,
    on_result: Callable[[DocResult, int, int], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    all_indications: bool = False,
    runner: Callable[..., Iterator[DocResult]] | None = None,
) -> BatchSummary:
    """Extract every input into ``out`` (CSV) and ``out``'s errors CSV.

    ``runner(todo, jobs=, model=, pdf_timeout=, all_indications=)`` yields one
    DocResult per ``(path, digest)`` of ``todo`` in completion order; the
    default runs in this process or a local worker pool (another engine, e.g.
    a Dask cluster, plugs in here and keeps the manifest, resume and outputs).

    ``on_result(result, finished, total)`` is called for each document
    extracted in this run (not for those reused from the manifest); an
    exception it raises (e.g. KeyboardInterrupt) stops the run with the
    manifest holding every document finished so far and ``out`` untouched.
    """
    started = time.monotonic()
    out = Path(out)
    warn = on_warning or (lambda message: print(message, file=sys.stderr))
    manifest = Manifest(manifest_path_for(out), fingerprint(model, all_indications=all_indications), pdf_timeout)
    files, problems = collect_inputs(inputs, exclude=(out, errors_path_for(out), documents_path_for(out), manifest.path))
    done = manifest.load() if resume else {}
    digests: dict[Path, str] = {}
    for path in files:
        try:
            digests[path] = content_key(path)
        except OSError as exc:
            problems.append(DocResult(doc_id_for(path), str(path), "", error=("unreadable", exc.strerror or str(exc))))
    files = [path for path in files if path in digests]
    results: list[DocResult] = list(problems)
    for problem in problems:
        warn(f"extractor: skipped {problem.path}: {problem.error[0]}: {problem.error[1]}")
    todo: list[tuple[Path, str]] = []
    reused = 0
    first_of_digest: dict[str, Path] = {}
    duplicates: list[tuple[Path, str]] = []
    for path in files:
        digest = digests[path]
        if digest in done:
            result = _renamed(done[digest], path)
            results.append(result)
            reused += 1
            if result.error:
                warn(f"extractor: failed {result.path}: {result.error[0]}: {result.error[1]} (from an earlier run)")
        elif digest in first_of_digest:
            duplicates.append((path, digest))
        else:
            first_of_digest[digest] = path
            todo.append((path, digest))
    keep = {r.digest: r for r in results if r.digest}
    writer = manifest.start(keep)
    total = len(files) + len(problems)
    finished = len(results)
    summary = BatchSummary(reused=reused)
    by_digest: dict[str, DocResult] = dict(keep)
    stream = (runner or _run)(todo, jobs=jobs, model=model, pdf_timeout=pdf_timeout, all_indications=all_indications)
    try:
        for result in stream:
            writer.add(result)
            by_digest[result.digest] = result
            results.append(result)
            finished += 1
            if result.error:
                warn(f"extractor: failed {result.path}: {result.error[0]}: {result.error[1]}")
            if on_result:
                on_result(result, finished, total)
    finally:
        stream.close()  # stops the workers now if we are leaving early
        writer.close()
    for path, digest in duplicates:
        results.append(_renamed(by_digest[digest], path))
        finished += 1
        if results[-1].error:
            warn(f"extractor: failed {path}: {results[-1].error[0]}: {results[-1].error[1]} (same content as {first_of_digest[digest]})")
        if on_result:
            on_result(results[-1], finished, total)
    write_outputs(results, out)
    summary.documents = len(results)
    summary.errors = sorted((r for r in results if r.error), key=lambda r: r.path)
    summary.failed = len(summary.errors)
    summary.out_of_scope = sum(1 for r in results if r.status == "out_of_scope")
    summary.mentions = sum(len(r.rows) for r in results)
    summary.pages = sum(r.pages for r in results)
    summary.seconds = time.monotonic() - started
    return summary


def _renamed(result: DocResult, path: Path) -> DocResult:
    """The same content under another file name: same rows, this file's doc_id."""
    doc_id = doc_id_for(path)
    rows = [{**row, "doc_id": doc_id} for row in result.rows]
    return DocResult(doc_id, str(path), result.digest, rows, result.pages, result.error,
                     result.words, result.indication, result.indication_sentence)


HARD_LIMIT_GRACE = 30.0  # seconds on top of twice the PDF time limit


def hard_time_limit(pdf_timeout: float | None) -> float | None:
    """Seconds after which a worker still busy with one document is killed."""
    return None if pdf_timeout is None else 2 * pdf_timeout + HARD_LIMIT_GRACE


def _run(
    todo: list[tuple[Path, str]], *, jobs: int, model: str | None, pdf_timeout: float | None, all_indications: bool = False
) -> Iterator[DocResult]:
    """Results in completion order: in this process for one job, else from worker processes."""
    if not todo:
        return
    # Built here even for workers: a bad model or rule file fails once, here, and
    # forked workers inherit the pipeline instead of building their own.
    _init_worker(model, pdf_timeout, all_indications)
    if jobs <= 1 or len(todo) == 1:
        for path, digest in todo:
            yield process_file(path, digest)
        return
    yield from _WorkerPool(min(jobs, len(todo)), model, pdf_timeout, all_indications).run(todo)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    task: tuple[Path, str] | None = None
    since: float = 0.0


class _WorkerPool:
    """Worker processes fed one document at a time over a pipe each.

    Unlike a ``ProcessPoolExecutor``, the parent knows which document each
    worker holds, so a worker that dies or overruns the time limit costs that
    one document (an error row) and is replaced; the batch goes on.
    """

    def __init__(self, jobs: int, model: str | None, pdf_timeout: float | None, all_indications: bool = False) -> None:
        self.jobs = jobs
        self.model = model
        self.all_indications = all_indications
        self.pdf_timeout = pdf_timeout
        self.limit = hard_time_limit(pdf_timeout)
        self.context = multiprocessing.get_context()
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main, args=(child_end, self.model, self.pdf_timeout, self.all_indications), name="extractor-worker", daemon=True
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _stop(self, worker: _Worker, *, kill: bool) -> None:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        worker.process.join(timeout=None if kill else 10)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        if worker in self.workers:
            self.workers.remove(worker)

    def _assign(self, worker: _Worker, queue: deque) -> None:
        if queue:
            worker.task = queue.popleft()
            worker.since = time.monotonic()
            worker.conn.send((str(worker.task[0]), worker.task[1]))
        else:
            worker.task = None

    def _failed(self, worker: _Worker, reason: str, message: str) -> DocResult:
        path, digest = worker.task  # type: ignore[misc]
        return DocResult(doc_id_for(path), str(path), digest, error=(reason, message))

    def run(self, todo: list[tuple[Path, str]]) -> Iterator[DocResult]:
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
                        except Exception:  # EOF: the worker died (segfault, out of memory, killed)
                            worker.process.join(timeout=5)
                            code = worker.process.exitcode
                            result = self._failed(
                                worker, "crashed",
                                f"the worker process died while on this file (exit code {code}); the file was not extracted",
                            )
                            replace = True
                    elif self.limit is not None and time.monotonic() - worker.since > self.limit:
                        result = self._failed(worker, "timeout", f"no result after {self.limit:g} s; the worker was stopped")
                        replace = True
                    if result is None:
                        continue
                    if replace:
                        self._stop(worker, kill=True)
                        worker = self._start()
                        self.workers.append(worker)
                    yield result
                    self._assign(worker, queue)
            finished = True
        finally:
            for worker in list(self.workers):
                self._stop(worker, kill=not finished)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def write_outputs(results: list[DocResult], out: Path) -> int:
    """The CSV (sorted by doc_id, then offset), the documents CSV (one row per
    input: indication, size, status) and the errors CSV, all atomically."""
    rows = [row for r in results if not r.error for row in r.rows]
    rows.sort(key=lambda row: (row["doc_id"], int(row["start"]), int(row["end"]), row["field"]))
    with atomic_write(out) as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    errors = sorted((r for r in results if r.error), key=lambda r: (r.doc_id, r.path))
    with atomic_write(errors_path_for(out)) as handle:
        writer = csv.writer(handle)
        writer.writerow(ERROR_COLUMNS)
        for r in errors:
            writer.writerow([r.doc_id, r.path, r.error[0], " ".join(r.error[1].split())])
    with atomic_write(documents_path_for(out)) as handle:
        writer = csv.writer(handle)
        writer.writerow(DOCUMENT_COLUMNS)
        for r in sorted(results, key=lambda r: (r.doc_id, r.path)):
            writer.writerow([r.doc_id, r.path, r.pages, r.words, r.indication, r.indication_sentence,
                             0 if r.error else len(r.rows), r.status])
    return len(rows)
