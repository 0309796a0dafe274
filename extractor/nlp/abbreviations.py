"""``sts_abbreviations_v1``: scispaCy's AbbreviationDetector run per sentence
(the paper's own abbreviations), in time linear in the sentence."""

from __future__ import annotations

import bisect
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
    sentence order; found on the ORTH column: for each "(", the ")" 2 to 9
    tokens after it and before its sentence's end."""
    if not len(doc):
        return []
    return _parentheses(doc, doc.to_array(ORTH))


def _parentheses(doc: Doc, orths: numpy.ndarray) -> list[tuple[int, int]]:
    """:func:`sentence_parentheses`, given the ORTH column."""
    strings = doc.vocab.strings
    opening = numpy.flatnonzero(orths == strings.add("("))
    if not opening.size:
        return []
    closing = numpy.flatnonzero(orths == strings.add(")")).tolist()
    if not closing:
        return []
    starts, ends = sentence_bounds(doc)
    sentence_ends = numpy.array(ends)[numpy.searchsorted(starts, opening, side="right") - 1].tolist()
    found = []
    for i, stop in zip(opening.tolist(), sentence_ends):
        limit = min(stop, i + ABBREVIATION_MAX_TOKENS + 2)
        k = bisect.bisect_left(closing, i + 2)
        while k < len(closing) and closing[k] < limit:
            found.append((i, closing[k] + 1))
            k += 1
    # by end, then innermost first: a candidate lies in its sentence, so this is also sentence order
    found.sort(key=lambda match: (match[1], -match[0]))
    return found


def filter_candidates(doc: Doc, orths: numpy.ndarray, matches: list[tuple[int, int, int]]) -> list[tuple[Span, Span]]:
    """scispaCy's ``filter_matches``, same pairs in the same order, with its
    token-length test read off the ORTH column first: most parentheses ("(n =
    12)", "(2019)") fail it, and only the rest become Spans (each Span makes
    Token objects)."""
    from scispacy.abbreviation import short_form_filter

    strings = doc.vocab.strings
    opening, closing = strings.add("("), strings.add(")")
    candidates = []
    for _, start, end in matches:
        if end - start > 8 or start == 1:
            continue
        inside = orths[start:end].tolist()
        if end - start > 3:
            short_start, short_end, long_start, long_end = start - 2, start - 1, start, end
            if _unbalanced(inside, opening, closing):
                continue
        else:
            size = sum(len(strings[orth]) for orth in inside)
            short_start, short_end = start, end
            long_start, long_end = max(start - min(size + 5, size * 2) - 1, 0), start - 1
        if not all(2 <= len(strings[orth]) < 10 for orth in orths[short_start:short_end].tolist()):
            continue
        short = doc[short_start:short_end]
        if short_form_filter(short):
            candidates.append((doc[long_start:long_end], short))
    return candidates


def _unbalanced(orths: list[int], opening: int, closing: int) -> bool:
    """scispaCy's ``span_contains_unbalanced_parentheses`` on ORTH values."""
    depth = 0
    for orth in orths:
        if orth == opening:
            depth += 1
        elif orth == closing:
            if depth > 0:
                depth -= 1
            else:
                return True
    return depth != 0


@Language.factory("sts_abbreviations_v1")
def create_abbreviation_detector(nlp: Language, name: str):
    from scispacy.abbreviation import AbbreviationDetector

    class SentenceAbbreviationDetector(AbbreviationDetector):
        """scispaCy's Schwartz-Hearst detector, with these fixes:

        - the "( ... )" candidates are searched sentence by sentence: on a whole
          long document an unclosed "(" keeps a matcher state alive to the end,
          which is what makes the stock detector slow on long papers;
        - each Doc gets its own list (the stock extension's default list is
          shared, so abbreviations leaked from one document into the next);
        - the candidates come from :func:`sentence_parentheses`, linear in
          the sentence length, not from the stock ``( + )`` Matcher, which
          yields every "(" paired with every later ")" (a sentence of 3,000
          parentheses: ~10 GB and a minute), and are filtered on the ORTH
          column before any Span is made (:func:`filter_candidates`);
        - the other occurrences of each short form are found on the Doc's ORTH
          column (:func:`occurrences`), not by the stock global Matcher, which
          makes a Token of every token of the Doc on every call.
        """

        def __call__(self, doc: Doc) -> Doc:
            doc._.abbreviations = []
            if not len(doc):
                return doc
            orths = doc.to_array(ORTH)
            matches = [(0, start + 1, end - 1) for start, end in _parentheses(doc, orths)]
            if not matches:
                return doc
            for long_form, short_forms in self.find_matches_for(filter_candidates(doc, orths, matches), doc, orths):
                for short in short_forms:
                    short._.long_form = long_form
                    doc._.abbreviations.append(short)
            return doc

        def find_matches_for(
            self, filtered: list[tuple[Span, Span]], doc: Doc, orths: numpy.ndarray | None = None
        ) -> list[tuple[Span, set[Span]]]:
            """scispaCy's ``find_matches_for``, same results in the same order (``orths``: the ORTH column, if read)."""
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
            for key, start, end in occurrences(doc, patterns, orths):
                all_occurences[rules[key]].add(doc[start:end])
            return list(all_occurences.items())

    return SentenceAbbreviationDetector(nlp, name)


def occurrences(
    doc: Doc, patterns: list[tuple[str, list[int]]], orths: numpy.ndarray | None = None
) -> list[tuple[str, int, int]]:
    """(key, start, end) of every token run whose ORTH values are one of the
    patterns, in the order a Matcher of these exact-ORTH patterns (added in
    this order) yields them: by end, then start, then pattern (``orths``: the
    ORTH column, if already read)."""
    if not patterns:
        return []
    if orths is None:
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
