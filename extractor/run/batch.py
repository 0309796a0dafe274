"""Batch extraction over files and folders: worker processes, isolated errors,
a resumable manifest, atomic output.

Workers return plain rows, never spaCy Docs (measured here: ``nlp.pipe`` with
``n_process=2`` is slower than one process because the parent deserializes
every Doc). Each finished document is appended to a manifest
(``OUT.manifest.jsonl``: content hash, rows or error) and flushed, so an
interrupted run loses nothing; a rerun reuses every document whose content
hash and extractor fingerprint are already there. The CSV and the error CSV
are written to temporary files and moved into place at the end.

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

Before anything is written, ``--out`` is checked (not a folder, not one of
the inputs) and locked, so a second run on the same ``--out`` stops at once.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from extractor import __version__
from extractor.ingest import PDF_SUFFIXES, SUPPORTED_SUFFIXES, doc_id_for, load_document
from extractor.ingest.document import IngestError
from extractor.mentions.indication import CALCIFICATION
from extractor.outputs.csv_writer import atomic_write, format_cell, inert, safe_row
from extractor.outputs.studies import document_title, studies_path_for, study_rows, write_studies
from extractor.rules.loader import PATTERNS_DIR
from extractor.schema import CSV_COLUMNS, FIELDS, Mention

try:
    import fcntl
except ImportError:  # Windows: no lock on --out
    fcntl = None  # type: ignore[assignment]
try:
    import resource
except ImportError:  # Windows: no address-space limit
    resource = None  # type: ignore[assignment]

ERROR_COLUMNS = ("doc_id", "path", "reason", "message")
DOCUMENT_COLUMNS = ("doc_id", "path", "pages", "words", "indication", "sentence", "mentions", "status")
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the extractor package
# Failures that may not happen again: never reused from the manifest. A
# "crashed" document is retried on the next run, once ("out of memory" may have
# been the kernel's choice under other load); "timeout" and "memory" are reused
# only while their limit is the same. Everything else (internal_error included)
# comes from this extractor on these bytes and would come again: reused until
# the fingerprint changes or --fresh.
RETRY_REASONS = frozenset({"unreadable"})
CRASH_ATTEMPTS = 2
DEFAULT_MEMORY_MB = 2048  # address space per worker, pipeline included (~250 MB)
MAX_CHARS = 5_000_000  # characters per document (a 385-page PDF is ~1.3 M)


class BatchError(Exception):
    """A batch that must not start: ``--out`` is a folder or an input, or another run holds it."""


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` for a terminal: control characters (escape sequences in a file
    name) and bidi overrides shown as \\xNN / \\uNNNN, never sent raw."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


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
    attempts: int = 1  # runs that ended in this error ("crashed" is retried once)
    title: str = ""  # for the studies table

    def as_json(self) -> str:
        return json.dumps(
            {
                "doc_id": self.doc_id,
                "path": self.path,
                "digest": self.digest,
                "rows": self.rows,
                "pages": self.pages,
                "error": list(self.error) if self.error else None,
                "words": self.words,
                "indication": self.indication,
                "indication_sentence": self.indication_sentence,
                "attempts": self.attempts,
                "title": self.title,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, line: str | bytes) -> DocResult:
        """One manifest line; ValueError for anything that is not a well-formed
        result (torn, not UTF-8, hand-edited rows missing columns or with bad offsets)."""
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        text_keys = ("doc_id", "path", "digest", "indication", "indication_sentence")
        strings = [data.get(key, "") for key in text_keys]
        if not all(isinstance(value, str) for value in strings) or not _DIGEST.fullmatch(strings[2]):
            raise ValueError("bad doc_id, path, digest or indication")
        pages, words, attempts = data.get("pages", 0), data.get("words", 0), data.get("attempts", 1)
        if not all(type(n) is int and n >= 0 for n in (pages, words, attempts)):
            raise ValueError("bad pages, words or attempts")
        error = data.get("error")
        if error is not None and not (
            isinstance(error, list) and len(error) == 2 and all(isinstance(part, str) and part for part in error)
        ):
            raise ValueError("bad error")
        rows = data.get("rows")
        if not isinstance(rows, list) or not all(_valid_row(row) for row in rows):
            raise ValueError("bad rows")
        title = data.get("title", "")
        if not isinstance(title, str):
            raise ValueError("bad title")
        return cls(
            strings[0],
            strings[1],
            strings[2],
            rows,
            pages,
            tuple(error) if error else None,
            words,
            strings[3],
            strings[4],
            attempts,
            title,
        )

    @property
    def status(self) -> str:
        """ok, out_of_scope (STS absent or treating something else) or error."""
        if self.error:
            return "error"
        return "ok" if self.indication == CALCIFICATION else "out_of_scope"


_DIGEST = re.compile(r"(?:text|pdf):[0-9a-f]{64}")


def _valid_row(row: object) -> bool:
    """A CSV row as the workers write it: every column a string, a known field,
    and offsets that are integers with start < end."""
    if not isinstance(row, dict) or not all(isinstance(row.get(column), str) for column in CSV_COLUMNS):
        return False
    if row["field"] not in FIELDS or not (row["start"].isdigit() and row["end"].isdigit()):
        return False
    return int(row["start"]) < int(row["end"])


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


DOC_ID_MODES = ("name", "path")


@dataclass
class Inputs:
    """What a batch will read: files with their doc_ids, and error results for
    inputs that cannot be processed at all."""

    files: list[Path] = field(default_factory=list)
    doc_ids: dict[Path, str] = field(default_factory=dict)
    problems: list[DocResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs_among_inputs: list[Path] = field(default_factory=list)


def collect_inputs(paths: Iterable[Path | str], *, exclude: Iterable[Path] = ()) -> tuple[list[Path], list[DocResult]]:
    """Files to process and error results for inputs that cannot be processed
    at all (see :func:`find_inputs`)."""
    found = find_inputs(paths, exclude=exclude)
    return found.files, found.problems


def find_inputs(paths: Iterable[Path | str], *, exclude: Iterable[Path] = (), doc_ids: str = "name") -> Inputs:
    """Walk the inputs: folders recursively (hidden files and folders skipped;
    links to folders followed, a link back into a folder already walked is
    skipped with a warning), a file named twice taken once.

    ``exclude``: the batch's own outputs, left out silently when they sit in an
    input folder; an excluded path that is itself a readable input (a .txt,
    .md or .pdf) is reported in ``outputs_among_inputs``, since writing there
    would destroy it. ``doc_ids``: "name" (the file name without extension) or
    "path" (the path below the folder given, so study1/fulltext.txt and
    study2/fulltext.txt get different ids)."""
    found = Inputs()
    candidates: list[tuple[Path, str]] = []
    skip = {Path(p).resolve() for p in exclude}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path, found.warnings, found.problems):
                relative = file.relative_to(path).with_suffix("").as_posix()
                candidates.append((file, relative if doc_ids == "path" else doc_id_for(file)))
        elif path.is_file():
            candidates.append((path, doc_id_for(path)))
        elif path.is_symlink():
            found.problems.append(_broken_link(path))
        else:
            found.problems.append(
                DocResult(doc_id_for(path), str(path), "", error=("missing", "no such file or folder"))
            )
    seen_ids: dict[str, Path] = {}
    taken: set[Path] = set()
    for path, doc_id in candidates:
        resolved = path.resolve()
        if resolved in skip:
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found.outputs_among_inputs.append(path)
            continue
        if resolved in taken:
            continue
        taken.add(resolved)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            found.problems.append(
                DocResult(
                    doc_id,
                    str(path),
                    "",
                    error=("unsupported", f"not a .txt, .md or .pdf file ({path.suffix or 'no extension'})"),
                )
            )
        elif doc_id in seen_ids:
            hint = "; use --doc-id path for ids from the folder structure" if doc_ids == "name" else ""
            found.problems.append(
                DocResult(
                    doc_id,
                    str(path),
                    "",
                    error=("duplicate_doc_id", f"doc_id {doc_id!r} already used by {seen_ids[doc_id]}{hint}"),
                )
            )
        else:
            seen_ids[doc_id] = path
            found.files.append(path)
            found.doc_ids[path] = doc_id
    return found


def _walk(folder: Path, warnings: list[str], problems: list[DocResult]) -> list[Path]:
    """Non-hidden files below ``folder`` in sorted order, following links to
    folders once; dangling links become error results, loops warnings."""
    files: list[Path] = []
    visited: set[tuple[int, int]] = set()
    for root, dirs, names in os.walk(folder, followlinks=True):
        here = Path(root)
        stat = here.stat()
        if (stat.st_dev, stat.st_ino) in visited:
            warnings.append(f"extractor: skipped {here}: a link to a folder already read ({here.resolve()})")
            dirs[:] = []
            continue
        visited.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith("."):
                continue
            path = here / name
            if path.is_file():
                files.append(path)
            elif path.is_symlink() and not path.exists():
                problems.append(_broken_link(path))
    return sorted(files)


def _broken_link(path: Path) -> DocResult:
    return DocResult(
        doc_id_for(path),
        str(path),
        "",
        error=("missing", f"symbolic link to {os.readlink(path)}, which does not exist"),
    )


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
_MEMORY_LIMIT: int | None = None  # bytes of address space this worker may use


def _init_worker(model: str | None, pdf_timeout: float | None, all_indications: bool = False) -> None:
    """Build this process's extractor, or keep the one built before for the same
    fingerprint (a second run in one process, or a worker forked from a parent
    that already has one, skips the ~1.5 s pipeline build)."""
    global _WORKER, _WORKER_KEY
    key = fingerprint(model, all_indications=all_indications)
    if _WORKER is None or key != _WORKER_KEY:
        from extractor.mentions.reader import Extractor

        extractor = Extractor(model=model, all_indications=all_indications)
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


def _extract(extractor, path: Path, digest: str, doc_id: str, pdf_timeout: float | None) -> DocResult:
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
        len(document.pages),
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
    conn,
    model: str | None,
    pdf_timeout: float | None,
    all_indications: bool = False,
    memory_limit: int | None = None,
    parent: int | None = None,
    inherited: Iterable = (),
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
        if result.error and result.error[0] == "memory":
            return


class Manifest:
    """Append-only record of finished documents for one output file."""

    def __init__(
        self, path: Path, fingerprint_value: str, pdf_timeout: float | None = None, memory_limit: int | None = None
    ) -> None:
        self.path = path
        self.fingerprint = fingerprint_value
        self.pdf_timeout = pdf_timeout
        self.memory_limit = memory_limit
        self.crashes: dict[str, int] = {}  # digest -> runs that crashed on it, for documents retried now

    def header(self) -> dict:
        return {"fingerprint": self.fingerprint, "pdf_timeout": self.pdf_timeout, "memory_limit": self.memory_limit}

    def load(self) -> dict[str, DocResult]:
        """Finished documents by content digest. Any bytes are tolerated: a line
        that is torn, not UTF-8, not JSON or not a well-formed result (a
        hand-edited row without ``start``) is skipped, so that document is
        extracted again. Failures worth retrying are left out (see RETRY_REASONS)."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        lines = data.split(b"\n")
        try:
            header = json.loads(lines[0])
        except ValueError:  # JSONDecodeError and UnicodeDecodeError
            return {}
        if not isinstance(header, dict) or header.get("fingerprint") != self.fingerprint:
            return {}
        same_time = "pdf_timeout" in header and header["pdf_timeout"] == self.pdf_timeout
        same_memory = "memory_limit" in header and header["memory_limit"] == self.memory_limit
        done: dict[str, DocResult] = {}
        for line in lines[1:]:
            if not line.strip():
                continue
            try:
                result = DocResult.from_json(line)
            except (ValueError, TypeError, RecursionError):
                continue
            reason = result.error[0] if result.error else None
            if (
                reason in RETRY_REASONS
                or (reason == "timeout" and not same_time)
                or (reason == "memory" and not same_memory)
            ):
                done.pop(result.digest, None)
                continue
            if reason == "crashed" and result.attempts < CRASH_ATTEMPTS:
                self.crashes[result.digest] = result.attempts
                done.pop(result.digest, None)
                continue
            done[result.digest] = result
        return done

    def start(self, keep: dict[str, DocResult]) -> ManifestWriter:
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
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 (kept open for the run, closed by close())

    def add(self, result: DocResult) -> None:
        self.handle.write(result.as_json() + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.handle.close()


class OutputLock:
    """An exclusive lock on ``--out`` (``.OUT.lock`` beside it, removed at the
    end), so a second run writing the same output stops at once instead of
    interleaving manifests and replacing the first run's CSV. The kernel drops
    the lock when its holder dies, so a killed run never blocks the next."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out.with_name(f".{out.name}.lock")
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        if fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise BatchError(
                    f"another extractor run (pid {holder}) is writing {self.out}; wait for it to finish or choose another --out"
                ) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file the previous holder removed just now
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self.fd = fd
                return self
            os.close(fd)

    def __exit__(self, *exc_info) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(self.fd)
            self.fd = None


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Temporary files of atomic writes a killed run left beside the outputs
    (hidden ``.NAME.XXXXXXXX.tmp``); called while holding the lock, so none is in use."""
    names = {
        p.name
        for p in (out, errors_path_for(out), documents_path_for(out), studies_path_for(out), manifest_path_for(out))
    }
    pattern = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp")
    removed = []
    if out.parent.is_dir():
        for path in out.parent.iterdir():
            match = pattern.fullmatch(path.name)
            if match and match["name"] in names and path.is_file():
                path.unlink()
                removed.append(path)
    return removed


def check_output(out: Path) -> None:
    """Refuse an ``--out`` that cannot be written as a file: a folder, or below a file."""
    if out.is_dir():
        raise BatchError(f"--out {out} is a folder; give a file name such as {out / 'extractions.csv'}")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise BatchError(f"--out {out}: {parent} is a file, not a folder")
            break


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
    memory_limit: int | None = DEFAULT_MEMORY_MB * 2**20,
    doc_ids: str = "name",
) -> BatchSummary:
    """Extract every input into ``out`` (CSV) and ``out``'s errors CSV.

    ``runner(todo, jobs=, model=, pdf_timeout=, all_indications=)`` yields one
    DocResult per ``(path, digest)`` of ``todo`` in completion order; the
    default runs a local worker pool with ``memory_limit`` bytes of address
    space per worker (another engine, e.g. a Dask cluster, plugs in here and
    keeps the manifest, resume and outputs).

    ``on_result(result, finished, total)`` is called for each document
    extracted in this run (not for those reused from the manifest); an
    exception it raises (e.g. KeyboardInterrupt) stops the run with the
    manifest holding every document finished so far and ``out`` untouched.

    Raises BatchError, before writing anything, when ``out`` is a folder, one
    of the inputs, or being written by another run.
    """
    started = time.monotonic()
    out = Path(out)
    if doc_ids not in DOC_ID_MODES:
        raise BatchError(f"doc_ids must be one of {', '.join(DOC_ID_MODES)}, not {doc_ids!r}")
    if pdf_timeout is not None and pdf_timeout < 0:
        raise BatchError(f"the PDF time limit must be 0 s or more, not {pdf_timeout:g}")
    check_output(out)
    warn_to = on_warning or (lambda message: print(message, file=sys.stderr))

    def warn(message: str) -> None:
        warn_to(printable(message))

    manifest = Manifest(
        manifest_path_for(out),
        fingerprint(model, all_indications=all_indications),
        pdf_timeout,
        None if runner else memory_limit,
    )
    outputs = (out, errors_path_for(out), documents_path_for(out), studies_path_for(out), manifest.path)
    found = find_inputs(inputs, exclude=outputs, doc_ids=doc_ids)
    if found.outputs_among_inputs:
        clash = found.outputs_among_inputs[0]
        raise BatchError(f"--out {out} would overwrite the input {clash}; choose another output name")
    with OutputLock(out):
        for stale in remove_stale_temporaries(out):
            warn(f"extractor: removed {stale}, left by an interrupted run")
        return _run_locked(
            found,
            out,
            manifest,
            warn,
            started,
            jobs=jobs,
            model=model,
            resume=resume,
            pdf_timeout=pdf_timeout,
            on_result=on_result,
            all_indications=all_indications,
            runner=runner,
            memory_limit=memory_limit,
        )


