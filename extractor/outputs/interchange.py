"""Round trip through annotation tools: Label Studio, Prodigy, brat, spaCy DocBin.

Export writes pre-annotations (from an extractor CSV) or finished annotations
(from a gold folder) in each tool's own format; import reads what the reviewer
corrected back into the project's gold JSONL. Every span carries its field as
the label and the schema's attributes (category, source, value_min, value_max,
unit, the rule id ``pattern_id`` and a gold ``note``) where the tool keeps
them, so a gold folder survives export → import unchanged (tests/outputs/test_interchange.py).

Where each tool keeps the attributes:
- Label Studio: result ``meta`` (all attributes), plus per-region ``choices``
  results for category and source, which the labelling UI edits and which win on import;
- Prodigy: extra keys of each span dict (Prodigy stores the task as given);
- brat: ``A`` attribute lines for category and source, an ``AnnotatorNotes``
  line holding the numbers, unit, rule id and note as JSON (free values
  cannot be brat attributes, whose values must be listed in annotation.conf);
- DocBin: ``doc.spans["sc"]`` with the field as label, attributes in
  ``doc.user_data["extractor_spans"]`` keyed by (field, start, end): span
  extensions would collide for two fields on the same characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from extractor.evaluate.gold import check_record, iter_gold_files
from extractor.ingest import load_document
from extractor.ingest.document import IngestError
from extractor.outputs.read_back import find_document_file, load_text, read_batch
from extractor.outputs.report import FIELD_COLOURS
from extractor.rules.jsonl import iter_jsonl
from extractor.run.writer import atomic_write
from extractor.schema import CATEGORIES, FIELDS, GOLD_KEYS, SOURCES

FORMATS: tuple[str, ...] = ("labelstudio", "prodigy", "brat", "docbin")
ATTRIBUTES: tuple[str, ...] = ("value_min", "value_max", "unit", "category", "source", "pattern_id", "note")
SPANS_KEY = "sc"
USER_DATA_KEY = "extractor_spans"


class InterchangeError(Exception):
    """Input that cannot be exported or imported; the message names the file."""


@dataclass
class AnnotatedDoc:
    """One document's text and spans; a span is a dict with field, start, end and ATTRIBUTES."""

    doc_id: str
    text: str
    spans: list[dict] = field(default_factory=list)


def _span(record: dict) -> dict:
    span = {"field": record["field"], "start": int(record["start"]), "end": int(record["end"])}
    for key in ATTRIBUTES:
        if record.get(key) not in (None, ""):
            span[key] = record[key]
    return span


# ---------------------------------------------------------------- sources


def docs_from_batch(out_csv: Path | str, warn: Callable[[str], None]) -> list[AnnotatedDoc]:
    """Pre-annotations: every document of a batch whose text can be re-read
    (papers with no mention too, so a reviewer can add what was missed)."""
    docs = []
    for document in read_batch(out_csv):
        loaded = load_text(document, Path(out_csv))
        if loaded.text is None:
            warn(f"extractor: skipped {document.doc_id}: {loaded.problem}")
            continue
        docs.append(AnnotatedDoc(document.doc_id, loaded.text, [_span(m) for m in document.mentions]))
    return docs


def docs_from_gold(gold_dir: Path | str, docs_dir: Path | str, warn: Callable[[str], None]) -> list[AnnotatedDoc]:
    """A gold folder with the documents its offsets point into (docs_dir/<doc_id>.txt|.md|.pdf)."""
    docs = []
    files = iter_gold_files(Path(gold_dir))
    if not files:
        raise InterchangeError(f"{gold_dir}: no *.jsonl gold files")
    for path in files:
        source = find_document_file(Path(docs_dir), path.stem)
        if source is None:
            warn(f"extractor: skipped {path}: no document {path.stem}.txt/.md/.pdf in {docs_dir}")
            continue
        try:
            text = load_document(source).text
        except IngestError as exc:
            warn(f"extractor: skipped {path}: {exc.path}: {exc.reason}: {exc.message}")
            continue
        spans = []
        for number, record, problem in iter_jsonl(path):
            if record is None:  # iter_jsonl says why instead
                raise InterchangeError(f"{path}:{number}: {problem}")
            spans.append(_span(record))
        docs.append(AnnotatedDoc(path.stem, text, spans))
    return docs


