"""Which drug a mention belongs to: STS or another drug named nearby.

A quantity or result belongs to the drug closest to it in its sentence,
preferring one named before it (the usual "10 g of X" / "X 25%" order). With
no drug in the sentence it belongs to the paper's subject, STS.
"""

from __future__ import annotations

import bisect

from spacy.tokens import Doc, Span

from extractor.mentions.doc_arrays import DocArrays, arrays_of
from extractor.nlp.drug_tagger import DRUGS
from extractor.nlp.extensions import doc_value


def drugs_in(doc: Doc, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(start token, end token, is_sts) of the drug names in the sentence of tokens
    [start, end), by its bounds (cached per Doc; a caller holding them makes no Span)."""
    cache = doc_value(doc, "drug_positions")
    if cache is None:
        cache = doc._.drug_positions = {}
    found = cache.get(start)
    if found is None:
        index = doc_value(doc, "drug_index")
        if index is None:  # every drug name of the document once, sorted: a sentence is a bisection
            index = sorted(
                [(name_start, name_end, True) for name_start, name_end in arrays_of(doc).sts_names()]
                + ([(s.start, s.end, False) for s in doc.spans[DRUGS]] if DRUGS in doc.spans else [])
            )
            doc._.drug_index = index
        low = bisect.bisect_left(index, (start, -1, False))
        high = bisect.bisect_left(index, (end, -1, False))
        found = cache[start] = index[low:high]
    return found


AFTER_WINDOW = 3
BEFORE_WINDOW = 4


def belongs_to_other_drug(
    doc: Doc, span: Span, *, prefer_before: bool = True, near_only: bool = False, after_window: int = AFTER_WINDOW
) -> bool:
    """True when the drug that owns ``span`` in its sentence is not STS.

    - A drug right next to the span owns it ("10 g of abatacept", "prednisone
      10 mg", "topical hydrocortisone"); route adjectives (``prefer_before=False``)
      look after themselves first.
    - Otherwise the nearest drug named before it does, except a companion named
      after STS ("STS was diluted with 1% lidocaine to 150 mg/mL"), which is
      skipped.
    - A drug after it joined by "with" is a companion too when STS is named before
      it ("STS was diluted to 150 mg/mL with lidocaine"); with no STS before, it is
      what was given ("samples were injected with CaHA"). With no owning drug the
      mention is STS's, the paper's subject.
    ``near_only`` (route nouns like "infusions") lets only an adjacent drug claim it.
    """
    sentence_start, sentence_end = arrays_of(doc).sentence_of(span.start)  # ``span.sent``'s bounds
    return other_drug_owns(
        doc,
        span.start,
        span.end,
        sentence_start,
        sentence_end,
        prefer_before=prefer_before,
        near_only=near_only,
        after_window=after_window,
    )


def other_drug_owns(
    doc: Doc,
    start: int,
    end: int,
    sentence_start: int,
    sentence_end: int,
    *,
    prefer_before: bool = True,
    near_only: bool = False,
    after_window: int = AFTER_WINDOW,
) -> bool:
    """:func:`belongs_to_other_drug` of tokens [start, end) in the sentence of
    tokens [sentence_start, sentence_end), by token indices (no Span made)."""
    drugs = drugs_in(doc, sentence_start, sentence_end)
    if all(is_sts for *_, is_sts in drugs):
        return False
    inside = [is_sts for d_start, d_end, is_sts in drugs if d_start < end and start < d_end]
    if inside:
        return not any(inside)
    after = sorted((d_start - end, is_sts) for d_start, _, is_sts in drugs if d_start >= end)
    columns = arrays_of(doc)
    before = sorted((start - d_end, is_sts, d_start) for d_start, d_end, is_sts in drugs if d_end <= start)
    sts_before = any(is_sts for _, is_sts, _ in before)
    near_after = [
        item[:2]
        for item in after
        if item[0] <= after_window
        and not (sts_before and not _COMPANION_WORDS.isdisjoint(columns.lower_of[end : end + item[0]]))
    ]
    near_before = [item[:2] for item in before if item[0] <= BEFORE_WINDOW]
    if near_only and near_before and near_before[0][0] == 0:
        return not near_before[0][1]  # a route noun's own drug right before it: "a levomepromazine infusion"
    nearest = (near_before or near_after) if prefer_before else (near_after or near_before)
    if nearest:
        return not nearest[0][1]
    if near_only:
        return False
    for _, is_sts, d_start in before:
        if is_sts:
            return False
        if not _is_companion(columns, sentence_start, d_start, drugs):
            return True
    return False


_COMPANION_WORDS = frozenset({"with", "in", "plus", "and", "combined"})


def _is_companion(columns: DocArrays, sentence_start: int, start: int, drugs: list[tuple[int, int, bool]]) -> bool:
    """Another drug introduced after STS by "with", "in", "plus": a diluent or co-agent."""
    lead = columns.lowers(max(sentence_start, start - 3), start)
    return not _COMPANION_WORDS.isdisjoint(lead) and any(is_sts and s < start for s, _, is_sts in drugs)


def treating_drugs(doc: Doc, sentence: Span, object_heads: frozenset[str]) -> list[tuple[int, int, bool]]:
    """The drug names of a sentence that name a treatment: a drug followed by one of
    ``object_heads`` is what a result is about ("decreased corticosteroid dependence")."""
    return _treating_drugs(doc, sentence.start, sentence.end, object_heads)


def _treating_drugs(
    doc: Doc, sentence_start: int, sentence_end: int, object_heads: frozenset[str]
) -> list[tuple[int, int, bool]]:
    drugs = drugs_in(doc, sentence_start, sentence_end)
    if not object_heads or not drugs:
        return list(drugs)
    lower = arrays_of(doc).lower_of
    return [
        (start, end, is_sts)
        for start, end, is_sts in drugs
        if is_sts or end >= sentence_end or lower[end] not in object_heads
    ]


def treating_drugs_between(
    doc: Doc, sentence_start: int, sentence_end: int, object_heads: frozenset[str]
) -> list[tuple[int, int, bool]]:
    """:func:`treating_drugs` of the sentence of tokens [sentence_start, sentence_end) (no Span)."""
    return _treating_drugs(doc, sentence_start, sentence_end, object_heads)


def sentence_names_only_other_drugs(doc: Doc, span: Span, object_heads: frozenset[str] = frozenset()) -> bool:
    """A sentence naming another drug as a treatment and never STS (for outcomes)."""
    drugs = _treating_drugs(doc, *arrays_of(doc).sentence_of(span.start), object_heads)  # ``span.sent``'s
    return bool(drugs) and not any(is_sts for *_, is_sts in drugs)


_CLAUSE_BREAKS = {";", "whereas", "while", "but", "although"}
_JOINS = {"and", "or"}
_MAY_BREAK = _CLAUSE_BREAKS | _JOINS


def _clause_bounds(doc: Doc, start: int, end: int, sentence_start: int, sentence_end: int) -> tuple[int, int]:
    """The clause of tokens [start, end) in its sentence: cut at semicolons,
    "whereas", "while", "but", and ", and" / ", or" joining two statements."""
    drug_starts = {d_start for d_start, _, _ in drugs_in(doc, sentence_start, sentence_end)}
    lower = arrays_of(doc).lower_of  # the token before a break is read too, for the ", and" test
    left = sentence_start
    for i in range(start - 1, sentence_start - 1, -1):
        if lower[i] in _MAY_BREAK and _breaks_clause(lower, i, drug_starts):
            left = i + 1
            break
    right = sentence_end
    for i in range(end, sentence_end):
        if lower[i] in _MAY_BREAK and _breaks_clause(lower, i, drug_starts):
            right = i
            break
    return left, right


def _breaks_clause(lower: list[str], i: int, drug_starts: set[int]) -> bool:
    """ ", and" before a drug name closes a list ("colchicine, and sodium
    thiosulfate"), not a clause (``lower``: the tokens' lower-case forms, by token index)."""
    word = lower[i]
    if word in _CLAUSE_BREAKS:
        return True
    return word in _JOINS and i > 0 and lower[i - 1] == "," and i + 1 not in drug_starts


def clause_names_only_other_drugs(doc: Doc, span: Span, object_heads: frozenset[str] = frozenset()) -> bool:
    """A result whose own clause names another drug and not STS belongs to that
    drug, even when another clause of the sentence names STS ("bisphosphonates
    have been used with some success for calcinosis, and intravenous STS has
    been described")."""
    sentence_start, sentence_end = arrays_of(doc).sentence_of(span.start)  # ``span.sent``'s bounds
    drugs = _treating_drugs(doc, sentence_start, sentence_end, object_heads)
    if not drugs:
        return False
    left, right = _clause_bounds(doc, span.start, span.end, sentence_start, sentence_end)
    inside = [is_sts for start, _, is_sts in drugs if left <= start < right]
    return bool(inside) and not any(inside)


def previous_drugs_of_drugless_sentence(doc: Doc, span: Span) -> list[tuple[int, int, bool]] | None:
    """The drugs the sentence before names (in the same paragraph), when the
    span's own sentence names none; None when there is no such sentence."""
    sentence_start, sentence_end = arrays_of(doc).sentence_of(span.start)  # ``span.sent``'s bounds
    if drugs_in(doc, sentence_start, sentence_end):
        return None
    return drugs_of_sentence_before(doc, sentence_start)


def drugs_of_sentence_before(doc: Doc, sentence_start: int) -> list[tuple[int, int, bool]] | None:
    """The drugs of the sentence before the one starting at token ``sentence_start``,
    when it is in the same paragraph; None when there is no such sentence (a caller
    that knows its own sentence names no drug asks this part only)."""
    if sentence_start == 0:
        return None
    columns = arrays_of(doc)
    gap = sentence_start - 1
    if columns.space[gap] and "\n" in columns.lower_of[gap]:
        return None  # a new paragraph
    return drugs_in(doc, *columns.sentence_of(gap))


def previous_sentence_credits_other_drug(doc: Doc, span: Span) -> bool:
    """A result sentence naming no drug follows, in the same paragraph, a
    sentence naming other drugs only: the result is theirs ("Hyperbaric oxygen
    was added. The wounds healed.")."""
    drugs = previous_drugs_of_drugless_sentence(doc, span)
    return drugs is not None and previous_drugs_credited(doc, arrays_of(doc).sentence_of(span.start)[0], drugs)


def previous_drugs_credited(doc: Doc, sentence_start: int, drugs: list[tuple[int, int, bool]]) -> bool:
    """:func:`previous_sentence_credits_other_drug` for the sentence starting at token
    ``sentence_start``, given ``drugs``, those of the sentence before (read once by a
    caller asking more of them)."""
    if not drugs or any(is_sts for *_, is_sts in drugs):
        return False
    columns = arrays_of(doc)
    previous_start = columns.sentence_of(sentence_start - 1)[0]
    # "it has been combined with cinacalcet": a companion of the subject, not the new subject
    return not all(
        not _COMPANION_WORDS.isdisjoint(columns.lower_of[max(previous_start, start - 2) : start])
        for start, _, _ in drugs
    )


_MEANS_WORDS = frozenset({"on", "with", "to", "after", "under"})


def result_of_named_other_drug(span: Span) -> bool:
    """A result followed by "on"/"with"/"after" and another drug's name is that drug's result."""
    i = span.end
    columns = arrays_of(span.doc)
    if i + 1 >= columns.sentence_of(span.start)[1]:  # ``span.sent.end``
        return False
    return columns.lower_of[i] in _MEANS_WORDS and i + 1 in columns.drug_at


def names_sts_next_to(span: Span) -> bool:
    """An STS name right before or after the route word ("sodium thiosulfate infusions")."""
    columns = arrays_of(span.doc)
    sentence_start, sentence_end = columns.sentence_of(span.start)  # ``span.sent``'s bounds
    sts = columns.sts_at
    return (span.start > sentence_start and span.start - 1 in sts) or (span.end < sentence_end and span.end in sts)
