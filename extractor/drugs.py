"""Which drug a mention belongs to: STS or another drug named nearby.

A quantity or result belongs to the drug closest to it in its sentence,
preferring one named before it (the usual "10 g of X" / "X 25%" order). With
no drug in the sentence it belongs to the paper's subject, STS.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from extractor.pipeline import DRUGS


def drug_positions(doc: Doc, sentence: Span) -> list[tuple[int, int, bool]]:
    """(start token, end token, is_sts) of the drug names in a sentence."""
    found: list[tuple[int, int, bool]] = []
    i = sentence.start
    while i < sentence.end:
        if doc[i]._.sts:
            j = i
            while j < sentence.end and doc[j]._.sts:
                j += 1
            found.append((i, j, True))
            i = j
        else:
            i += 1
    if DRUGS in doc.spans:
        found += [(s.start, s.end, False) for s in doc.spans[DRUGS] if sentence.start <= s.start < sentence.end]
    return sorted(found)


def belongs_to_other_drug(doc: Doc, span: Span, *, prefer_before: bool = True) -> bool:
    """True when the drug nearest to ``span`` in its sentence is not STS."""
    sentence = span.sent
    drugs = drug_positions(doc, sentence)
    if not any(not is_sts for *_, is_sts in drugs):
        return False
    best: tuple[float, bool] | None = None
    for start, end, is_sts in drugs:
        if end <= span.start:
            distance = span.start - end + 0.0
        elif start >= span.end:
            distance = start - span.end + (0.5 if prefer_before else 0.0)
        else:
            distance = 0.0
        if best is None or distance < best[0]:
            best = (distance, is_sts)
    return best is not None and not best[1]


def sentence_names_only_other_drugs(doc: Doc, span: Span) -> bool:
    """A sentence naming another drug and never STS (for outcomes)."""
    drugs = drug_positions(doc, span.sent)
    return bool(drugs) and not any(is_sts for *_, is_sts in drugs)