# ---------------------------------------------------------------- gold out


def gold_record(doc_id: str, text: str, span: dict) -> dict:
    """A gold JSONL record (GOLD_KEYS order, ``note`` when present); the text is
    always the document's own characters, so offsets and text cannot disagree."""
    start, end = span["start"], span["end"]
    record = {
        "doc_id": doc_id,
        "field": span["field"],
        "text": text[start:end],
        "start": start,
        "end": end,
        "value_min": span.get("value_min"),
        "value_max": span.get("value_max"),
        "unit": span.get("unit"),
        "category": span.get("category"),
        "source": span.get("source"),
    }
    assert tuple(record) == GOLD_KEYS
    if span.get("note"):
        record["note"] = span["note"]
    return record


def write_gold(docs: list[AnnotatedDoc], gold_dir: Path | str) -> list[str]:
    """One gold file per document (replaced atomically); returns the problems
    ``extractor gold check`` would report, as one line each."""
    gold_dir = Path(gold_dir)
    problems: list[str] = []
    for doc in docs:
        path = gold_dir / f"{doc.doc_id}.jsonl"
        seen: set[tuple] = set()
        with atomic_write(path, newline="\n") as handle:
            for number, span in enumerate(doc.spans, 1):
                record = gold_record(doc.doc_id, doc.text, span)
                key = (record["field"], record["start"], record["end"])
                messages = check_record(record, doc.text) + (["duplicate span"] if key in seen else [])
                seen.add(key)
                problems.extend(f"{path}:{number}: {message}" for message in messages)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return problems


# ---------------------------------------------------------------- Label Studio


def labelstudio_config() -> str:
    """The labelling config the tasks are made for (Labels + per-region Choices)."""
    labels = "\n".join(f'    <Label value="{name}" background="{FIELD_COLOURS[name]}"/>' for name in FIELDS)
    categories = "\n".join(
        f'    <Choice value="{value}"/>' for name in CATEGORIES for value in sorted(CATEGORIES[name])
    )
    sources = "\n".join(f'    <Choice value="{value}"/>' for value in sorted(SOURCES))
    return (
        "<View>\n"
        f'  <Labels name="label" toName="text">\n{labels}\n  </Labels>\n'
        '  <Text name="text" value="$text"/>\n'
        f'  <Choices name="category" toName="text" perRegion="true" choice="single">\n{categories}\n  </Choices>\n'
        f'  <Choices name="source" toName="text" perRegion="true" choice="single">\n{sources}\n  </Choices>\n'
        "</View>\n"
    )


def _labelstudio_results(doc: AnnotatedDoc) -> list[dict]:
    results = []
    for number, span in enumerate(doc.spans, 1):
        region = f"m{number}"
        value = {"start": span["start"], "end": span["end"], "text": doc.text[span["start"] : span["end"]]}
        meta = {key: span.get(key) for key in ATTRIBUTES if key in span}
        shown = ", ".join(f"{key}={span[key]}" for key in ATTRIBUTES if key in span)
        results.append(
            {
                "id": region,
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {**value, "labels": [span["field"]]},
                "meta": {"text": [shown], **meta},
            }
        )
        for name in ("category", "source"):
            if span.get(name):
                results.append(
                    {
                        "id": region,
                        "from_name": name,
                        "to_name": "text",
                        "type": "choices",
                        "value": {**value, "choices": [span[name]]},
                    }
                )
    return results


def write_labelstudio(docs: list[AnnotatedDoc], out: Path, *, finished: bool) -> list[Path]:
    """A Label Studio JSON task list (``predictions`` for extractor output,
    ``annotations`` for gold) and the labelling config beside it."""
    tasks = []
    for doc in docs:
        results = _labelstudio_results(doc)
        task: dict = {"data": {"text": doc.text, "doc_id": doc.doc_id}}
        if finished:
            task["annotations"] = [{"result": results, "was_cancelled": False, "ground_truth": True}]
        else:
            task["predictions"] = [{"model_version": "extractor", "result": results}]
        tasks.append(task)
    config = out.with_name(out.stem + ".label_config.xml")
    with atomic_write(out, newline="\n") as handle:
        json.dump(tasks, handle, ensure_ascii=False, indent=1)
    with atomic_write(config, newline="\n") as handle:
        handle.write(labelstudio_config())
    return [out, config]