def _run_locked(
    found: Inputs,
    out: Path,
    manifest: Manifest,
    warn: Callable[[str], None],
    started: float,
    *,
    jobs: int,
    model: str | None,
    resume: bool,
    pdf_timeout: float | None,
    on_result,
    all_indications: bool,
    runner,
    memory_limit: int | None,
) -> BatchSummary:
    """The batch proper, once ``out`` is known to be safe and is locked."""
    files, problems = found.files, found.problems
    for message in found.warnings:
        warn(message)
    done = manifest.load() if resume else {}
    digests: dict[Path, str] = {}
    for path in files:
        try:
            digests[path] = content_key(path)
        except OSError as exc:
            problems.append(
                DocResult(found.doc_ids[path], str(path), "", error=("unreadable", exc.strerror or str(exc)))
            )
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
            result = _renamed(done[digest], path, found.doc_ids[path])
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
    if runner:
        stream = runner(todo, jobs=jobs, model=model, pdf_timeout=pdf_timeout, all_indications=all_indications)
    else:
        stream = _run(
            todo,
            jobs=jobs,
            model=model,
            pdf_timeout=pdf_timeout,
            all_indications=all_indications,
            memory_limit=memory_limit,
        )
    try:
        for result in stream:
            result = _renamed(result, Path(result.path), found.doc_ids.get(Path(result.path), result.doc_id))
            if result.error and result.error[0] == "crashed":
                result.attempts = manifest.crashes.get(result.digest, 0) + 1
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
        results.append(_renamed(by_digest[digest], path, found.doc_ids[path]))
        finished += 1
        if results[-1].error:
            warn(
                f"extractor: failed {path}: {results[-1].error[0]}: {results[-1].error[1]} (same content as {first_of_digest[digest]})"
            )
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


