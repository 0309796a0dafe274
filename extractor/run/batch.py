"""Batch extraction over files and folders: isolated errors, a resumable
manifest, atomic output.

The flow: find the inputs (``run.inputs``), check and lock ``--out`` and read
the manifest (``run.manifest``), extract what is not done yet in worker
processes (``run.workers``, or another engine through ``runner``), then write
the CSVs (``run.writer``).

Each finished document is appended to a manifest (``OUT.manifest.jsonl``:
content hash, rows or error) and flushed, so an interrupted run loses nothing;
a rerun reuses every document whose content hash and extractor fingerprint are
already there. The CSV and the error CSV are written to temporary files and
moved into place at the end.

Before anything is written, ``--out`` is checked (not a folder, not one of
the inputs) and locked, so a second run on the same ``--out`` stops at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extractor import __version__
from extractor.ingest import doc_id_for
from extractor.mentions.reader import ExtractorSettings
from extractor.rules.loader import rules_dir_of
from extractor.run.inputs import DOC_ID_MODES, Inputs, content_key, find_inputs
from extractor.run.manifest import (
    BatchError,
    Manifest,
    OutputLock,
    check_output,
    manifest_path_for,
    remove_stale_temporaries,
)
from extractor.run.result import DocResult
from extractor.run.workers import DEFAULT_MEMORY_MB, run_pool
from extractor.run.writer import RenderedOutputs, documents_path_for, errors_path_for, studies_path_for

__all__ = ["BatchSummary", "DocResult", "Runner", "fingerprint", "printable", "run_batch"]

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the extractor package
# ``runner(todo, jobs=, settings=, pdf_timeout=)``: DocResults in
# completion order; closed early when the run stops (Ctrl-C, a failing callback).
Runner = Callable[..., Generator[DocResult, None, None]]

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` for a terminal: control characters (escape sequences in a file
    name) and bidi overrides shown as \\xNN / \\uNNNN, never sent raw."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


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


def fingerprint(settings: ExtractorSettings | None = None) -> str:
    """Identifies the extractor's behaviour: version, model, indication gate,
    spaCy and scispaCy versions, every file of the rules directory and the
    extractor's own source, so a changed rule or code path never reuses rows
    made by the old one."""
    settings = settings or ExtractorSettings()
    model, all_indications = settings.model, settings.all_indications
    from importlib.metadata import PackageNotFoundError, version

    libraries = []
    for name in ("spacy", "scispacy"):
        try:
            libraries.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            libraries.append(f"{name}=?")
    digest = hashlib.sha256(f"{__version__}|{model or ''}|{all_indications}|{'|'.join(libraries)}".encode())
    for root, pattern in ((rules_dir_of(settings.rules_dir), "*"), (PACKAGE_DIR, "*.py")):
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    rules_dir: Path | str | None = None,
    runner: Runner | None = None,
    memory_limit: int | None = DEFAULT_MEMORY_MB * 2**20,
    doc_ids: str = "name",
) -> BatchSummary:
    """Extract every input into ``out`` (CSV) and ``out``'s errors CSV.

    ``runner(todo, jobs=, settings=, pdf_timeout=)`` yields one
    DocResult per ``(path, digest)`` of ``todo`` in completion order; the
    default runs a local worker pool with ``memory_limit`` bytes of address
    space per worker (another engine, e.g. a Dask cluster, plugs in here and
    keeps the manifest, resume and outputs).

    ``on_warning(message)`` gets each one-line warning (a skipped or failed
    file); without it they go to this module's logger.

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
    warn_to = on_warning or logger.warning

    def warn(message: str) -> None:
        warn_to(printable(message))

    settings = ExtractorSettings(model, str(Path(rules_dir).resolve()) if rules_dir else None, all_indications)
    key = fingerprint(settings)
    manifest = Manifest(manifest_path_for(out), key, pdf_timeout, None if runner else memory_limit)
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
            key=key,
            jobs=jobs,
            settings=settings,
            resume=resume,
            pdf_timeout=pdf_timeout,
            on_result=on_result,
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
    key: str,
    jobs: int,
    settings: ExtractorSettings,
    resume: bool,
    pdf_timeout: float | None,
    on_result: Callable[[DocResult, int, int], None] | None,
    runner: Runner | None,
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
        if problem.error:
            reason, message = problem.error
            warn(f"extractor: skipped {problem.path}: {reason}: {message}")
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
    outputs = RenderedOutputs()  # each result rendered as it comes, while the workers read on
    for result in results:
        outputs.add(result)
    logger.info(
        "inputs: %d, to extract: %d, reused from %s: %d, duplicate content: %d, skipped: %d",
        total,
        len(todo),
        manifest.path,
        reused,
        len(duplicates),
        len(problems),
    )
    stream: Generator[DocResult, None, None]
    if runner:
        stream = runner(todo, jobs=jobs, settings=settings, pdf_timeout=pdf_timeout)
    else:
        stream = run_pool(
            todo,
            jobs=jobs,
            settings=settings,
            pdf_timeout=pdf_timeout,
            key=key,
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
            outputs.add(result)
            finished += 1
            if result.error:
                warn(f"extractor: failed {result.path}: {result.error[0]}: {result.error[1]}")
            if on_result:
                on_result(result, finished, total)
    finally:
        stream.close()  # stops the workers now if we are leaving early
        writer.close()
    for path, digest in duplicates:
        result = _renamed(by_digest[digest], path, found.doc_ids[path])
        results.append(result)
        outputs.add(result)
        finished += 1
        if result.error:
            warn(
                f"extractor: failed {path}: {result.error[0]}: {result.error[1]} (same content as {first_of_digest[digest]})"
            )
        if on_result:
            on_result(result, finished, total)
    outputs.write(out)
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
