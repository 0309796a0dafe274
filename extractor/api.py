"""The Python API: ``Extractor`` for documents in memory, ``extract_paths`` for
files and folders (in this process; the CLI's ``extract`` adds worker
processes, limits, the manifest and the CSVs)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractor.ingest import IngestError, load_document
from extractor.mentions.reader import Extractor
from extractor.run.inputs import find_inputs
from extractor.schema import Mention


@dataclass
class PaperReading:
    """One input file: its mentions and indication, or why it could not be read."""

    path: Path
    doc_id: str
    mentions: list[Mention] = field(default_factory=list)
    indication: str | None = None
    error: str | None = None  # "reason: message" when the file could not be read


def extract_paths(
    paths: Iterable[Path | str],
    *,
    patterns_dir: Path | str | None = None,
    all_indications: bool = False,
    extractor: Extractor | None = None,
) -> Iterator[PaperReading]:
    """Readings of every .txt, .md and .pdf file below ``paths``, in the batch's
    order; a file that cannot be read yields a reading with ``error`` set and
    the others go on."""
    extractor = extractor or Extractor(patterns_dir=patterns_dir, all_indications=all_indications)
    inputs = find_inputs(paths)
    for problem in inputs.problems:
        reason, message = problem.error or ("error", "")
        yield PaperReading(Path(problem.path), problem.doc_id, error=f"{reason}: {message}")
    for path in inputs.files:
        doc_id = inputs.doc_ids.get(path, path.stem)
        try:
            document = load_document(path)
        except IngestError as error:
            yield PaperReading(path, doc_id, error=f"{error.reason}: {error}")
            continue
        document.doc_id = doc_id
        reading = extractor.read(document)
        yield PaperReading(path, doc_id, reading.mentions, reading.indication.kind)
