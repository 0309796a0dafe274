"""The Extractor: one spaCy pipeline, built once and reused for every document;
a document goes in, its mentions, indication and size come out.

The work happens in the pipeline's components (``extractor.nlp``) and its
last one, the mention stage (:mod:`extractor.mentions.component`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extractor.ingest.document import Document
from extractor.mentions.indication import Indication
from extractor.nlp.build import build_nlp
from extractor.rules.loader import rules_dir_of
from extractor.schema import Mention


@dataclass
class Reading:
    """What one document yields: its mentions, its indication and its size."""

    mentions: list[Mention]
    indication: Indication
    words: int


@dataclass(frozen=True)
class ExtractorSettings:
    """Everything that decides what an Extractor extracts. A batch hashes it into
    its fingerprint and sends it to every worker, local or on a cluster."""

    model: str | None = None
    rules_dir: str | None = None
    all_indications: bool = False

    def build(self) -> Extractor:
        return Extractor(model=self.model, patterns_dir=self.rules_dir, all_indications=self.all_indications)


class Extractor:
    """Runs the pipeline over documents.

    ``patterns_dir`` names a rules directory (default: the packaged rules);
    ``nlp`` takes a pipeline already built or loaded with ``spacy.load``.
    """

    def __init__(
        self,
        *,
        model: str | None = None,
        patterns_dir: Path | str | None = None,
        all_indications: bool = False,
        learned: bool = True,
        nlp: Language | None = None,
    ) -> None:
        self.patterns_dir = rules_dir_of(patterns_dir)
        self.nlp = nlp or build_nlp(
            model=model, patterns_dir=patterns_dir, all_indications=all_indications, learned=learned
        )
        if "sts_mentions_v1" not in self.nlp.pipe_names:
            raise ValueError(f"the pipeline has no sts_mentions_v1 component (pipes: {self.nlp.pipe_names})")

    def extract(self, document: Document) -> list[Mention]:
        return self.read(document).mentions

    def read(self, document: Document) -> Reading:
        return next(iter(self.read_many([document])))

    def extract_many(self, documents: Iterable[Document], *, batch_size: int = 8) -> Iterator[list[Mention]]:
        """Mentions per document, in input order."""
        for reading in self.read_many(documents, batch_size=batch_size):
            yield reading.mentions

    def read_many(self, documents: Iterable[Document], *, batch_size: int = 8) -> Iterator[Reading]:
        """Readings per document, in input order (spaCy ``pipe`` underneath)."""

        def docs() -> Iterator[Doc]:
            for document in documents:
                doc = self.nlp.make_doc(document.text)
                doc._.document = document
                yield doc

        for doc in self.nlp.pipe(docs(), batch_size=batch_size):
            yield Reading(doc._.sts_mentions, doc._.indication, doc._.words)