def read_labelstudio(path: Path) -> list[AnnotatedDoc]:
    """Tasks as Label Studio exports them (JSON list, or one task): the last
    annotation that was not cancelled, else the first prediction."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InterchangeError(f"{path}: not a Label Studio JSON export: {exc}") from exc
    tasks = [tasks] if isinstance(tasks, dict) else tasks
    docs = []
    for number, task in enumerate(tasks, 1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict) or "text" not in task["data"]:
            raise InterchangeError(f"{path}: task {number} has no data.text")
        data = task["data"]
        doc_id = str(data.get("doc_id") or task.get("id") or number)
        done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        chosen = done[-1] if done else (task.get("predictions") or [{}])[0]
        regions: dict[str, dict] = {}
        choices: dict[str, dict] = {}
        for result in chosen.get("result") or []:
            value = result.get("value", {})
            if result.get("type") == "labels":
                if len(value.get("labels", [])) != 1:
                    raise InterchangeError(f"{path}: task {doc_id}: region {result.get('id')} needs exactly one label")
                meta = {key: result.get("meta", {}).get(key) for key in ATTRIBUTES if key in result.get("meta", {})}
                regions[result.get("id") or f"r{len(regions)}"] = {
                    "field": value["labels"][0],
                    "start": int(value["start"]),
                    "end": int(value["end"]),
                    **meta,
                }
            elif result.get("type") == "choices" and result.get("from_name") in ("category", "source"):
                choices.setdefault(result.get("id"), {})[result["from_name"]] = (value.get("choices") or [None])[0]
        for region, chosen_values in choices.items():
            if region in regions:
                regions[region].update({k: v for k, v in chosen_values.items() if v})
        docs.append(AnnotatedDoc(doc_id, data["text"], list(regions.values())))
    return docs


# ---------------------------------------------------------------- Prodigy


def write_prodigy(docs: list[AnnotatedDoc], out: Path, *, finished: bool) -> list[Path]:
    """Prodigy JSONL: one task per document, {"text", "spans", "meta"}; a span's
    attributes are extra keys of the span dict."""
    with atomic_write(out, newline="\n") as handle:
        for doc in docs:
            spans = []
            for span in doc.spans:
                attrs = {key: span[key] for key in ATTRIBUTES if key in span}
                spans.append(
                    {
                        "start": span["start"],
                        "end": span["end"],
                        "label": span["field"],
                        "text": doc.text[span["start"] : span["end"]],
                        **attrs,
                    }
                )
            task = {"text": doc.text, "spans": spans, "meta": {"doc_id": doc.doc_id}}
            if finished:
                task["answer"] = "accept"
            handle.write(json.dumps(task, ensure_ascii=False) + "\n")
    return [out]


def read_prodigy(path: Path) -> list[AnnotatedDoc]:
    """Prodigy JSONL (a db-out export or the file as written); rejected or
    ignored tasks are left out; a later task for the same doc_id wins."""
    if not path.is_file():
        raise InterchangeError(f"{path}: no such file")
    docs: dict[str, AnnotatedDoc] = {}
    for number, task, problem in iter_jsonl(path):
        if task is None:  # iter_jsonl says why instead
            raise InterchangeError(f"{path}:{number}: {problem}")
        if "text" not in task:
            raise InterchangeError(f'{path}:{number}: a task needs "text"')
        if task.get("answer") in ("reject", "ignore"):
            continue
        doc_id = str((task.get("meta") or {}).get("doc_id") or number)
        spans = []
        for span in task.get("spans") or []:
            if "label" not in span:
                raise InterchangeError(f'{path}:{number}: a span needs "label"')
            spans.append(
                {
                    "field": span["label"],
                    "start": int(span["start"]),
                    "end": int(span["end"]),
                    **{key: span[key] for key in ATTRIBUTES if key in span},
                }
            )
        docs[doc_id] = AnnotatedDoc(doc_id, task["text"], spans)
    return list(docs.values())


# ---------------------------------------------------------------- brat


def brat_config() -> str:
    """annotation.conf: the fields as entities, category and source as attributes,
    overlaps allowed (two fields may share characters)."""
    categories = "|".join(sorted(value for name in CATEGORIES for value in CATEGORIES[name]))
    return (
        "[entities]\n" + "\n".join(FIELDS) + "\n\n"
        "[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n"
        "[events]\n\n"
        "[attributes]\n"
        f"category\tArg:{'|'.join(CATEGORIES)}, Value:{categories}\n"
        f"source\tArg:<ENTITY>, Value:{'|'.join(sorted(SOURCES))}\n"
    )


def brat_visual_config() -> str:
    """visual.conf: the report's colours."""
    return (
        "[labels]\n"
        + "\n".join(FIELDS)
        + "\n\n[drawing]\n"
        + "\n".join(f"{name}\tbgColor:{FIELD_COLOURS[name]}" for name in FIELDS)
        + "\n"
    )


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """brat spans cannot hold a line break: (start, end) pieces between line breaks."""
    pieces, piece_start = [], None
    for offset in range(start, end):
        if text[offset] in "\r\n":
            if piece_start is not None:
                pieces.append((piece_start, offset))
                piece_start = None
        elif piece_start is None:
            piece_start = offset
    if piece_start is not None:
        pieces.append((piece_start, end))
    return pieces


