"""Candidates → mentions: per-field resolvers, filters (drug, context, scope) and attribution."""
