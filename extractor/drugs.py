"""Which drug a mention belongs to: STS or another drug named nearby.

A quantity or result belongs to the drug closest to it in its sentence,
preferring one named before it (the usual "10 g of X" / "X 25%" order). With
no drug in the sentence it belongs to the paper's subject, STS.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from extractor.pipeline import DRUGS, is_sts


def drug_positions(doc: Doc, sentence: Span) -> list[tuple[int, int, bool]]:
    """(start token, end token, is_sts) of the drug names in a sentence."""
    found: list[tuple[int, int, bool]] = []
    i = sentence.start
    while i < sentence.end:
        if is_sts(doc[i]):
            j = i
            while j < sentence.end and is_sts(doc[j]):
                j += 1
            found.append((i, j, True))
            i = j
        else:
            i += 1
    if DRUGS in doc.spans:
        found += [(s.start, s.end, False) for s in doc.spans[DRUGS] if sentence.start <= s.start < sentence.end]
    return sorted(found)


AFTER_WINDOW = 3


def belongs_to_other_drug(doc: Doc, span: Span, *, prefer_before: bool = True) -> bool:
    """True when the drug that owns ``span`` in its sentence is not STS.

    A drug right after the span ("10 g of abatacept", "topical hydrocortisone")
    owns it; otherwise the nearest drug named before it does ("STS—10 g ...,
    followed by 15 g ... with abatacept" stays STS). Route adjectives
    (``prefer_before=False``) look after themselves first.
    """
    sentence = span.sent
    drugs = drug_positions(doc, sentence)
    if not any(not is_sts for *_, is_sts in drugs):
        return False
    after = [(start - span.end, is_sts) for start, _, is_sts in drugs if start >= span.end]
    before = [(span.start - end, is_sts) for _, end, is_sts in drugs if end <= span.start]
    inside = [is_sts for start, end, is_sts in drugs if start < span.end and span.start < end]
    if inside:
        return not any(inside)
    near_after = [item for item in after if item[0] <= AFTER_WINDOW]
    if near_after and (not prefer_before or not before or min(near_after)[0] <= min(before)[0]):
        return not min(near_after)[1]
    if before:
        return not min(before)[1]
    return bool(after) and not min(after)[1] and not prefer_before


def sentence_names_only_other_drugs(doc: Doc, span: Span) -> bool:
    """A sentence naming another drug and never STS (for outcomes)."""
    drugs = drug_positions(doc, span.sent)
    return bool(drugs) and not any(is_sts for *_, is_sts in drugs)