def write_brat(docs: list[AnnotatedDoc], out: Path, *, finished: bool) -> list[Path]:
    """A brat collection folder: <doc_id>.txt and .ann per document, plus
    annotation.conf and visual.conf."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in docs:
        lines = []
        attribute = note = 0
        for number, span in enumerate(doc.spans, 1):
            pieces = _fragments(doc.text, span["start"], span["end"])
            offsets = ";".join(f"{a} {b}" for a, b in pieces)
            shown = " ".join(doc.text[a:b] for a, b in pieces)
            lines.append(f"T{number}\t{span['field']} {offsets}\t{shown}")
            for name in ("category", "source"):
                if span.get(name):
                    attribute += 1
                    lines.append(f"A{attribute}\t{name} T{number} {span[name]}")
            extra = {key: span[key] for key in ("value_min", "value_max", "unit", "pattern_id", "note") if key in span}
            if extra:
                note += 1
                lines.append(f"#{note}\tAnnotatorNotes T{number}\t{json.dumps(extra)}")
        for name, content in (
            (f"{doc.doc_id}.txt", doc.text),
            (f"{doc.doc_id}.ann", "".join(line + "\n" for line in lines)),
        ):
            with atomic_write(out / name, newline="\n") as handle:
                handle.write(content)
            written.append(out / name)
    for name, content in (("annotation.conf", brat_config()), ("visual.conf", brat_visual_config())):
        with atomic_write(out / name, newline="\n") as handle:
            handle.write(content)
        written.append(out / name)
    return written


def read_brat(folder: Path) -> list[AnnotatedDoc]:
    """A brat folder's .ann files with their .txt; a span in several fragments
    becomes one span from its first to its last character."""
    if not folder.is_dir():
        raise InterchangeError(f"{folder}: not a brat folder")
    docs = []
    for ann in sorted(folder.glob("*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise InterchangeError(f"{ann}: no {txt.name} beside it")
        text = txt.read_bytes().decode("utf-8")
        spans: dict[str, dict] = {}
        for number, line in enumerate(ann.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            try:
                if line.startswith("T"):
                    label, _, offsets = parts[1].partition(" ")
                    pieces = [tuple(map(int, piece.split())) for piece in offsets.split(";")]
                    spans[parts[0]] = {"field": label, "start": pieces[0][0], "end": pieces[-1][1]}
                elif line.startswith("A"):
                    name, target, *value = parts[1].split(" ")
                    spans[target][name] = value[0] if value else True
                elif line.startswith("#"):
                    kind, target = parts[1].split(" ")
                    if kind == "AnnotatorNotes":
                        spans[target].update(json.loads(parts[2]) if parts[2].startswith("{") else {"note": parts[2]})
            except (IndexError, KeyError, ValueError) as exc:
                raise InterchangeError(
                    f"{ann}:{number}: cannot read brat line {line!r} ({type(exc).__name__}: {exc})"
                ) from exc
        ordered = sorted(spans.items(), key=lambda item: int(item[0][1:]) if item[0][1:].isdigit() else 0)
        docs.append(AnnotatedDoc(ann.stem, text, [span for _, span in ordered]))
    if not docs:
        raise InterchangeError(f"{folder}: no .ann files")
    return docs


# ---------------------------------------------------------------- spaCy DocBin


def _token_words(nlp, text: str, boundaries: set[int]) -> tuple[list[str], list[bool]]:
    """spaCy's tokens, split further at every span boundary inside a token, so
    every span is exactly a token range (``char_span`` never has to snap)."""
    words: list[str] = []
    spaces: list[bool] = []
    for token in nlp.make_doc(text):
        cuts = (
            [token.idx]
            + sorted(b for b in boundaries if token.idx < b < token.idx + len(token.text))
            + [token.idx + len(token.text)]
        )
        for a, b in zip(cuts, cuts[1:]):
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = bool(token.whitespace_)
    return words, spaces


def write_docbin(docs: list[AnnotatedDoc], out: Path, *, finished: bool) -> list[Path]:
    """A .spacy file: one Doc per document, spans in doc.spans["sc"] labelled by
    field, attributes and doc_id in doc.user_data."""
    import spacy
    from spacy.tokens import Doc, DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    for item in docs:
        boundaries = {offset for span in item.spans for offset in (span["start"], span["end"])}
        words, spaces = _token_words(nlp, item.text, boundaries)
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        assert doc.text == item.text
        spans = []
        for span in item.spans:
            made = doc.char_span(span["start"], span["end"], label=span["field"])
            assert made is not None, span
            spans.append(made)
        doc.spans[SPANS_KEY] = spans
        doc.user_data["doc_id"] = item.doc_id
        doc.user_data[USER_DATA_KEY] = [dict(span) for span in item.spans]
        docbin.add(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(docbin.to_bytes())
    tmp.replace(out)
    return [out]


def read_docbin(path: Path) -> list[AnnotatedDoc]:
    """Docs from a .spacy file: spans from doc.spans["sc"] (or the only span
    group), attributes matched by (field, start, end) from user_data."""
    import spacy
    from spacy.tokens import DocBin

    try:
        docbin = DocBin().from_disk(path)
    except (OSError, ValueError) as exc:
        raise InterchangeError(f"{path}: not a spaCy DocBin: {exc}") from exc
    docs = []
    for number, doc in enumerate(docbin.get_docs(spacy.blank("en").vocab), 1):
        key = SPANS_KEY if SPANS_KEY in doc.spans or len(doc.spans) != 1 else next(iter(doc.spans))
        attrs = {(a["field"], a["start"], a["end"]): a for a in doc.user_data.get(USER_DATA_KEY, [])}
        spans = []
        for span in doc.spans.get(key, []):
            known = attrs.get((span.label_, span.start_char, span.end_char), {})
            spans.append(
                {
                    "field": span.label_,
                    "start": span.start_char,
                    "end": span.end_char,
                    **{k: known[k] for k in ATTRIBUTES if k in known},
                }
            )
        docs.append(AnnotatedDoc(str(doc.user_data.get("doc_id", number)), doc.text, spans))
    return docs


WRITERS = {"labelstudio": write_labelstudio, "prodigy": write_prodigy, "brat": write_brat, "docbin": write_docbin}
READERS = {"labelstudio": read_labelstudio, "prodigy": read_prodigy, "brat": read_brat, "docbin": read_docbin}


def export_docs(docs: list[AnnotatedDoc], fmt: str, out: Path | str, *, finished: bool) -> list[Path]:
    """Write ``docs`` in ``fmt``; ``finished`` marks them as done annotations
    (gold) rather than pre-annotations to correct (extractor output)."""
    if fmt not in WRITERS:
        raise InterchangeError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return WRITERS[fmt](docs, Path(out), finished=finished)


def import_docs(path: Path | str, fmt: str) -> list[AnnotatedDoc]:
    """Read corrected annotations back; raises InterchangeError naming the file."""
    if fmt not in READERS:
        raise InterchangeError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    path = Path(path)
    if not path.exists():
        raise InterchangeError(f"{path}: no such file or folder")
    docs = READERS[fmt](path)
    for doc in docs:
        for span in doc.spans:
            if not (0 <= span["start"] < span["end"] <= len(doc.text)):
                raise InterchangeError(f"{path}: {doc.doc_id}: span {span['start']}-{span['end']} outside the text")
    return docs
