"""The Doc extensions the components hand state through, declared in one place.

Every stage reads what an earlier one left on the Doc through these names
(``doc._.structure``), never through string keys of ``doc.user_data``.
"""

from __future__ import annotations

from typing import Any

import numpy
from spacy.attrs import IDX, LOWER, ORTH, SPACY
from spacy.tokens import Doc, Span

DOC_EXTENSIONS: dict[str, str] = {
    "raw_text": "the original text; doc.text is a same-length copy with line breaks and citation markup blanked",
    "document": "the extractor.ingest.document.Document read (doc_id, path, pages), when the Extractor set it",
    "structure": "lines, sentences, sections and tables of the raw text (extractor.text.structure.Structure)",
    "sentence_bounds": "(length, start tokens, end tokens) of the sentences, set by sts_sentences_v1 (read by sentence_bounds)",
    "token_columns": "the TOKEN_COLUMNS of every token as one doc.to_array, read once per Doc (read by token_column)",
    "drug_index": "(start, end, is_sts) of every drug name, sorted, built once per Doc (extractor.mentions.drugs)",
    "drug_positions": "the drug names of each sentence, by sentence start token (a cache)",
    "context_triggers": "the ConText triggers found in each sentence, by sentence start token (a cache)",
    "sts_mentions": "the schema mentions of the document (list[extractor.schema.Mention]), set by sts_mentions_v1",
    "indication": "what STS treats in the document (extractor.mentions.indication.Indication), set by sts_mentions_v1",
    "words": "the number of words (no spaces or punctuation), set by sts_mentions_v1",
}


def doc_value(doc: Doc, name: str) -> Any:
    """``doc._.<name>`` read straight from where spaCy keeps it (``doc.user_data``):
    ``doc._`` builds an Underscore object on every access, and the mention
    stage's per-sentence caches are read tens of thousands of times per corpus.
    Every extension here has the default None and no getter."""
    stored: dict[Any, Any] = doc.user_data  # spaCy's key for a Doc extension: ("._.", name, None, None)
    return stored.get(("._.", name, None, None))


def span_value(span: Span, name: str) -> Any:
    """``span._.<name>`` read straight from ``doc.user_data``, where spaCy keys a
    Span's extension by its character offsets, without the Underscore object
    ``span._`` builds on every access. For extensions with the default None and no
    getter (scispaCy's ``long_form``)."""
    stored: dict[Any, Any] = span.doc.user_data
    return stored.get(("._.", name, span.start_char, span.end_char))


def set_span_value(doc: Doc, start_char: int, end_char: int, name: str, value: Any) -> None:
    """``span._.<name> = value`` for the Span of ``doc`` from ``start_char`` to
    ``end_char``, written where spaCy keeps it (for extensions without a setter)."""
    stored: dict[Any, Any] = doc.user_data
    stored[("._.", name, start_char, end_char)] = value


# token attributes fixed once the Doc is tokenized that several stages read: one to_array
# serves them all (spaCy's to_array costs ~150 instructions per token and column, as it
# takes and releases the GIL for every value)
TOKEN_COLUMNS = (ORTH, LOWER, IDX, SPACY)


def token_column(doc: Doc, attr: int) -> numpy.ndarray:
    """``doc.to_array(attr)`` for an attribute of :data:`TOKEN_COLUMNS`, from the
    columns read once per Doc (``doc._.token_columns``; read again for a Doc of
    another length)."""
    columns = doc_value(doc, "token_columns")
    if columns is None or len(columns) != len(doc):
        columns = doc.to_array(list(TOKEN_COLUMNS)).reshape(-1, len(TOKEN_COLUMNS))
        doc._.token_columns = columns
    return columns[:, TOKEN_COLUMNS.index(attr)]


def register_extensions() -> None:
    """Declare the extensions once per process (importing ``extractor.nlp`` does it)."""
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()
