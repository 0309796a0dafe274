"""Command line: thin typer wrappers around library functions that return data."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import typer

from extractor.evaluate.gold import check_gold, labelled_documents, load_gold
from extractor.evaluate.score import format_errors, format_table, labelled_fields, read_predictions, score
from extractor.evaluate.score_studies import format_studies, score_studies
from extractor.ingest import load_document
from extractor.ingest.document import IngestError
from extractor.rules.loader import PatternError, load_rule_set
from extractor.run.batch import DocResult, Runner, printable, run_batch
from extractor.run.inputs import DOC_ID_MODES
from extractor.run.manifest import BatchError
from extractor.run.workers import DEFAULT_MEMORY_MB, memory_slots
from extractor.run.writer import errors_path_for, studies_path_for

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Sodium thiosulfate treatment details from calcinosis cutis papers.",
)
gold_app = typer.Typer(no_args_is_help=True, help="The hand-labelled gold set.")
app.add_typer(gold_app, name="gold")
LOG_FORMAT = "%(name)s: %(levelname)s: %(message)s"
DISTRIBUTION = "sts-extractor"


def package_version() -> str:
    """The installed distribution's version; the package's own when not installed (run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        from extractor import __version__

        return __version__


class _EchoHandler(logging.Handler):
    """Log records as one line each on the stderr of the moment (typer's test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            typer.echo(self.format(record), err=True)
        except Exception:
            self.handleError(record)


def configure_logging(verbose: bool) -> None:
    """The library's diagnostics on stderr: warnings and errors, plus progress notes with ``--verbose``."""
    logger = logging.getLogger("extractor")
    handler = next((h for h in logger.handlers if isinstance(h, _EchoHandler)), None)
    if handler is None:
        handler = _EchoHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"extractor {package_version()}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also log what the library is doing (INFO)."),
) -> None:
    """Sodium thiosulfate treatment details from calcinosis cutis papers."""
    configure_logging(verbose)


