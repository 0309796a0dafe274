"""The optional NER model path (--model), tested on a small model the test trains and saves.

Pretrained scispaCy models cannot be downloaded here; the loading code is the
same for any spaCy pipeline with an 'ner' component.
"""

from __future__ import annotations

import random

import pytest
import spacy
from spacy.training import Example
from typer.testing import CliRunner

from extractor.ingest.document import Document
from extractor.mentions.reader import Extractor

SENTENCE = "Zorbatinex 40 mg was given before sodium thiosulfate."
HEADING = "Calcinosis cutis\n\n"  # a page that never names a calcification is not about one
TRAIN = [
    ("Zorbatinex 40 mg was given before sodium thiosulfate.", [(0, 10, "CHEMICAL")]),
    ("She was also taking quelmarone and sodium thiosulfate.", [(20, 30, "CHEMICAL"), (35, 53, "CHEMICAL")]),
    ("Zorbatinex was stopped after two weeks.", [(0, 10, "CHEMICAL")]),
    ("Calcinosis cutis improved with quelmarone.", [(31, 41, "CHEMICAL")]),
    ("The patient received zorbatinex daily.", [(21, 31, "CHEMICAL")]),
    ("Sodium thiosulfate was applied to the nodules.", [(0, 18, "CHEMICAL")]),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    spacy.util.fix_random_seed(0)
    random.seed(0)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("CHEMICAL")
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.0)
    assert [e.text for e in nlp(SENTENCE).ents][:1] == ["Zorbatinex"], "the tiny model did not learn its training data"
    path = tmp_path_factory.mktemp("models") / "tiny_ner"
    nlp.to_disk(path)
    return path


def _doses(extractor: Extractor) -> list[str]:
    return [m.text for m in extractor.extract(Document("d", HEADING + SENTENCE)) if m.field == "dose"]


def test_without_a_model_an_unknown_drug_is_invisible(extractor):
    assert _doses(extractor) == ["40 mg"]


def test_model_chemicals_decide_which_drug_a_dose_belongs_to(tiny_model):
    extractor = Extractor(model=str(tiny_model))
    assert "sts_external_ner_v1" in extractor.nlp.pipe_names
    assert _doses(extractor) == []


def test_cli_accepts_a_model_path(tiny_model, tmp_path):
    from extractor.cli import app

    paper = tmp_path / "paper.txt"
    paper.write_text(HEADING + SENTENCE + " Topical sodium thiosulfate 25% was applied.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["extract", str(paper), "--out", str(out), "--model", str(tiny_model), "--jobs", "1", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text().splitlines()
    assert not any(",dose,40 mg," in row for row in rows)
    assert any(",concentration,25%," in row for row in rows)


def test_a_model_without_ner_is_refused(tmp_path):
    path = tmp_path / "no_ner"
    spacy.blank("en").to_disk(path)
    with pytest.raises(ValueError, match="no 'ner' component"):
        Extractor(model=str(path))
