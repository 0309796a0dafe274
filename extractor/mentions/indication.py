"""What sodium thiosulfate treats in a document, and where it treats something else.

STS is also an antidote (cyanide, nitroprusside), an otoprotectant given with
cisplatin, a lotion for pityriasis versicolor, a local antidote after
chemotherapy extravasation and a kidney-stone treatment. Their doses and
routes read exactly like a calcinosis paper's, so the gate works on what the
text says STS is for, not on how it is given. Cue words are data
(``patterns/indications.jsonl``): each names an indication (calcification or
other) and a strength.

- A document is ``no_sts`` when STS is never named; ``calcification`` when a
  strong calcification cue (calcinosis, calciphylaxis, dystrophic or
  soft-tissue calcification) occurs; ``other`` when STS is named with other
  uses' cues and no such calcification cue, or when the title names STS with
  another use only (a passing mention of calciphylaxis in the background of a
  coronary-calcification trial does not make it a calcification paper). A document with STS and no cue at
  all is ``other``: a page that never names a calcification (an aquarium
  dechlorinator, a photographic fixer) is not about treating one.
- Inside a calcification document, a paragraph or a sentence that names a strong other use and no calcification is the other
  use's text (a review covering several uses, a background sentence on
  cyanide): its mentions are out of scope. So is a drug monograph's use
  heading and the dosing lines under it ("Cyanide Poisoning" / "12.5 g IV
  ..."), up to the next line naming a calcification or the next blank line.
- Weak cues never remove text: plain "calcifications" keeps a paragraph but
  does not make a document; "vascular calcification" makes a document other
  only when nothing names skin calcification (calciphylaxis papers mention it).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from extractor.rules.loader import RegexRule, alternation
from extractor.rules.prefilter import folded, scanner
from extractor.text.scope import KEYWORD_LINE
from extractor.text.structure import Structure, paragraphs

CALCIFICATION, OTHER, NO_STS = "calcification", "other", "no_sts"
AIM_SENTENCE = re.compile(
    r"\b(?:we|this study|the present study|the current study|our study)\s+"
    r"(?:aimed|aims|proposed|propose|sought|seek|hypothesi[sz]ed|set out|investigated|evaluated|examined|tested)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    indication: str
    strong: bool


@dataclass
class Indication:
    """The document's indication, the sentence that decided it, and the ranges
    of a calcification document that are about another use of STS."""

    kind: str
    sentence: str = ""
    other_ranges: list[tuple[int, int]] = field(default_factory=list)

    def other_at(self, start: int, end: int) -> bool:
        return self.kind == OTHER or any(a < end and start < b for a, b in self.other_ranges)


def find_cues(text: str, rules: list[RegexRule]) -> list[Cue]:
    """Every cue, with calcification cues inside another use's phrase dropped
    ("calcification" in "coronary artery calcification"). A rule none of whose
    required words occurs in the text is not searched, the others are tried only
    near their anchor words (:class:`~extractor.rules.prefilter.Scanner`)."""
    lowered = folded(text)
    return _kept([cue for rule in rules for cue in _rule_cues(rule, text, lowered)])


def _rule_cues(rule: RegexRule, text: str, lowered: str | None) -> list[Cue]:
    """The cues of one rule (``lowered``: :func:`folded` of ``text``)."""
    indication, strong = rule.data["indication"], rule.data["strength"] == "strong"
    return [Cue(m.start(), m.end(), indication, strong) for m in scanner(rule.regex).finditer(text, lowered)]


def _kept(cues: list[Cue]) -> list[Cue]:
    """The cues in text order, without the calcification cues inside another use's phrase."""
    others = [c for c in cues if c.indication == OTHER]
    if not others:
        return sorted(cues, key=lambda c: c.start)
    return sorted(
        (c for c in cues if c.indication == OTHER or not any(o.start < c.end and c.start < o.end for o in others)),
        key=lambda c: c.start,
    )


def _cues_in(cues: list[Cue], starts: list[int], start: int, end: int) -> list[Cue]:
    return cues[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]


def _is_other_use(found: list[Cue]) -> bool:
    """Names a strong other use and no calcification at all."""
    return any(c.indication == OTHER and c.strong for c in found) and not any(
        c.indication == CALCIFICATION for c in found
    )


