"""The spaCy pipeline: tokenizer, one component a module, and ``build_nlp``."""
