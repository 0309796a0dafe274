"""``spacy_text`` blanks line breaks, braces, carets and superscript markers
with ``str.replace`` and a marker-first pattern; it must equal the
``str.translate`` and look-behind-first version it replaced."""

from __future__ import annotations

import random
import re

from extractor.nlp.tokenizer import spacy_text
from extractor.text.markup import blank_tags

TRANSLATION = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\x0b": " ", "\x0c": " ", "^": " ", "{": " ", "}": " "})
MARKER = re.compile(r"(?<![mM])[⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ]")
PIECES = list("mMx ¹²³⁴ᵃᵇᶻ\n\r\t\x0b\x0c^{}<>ab1.") + ["<sup>", "</sup>", "mg/m²", "é", "–", "m¹²", "M²"]


def test_spacy_text_equals_the_translation():
    rng = random.Random(5)
    for _ in range(30000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 20)))
        assert spacy_text(text) == MARKER.sub(" ", blank_tags(text)).translate(TRANSLATION), repr(text)
