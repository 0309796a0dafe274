"""Route candidates: is the route word about STS, and is it the most specific one?

"topical hydrocortisone" and "IV immunoglobulin" name another drug's route;
"topical cream", "intralesional form" and "topical, intradermal, and
intravenous." (a list in an STS sentence) are STS routes. "Intradermal STS
injections" is one route, the adjective: a bare injection word yields to a
more specific route word just before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from extractor.mentions.doc_arrays import DocArrays, arrays_of
from extractor.mentions.drugs import (
    drugs_in,
    other_drug_owns,
    previous_sentence_credits_other_drug,
)
from extractor.nlp.tokenizer import raw_text
from extractor.rules.loader import Lexicons

GENERIC_CATEGORIES = {"injection"}
ADJECTIVE_RULES_SKIP_HEAD_CHECK = {
    "route.injection",
    "route.infusion",
    "route.intralesional_phrase",
    "route.subcutaneous",
}
_ADVERBIAL_OPENERS = {"by", "via", "through", "into"}  # "receiving this medication by vein" modifies the verb
ROUTE_DRUG_WINDOW = 6  # "topical preparation, 25% topical sodium metabisulfite"
_COORDINATION = {",", "and", "or", "and/or", "/", "vs", "versus", "nor", "to"}
_ADJECTIVE_ENDINGS = ("al", "ic", "ous", "ive")
_NUMBER_RANGE = re.compile(r"^\d+(?:[.,]\d+)?(?:[–-]\d+(?:[.,]\d+)?)?$")  # "10–25" in "topical 10–25% STS"
_SITE_WORDS = {"into", "inside", "in", "within"}
_AMOUNT_UNITS = {"g", "gm", "gms", "gram", "grams", "mg", "ml"}
_GLUED_AMOUNT = re.compile(r"^\d+(?:[.,]\d+)?(?:g|gm|mg|ml)$", re.IGNORECASE)


class Route(NamedTuple):
    """A route candidate as token indices, read off its Span once: the filters
    below look at the tokens around it in columns, not Token objects."""

    span: Span
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    rule_id: str
    adverb: bool  # "topically": an adverb says how the verb was done


def _route(columns: DocArrays, span: Span) -> Route:
    """The candidate's indices, its sentence's bounds (no sentence Span) and
    whether it is an adverb, read once for every filter below."""
    start, end = span.start, span.end
    sentence_start, sentence_end = columns.sentence_of(start)
    last = columns.lower_of[end - 1]  # the span's text ends with its last token's
    adverb = last.endswith("ly") if len(last) >= 2 else span.text.lower().endswith("ly")
    return Route(span, start, end, sentence_start, sentence_end, span.id_, adverb)


def _ends_with_amount(columns: DocArrays, lower: list[str], words: list[int]) -> bool:
    """A route word right after an amount names how that amount was given
    ("Calciphylaxis: 25 g IV 3 times per week"); another drug's amount is
    caught by the drug-ownership check that follows (``words``: token indices)."""
    last = words[-1]
    if _GLUED_AMOUNT.match(lower[last]):
        return True
    return len(words) >= 2 and lower[last] in _AMOUNT_UNITS and columns.like_num(words[-2])


# The tests on a token's text below read its lower-case form: brackets, digits,
# "%", "/" and the glued amount (matched ignoring case) read the same in both.


def head_names_sts(doc: Doc, columns: DocArrays, route: Route, lexicons: Lexicons, route_token_ids: set[int]) -> bool:
    """Walk right from a route adjective to the noun it modifies; a route word
    right after an STS name ("Give 25g sodium thiosulphate IV over ...") is STS's."""
    start, end, s_start, s_end = route.start, route.end, route.sentence_start, route.sentence_end
    lower, space, sts = columns.lower_of, columns.space, columns.sts_at
    before_words = [k for k in range(max(s_start, start - 3), start) if not (space[k] or lower[k] in "()")]
    if before_words and (before_words[-1] in sts or _ends_with_amount(columns, lower, before_words)):
        return True
    treatment_heads = lexicons.treatment_heads
    i = end
    in_list = (
        start > s_start
        and lower[start - 1] in _COORDINATION
        and any(k in route_token_ids for k in range(max(s_start, start - 4), start - 1))
    )
    adjectives_skipped = 0
    while i < s_end and i < end + 12:
        if space[i]:
            i += 1
            continue
        word = lower[i]
        if i in sts or word in treatment_heads:
            return True
        if columns.like_num(i) or _NUMBER_RANGE.match(word) or word == "%" or ("/" in word and word[:1].isalpha()):
            i += 1  # a strength between route and drug: "topical 10% sodium thiosulfate"
            continue
        if word == ")" and start > 0 and lower[start - 1] == "(":
            i += 1  # "intravenous (IV) sodium thiosulfate": look past the definition
            continue
        if word == "(":
            close = next((k for k in range(i + 1, min(i + 6, s_end)) if lower[k] == ")"), None)
            if close is None:
                return False
            i = close + 1
            continue
        if word in _COORDINATION or i in route_token_ids:
            in_list = True
            i += 1
            continue
        if word in {".", ";", ":"} and in_list and columns.punct(i):
            break
        if in_list and adjectives_skipped < 2 and word.endswith(_ADJECTIVE_ENDINGS) and columns.is_alpha(i):
            adjectives_skipped += 1  # "topical, intradermal, or procedural therapy"
            i += 1
            continue
        if adjectives_skipped < 2 and _modifies_treatment_head(doc, columns, lower, i, s_end, treatment_heads):
            adjectives_skipped += 1  # "possible topical master formulations of sodium thiosulfate"
            i += 1
            continue
        return False
    return in_list and columns.has_sts(s_start, s_end)


