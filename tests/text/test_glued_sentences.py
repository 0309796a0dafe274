"""Scraped abstracts lose the space after a full stop ("neonates.Purpose"): the
sentences are still two, so a cue of one does not colour the other."""

from __future__ import annotations

from extractor.text.structure import analyse


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in analyse(text).sentences]


def test_a_sentence_glued_to_the_next_is_split():
    # realtext/dev r18, a hospital-pharmacy congress abstract
    text = (
        "The therapeutic approach is not clearly established, particularly in neonates.PurposeTo treat calcinosis "
        "cutis in a topical non-invasive way in two premature neonates and to describe their clinical evolution."
    )
    assert sentences(text) == [
        "The therapeutic approach is not clearly established, particularly in neonates.",
        "PurposeTo treat calcinosis cutis in a topical non-invasive way in two premature neonates and to describe "
        "their clinical evolution.",
    ]


def test_a_glued_instruction_splits_but_a_decimal_does_not():
    # realtext/sealed s01, a dialysis-unit protocol
    text = (
        "Infuse into venous limb of dialysis circuit.Flush giving set with 0.9% sodium chloride once vial empty to "
        "ensure full dose is given."
    )
    assert sentences(text) == [
        "Infuse into venous limb of dialysis circuit.",
        "Flush giving set with 0.9% sodium chloride once vial empty to ensure full dose is given.",
    ]


def test_a_lower_case_domain_is_not_a_sentence_end():
    text = "The protocol is at www.renal.org for units."  # a mechanism check, not real text
    assert sentences(text) == [text]
