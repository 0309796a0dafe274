"""What a batch reads: files found below the inputs (links followed once,
hidden files skipped), their doc_ids, and the content key the manifest and the
duplicate check match on."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extractor.ingest import PDF_SUFFIXES, SUPPORTED_SUFFIXES, doc_id_for
from extractor.run.result import DocResult

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
