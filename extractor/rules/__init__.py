"""The rules: data files in ``extractor/rules/data`` (``patterns/`` at the top of the repository) and their loader."""
