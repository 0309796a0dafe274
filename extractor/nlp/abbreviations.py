"""``sts_abbreviations_v1``: scispaCy's AbbreviationDetector run per sentence
(the paper's own abbreviations), in time linear in the sentence."""

from __future__ import annotations

import numpy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

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
    for k in numpy.unique(numpy.searchsorted(starts, opening, side="right") - 1).tolist():
        start, end = starts[k], ends[k]
        tokens = [token.text for token in doc[start:end]]
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
          parentheses: ~10 GB and a minute).
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

    return SentenceAbbreviationDetector(nlp, name)