def decide_indication(
    structure: Structure,
    sts_offsets: list[int],
    rules: list[RegexRule],
    listing_headings: frozenset[str] = frozenset(),
) -> Indication:
    """The document's indication and its other-use ranges (see the module doc)."""
    if not sts_offsets:
        return Indication(NO_STS)
    text = structure.text
    lowered = folded(text)
    # whether another use is named first: without it no calcification cue is dropped and
    # no range of the document can be another use's (a search stops at its first match,
    # and the cues' positions are read only in a document that names one)
    if not any(scanner(rule.regex).search(text, lowered) for rule in rules if rule.data["indication"] == OTHER):
        return _calcification_only(structure, sts_offsets, rules, lowered)
    cues = _kept([cue for rule in rules for cue in _rule_cues(rule, text, lowered)])
    starts = [c.start for c in cues]
    strong_calc = [c for c in cues if c.indication == CALCIFICATION and c.strong]
    other = [c for c in cues if c.indication == OTHER]
    if other and (not strong_calc or _title_cues(structure, cues, sts_offsets) == OTHER):
        return Indication(OTHER, _deciding_sentence(structure, [c.start for c in other], sts_offsets))
    ranges = []
    if any(c.strong for c in other):  # a weak other use ("vascular calcification") never removes text
        for start, end in _units(structure):
            if _is_other_use(_cues_in(cues, starts, start, end)):
                ranges.append((start, end))
        ranges += _use_heading_ranges(structure, cues, starts)
        ranges += _listing_ranges(structure, listing_headings)
    deciding = _deciding_sentence(structure, [c.start for c in strong_calc], sts_offsets)
    return Indication(CALCIFICATION, deciding, sorted(ranges))


def _calcification_only(
    structure: Structure, sts_offsets: list[int], rules: list[RegexRule], lowered: str | None
) -> Indication:
    """The indication of a document that names no other use: calcification when a
    calcification cue occurs, decided by the strong cues' positions alone."""
    text = structure.text
    strong = sorted(
        m.start()
        for rule in rules
        if rule.data["indication"] == CALCIFICATION and rule.data["strength"] == "strong"
        for m in scanner(rule.regex).finditer(text, lowered)
    )
    if not strong and not any(
        scanner(rule.regex).search(text, lowered) for rule in rules if rule.data["indication"] == CALCIFICATION
    ):
        return Indication(OTHER, _first_sentence_naming_sts(structure, sts_offsets))
    return Indication(CALCIFICATION, _deciding_sentence(structure, strong, sts_offsets), [])


USE_HEADING_MAX_WORDS = 8
LISTING_END_MAX_WORDS = 5


def _listing_ranges(structure: Structure, headings: frozenset[str]) -> list[tuple[int, int]]:
    """A mixed monograph's product listing ("Dosage Forms" / "Generic: 10% [100
    mg/mL] (10 mL [DSC]) ..."): from its heading to the next heading-like line
    (short, capitalised, no digits, no colon or full stop at its end)."""
    ranges: list[tuple[int, int]] = []
    opened: int | None = None
    for line in structure.lines:
        text = line.text.strip()
        if not text:
            continue
        if text.lower() in headings:
            opened = line.start if opened is None else opened
            continue
        if opened is not None and _ends_listing(text):
            ranges.append((opened, line.start))
            opened = None
    if opened is not None and structure.lines:
        ranges.append((opened, structure.lines[-1].end))
    return ranges


def _ends_listing(text: str) -> bool:
    return (
        text[:1].isupper()
        and len(text.split()) <= LISTING_END_MAX_WORDS
        and not any(char.isdigit() for char in text)
        and not text.endswith((":", "."))
    )


def _use_heading_ranges(structure: Structure, cues: list[Cue], starts: list[int]) -> list[tuple[int, int]]:
    """A monograph lists its uses as short headings with the dosing under them
    ("Cyanide Poisoning" / "12.5 g IV (infuse over 10-20 minutes)"): a heading
    naming a strong other use owns the lines that follow, up to the next line
    naming a calcification ("Calciphylaxis: 25 g IV ...") or the first blank
    line after them."""
    ranges: list[tuple[int, int]] = []
    opened: int | None = None
    body_lines = 0
    for line in structure.lines:
        if line.is_blank:
            if opened is not None and body_lines:
                ranges.append((opened, line.start))
                opened = None
            continue
        found = _cues_in(cues, starts, line.start, line.end)
        if any(c.indication == CALCIFICATION for c in found):
            if opened is not None:
                ranges.append((opened, line.start))
                opened = None
            continue
        label_end = line.start + _label_length(line.text)
        if any(c.indication == OTHER and c.strong and c.start < label_end for c in found):
            opened = line.start if opened is None else opened
            body_lines = 0
        elif opened is not None:
            body_lines += 1
    if opened is not None and structure.lines:
        ranges.append((opened, structure.lines[-1].end))
    return ranges


