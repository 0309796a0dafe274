"""Evaluation, apart from extraction: gold files, scoring, offset alignment."""