class Progress:
    """One status line on stderr: documents, pages, mentions, rate, ETA."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.pages = 0
        self.mentions = 0

    def __call__(self, result: DocResult, done: int, total: int) -> None:
        self.pages += result.pages
        self.mentions += len(result.rows)
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0.0
        width = 24
        filled = int(width * done / total) if total else width
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} docs  {self.pages} pages  "
            f"{self.mentions} mentions  {rate:.1f} docs/s  ETA {eta:.0f}s "
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _cores() -> int:
    """Cores this process may use (the affinity mask, e.g. under taskset or a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Files (.txt, .md, .pdf) and folders (searched recursively)."),
    out: Path = typer.Option(..., "--out", "-o", help="CSV to write (replaced atomically at the end)."),
    jobs: int = typer.Option(
        0,
        "--jobs",
        "-j",
        help="Worker processes (0 = one per core, at most as many as fit in the available memory at --max-memory each).",
    ),
    model: str | None = typer.Option(
        None, "--model", help="Optional spaCy/scispaCy NER model name or path (e.g. en_ner_bc5cdr_md)."
    ),
    rules: Path | None = typer.Option(
        None,
        "--rules",
        help="A rules directory (a copy of patterns/) to use instead of the packaged rules, in every component.",
    ),
    resume: bool = typer.Option(
        True, "--resume/--fresh", help="Reuse documents already done (by content hash) from OUT.manifest.jsonl."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    pdf_timeout: float = typer.Option(
        120.0,
        "--pdf-timeout",
        help="Seconds allowed per PDF before it is reported as failed; any document is stopped after twice this plus 30 s.",
    ),
    max_memory: int = typer.Option(
        DEFAULT_MEMORY_MB,
        "--max-memory",
        help="Address space per worker process in MB, pipeline included (0 = no limit); a document needing more fails alone.",
    ),
    doc_id: str = typer.Option(
        "name",
        "--doc-id",
        help="doc_id from the file 'name' (without extension) or from the 'path' below the folder given (study1/fulltext).",
    ),
    all_indications: bool = typer.Option(
        False,
        "--all-indications",
        help="Keep mentions where STS treats something else (cyanide, cisplatin, ...), marked indication=other.",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Run on a Dask cluster: tcp://HOST:PORT of a running scheduler, or local[:N] for N local worker processes (default --jobs).",
    ),
    send_files: bool = typer.Option(
        False,
        "--send-files",
        help="With --scheduler: send each file's bytes (up to 8 MiB) with its task, for workers that do not share this disk.",
    ),
    html: Path | None = typer.Option(
        None, "--html", help="Also write the evidence report (see `extractor report`) to this HTML file."
    ),
    xlsx: Path | None = typer.Option(
        None, "--xlsx", help="Also write the studies table and the mentions as a workbook (see `extractor table`)."
    ),
) -> None:
    """Extract mentions from papers into a CSV; one row per paper in OUT.studies.csv, one per input in
    OUT.documents.csv; failures go to OUT.errors.csv."""
    missing = [path for path in paths if not path.exists() and not path.is_symlink()]  # a dangling link: an error row
    if missing:
        for path in missing:
            typer.echo(f"extractor: no such file or folder: {printable(str(path))}", err=True)
        raise typer.Exit(2)
    usage = None
    if pdf_timeout < 0:
        usage = f"--pdf-timeout must be 0 or more seconds, not {pdf_timeout:g}"
    elif max_memory < 0:
        usage = f"--max-memory must be 0 (no limit) or a number of MB, not {max_memory}"
    elif doc_id not in DOC_ID_MODES:
        usage = f"--doc-id must be one of {', '.join(DOC_ID_MODES)}, not {printable(doc_id)!r}"
    if usage:
        typer.echo(f"extractor: {usage}", err=True)
        raise typer.Exit(2)
    memory_limit = max_memory * 2**20 or None
    workers = jobs if jobs > 0 else max(1, min(_cores(), memory_slots(memory_limit) or _cores()))
    runner: Runner | None = None
    usage_errors: tuple[type[Exception], ...] = (PatternError, OSError, BatchError)  # one line and exit 2
    if scheduler:
        from extractor.run.cluster import ClusterError, dask_runner  # imports dask only when it runs

        usage_errors += (ClusterError,)
        try:
            runner = dask_runner(scheduler, send_files=send_files)
        except ClusterError as exc:
            typer.echo(f"extractor: {exc}", err=True)
            raise typer.Exit(2) from None
    progress = Progress(enabled=not quiet and sys.stderr.isatty())
    try:
        summary = run_batch(
            paths,
            out,
            jobs=workers,
            model=model,
            rules_dir=rules,
            resume=resume,
            pdf_timeout=pdf_timeout,
            all_indications=all_indications,
            memory_limit=memory_limit,
            doc_ids=doc_id,
            runner=runner,
            on_result=progress,
            on_warning=lambda message: typer.echo(("\n" if progress.enabled else "") + message, err=True),
        )
    except KeyboardInterrupt:
        progress.close()
        typer.echo(
            f"extractor: interrupted; {printable(str(out))} not written. Run the same command again to resume.",
            err=True,
        )
        raise typer.Exit(130) from None
    except usage_errors as exc:
        progress.close()
        typer.echo(f"extractor: {printable(str(exc))}", err=True)
        raise typer.Exit(2) from None
    progress.close()
    ok = summary.documents - summary.failed - summary.out_of_scope
    typer.echo(
        f"extractor: {summary.documents} documents ({ok} ok, {summary.failed} failed, {summary.reused} reused, "
        f"{summary.out_of_scope} out of scope), "
        f"{summary.pages} PDF pages, {summary.mentions} mentions in {summary.seconds:.1f}s -> {printable(str(out))}"
        + (f"; errors in {printable(str(errors_path_for(Path(out))))}" if summary.failed else ""),
        err=True,
    )
    if summary.documents == 0:
        typer.echo("extractor: no input files found", err=True)
        raise typer.Exit(2)
    if html:
        _write_report(out, html)
    if xlsx:
        _write_workbook(Path(out), xlsx)
    if summary.failed:
        raise typer.Exit(1)


def _write_workbook(csv_path: Path, xlsx: Path) -> None:
    from extractor.outputs.workbook import write_workbook

    studies = studies_path_for(csv_path)
    try:
        written = write_workbook(csv_path, studies, xlsx)
    except (OSError, KeyError, ValueError) as exc:
        typer.echo(f"extractor: cannot write the workbook {printable(str(xlsx))}: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"extractor: workbook of {written} studies -> {printable(str(xlsx))}", err=True)


@app.command("table")
def table_command(
    csv_path: Path = typer.Argument(..., help="A finished batch's mentions CSV (OUT.csv; OUT.studies.csv beside it)."),
    xlsx: Path = typer.Option(..., "--xlsx", help="Workbook to write: sheet 'studies' linked to sheet 'mentions'."),
) -> None:
    """The studies table and its mentions as an Excel/LibreOffice workbook."""
    _write_workbook(csv_path, xlsx)


@app.command()
def text(
    file: Path = typer.Argument(..., help="A .txt, .md or .pdf file."),
    layout: bool = typer.Option(
        False, "--layout", help="PDF: list the blocks in text order with page and kind (body, float, footnote, header)."
    ),
) -> None:
    """Print the document text that the CSV's offsets point into."""
    if layout and file.suffix.lower() == ".pdf":
        from extractor.ingest.pdf import layout_blocks

        try:
            blocks = layout_blocks(file)
        except IngestError as exc:
            typer.echo(f"extractor: {exc.path}: {exc.reason}: {exc.message}", err=True)
            raise typer.Exit(1) from None
        for block in blocks:
            kind = block.kind + (" (moved)" if block.moved else "")
            typer.echo(f"p{block.page:<3} {kind:<15} {' / '.join(block.text.splitlines())}")
        return
    try:
        document = load_document(file)
    except IngestError as exc:
        typer.echo(f"extractor: {exc.path}: {exc.reason}: {exc.message}", err=True)
        raise typer.Exit(1) from None
    # UTF-8 bytes whatever the locale or platform: the offsets count characters of
    # this exact string, so no encoding errors and no newline translation.
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(document.text)
        return
    sys.stdout.flush()
    stream.write(document.text.encode("utf-8"))
    stream.flush()


@app.command("score")
def score_command(
    gold: Path = typer.Option(Path("gold"), "--gold", help="Folder of gold JSONL files."),
    pred: Path = typer.Option(..., "--pred", help="Extractor CSV."),
    show_errors: bool = typer.Option(
        False, "--show-errors", help="List false positives, false negatives and attribute mismatches."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    corpus: Path = typer.Option(Path("corpus"), "--corpus", help="Corpus folder, for the context of missed mentions."),
) -> None:
    """Precision, recall and F1 per field (lenient, strict, facts)."""
    try:
        gold_records = load_gold(gold)
        result = score(gold_records, read_predictions(pred), labelled_documents(gold), labelled_fields(gold_records))
    except (OSError, ValueError, KeyError) as exc:
        typer.echo(f"extractor: cannot score: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        data = result.as_dict()
        if show_errors:
            data["false_positives"] = result.false_positives
            data["false_negatives"] = result.false_negatives
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(format_table(result))
    studies_gold, studies_pred = gold / "studies.csv", studies_path_for(pred)
    if studies_gold.is_file() and studies_pred.is_file():
        studies_result = score_studies(studies_gold, studies_pred)
        typer.echo(format_studies(studies_result))
        if show_errors:
            for doc_id, column, want, got in studies_result.disagreements:
                typer.echo(f"STUDY {doc_id} {column}: gold {want!r} | pred {got!r}")
    if show_errors:
        texts = (
            {p.stem: p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*")) if p.suffix in (".txt", ".md")}
            if corpus.is_dir()
            else {}
        )
        typer.echo(format_errors(result, texts))


@gold_app.command("check")
def gold_check(
    gold: Path = typer.Option(Path("gold"), "--gold", help="Folder of gold JSONL files."),
    corpus: Path = typer.Option(Path("corpus"), "--corpus", help="Corpus folder the offsets point into."),
) -> None:
    """Check offsets, fields, units, categories and duplicates of the gold set."""
    problems, checked = check_gold(gold, corpus)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"gold check: {len(problems)} problem(s) in {checked} mentions", err=True)
        raise typer.Exit(1)
    typer.echo(f"gold check: {checked} mentions OK")


@app.command("patterns")
def patterns_check(
    rules_dir: Path | None = typer.Option(
        None, "--rules", help="A rules directory to check (default: the packaged rules)."
    ),
) -> None:
    """Load every rule file into the production pipeline (token keys validated) and count rules."""
    from extractor.mentions.reader import Extractor

    try:
        extractor = Extractor(patterns_dir=rules_dir)  # every token pattern goes through spaCy's Matcher here
        rules = load_rule_set(extractor.patterns_dir).fields
    except (PatternError, ValueError) as exc:
        typer.echo(f"extractor: {exc}", err=True)
        raise typer.Exit(1) from None
    by_label: dict[str, int] = {}
    for rule in rules:
        by_label[rule.label] = by_label.get(rule.label, 0) + 1
    for label, count in by_label.items():
        typer.echo(f"{label:<14}{count:>4} rules")


def _write_report(csv_path: Path, html: Path) -> None:
    from extractor.outputs.report import write_report

    try:
        written = write_report(csv_path, html)
    except (OSError, ValueError, KeyError) as exc:
        typer.echo(f"extractor: cannot write the report from {csv_path}: {exc}", err=True)
        raise typer.Exit(2) from None
    for problem in written.without_text:
        typer.echo(f"extractor: report: text not shown for {problem}", err=True)
    typer.echo(
        f"extractor: report of {written.documents} documents, {written.mentions} mentions ({written.size / 1e6:.1f} MB) -> {html}",
        err=True,
    )


@app.command("report")
def report_command(
    csv_path: Path = typer.Argument(
        ..., metavar="OUT.csv", help="Extractor CSV; OUT.documents.csv and OUT.errors.csv beside it are read too."
    ),
    html: Path = typer.Option(..., "--html", help="HTML file to write (self-contained, works offline)."),
) -> None:
    """Evidence report: every paper's text with its mentions highlighted, for checking in a browser."""
    if not csv_path.is_file():
        typer.echo(f"extractor: no such file: {csv_path}", err=True)
        raise typer.Exit(2)
    _write_report(csv_path, html)


@app.command("export")
def export_command(
    csv_path: Path | None = typer.Argument(
        None, metavar="[OUT.csv]", help="Extractor CSV to export as pre-annotations."
    ),
    fmt: str = typer.Option(..., "--format", "-f", help="labelstudio, prodigy, brat or docbin."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write (a folder for brat)."),
    gold: Path | None = typer.Option(
        None, "--gold", help="Export this gold folder (as finished annotations) instead of a CSV."
    ),
    docs: Path = typer.Option(
        Path("corpus"), "--docs", help="With --gold: the folder of documents the gold offsets point into."
    ),
) -> None:
    """Write extractor output or a gold folder for Label Studio, Prodigy, brat or spaCy."""
    from extractor.outputs.interchange import InterchangeError, docs_from_batch, docs_from_gold, export_docs

    if (csv_path is None) == (gold is None):
        typer.echo("extractor: export takes either OUT.csv or --gold DIR", err=True)
        raise typer.Exit(2)
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        typer.echo(message, err=True)

    try:
        if gold is not None:
            documents = docs_from_gold(gold, docs, warn)
        elif csv_path is None or not csv_path.is_file():
            raise InterchangeError(f"{csv_path}: no such file")
        else:
            documents = docs_from_batch(csv_path, warn)
        written = export_docs(documents, fmt, out, finished=gold is not None)
    except (InterchangeError, OSError, ValueError) as exc:
        typer.echo(f"extractor: {exc}", err=True)
        raise typer.Exit(2) from None
    spans = sum(len(d.spans) for d in documents)
    typer.echo(
        f"extractor: {len(documents)} documents, {spans} spans as {fmt} -> {', '.join(map(str, written[:2]))}"
        + (f" (+{len(written) - 2} files)" if len(written) > 2 else ""),
        err=True,
    )
    if warnings:
        raise typer.Exit(1)


@app.command("import")
def import_command(
    path: Path = typer.Argument(
        ..., help="What the annotation tool wrote: a JSON/JSONL file, a brat folder or a .spacy file."
    ),
    fmt: str = typer.Option(..., "--format", "-f", help="labelstudio, prodigy, brat or docbin."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Gold folder to write <doc_id>.jsonl files into (others are left alone)."
    ),
) -> None:
    """Read corrected annotations back into gold JSONL; problems are listed as `gold check` would."""
    from extractor.outputs.interchange import InterchangeError, import_docs, write_gold

    try:
        documents = import_docs(path, fmt)
        problems = write_gold(documents, out)
    except (InterchangeError, OSError, ValueError) as exc:
        typer.echo(f"extractor: {exc}", err=True)
        raise typer.Exit(2) from None
    for problem in problems:
        typer.echo(problem, err=True)
    spans = sum(len(d.spans) for d in documents)
    typer.echo(
        f"extractor: {len(documents)} documents, {spans} mentions -> {out}"
        + (f"; {len(problems)} problem(s) to fix" if problems else ""),
        err=True,
    )
    if problems:
        raise typer.Exit(1)
