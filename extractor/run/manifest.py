"""The files a run keeps beside ``--out``: the manifest (one JSON line per
finished document, so an interrupted run loses nothing and a rerun reuses
what is done), the lock that keeps a second run off the same ``--out``, and
the temporaries a killed run left behind."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from extractor.run.result import DocResult
from extractor.run.writer import atomic_write, documents_path_for, errors_path_for, studies_path_for

try:
    import fcntl
except ImportError:  # Windows: no lock on --out
    fcntl = None  # type: ignore[assignment]

# Failures that may not happen again: never reused from the manifest. A
# "crashed" document is retried on the next run, once ("out of memory" may have
# been the kernel's choice under other load); "timeout" and "memory" are reused
# only while their limit is the same. Everything else (internal_error included)
# comes from this extractor on these bytes and would come again: reused until
# the fingerprint changes or --fresh.
RETRY_REASONS = frozenset({"unreadable"})
CRASH_ATTEMPTS = 2


class BatchError(Exception):
    """A batch that must not start: ``--out`` is a folder or an input, or another run holds it."""


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


def manifest_path_for(out: Path) -> Path:
    return out.with_name(out.name + ".manifest.jsonl")
