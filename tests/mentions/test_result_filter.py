"""The trained result filter (extractor/mentions/result_filter.py): a real spaCy
TextCatBOW model trained here, then run inside the extractor."""

from __future__ import annotations

import shutil

import pytest

from extractor.ingest.document import Document
from extractor.mentions.reader import Extractor
from extractor.mentions.result_filter import DROP, KEEP, ResultFilter, classifier_text, save_filter, train_filter
from extractor.rules.loader import PATTERNS_DIR

GENERIC = "Successful treatment results in improvement of pain and healing of the lesions within 2-4 weeks."
EXAMPLES = [
    (classifier_text("Successful treatment", GENERIC), DROP),
    (classifier_text("improvement of pain", GENERIC), DROP),
    (classifier_text("healing of the lesions", GENERIC), DROP),
    (
        classifier_text(
            "complete resolution", "After six months of sodium thiosulfate she had complete resolution of the nodules."
        ),
        KEEP,
    ),
    (classifier_text("improved", "The ulcers improved after 3 weeks of intravenous sodium thiosulfate."), KEEP),
    (classifier_text("healed", "All wounds healed by week 12."), KEEP),
] * 4


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A copy of the packaged rules with a model saved in its learned/ folder."""
    rules = tmp_path_factory.mktemp("rules") / "patterns"
    shutil.copytree(PATTERNS_DIR, rules)
    target = rules / "learned" / "result_filter"
    save_filter(train_filter(EXAMPLES, seed=0, epochs=20), target, {"drop_threshold": 0.5})
    return target


@pytest.mark.slow
def test_the_filter_drops_what_it_was_taught_and_keeps_the_rest(trained):
    text = (
        "Sodium thiosulfate for calciphylaxis\n\n"
        + GENERIC
        + " After six months of sodium thiosulfate she had complete resolution of the nodules."
    )
    rules_only = Extractor(learned=False)
    learned = Extractor(patterns_dir=trained.parent.parent)
    before = {m.text for m in rules_only.extract(Document("d", text)) if m.field == "outcome"}
    after = {m.text for m in learned.extract(Document("d", text)) if m.field == "outcome"}
    assert "healing of the lesions" in before and "healing of the lesions" not in after
    assert "complete resolution of the nodules" in after


@pytest.mark.slow
def test_training_is_reproducible(trained, tmp_path):
    again = tmp_path / "result_filter"
    save_filter(train_filter(EXAMPLES, seed=0, epochs=20), again, {"drop_threshold": 0.5})
    assert (again / "textcat" / "model").read_bytes() == (trained / "textcat" / "model").read_bytes()


def test_without_a_model_the_extractor_runs_on_rules(tmp_path):
    assert ResultFilter.load(tmp_path) is None