def _label_length(text: str) -> int:
    """The heading part of a line: the whole of a short line without a final
    period, or a run-in label before a colon ("Mechlorethamine extravasation: 2 mL
    ..."); 0 for running text."""
    label = text.split(":", 1)[0] if ":" in text else text
    words = label.split()
    if not words or len(words) > USE_HEADING_MAX_WORDS or label.rstrip().endswith("."):
        return 0
    return len(label)


def _names_sts(sts_offsets: list[int], start: int, end: int) -> bool:
    k = bisect.bisect_left(sts_offsets, start)
    return k < len(sts_offsets) and sts_offsets[k] < end


def _first_sentence_naming_sts(structure: Structure, sts_offsets: list[int]) -> str:
    return next(
        (" ".join(structure.text[a:b].split()) for a, b in structure.sentences if _names_sts(sts_offsets, a, b)), ""
    )


TITLE_SEARCH_LINES = 6  # a scraped page opens with journal and section lines before the title


def _title_cues(structure: Structure, cues: list[Cue], sts_offsets: list[int]) -> str | None:
    """OTHER when the title names STS with another use and no calcification
    ("Sodium thiosulfate delays the progression of coronary artery calcification
    ...", "Cardiac Protection by Oral Sodium Thiosulfate in a Rat Model of ...
    Heart Disease"), and so does the paper's own aim ("We proposed a rat model
    to evaluate whether STS has any possible beneficial effect on calcium
    nephrolithiasis"): what a paper is about is said there, a passing mention
    of calciphylaxis in its background does not make it a calciphylaxis paper.
    The title is the first short line naming STS among the page's first lines."""
    head = [line for line in structure.lines if not line.is_blank][:TITLE_SEARCH_LINES]
    title = next(
        (
            line
            for line in head
            if len(line.text) <= 300
            and not KEYWORD_LINE.match(line.text)
            and _names_sts(sts_offsets, line.start, line.end)
        ),
        None,
    )
    if title is not None and {c.indication for c in cues if title.start <= c.start < title.end} == {OTHER}:
        return OTHER
    sentence_starts = [start for start, _ in structure.sentences]
    for aim in AIM_SENTENCE.finditer(structure.text):
        k = bisect.bisect_right(sentence_starts, aim.start()) - 1
        if k < 0:
            continue
        start, end = structure.sentences[k]
        if aim.end() <= end and _names_sts(sts_offsets, start, end):
            if {c.indication for c in cues if start <= c.start < end} == {OTHER}:
                return OTHER
    return None


def _units(structure: Structure) -> list[tuple[int, int]]:
    """Paragraphs and sentences: each is judged by its own cues."""
    return paragraphs(structure) + list(structure.sentences)


def _deciding_sentence(structure: Structure, starts: list[int], sts_offsets: list[int]) -> str:
    """The first sentence naming STS and a deciding cue (``starts``: the cues'
    offsets, in order), else the first with a cue."""
    if not starts:
        return ""
    text = structure.text
    fallback = ""
    for start, end in structure.sentences:
        k = bisect.bisect_left(starts, start)
        if k == len(starts) or starts[k] >= end:
            continue
        sentence = " ".join(text[start:end].split())
        if _names_sts(sts_offsets, start, end):
            return sentence
        fallback = fallback or sentence
    return fallback


def other_use_object(rules: list[RegexRule]) -> re.Pattern[str] | None:
    """A pattern for a result whose object is another use's finding: "regression of
    vascular calcification", "gradual vascular calcification regression" (the
    result phrase itself must be cut out of the text first: see ``is_about_other_use``)."""
    other = [rule for rule in rules if rule.data["indication"] == OTHER]
    if not other:
        return None
    cue = alternation(other)
    return re.compile(rf"^\s*(?:of|in)\s+(?:the\s+)?(?:\w+\s+)?(?:{cue})|(?:{cue})\s*$")


def other_use_windows(text: str, start: int, end: int) -> tuple[str, str]:
    """The stretches after and before a result phrase that :func:`is_about_other_use` reads."""
    return text[end : end + 80], text[max(0, start - 60) : start]


def is_about_other_use(pattern: re.Pattern[str] | None, text: str, start: int, end: int) -> bool:
    """The words right after a result phrase ("of vascular calcification") or right
    before it ("vascular calcification regression") name another use."""
    if pattern is None:
        return False
    after, before = other_use_windows(text, start, end)
    return bool(pattern.match(after)) or bool(pattern.search(before))
