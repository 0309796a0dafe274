"""``sts_abbreviations_v1``: scispaCy's AbbreviationDetector run per sentence
(the paper's own abbreviations), in time linear in the sentence."""

from __future__ import annotations

import bisect

import numpy
from spacy.attrs import ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.extensions import set_span_value, token_column
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


Range = tuple[int, int]


def candidate_ranges(
    doc: Doc, orths: numpy.ndarray, spaces: numpy.ndarray, matches: list[tuple[int, int, int]]
) -> list[tuple[Range, Range]]:
    """scispaCy's ``filter_matches`` as (long form, short form) token ranges,
    read off the ORTH and SPACY columns: most parentheses ("(n = 12)",
    "(2019)") fail its token-length test, and no Span (with its Token
    objects) is made for any candidate."""
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
        words = [strings[orth] for orth in orths[short_start:short_end].tolist()]
        if not all(2 <= len(word) < 10 for word in words):
            continue
        if _short_form_passes(_joined(words, spaces[short_start:short_end].tolist())):
            candidates.append(((long_start, long_end), (short_start, short_end)))
    return candidates


def _joined(words: list[str], spaces: list[int]) -> str:
    """A Span's ``text``: its words with the white space after each but the last."""
    return "".join([word + " " if space else word for word, space in zip(words[:-1], spaces)]) + words[-1]


def _short_form_passes(text: str) -> bool:
    """scispaCy's ``short_form_filter`` past its word-length test, on the short form's text."""
    return sum([c.isalpha() for c in text]) / len(text) >= 0.5 and text[0].isalpha()


def long_form_start(long_words: list[str], long_spaces: list[int], short_words: list[str]) -> int | None:
    """scispaCy's ``find_abbreviation`` on token strings (``long_spaces``: whether
    white space follows each long-form word): the index of the long form's first
    word within the candidate, or None when the short form does not match."""
    long_form = " ".join(long_words)
    short_form = " ".join(short_words)
    long_index = len(long_form) - 1
    short_index = len(short_form) - 1
    while short_index >= 0:
        current_char = short_form[short_index].lower()
        if not current_char.isalnum():
            short_index -= 1
            continue
        while (long_index >= 0 and long_form[long_index].lower() != current_char) or (
            short_index == 0 and long_index > 0 and long_form[long_index - 1].isalnum()
        ):
            long_index -= 1
        if long_index < 0:
            return None
        long_index -= 1
        short_index -= 1
    long_index += 1
    word_lengths = 0
    for i, (word, space) in enumerate(zip(long_words, long_spaces)):
        word_lengths += len(word) + (1 if space else 0)
        if word_lengths > long_index:
            return i
    return 0  # scispaCy slices from None: the whole candidate


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
          shared, so abbreviations leaked from one document into the next),
          in the order found (the stock detector lists a set of Spans, in an
          order that changes from run to run), with each short form's
          ``long_form`` written where spaCy keeps it, not through ``span._``;
        - the candidates come from :func:`sentence_parentheses`, linear in
          the sentence length, not from the stock ``( + )`` Matcher, which
          yields every "(" paired with every later ")" (a sentence of 3,000
          parentheses: ~10 GB and a minute), and are filtered on the ORTH
          and SPACY columns, as token ranges (:func:`candidate_ranges`), and
          matched on the token strings (:func:`abbreviation_ranges`): Spans
          are made only for the abbreviations found;
        - the other occurrences of each short form are found on the Doc's ORTH
          column (:func:`occurrences`), not by the stock global Matcher, which
          makes a Token of every token of the Doc on every call.
        """

        def __call__(self, doc: Doc) -> Doc:
            doc._.abbreviations = []
            if not len(doc):
                return doc
            orths = token_column(doc, ORTH)
            matches = [(0, start + 1, end - 1) for start, end in _parentheses(doc, orths)]
            if not matches:
                return doc
            spaces = token_column(doc, SPACY)
            found = abbreviation_ranges(doc, orths, spaces, candidate_ranges(doc, orths, spaces, matches))
            abbreviations = []
            for (long_start, long_end), shorts in found:
                long_form = Span(doc, long_start, long_end)
                for start, end in dict.fromkeys(shorts):  # each short form once (the definition is found again)
                    short = Span(doc, start, end)
                    set_span_value(doc, short.start_char, short.end_char, "long_form", long_form)
                    abbreviations.append(short)
            doc._.abbreviations = abbreviations
            return doc

        def find_matches_for(self, filtered: list[tuple[Span, Span]], doc: Doc) -> list[tuple[Span, set[Span]]]:
            """scispaCy's ``find_matches_for``, same results in the same order."""
            candidates = [((long.start, long.end), (short.start, short.end)) for long, short in filtered]
            found = abbreviation_ranges(doc, doc.to_array(ORTH), doc.to_array(SPACY), candidates)
            return [(doc[start:end], {doc[s:e] for s, e in shorts}) for (start, end), shorts in found]

    return SentenceAbbreviationDetector(nlp, name)


def abbreviation_ranges(
    doc: Doc, orths: numpy.ndarray, spaces: numpy.ndarray, candidates: list[tuple[Range, Range]]
) -> list[tuple[Range, list[Range]]]:
    """scispaCy's ``find_matches_for`` on token ranges: each long form found,
    in first-found order, with its short forms (the defining one first, then
    its other occurrences by :func:`occurrences`). The Schwartz-Hearst match
    runs on the token strings (:func:`long_form_start`), not on Spans."""
    strings = doc.vocab.strings
    found: dict[Range, list[Range]] = {}
    by_text: dict[str, Range] = {}
    already_seen_short: set[str] = set()
    patterns: list[tuple[str, list[int]]] = []
    for (long_start, long_end), (short_start, short_end) in candidates:
        short_orths = orths[short_start:short_end].tolist()
        short_words = [strings[orth] for orth in short_orths]
        long_words = [strings[orth] for orth in orths[long_start:long_end].tolist()]
        long_spaces = spaces[long_start:long_end].tolist()
        first = long_form_start(long_words, long_spaces, short_words)
        if first is None or first >= len(long_words):
            continue  # no match, or an empty long form (scispaCy's ``if long`` is false for it)
        long_text = _joined(long_words[first:], long_spaces[first:])
        if long_text in by_text:
            continue
        short_text = _joined(short_words, spaces[short_start:short_end].tolist())
        if short_text in already_seen_short:
            continue
        already_seen_short.add(short_text)
        long_range = (long_start + first, long_end)
        by_text[long_text] = long_range
        found.setdefault(long_range, []).append((short_start, short_end))
        patterns.append((long_text, short_orths))
    for key, start, end in occurrences(doc, patterns, orths):
        found[by_text[key]].append((start, end))
    return list(found.items())


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