def _shared_with_sts(columns: DocArrays, route: Route) -> bool:
    """A route adjective before a pair of drugs joined by "and"/"or", STS the
    second and without a route of its own, is both drugs' route ("Role of
    intralesional corticosteroids and sodium thiosulfate is limited")."""
    if route.adverb:
        return False
    space, drug = columns.space, columns.drug_at
    limit = min(route.sentence_end, route.end + 8)
    first = route.end
    while first < limit and space[first]:
        first += 1
    if first >= limit or first not in drug:
        return False  # no drug name right after the route word (most candidates)
    words = [i for i in range(first, limit) if not space[i]]
    k = 0
    while k < len(words) and words[k] in drug:
        k += 1
    return k < len(words) - 1 and columns.lower_of[words[k]] in {"and", "or"} and words[k + 1] in columns.sts_at


def _modifies_treatment_head(
    doc: Doc, columns: DocArrays, lower: list[str], i: int, end: int, treatment_heads: frozenset[str] | set[str]
) -> bool:
    """A lower-case word that is no drug name, with a treatment noun within the
    next two words ("master formulations", "compounded topical gel"); ``lower``
    holds the lower-case forms of tokens i .. i + 3."""
    if not _plain_lower_word(doc[i]):
        return False  # an STS name is an entity too
    following = [k for k in range(i + 1, min(end, i + 4)) if not columns.space[k]][:2]
    for k in following:
        if lower[k] in treatment_heads:
            return True
        if not _plain_lower_word(doc[k]):
            return False
    return False


def _plain_lower_word(token: Token) -> bool:
    return token.is_alpha and token.is_lower and not token.ent_type_


_GIVING_VERBS = {"administer", "give", "deliver", "infuse", "inject", "apply", "take", "continue"}
_AFTER_ADVERBIAL = {
    "and",
    "or",
    "over",
    "for",
    "at",
    "with",
    "every",
    "daily",
    "weekly",
    "twice",
    "once",
    "thrice",
    "three",
}
_LIST_FILLERS = {"both", "either", "also", "and", "or", ",", "then"}


def _after_giving_verb(doc: Doc, columns: DocArrays, route: Route, route_token_ids: set[int]) -> bool:
    """A route word right after a verb of giving says how the drug was given
    ("successfully administered both IP and IV", "given IV"), like an adverb."""
    s_start, s_end = route.sentence_start, route.sentence_end
    lower, space = columns.lower_of, columns.space
    i = route.start - 1
    while i >= s_start and (lower[i] in _LIST_FILLERS or i in route_token_ids or space[i]):
        i -= 1
    if i < s_start or doc[i].lemma_.lower() not in _GIVING_VERBS:
        return False
    after = next((k for k in range(route.end, s_end) if not space[k]), None)
    # a noun after it is what the route word modifies ("given oral antibiotics")
    return after is None or columns.punct(after) or columns.like_num(after) or lower[after] in _AFTER_ADVERBIAL


