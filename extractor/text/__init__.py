"""Text structure: lines, sentences, sections, tables and out-of-scope ranges, read from the raw string."""
