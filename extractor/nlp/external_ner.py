"""``sts_external_ner_v1`` (optional): any installed spaCy/scispaCy NER model;
its chemical entities join the other drugs (STS names excepted)."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.drug_tagger import DRUGS


@Language.factory(
    "sts_external_ner_v1",
    default_config={"model": "", "drug_labels": ["CHEMICAL", "CHEM", "DRUG", "SIMPLE_CHEMICAL"]},
)
def create_external_ner(nlp: Language, name: str, model: str, drug_labels: list[str]) -> ExternalNer:
    return ExternalNer(model, drug_labels=drug_labels)


class ExternalNer:
    """Runs a separately installed NER model and keeps its drug entities.

    The model keeps its own tokenizer; entities are mapped back by character
    offsets, so any spaCy/scispaCy NER pipeline works.
    """

    def __init__(self, model: str, *, drug_labels: list[str]) -> None:
        if not model:
            raise ValueError("sts_external_ner_v1 needs a model name or path")
        self.model = spacy.load(model)
        if "ner" not in self.model.pipe_names:
            raise ValueError(f"model {model!r} has no 'ner' component (pipes: {self.model.pipe_names})")
        self.drug_labels = {label.upper() for label in drug_labels}

    def __call__(self, doc: Doc) -> Doc:
        external = self.model(doc.text)
        found = []
        for ent in external.ents:
            if ent.label_.upper() not in self.drug_labels:
                continue
            span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="expand")
            if span is not None:
                found.append(Span(doc, span.start, span.end, label="OTHER"))
        existing = list(doc.spans[DRUGS]) if DRUGS in doc.spans else []
        doc.spans[DRUGS] = existing + found
        return doc
