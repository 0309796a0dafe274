"""``sts_abbreviations_v1``: scispaCy's AbbreviationDetector run per sentence
(the paper's own abbreviations), in time linear in the sentence."""

from __future__ import annotations

from collections import defaultdict

import numpy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.sentences import sentence_bounds

# scispaCy's filter_matches drops every "( ... )" holding more than 8 tokens
ABBREVIATION_MAX_TOKENS = 8


def parenthesis_candidates(tokens: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every "(" … ")" token run with 1 to 8 tokens inside, in
    the order spaCy's Matcher gives them for scispaCy's ``( + )`` pattern (by
    end, then innermost first); at most 8 per "(", so linear in the sentence."""
    found = []
    for i, token in enumerate(tokens):
        if token != "(":
            continue
        for j in range(i + 2, min(len(tokens), i + ABBREVIATION_MAX_TOKENS + 2)):
            if tokens[j] == ")":
                found.append((i, j + 1))
    found.sort(key=lambda match: (match[1], -match[0]))
    return found


def sentence_parentheses(doc: Doc) -> list[tuple[int, int]]:
    """:func:`parenthesis_candidates` of every sentence, as Doc token offsets, in
    sentence order; only the sentences holding a "(" are looked at."""
    if not len(doc):
        return []
    orths = doc.to_array(ORTH)
    opening = numpy.flatnonzero(orths == doc.vocab.strings.add("("))
    if not opening.size:
        return []
    starts, ends = sentence_bounds(doc)
    found = []
    strings = doc.vocab.strings
    for k in numpy.unique(numpy.searchsorted(starts, opening, side="right") - 1).tolist():
        start, end = starts[k], ends[k]
        tokens = [strings[orth] for orth in orths[start:end].tolist()]
        found += [(start + i, start + j) for i, j in parenthesis_candidates(tokens)]
    return found


@Language.factory("sts_abbreviations_v1")
def create_abbreviation_detector(nlp: Language, name: str):
    from scispacy.abbreviation import AbbreviationDetector

    class SentenceAbbreviationDetector(AbbreviationDetector):
        """scispaCy's Schwartz-Hearst detector, with two fixes:

        - the "( ... )" candidates are searched sentence by sentence: on a whole
          long document an unclosed "(" keeps a matcher state alive to the end,
          which is what makes the stock detector slow on long papers;
        - each Doc gets its own list (the stock extension's default list is
          shared, so abbreviations leaked from one document into the next);
        - the candidates come from :func:`parenthesis_candidates`, linear in
          the sentence length, not from the stock ``( + )`` Matcher, which
          yields every "(" paired with every later ")" (a sentence of 3,000
          parentheses: ~10 GB and a minute);
        - the other occurrences of each short form are found on the Doc's ORTH
          column (:func:`occurrences`), not by the stock global Matcher, which
          makes a Token of every token of the Doc on every call.
        """

        def __call__(self, doc: Doc) -> Doc:
            from scispacy.abbreviation import filter_matches

            doc._.abbreviations = []
            matches = [(0, start + 1, end - 1) for start, end in sentence_parentheses(doc)]
            for long_form, short_forms in self.find_matches_for(filter_matches(matches, doc), doc):
                for short in short_forms:
                    short._.long_form = long_form
                    doc._.abbreviations.append(short)
            return doc

        def find_matches_for(self, filtered: list[tuple[Span, Span]], doc: Doc) -> list[tuple[Span, set[Span]]]:
            """scispaCy's ``find_matches_for``, same results in the same order."""
            from scispacy.abbreviation import find_abbreviation

            rules = {}
            all_occurences: dict[Span, set[Span]] = defaultdict(set)
            already_seen_long: set[str] = set()
            already_seen_short: set[str] = set()
            patterns: list[tuple[str, list[int]]] = []
            for long_candidate, short_candidate in filtered:
                short, long = find_abbreviation(long_candidate, short_candidate)
                new_long = long.text not in already_seen_long if long else False
                new_short = short.text not in already_seen_short
                if long is not None and new_long and new_short:
                    already_seen_long.add(long.text)
                    already_seen_short.add(short.text)
                    all_occurences[long].add(short)
                    rules[long.text] = long
                    patterns.append((long.text, [token.orth for token in short]))
            for key, start, end in occurrences(doc, patterns):
                all_occurences[rules[key]].add(doc[start:end])
            return list(all_occurences.items())

    return SentenceAbbreviationDetector(nlp, name)


def occurrences(doc: Doc, patterns: list[tuple[str, list[int]]]) -> list[tuple[str, int, int]]:
    """(key, start, end) of every token run whose ORTH values are one of the
    patterns, in the order a Matcher of these exact-ORTH patterns (added in
    this order) yields them: by end, then start, then pattern."""
    orths = doc.to_array(ORTH)
    found = []
    for index, (_, sequence) in enumerate(patterns):
        size = len(sequence)
        if not size or size > len(orths):
            continue
        hits = numpy.flatnonzero(orths[: len(orths) - size + 1] == numpy.uint64(sequence[0]))
        for k in range(1, size):
            hits = hits[orths[hits + k] == numpy.uint64(sequence[k])]
        found += [(start + size, start, index) for start in hits.tolist()]
    return [(patterns[index][0], start, end) for end, start, index in sorted(found)]
