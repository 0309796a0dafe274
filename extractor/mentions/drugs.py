"""Which drug a mention belongs to: STS or another drug named nearby.

A quantity or result belongs to the drug closest to it in its sentence,
preferring one named before it (the usual "10 g of X" / "X 25%" order). With
no drug in the sentence it belongs to the paper's subject, STS.
"""

from __future__ import annotations

import bisect

from spacy.tokens import Doc, Span

from extractor.mentions.doc_arrays import arrays_of
from extractor.nlp.drug_tagger import DRUGS
from extractor.nlp.extensions import doc_value


def drug_positions(doc: Doc, sentence: Span) -> list[tuple[int, int, bool]]:
    """(start token, end token, is_sts) of the drug names in a sentence (cached per Doc)."""
    cache = doc_value(doc, "drug_positions")
    if cache is None:
        cache = doc._.drug_positions = {}
    if sentence.start not in cache:
        index = doc_value(doc, "drug_index")
        if index is None:  # every drug name of the document once, sorted: a sentence is a bisection
            index = sorted(
                [(e.start, e.end, True) for e in doc.ents if e.label_ == "STS"]
                + ([(s.start, s.end, False) for s in doc.spans[DRUGS]] if DRUGS in doc.spans else [])
            )
            doc._.drug_index = index
        low = bisect.bisect_left(index, (sentence.start, -1, False))
        high = bisect.bisect_left(index, (sentence.end, -1, False))
        cache[sentence.start] = index[low:high]
    return cache[sentence.start]


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
    - A drug after it joined by "with" is a companion too ("diluted to 150 mg/mL
      with lidocaine"); with no owning drug the mention is STS's, the paper's subject.
    ``near_only`` (route nouns like "infusions") lets only an adjacent drug claim it.
    """
    sentence = span.sent
    drugs = drug_positions(doc, sentence)
    if not any(not is_sts for *_, is_sts in drugs):
        return False
    inside = [is_sts for start, end, is_sts in drugs if start < span.end and span.start < end]
    if inside:
        return not any(inside)
    after = sorted((start - span.end, is_sts) for start, _, is_sts in drugs if start >= span.end)
    columns = arrays_of(doc)
    before = sorted((span.start - end, is_sts, start) for start, end, is_sts in drugs if end <= span.start)
    near_after = [
        item[:2]
        for item in after
        if item[0] <= after_window
        and not any(word in _COMPANION_WORDS for word in columns.lowers(span.end, span.end + item[0]))
    ]
    near_before = [item[:2] for item in before if item[0] <= BEFORE_WINDOW]
    if near_only and near_before and near_before[0][0] == 0:
        return not near_before[0][1]  # a route noun's own drug right before it: "a levomepromazine infusion"
    nearest = (near_before or near_after) if prefer_before else (near_after or near_before)
    if nearest:
        return not nearest[0][1]
    if near_only:
        return False
    for _, is_sts, start in before:
        if is_sts:
            return False
        if not _is_companion(doc, sentence, start, drugs):
            return True
    return False


_COMPANION_WORDS = {"with", "in", "plus", "and", "combined"}


def _is_companion(doc: Doc, sentence: Span, start: int, drugs: list[tuple[int, int, bool]]) -> bool:
    """Another drug introduced after STS by "with", "in", "plus": a diluent or co-agent."""
    lead = doc[max(sentence.start, start - 3) : start]
    return any(t.lower_ in _COMPANION_WORDS for t in lead) and any(is_sts and s < start for s, _, is_sts in drugs)


def treating_drugs(doc: Doc, sentence: Span, object_heads: frozenset[str]) -> list[tuple[int, int, bool]]:
    """The drug names of a sentence that name a treatment: a drug followed by one of
    ``object_heads`` is what a result is about ("decreased corticosteroid dependence")."""
    return [
        (start, end, is_sts)
        for start, end, is_sts in drug_positions(doc, sentence)
        if is_sts or end >= sentence.end or doc[end].lower_ not in object_heads
    ]


def sentence_names_only_other_drugs(doc: Doc, span: Span, object_heads: frozenset[str] = frozenset()) -> bool:
    """A sentence naming another drug as a treatment and never STS (for outcomes)."""
    drugs = treating_drugs(doc, span.sent, object_heads)
    return bool(drugs) and not any(is_sts for *_, is_sts in drugs)


_CLAUSE_BREAKS = {";", "whereas", "while", "but", "although"}


def clause_of(span: Span) -> Span:
    """The clause of ``span`` in its sentence: cut at semicolons, "whereas",
    "while", "but", and ", and" / ", or" joining two statements."""
    sentence = span.sent
    doc = span.doc
    drug_starts = {start for start, _, _ in drug_positions(doc, sentence)}
    # the sentence's lower-case forms, one token before it for the ", and" test
    first = max(sentence.start - 1, 0)
    lower = dict(enumerate(arrays_of(doc).lowers(first, sentence.end), first))
    left = sentence.start
    for i in range(span.start - 1, sentence.start - 1, -1):
        if _breaks_clause(lower, i, drug_starts):
            left = i + 1
            break
    right = sentence.end
    for i in range(span.end, sentence.end):
        if _breaks_clause(lower, i, drug_starts):
            right = i
            break
    return doc[left:right]


def _breaks_clause(lower: dict[int, str], i: int, drug_starts: set[int]) -> bool:
    """ ", and" before a drug name closes a list ("colchicine, and sodium
    thiosulfate"), not a clause (``lower``: the tokens' lower-case forms, by token index)."""
    word = lower[i]
    if word in _CLAUSE_BREAKS:
        return True
    return word in {"and", "or"} and i > 0 and lower[i - 1] == "," and i + 1 not in drug_starts


def clause_names_only_other_drugs(doc: Doc, span: Span, object_heads: frozenset[str] = frozenset()) -> bool:
    """A result whose own clause names another drug and not STS belongs to that
    drug, even when another clause of the sentence names STS ("bisphosphonates
    have been used with some success for calcinosis, and intravenous STS has
    been described")."""
    clause = clause_of(span)
    drugs = [
        (start, is_sts)
        for start, end, is_sts in treating_drugs(doc, span.sent, object_heads)
        if clause.start <= start < clause.end
    ]
    return bool(drugs) and not any(is_sts for _, is_sts in drugs)


def previous_drugs_of_drugless_sentence(doc: Doc, span: Span) -> list[tuple[int, int, bool]] | None:
    """The drugs the sentence before names (in the same paragraph), when the
    span's own sentence names none; None when there is no such sentence."""
    sentence = span.sent
    if drug_positions(doc, sentence) or sentence.start == 0:
        return None
    gap = doc[sentence.start - 1]
    if gap.is_space and "\n" in gap.text:
        return None  # a new paragraph
    return drug_positions(doc, gap.sent)


def previous_sentence_credits_other_drug(doc: Doc, span: Span) -> bool:
    """A result sentence naming no drug follows, in the same paragraph, a
    sentence naming other drugs only: the result is theirs ("Hyperbaric oxygen
    was added. The wounds healed.")."""
    drugs = previous_drugs_of_drugless_sentence(doc, span)
    if drugs is None:
        return False
    previous = doc[span.sent.start - 1].sent
    if not drugs or any(is_sts for *_, is_sts in drugs):
        return False
    # "it has been combined with cinacalcet": a companion of the subject, not the new subject
    return not all(
        any(t.lower_ in _COMPANION_WORDS for t in doc[max(previous.start, start - 2) : start]) for start, _, _ in drugs
    )


_MEANS_WORDS = frozenset({"on", "with", "to", "after", "under"})


def result_of_named_other_drug(span: Span) -> bool:
    """A result followed by "on"/"with"/"after" and another drug's name is that drug's result."""
    doc = span.doc
    i = span.end
    if i + 1 >= span.sent.end or doc[i].lower_ not in _MEANS_WORDS:
        return False
    following = doc[i + 1]
    return following.ent_type_ == "DRUG"


def names_sts_next_to(span: Span) -> bool:
    """An STS name right before or after the route word ("sodium thiosulfate infusions")."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > span.sent.start else None
    after = doc[span.end] if span.end < span.sent.end else None
    return any(token is not None and token.ent_type_ == "STS" for token in (before, after))
