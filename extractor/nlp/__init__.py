"""The spaCy pipeline: the tokenizer, one component a module, and ``build_nlp``."""

from extractor.nlp.extensions import register_extensions
from extractor.nlp.tokenizer import raw_text, spacy_text

register_extensions()

__all__ = ["raw_text", "spacy_text"]
