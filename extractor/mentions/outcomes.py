"""Outcome spans and categories beyond what a single rule can say.

- widening: a result phrase takes in its count and percentage from the same
  clause ("19 (68%) had clinical improvement", "7 had NR to TST (25%)");
- coordination: "success rates of 78% and 20%" and "reduced by 67% by week 4
  and by 90% by week 12" state a second result with the same phrase;
- symptoms: "improvement in pain" is symptom relief, not lesion response;
- rates: a rate's category follows its value and the paper's definition of
  success (complete resolution, when the paper says so).
"""

from __future__ import annotations

import re

from extractor.mentions.quantities import NUMBER, category_by_value, percent_in

_COUNT_WORD = r"(?:\d+(?:/\d+)?|[A-Za-z]+(?:-[a-z]+)?)"
_GROUP = r"(?:patients?|lesions?|cases?|nodules?|subjects?|participants?)"
_LEFT_COUNT = re.compile(
    rf"(?:\b{_COUNT_WORD}\s+(?:(?:out\s+)?of\s+(?:the\s+)?\d+\s+)?(?:{_GROUP}\s+)?"
    rf"\(\s*{NUMBER}\s*%\s*\)\s*(?:of\s+(?:the\s+)?{_GROUP}\s+)?"
    rf"|\b{_COUNT_WORD}\s+(?:out\s+)?of\s+(?:the\s+)?\d+\s+(?:{_GROUP}\s+)?"
    rf"|\b\d+\s+(?:{_GROUP}\s+)?"
    rf"|\b{NUMBER}\s*%\s+(?:of\s+(?:the\s+)?{_GROUP}\s+)?)"
    rf"(?:had|have|has|experienced|experiencing|showed|showing|achieved|achieving|reported|were|was)?\s*(?:an?\s+)?$"
)
_RIGHT_RATE = re.compile(
    rf"^(?:\s+(?:to|with|on)\s+\w+)?\s*\(\s*(?:\d+\s+of\s+\d+,?\s*)?{NUMBER}\s*%(?:\s+of\s+(?:the\s+)?{_GROUP})?\s*\)"
    rf"|^(?:\s+(?!in\b)[A-Za-z-]+){{0,5}}?\s+in\s+(?:a\s+further\s+|another\s+|the\s+remaining\s+)?"
    rf"(?:{_COUNT_WORD}\s+(?:out\s+)?of\s+(?:the\s+)?\d+(?:\s+{_GROUP})?(?:\s*\(\s*{NUMBER}\s*%\s*\))?"
    rf"|\d+\s*\(\s*{NUMBER}\s*%\s*\)"
    rf"|\d+\s*/\s*\d+(?:\s*\(\s*{NUMBER}\s*%\s*\))?(?:\s+{_GROUP})?"
    rf"|{NUMBER}\s*%(?:\s+of\s+(?:the\s+)?(?:evaluable\s+|treated\s+)?{_GROUP})?)"
)
_DIGIT = re.compile(r"\d")  # every _LEFT_COUNT match holds a digit (a count or a percentage)
_COORDINATED_RATE = re.compile(
    rf"^\s*(?:(?:by|at|in|after)\s+(?:week|month|day|year)s?\s+\d+\s*)?,?\s*(?:and|or|compared\s+with|versus|vs\.?|against|\()\s*(?:by\s+|of\s+|to\s+)?({NUMBER})\s*%"
)
_SYMPTOM_AFTER = re.compile(r"^\s*(?:in|of)?\s*(?:her|his|their|the|overall)?\s*(\w+)(?:\s+(\w+))?", re.IGNORECASE)
_SUCCESS_DEFINITION = re.compile(
    r"success[^.]{0,80}?(?:grad|defin|consider|determin)[^.]{0,120}?complete (?:response|resolution|remission|clearance)"
    r"|complete (?:response|resolution|remission|clearance)[^.]{0,80}?(?:defined|considered|graded) as (?:a )?success",
    re.IGNORECASE,
)
RELABEL_RULES = {"outcome.improvement", "outcome.diminution", "outcome.relief_of_lesions"}


def widen_with_rate(
    text: str, start: int, end: int, sentence_start: int, sentence_end: int
) -> tuple[int, int, float | None]:
    """Take in the count/percentage stated next to the result in the same clause
    (and the same table cell: widening never crosses a tab); with the percentage
    of the widened text (``percent_in``), which the widening reads anyway."""
    sentence_start = max(sentence_start, text.rfind("\t", sentence_start, start) + 1)
    tab = text.find("\t", end, sentence_end)
    sentence_end = tab if tab != -1 else sentence_end
    left_text = text[sentence_start:start]
    # the count pattern opens with \b and is tried at every position: a text without a digit is not searched
    match = _LEFT_COUNT.search(left_text) if _DIGIT.search(left_text) else None
    if match and match.group(0).strip():
        start = sentence_start + match.start()
    right_text = text[end:sentence_end]
    value = percent_in(text[start:end])
    if value is None:
        right = _RIGHT_RATE.match(right_text)
        if right:
            end = end + right.end()
            value = percent_in(text[start:end])
    return start, end, value


def coordinated_rates(text: str, end: int, sentence_end: int) -> list[tuple[int, int, float]]:
    """Further "and 20%" rates that follow a rate phrase ending at ``end``."""
    found: list[tuple[int, int, float]] = []
    cursor = end
    while True:
        match = _COORDINATED_RATE.match(text[cursor:sentence_end])
        if not match:
            return found
        value_start = cursor + match.start(1)
        value_end = cursor + match.end(0)
        found.append((value_start, value_end, float(match.group(1))))
        cursor = value_end


_OBJECT_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
_OBJECT_STOPS = frozenset(
    [
        "and",
        "or",
        "with",
        "in",
        "at",
        "after",
        "by",
        "of",
        "to",
        "within",
        "over",
        "during",
        "from",
        "for",
        "was",
        "were",
        "is",
        "are",
        "had",
        "has",
    ]
)


def _object_head(text: str) -> str | None:
    """The head noun of the object after "in"/"of" ("of the wound-associated pain" → "pain"):
    the last word before a preposition, conjunction, verb or punctuation, at most five words in."""
    words = _OBJECT_WORD.findall(text[:120])
    if not words or words[0].lower() not in ("in", "of"):
        return None
    head = None
    for word in words[1:6]:
        if not (word[0].isalnum()) or word.lower() in _OBJECT_STOPS:
            break
        head = word
    return head.lower().rsplit("-", 1)[-1] if head else None


def symptom_category(text: str, end: int, sentence_end: int, symptom_words: frozenset[str]) -> bool:
    """True when the phrase's object is a symptom ("improvement in pain", "improvement
    of the wound-associated pain"): one of its first two words, or its head noun."""
    after = text[end:sentence_end]
    match = _SYMPTOM_AFTER.match(after)
    if match is not None and any((word or "").lower() in symptom_words for word in match.groups()):
        return True
    return _object_head(after) in symptom_words


def success_means_complete(text: str) -> bool:
    """The paper defines treatment success as complete resolution."""
    return bool(_SUCCESS_DEFINITION.search(text))


def rate_category(value: float | None, *, success_is_complete: bool, is_success_rate: bool) -> str:
    if is_success_rate and success_is_complete and value is not None and value > 0:
        return "complete_response"
    return category_by_value(value)