def _renamed(result: DocResult, path: Path, doc_id: str | None = None) -> DocResult:
    """The same content under another file name or id: same rows, this file's doc_id."""
    doc_id = doc_id or doc_id_for(path)
    if doc_id == result.doc_id and str(path) == result.path:
        return result
    rows = [{**row, "doc_id": doc_id} for row in result.rows]
    return DocResult(
        doc_id,
        str(path),
        result.digest,
        rows,
        result.pages,
        result.error,
        result.words,
        result.indication,
        result.indication_sentence,
        result.attempts,
        result.title,
    )


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


def _run(
    todo: list[tuple[Path, str]],
    *,
    jobs: int,
    model: str | None,
    pdf_timeout: float | None,
    all_indications: bool = False,
    memory_limit: int | None = DEFAULT_MEMORY_MB * 2**20,
) -> Iterator[DocResult]:
    """Results in completion order, from worker processes (one at least, so the
    memory and time limits hold with one job too)."""
    if not todo:
        return
    # Built here even for workers: a bad model or rule file fails once, here, and
    # forked workers inherit the pipeline instead of building their own.
    _init_worker(model, pdf_timeout, all_indications)
    yield from _WorkerPool(max(1, min(jobs, len(todo))), model, pdf_timeout, all_indications, memory_limit).run(todo)


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

    def __init__(
        self,
        jobs: int,
        model: str | None,
        pdf_timeout: float | None,
        all_indications: bool = False,
        memory_limit: int | None = None,
    ) -> None:
        self.jobs = jobs
        self.model = model
        self.all_indications = all_indications
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
                self.model,
                self.pdf_timeout,
                self.all_indications,
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

    def _crash_message(self, code: int | None) -> str:
        why = f"exit code {code}" if code is None or code >= 0 else f"signal {-code}"
        limit = (
            f"; it may have run out of its {self.memory_limit // 2**20} MB memory limit" if self.memory_limit else ""
        )
        return f"the worker process died while on this file ({why}){limit}; the file was not extracted"

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
    input: indication, size, status) and the errors CSV, all atomically, every
    text cell inert in a spreadsheet (see ``export.inert``)."""
    rows = [row for r in results if not r.error for row in r.rows]
    rows.sort(key=lambda row: (row["doc_id"], int(row["start"]), int(row["end"]), row["field"]))
    with atomic_write(out) as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(safe_row(row) for row in rows)
    errors = sorted((r for r in results if r.error), key=lambda r: (r.doc_id, r.path))
    with atomic_write(errors_path_for(out)) as handle:
        writer = csv.writer(handle)
        writer.writerow(ERROR_COLUMNS)
        for r in errors:
            writer.writerow([inert(r.doc_id), inert(r.path), inert(r.error[0]), inert(" ".join(r.error[1].split()))])
    with atomic_write(documents_path_for(out)) as handle:
        writer = csv.writer(handle)
        writer.writerow(DOCUMENT_COLUMNS)
        for r in sorted(results, key=lambda r: (r.doc_id, r.path)):
            writer.writerow(
                [
                    inert(r.doc_id),
                    inert(r.path),
                    r.pages,
                    r.words,
                    inert(r.indication),
                    inert(r.indication_sentence),
                    0 if r.error else len(r.rows),
                    r.status,
                ]
            )
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    in_scope = sorted((r for r in results if r.status == "ok"), key=lambda r: (r.doc_id, r.path))
    with atomic_write(studies_path_for(out)) as handle:
        write_studies(
            handle,
            (
                row
                for r in in_scope
                for row in study_rows(r.doc_id, r.title, by_doc.get(r.doc_id, []), [r.indication_sentence])
            ),
            cell=inert,
        )
    return len(rows)
