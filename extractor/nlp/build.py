"""``build_nlp``: the production pipeline, assembled in one place for the CLI,
the batch workers, the tests and ``spacy.load`` of a saved copy.

Components, in order (each in its own module, registered with
``@Language.factory`` and under the ``spacy_factories`` entry point, names
carrying a version):
``sts_sentences_v1`` → ``sts_abbreviations_v1`` → (``sts_external_ner_v1``) →
``sts_drug_tagger_v1`` → ``sts_lemmatizer_v1`` → ``sts_field_matcher_v1`` →
``sts_mentions_v1``. Every rule-driven component takes ``rules_dir``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import spacy
from spacy.language import Language

from extractor.nlp import abbreviations, drug_tagger, external_ner, field_matcher, lemmatizer, sentences  # noqa: F401
from extractor.nlp.tokenizer import TOKENIZER_NAME

# scispaCy's AbbreviationDetector runs an empty per-document matcher on most docs
warnings.filterwarnings("ignore", message=r".*\[W036\]")


def build_nlp(
    *,
    model: str | None = None,
    patterns_dir: Path | str | None = None,
    all_indications: bool = False,
    learned: bool = True,
    mentions: bool = True,
) -> Language:
    """The pipeline: scispaCy tokenizer and abbreviations, the STS components and,
    unless ``mentions`` is False, the mention stage (``doc._.sts_mentions``)."""
    from extractor.mentions import component  # noqa: F401  (registers sts_mentions_v1)

    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    config = {"rules_dir": str(Path(patterns_dir).resolve()) if patterns_dir else ""}
    nlp.add_pipe("sts_sentences_v1", config=config)
    nlp.add_pipe("sts_abbreviations_v1")
    if model:
        nlp.add_pipe("sts_external_ner_v1", config={"model": str(model)})
    nlp.add_pipe("sts_drug_tagger_v1", config=config)
    nlp.add_pipe("sts_lemmatizer_v1")
    nlp.add_pipe("sts_field_matcher_v1", config=config)
    if mentions:
        nlp.add_pipe("sts_mentions_v1", config={**config, "all_indications": all_indications, "learned": learned})
    return nlp