def starts_table_cell(text: str, start: int) -> bool:
    """A route word opening a table cell ("Topical 25% twice daily") names the row's regimen
    (``text``: the document's raw text; ``start``: the route word's first character)."""
    if text[max(0, start - 1) : start] == "\t":
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    return start == line_start and "\t" in text[line_start : line_end if line_end != -1 else len(text)]


def filter_routes(
    doc: Doc, spans: list[Span], category_of: Callable[[Span], str | None], lexicons: Lexicons
) -> list[Span]:
    """Route candidates that are STS routes, most specific first."""
    columns = arrays_of(doc)
    text = raw_text(doc)
    route_token_ids = {i for s in spans for i in range(s.start, s.end)}
    cations = lexicons.word_set("salt_cations")
    trauma_words = lexicons.word_set("trauma_words")
    kept: list[Route] = []
    other_drug_routes: list[Route] = []
    drug_facts: dict[int, tuple[bool, bool]] = {}  # per sentence start, read once for its routes
    for span in sorted(spans, key=lambda s: s.start):
        route = _route(columns, span)
        facts = drug_facts.get(route.sentence_start)
        if facts is None:
            facts = drug_facts[route.sentence_start] = _drug_facts(doc, route)
        only_other_drugs, names_other_drug = facts
        if _shared_with_sts(columns, route):
            kept.append(route)
            continue
        if _form_of_other_salt(columns, route, cations) or _names_a_diluent(columns, route):
            continue
        if _a_harm_to_avoid(columns, route, trauma_words):
            continue
        if (
            route.adverb
            or columns.lower_of[route.start] in _ADVERBIAL_OPENERS
            or _after_giving_verb(doc, columns, route, route_token_ids)
        ):
            # an adverb ("applied topically", "treated topically alone") modifies the
            # verb: an STS route unless its sentence is about another drug only, or
            # its pronoun subject stands for the other drugs of the sentence before
            if only_other_drugs or _pronoun_for_other_drug(doc, columns, route):
                continue
        elif route.rule_id not in ADJECTIVE_RULES_SKIP_HEAD_CHECK and not starts_table_cell(text, span.start_char):
            if not head_names_sts(doc, columns, route, lexicons, route_token_ids):
                continue
            if only_other_drugs:
                continue  # a generic head: "initiated with an oral agent ... like minocycline, diltiazem or colchicine"
        if names_other_drug and other_drug_owns(
            doc,
            route.start,
            route.end,
            route.sentence_start,
            route.sentence_end,
            prefer_before=False,
            near_only=True,
            after_window=ROUTE_DRUG_WINDOW,
        ):
            other_drug_routes.append(route)
            continue
        if (
            route.rule_id in ADJECTIVE_RULES_SKIP_HEAD_CHECK
            and any(o.sentence_start == route.sentence_start and o.end <= route.start for o in other_drug_routes)
            and not columns.has_sts(max(route.sentence_start, route.start - 3), min(route.sentence_end, route.end + 3))
        ):
            continue  # "injections of triamcinolone ..., and she refused further injections"
        kept.append(route)
    generic = [category_of(s.span) in GENERIC_CATEGORIES or s.rule_id == "route.infusion" for s in kept]
    specific = _Specific(columns, [s for s, g in zip(kept, generic, strict=True) if not g])
    return [s.span for s, g in zip(kept, generic, strict=True) if not (g and specific.modifies(s))]


def _drug_facts(doc: Doc, route: Route) -> tuple[bool, bool]:
    """Of route's sentence: whether it names drugs, none of them STS
    (``sentence_names_only_other_drugs`` with no object heads: every drug of the
    sentence counts), and whether it names a drug that is not STS (without one,
    no other drug owns a route word)."""
    drugs = drugs_in(doc, route.sentence_start, route.sentence_end)
    names_other = not all(is_sts for *_, is_sts in drugs)
    return bool(drugs) and not any(is_sts for *_, is_sts in drugs), names_other


_PRONOUN_SUBJECTS = frozenset({"they", "it", "these", "this"})


def _names_a_diluent(columns: DocArrays, route: Route) -> bool:
    """ "water for injection" names a diluent, not how STS is given."""
    start = route.start
    if start - 2 < route.sentence_start:
        return False
    lower = columns.lower_of
    return lower[start - 2] == "water" and lower[start - 1] == "for"  # neither is white space


