"""A small trained check on outcome candidates: does this phrase, in this
sentence, report a result of STS?

Rules find result phrases; some wordings they cannot tell apart without losing
recall (a generic "successful treatment generally results in ...", a pooled
registry figure, "growing numbers of successful treatment are reported"). A
bag-of-words text classifier (spaCy's TextCatBOW, unigrams and bigrams of the
phrase and its sentence) trained on the project's own gold sets by
``make train`` (``scripts/train_result_filter.py``) drops a candidate only when
it is confident the phrase reports nothing. The model lives beside the rules
(``patterns/learned/result_filter``) so the batch fingerprint covers it; with
no model there the extractor runs on rules alone.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.pipeline import TextCategorizer
from spacy.training import Example
from spacy.util import fix_random_seed

MODEL_DIR = "learned/result_filter"
KEEP, DROP = "KEEP", "DROP"


def classifier_text(phrase: str, sentence: str) -> str:
    """What the classifier reads: the phrase, then its sentence (both whitespace-collapsed)."""
    return f"{' '.join(phrase.split())} || {' '.join(sentence.split())}"


class ResultFilter:
    """Loaded from ``patterns_dir/learned/result_filter``; ``keeps()`` says whether a candidate stays."""

    def __init__(self, nlp: Language, threshold: float) -> None:
        self.nlp = nlp
        self.threshold = threshold

    @classmethod
    def load(cls, patterns_dir: Path) -> ResultFilter | None:
        path = Path(patterns_dir) / MODEL_DIR
        if not (path / "config.cfg").is_file():
            return None
        settings = json.loads((path / "filter.json").read_text(encoding="utf-8"))
        return cls(spacy.load(path), float(settings["drop_threshold"]))

    def drop_probability(self, phrase: str, sentence: str) -> float:
        return float(self.nlp(classifier_text(phrase, sentence)).cats[DROP])

    def keeps(self, phrase: str, sentence: str) -> bool:
        return self.drop_probability(phrase, sentence) < self.threshold


def train_filter(examples: list[tuple[str, str]], *, seed: int = 0, epochs: int = 12) -> Language:
    """A TextCatBOW classifier over (classifier_text, KEEP/DROP) pairs; the same
    examples and seed give the same weights on CPU."""
    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat: TextCategorizer = nlp.add_pipe(  # type: ignore[assignment]  # add_pipe is typed as returning any component
        "textcat",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": True,
                "ngram_size": 2,
                "no_output_layer": False,
                "length": 65536,
            }
        },
    )
    textcat.add_label(KEEP)
    textcat.add_label(DROP)
    data = [
        Example.from_dict(nlp.make_doc(text), {"cats": {KEEP: label == KEEP, DROP: label == DROP}})
        for text, label in examples
    ]
    optimizer = nlp.initialize(lambda: data)
    order = random.Random(seed)
    for _ in range(epochs):
        order.shuffle(data)
        for start in range(0, len(data), 16):
            nlp.update(data[start : start + 16], sgd=optimizer, drop=0.2)
    return nlp


def save_filter(nlp: Language, target: Path, settings: dict) -> None:
    """The pipeline plus ``filter.json`` (drop threshold and how it was trained)."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    (target / "filter.json").write_text(json.dumps(settings, indent=1, sort_keys=True) + "\n", encoding="utf-8")
