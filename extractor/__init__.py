"""extractor: sodium thiosulfate treatment details from calcinosis cutis papers."""

__version__ = "0.1.0"