def _form_of_other_salt(columns: DocArrays, route: Route, cations: frozenset[str]) -> bool:
    """A dosage-form noun right after another salt's name ("Sodium phenylbutyrate
    injection", "calcium gluconate infusion"): that product's form, not STS's."""
    start = max(route.sentence_start, route.start - 3)
    lower = columns.lower_of
    if cations.isdisjoint(lower[start : route.start]):
        return False  # no salt's name before it (a space token's form is no word)
    before = [i for i in range(start, route.start) if not columns.space[i]]
    for k, i in enumerate(before):
        if lower[i] in cations:
            rest = before[k + 1 :]
            return bool(rest) and all(columns.is_alpha(j) and j not in columns.sts_at for j in rest)
    return False


def _a_harm_to_avoid(columns: DocArrays, route: Route, trauma_words: frozenset[str]) -> bool:
    """ "minimizing trauma (such as injections) at high-risk sites", "avoid subcutaneous
    injections": a route word after a word of harm or its avoidance, in a sentence naming
    no STS, is a cause of lesions, not how STS was given."""
    if columns.has_sts(route.sentence_start, route.sentence_end):
        return False
    return not trauma_words.isdisjoint(columns.lower_of[max(route.sentence_start, route.start - 5) : route.start])


def _pronoun_for_other_drug(doc: Doc, columns: DocArrays, route: Route) -> bool:
    """ "Bisphosphonates, such as alendronate ... have shown some promise. They are
    administered orally or intravenously": the pronoun stands for the drugs of
    the sentence before, which names no STS."""
    first = next((k for k in range(route.sentence_start, route.sentence_end) if not columns.space[k]), None)
    return (
        first is not None
        and columns.lower_of[first] in _PRONOUN_SUBJECTS
        and previous_sentence_credits_other_drug(doc, route.span)
    )


class _Specific:
    """The specific route words kept (not a bare injection or infusion word), by
    what :meth:`modifies` asks of them."""

    def __init__(self, columns: DocArrays, specific: list[Route]) -> None:
        self.columns = columns
        self.by_sentence: dict[int, list[Route]] = {}
        for route in specific:
            self.by_sentence.setdefault(route.sentence_start, []).append(route)
        self.phrases = [(r.start, r.end) for r in specific if r.rule_id == "route.intralesional_phrase"]
        self.adverb_starts = {r.start for r in specific if r.adverb}

    def modifies(self, route: Route) -> bool:
        """A specific route word within three tokens before, in the same phrase (an
        STS name and its abbreviation in brackets do not count: "intralesional
        sodium thiosulfate (STS) injection"), or a specific adverb right after."""
        if route.end in self.adverb_starts:
            return True  # the adverb right after says how: "infused intravenously", "injected intralesionally"
        if any(start < route.end and route.start < end for start, end in self.phrases):
            return True
        columns = self.columns
        for other in self.by_sentence.get(route.sentence_start, ()):
            if other.end > route.start:
                continue
            between = [k for k in range(other.end, route.start) if not columns.space[k]]
            lower = columns.lower_of
            if len(between) <= 3 and not any(
                (lower[k] not in "()" and columns.punct(k)) or lower[k] in {"and", "or"} for k in between
            ):
                return True
            if all(k in columns.sts_at or lower[k] in "()" for k in between):
                return True
        return False


def injected_into_lesion(doc: Doc, span: Span, lesion_words: frozenset[str] | set[str]) -> bool:
    """A bare injection word whose site is the lesion: "injecting STS into calcinosis
    lesions", "local injection inside the calcifications", "The lesions were
    injected with STS" (intralesional, not merely injection)."""
    columns = arrays_of(doc)
    s_start, s_end = columns.sentence_of(span.start)  # ``span.sent``'s bounds, no Span made
    start, end = span.start, span.end
    lower = columns.lower_of
    after = [k for k in range(end, min(s_end, end + 16)) if not columns.space[k]]
    for n, k in enumerate(after):
        if lower[k] in _SITE_WORDS and any(lower[j] in lesion_words for j in after[n + 1 : n + 5]):
            return True
        if lower[k] not in '()"' and columns.punct(k):
            break  # a bracket or a quote: the lower-case form is the text
    before = [k for k in range(max(s_start, start - 3), start) if not columns.space[k]]
    return (
        len(before) >= 2
        and lower[before[-1]] in {"were", "was", "are", "is", "be", "been"}
        and lower[before[-2]] in lesion_words
    )
