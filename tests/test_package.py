"""The package as others use it: one rules directory for every component, a
saved pipeline loaded by ``spacy.load`` in a fresh process, and a wheel
installed into an empty venv that reproduces the repository's CSV."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from extractor.ingest.document import Document
from extractor.mentions.reader import Extractor
from extractor.nlp.build import build_nlp
from extractor.rules.loader import PATTERNS_DIR

ROOT = Path(__file__).resolve().parent.parent
PAPER = sorted((ROOT / "corpus").glob("*.txt"))[1]
# "hyposulphite" is not one of the packaged STS names; "Kasuistik" is no packaged section heading
TEXT = (
    "Hyposulphite of soda for calcinosis cutis\n\nKasuistik\n\n"
    "A 50-year-old woman received intralesional hyposulphite of soda 25% into a 12 mm nodule, "
    "which resolved completely."
)


@pytest.fixture()
def own_rules(tmp_path: Path) -> Path:
    """A copy of the packaged rules with one more STS name and one more section heading."""
    rules = tmp_path / "my-rules"
    shutil.copytree(PATTERNS_DIR, rules)
    with (rules / "lexicons" / "sts_synonyms.txt").open("a", encoding="utf-8") as handle:
        handle.write("hyposulphite of soda\n")
    with (rules / "sections.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "section.kasuistik", "section": "methods", "regex": "^kasuistik$"}) + "\n")
    return rules


def _fields(mentions) -> set[tuple[str, str]]:
    return {(m.field, m.text) for m in mentions}


def test_a_rules_directory_reaches_every_component(own_rules: Path) -> None:
    packaged = Extractor().extract(Document("d", TEXT))
    mine = Extractor(patterns_dir=own_rules)
    mentions = mine.extract(Document("d", TEXT))
    assert not packaged  # without the name, the text never mentions STS
    assert {("route", "intralesional"), ("concentration", "25%"), ("lesion_size", "12 mm")} <= _fields(mentions)
    doc = mine.nlp(TEXT)
    assert doc._.structure.section_at(TEXT.index("A 50-year-old")) == "methods"  # the sentence component's rules
    assert {m.section for m in mentions} == {"methods"}


def test_the_batch_workers_and_the_fingerprint_use_the_rules_directory(own_rules: Path, tmp_path: Path) -> None:
    """``extractor extract --rules`` reaches the worker processes, and a changed rules
    directory never reuses rows made with the packaged rules."""
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "hyposulphite.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.csv"
    command = [str(Path(sys.executable).parent / "extractor"), "extract", str(papers), "--out", str(out), "--quiet"]
    subprocess.run(command, check=True, capture_output=True)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # the header: no STS without the new name
    subprocess.run([*command, "--rules", str(own_rules)], check=True, capture_output=True)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert any(",route,intralesional," in row for row in rows) and any(",lesion_size,12 mm," in row for row in rows)


def test_a_saved_pipeline_carries_its_rules_into_a_fresh_process(own_rules: Path, tmp_path: Path) -> None:
    saved = tmp_path / "pipeline"
    build_nlp(patterns_dir=own_rules).to_disk(saved)
    shutil.rmtree(own_rules)  # the saved copy, not the original folder, must hold the rules
    expected = sorted(_fields(Extractor(nlp=build_nlp(patterns_dir=None)).extract(Document("d", TEXT))))
    assert expected == []
    script = (
        "import json, spacy, sys\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "doc = nlp(open(sys.argv[2], encoding='utf-8').read())\n"
        "print(json.dumps(sorted([m.field, m.text, m.start, m.end, m.source] for m in doc._.sts_mentions)))\n"
    )
    sample = tmp_path / "sample.txt"
    sample.write_text(TEXT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", script, str(saved), str(sample)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert [
        "route",
        "intralesional",
        TEXT.index("intralesional"),
        TEXT.index("intralesional") + 13,
        "this_study",
    ] in loaded


def test_spacy_load_gives_the_extractors_mentions_on_a_paper(tmp_path: Path) -> None:
    saved = tmp_path / "pipeline"
    build_nlp().to_disk(saved)
    text = PAPER.read_text(encoding="utf-8")
    expected = [(m.field, m.start, m.end, m.category, m.source) for m in Extractor().extract(Document("", text))]
    script = (
        "import json, spacy, sys\n"
        "doc = spacy.load(sys.argv[1])(open(sys.argv[2], encoding='utf-8').read())\n"
        "print(json.dumps([[m.field, m.start, m.end, m.category, m.source] for m in doc._.sts_mentions]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(saved), str(PAPER)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert [tuple(row) for row in json.loads(result.stdout)] == expected
    assert len(expected) > 20


def test_the_python_api_reads_a_folder_and_reports_bad_files(tmp_path: Path) -> None:
    from extractor import Extractor as Exported
    from extractor import extract_paths

    assert Exported is Extractor
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    shutil.copyfile(PAPER, tmp_path / "paper.txt")
    readings = {r.doc_id: r for r in extract_paths([tmp_path, tmp_path / "missing.pdf"])}
    assert set(readings) == {"empty", "paper", "missing"}
    assert readings["paper"].error is None and readings["paper"].indication == "calcification"
    assert len(readings["paper"].mentions) > 20 and {m.doc_id for m in readings["paper"].mentions} == {"paper"}
    assert readings["empty"].error.startswith("empty") and readings["missing"].error.startswith("missing")


@pytest.mark.slow
def test_a_wheel_in_an_empty_venv_reproduces_the_corpus_csv(tmp_path: Path) -> None:
    """Build the wheel from a clean copy of the tracked files, install it (with its
    dependencies from the package index) into a new venv, run it from another folder."""
    source = tmp_path / "src"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        origin = ROOT / name
        if origin.is_symlink():
            target.symlink_to(origin.readlink())
        elif origin.is_file():
            shutil.copyfile(origin, target)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
    )
    (wheel,) = wheels.glob("sts_extractor-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    constraints = ROOT / "constraints.txt"
    subprocess.run([*pip, *(["-c", str(constraints)] if constraints.exists() else []), str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    installed = elsewhere / "installed.csv"
    subprocess.run(
        [str(env_dir / "bin" / "extractor"), "extract", str(ROOT / "corpus"), "--out", str(installed), "--quiet"],
        cwd=elsewhere,
        check=True,
    )
    repository = tmp_path / "repository.csv"
    subprocess.run(
        [str(Path(sys.executable).parent / "extractor"), "extract", "corpus", "--out", str(repository), "--quiet"],
        cwd=ROOT,
        check=True,
    )
    assert installed.read_bytes() == repository.read_bytes()
    assert len(installed.read_text(encoding="utf-8").splitlines()) > 200
