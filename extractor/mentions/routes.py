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

from spacy.tokens import Doc, Span

from extractor.mentions.doc_arrays import arrays_of
from extractor.mentions.drugs import (
    belongs_to_other_drug,
    previous_sentence_credits_other_drug,
    sentence_names_only_other_drugs,
)
from extractor.nlp.drug_tagger import is_sts
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


def _ends_with_amount(words: list) -> bool:
    """A route word right after an amount names how that amount was given
    ("Calciphylaxis: 25 g IV 3 times per week"); another drug's amount is
    caught by the drug-ownership check that follows."""
    last = words[-1]
    if _GLUED_AMOUNT.match(last.text):
        return True
    return len(words) >= 2 and last.lower_ in _AMOUNT_UNITS and words[-2].like_num


def head_names_sts(doc: Doc, span: Span, lexicons: Lexicons, route_token_ids: set[int]) -> bool:
    """Walk right from a route adjective to the noun it modifies; a route word
    right after an STS name ("Give 25g sodium thiosulphate IV over ...") is STS's."""
    sentence = span.sent
    before_words = [
        t for t in doc[max(sentence.start, span.start - 3) : span.start] if not (t.is_space or t.text in "()")
    ]
    if before_words and (is_sts(before_words[-1]) or _ends_with_amount(before_words)):
        return True
    i = span.end
    before = doc[span.start - 1] if span.start > sentence.start else None
    in_list = (
        before is not None
        and (before.lower_ in _COORDINATION)
        and any(k in route_token_ids for k in range(max(sentence.start, span.start - 4), span.start - 1))
    )
    adjectives_skipped = 0
    while i < sentence.end and i < span.end + 12:
        token = doc[i]
        if token.is_space:
            i += 1
            continue
        if is_sts(token) or token.lower_ in lexicons.treatment_heads:
            return True
        if (
            token.like_num
            or _NUMBER_RANGE.match(token.text)
            or token.text == "%"
            or ("/" in token.text and token.text[:1].isalpha())
        ):
            i += 1  # a strength between route and drug: "topical 10% sodium thiosulfate"
            continue
        if token.text == ")" and span.start > 0 and doc[span.start - 1].text == "(":
            i += 1  # "intravenous (IV) sodium thiosulfate": look past the definition
            continue
        if token.text == "(":
            close = next((k for k in range(i + 1, min(i + 6, sentence.end)) if doc[k].text == ")"), None)
            if close is None:
                return False
            i = close + 1
            continue
        if token.lower_ in _COORDINATION or token.i in route_token_ids:
            in_list = True
            i += 1
            continue
        if token.is_punct and token.text in {".", ";", ":"} and in_list:
            break
        if in_list and adjectives_skipped < 2 and token.is_alpha and token.lower_.endswith(_ADJECTIVE_ENDINGS):
            adjectives_skipped += 1  # "topical, intradermal, or procedural therapy"
            i += 1
            continue
        if adjectives_skipped < 2 and _modifies_treatment_head(doc, i, sentence.end, lexicons):
            adjectives_skipped += 1  # "possible topical master formulations of sodium thiosulfate"
            i += 1
            continue
        return False
    return in_list and arrays_of(doc).has_sts(sentence.start, sentence.end)


def _shared_with_sts(doc: Doc, span: Span) -> bool:
    """A route adjective before a pair of drugs joined by "and"/"or", STS the
    second and without a route of its own, is both drugs' route ("Role of
    intralesional corticosteroids and sodium thiosulfate is limited")."""
    columns = arrays_of(doc)
    words = [i for i in range(span.end, min(span.sent.end, span.end + 8)) if not columns.space[i]]
    k = 0
    while k < len(words) and columns.drug[words[k]]:
        k += 1
    return (
        0 < k < len(words) - 1
        and columns.lowers(words[k], words[k] + 1)[0] in {"and", "or"}
        and columns.sts[words[k + 1]]
        and not span.text.lower().endswith("ly")
    )


def _modifies_treatment_head(doc: Doc, i: int, end: int, lexicons: Lexicons) -> bool:
    """A lower-case word that is no drug name, with a treatment noun within the
    next two words ("master formulations", "compounded topical gel")."""
    token = doc[i]
    if not (token.is_alpha and token.is_lower) or token.ent_type_ or is_sts(token):
        return False
    following = [t for t in doc[i + 1 : min(end, i + 4)] if not t.is_space][:2]
    for word in following:
        if word.lower_ in lexicons.treatment_heads:
            return True
        if not (word.is_alpha and word.is_lower) or word.ent_type_:
            return False
    return False


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


def _after_giving_verb(doc: Doc, span: Span, route_token_ids: set[int]) -> bool:
    """A route word right after a verb of giving says how the drug was given
    ("successfully administered both IP and IV", "given IV"), like an adverb."""
    i = span.start - 1
    while i >= span.sent.start and (doc[i].lower_ in _LIST_FILLERS or i in route_token_ids or doc[i].is_space):
        i -= 1
    if i < span.sent.start or doc[i].lemma_.lower() not in _GIVING_VERBS:
        return False
    after = next((t for t in doc[span.end : span.sent.end] if not t.is_space), None)
    # a noun after it is what the route word modifies ("given oral antibiotics")
    return after is None or after.is_punct or after.like_num or after.lower_ in _AFTER_ADVERBIAL


def starts_table_cell(doc: Doc, span: Span) -> bool:
    """A route word opening a table cell ("Topical 25% twice daily") names the row's regimen."""
    text = raw_text(doc)
    start = span.start_char
    if text[max(0, start - 1) : start] == "\t":
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    return start == line_start and "\t" in text[line_start : line_end if line_end != -1 else len(text)]


def filter_routes(
    doc: Doc, spans: list[Span], category_of: Callable[[Span], str | None], lexicons: Lexicons
) -> list[Span]:
    """Route candidates that are STS routes, most specific first."""
    route_token_ids = {t.i for s in spans for t in s}
    kept = []
    other_drug_routes: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if _shared_with_sts(doc, span):
            kept.append(span)
            continue
        if _form_of_other_salt(doc, span, lexicons.word_set("salt_cations")) or _names_a_diluent(doc, span):
            continue
        if _a_harm_to_avoid(doc, span, lexicons.word_set("trauma_words")):
            continue
        if (
            span.text.lower().endswith("ly")
            or span[0].lower_ in _ADVERBIAL_OPENERS
            or _after_giving_verb(doc, span, route_token_ids)
        ):
            # an adverb ("applied topically", "treated topically alone") modifies the
            # verb: an STS route unless its sentence is about another drug only, or
            # its pronoun subject stands for the other drugs of the sentence before
            if sentence_names_only_other_drugs(doc, span) or _pronoun_for_other_drug(doc, span):
                continue
        elif (
            span.id_ not in ADJECTIVE_RULES_SKIP_HEAD_CHECK
            and not starts_table_cell(doc, span)
            and not head_names_sts(doc, span, lexicons, route_token_ids)
        ):
            continue
        elif (
            span.id_ not in ADJECTIVE_RULES_SKIP_HEAD_CHECK
            and not starts_table_cell(doc, span)
            and sentence_names_only_other_drugs(doc, span)
        ):
            continue  # a generic head: "initiated with an oral agent ... like minocycline, diltiazem or colchicine"
        if belongs_to_other_drug(doc, span, prefer_before=False, near_only=True, after_window=ROUTE_DRUG_WINDOW):
            other_drug_routes.append(span)
            continue
        if (
            span.id_ in ADJECTIVE_RULES_SKIP_HEAD_CHECK
            and any(o.sent == span.sent and o.end <= span.start for o in other_drug_routes)
            and not arrays_of(doc).has_sts(max(span.sent.start, span.start - 3), min(span.sent.end, span.end + 3))
        ):
            continue  # "injections of triamcinolone ..., and she refused further injections"
        kept.append(span)
    specific = [s for s in kept if category_of(s) not in GENERIC_CATEGORIES and s.id_ != "route.infusion"]
    result = []
    for span in kept:
        generic = category_of(span) in GENERIC_CATEGORIES or span.id_ == "route.infusion"
        if generic and _modified_by_specific(doc, span, specific):
            continue
        result.append(span)
    return result


_PRONOUN_SUBJECTS = frozenset({"they", "it", "these", "this"})


def _names_a_diluent(doc: Doc, span: Span) -> bool:
    """ "water for injection" names a diluent, not how STS is given."""
    return arrays_of(doc).words(max(span.sent.start, span.start - 2), span.start) == ["water", "for"]


def _form_of_other_salt(doc: Doc, span: Span, cations: frozenset[str]) -> bool:
    """A dosage-form noun right after another salt's name ("Sodium phenylbutyrate
    injection", "calcium gluconate infusion"): that product's form, not STS's."""
    columns = arrays_of(doc)
    start = max(span.sent.start, span.start - 3)
    lowers = columns.lowers(start, span.start)
    before = [i for i in range(start, span.start) if not columns.space[i]]
    for k, i in enumerate(before):
        if lowers[i - start] in cations:
            rest = before[k + 1 :]
            return bool(rest) and all(columns.alpha[j] and not columns.sts[j] for j in rest)
    return False


def _a_harm_to_avoid(doc: Doc, span: Span, trauma_words: frozenset[str]) -> bool:
    """ "minimizing trauma (such as injections) at high-risk sites", "avoid subcutaneous
    injections": a route word after a word of harm or its avoidance, in a sentence naming
    no STS, is a cause of lesions, not how STS was given."""
    sentence = span.sent
    columns = arrays_of(doc)
    if columns.has_sts(sentence.start, sentence.end):
        return False
    return any(word in trauma_words for word in columns.lowers(max(sentence.start, span.start - 5), span.start))


def _pronoun_for_other_drug(doc: Doc, span: Span) -> bool:
    """ "Bisphosphonates, such as alendronate ... have shown some promise. They are
    administered orally or intravenously": the pronoun stands for the drugs of
    the sentence before, which names no STS."""
    first = next((t for t in span.sent if not t.is_space), None)
    return first is not None and first.lower_ in _PRONOUN_SUBJECTS and previous_sentence_credits_other_drug(doc, span)


def _modified_by_specific(doc: Doc, span: Span, specific: list[Span]) -> bool:
    """A specific route word within three tokens before, in the same phrase (an
    STS name and its abbreviation in brackets do not count: "intralesional
    sodium thiosulfate (STS) injection"), or a specific adverb right after."""
    for other in specific:
        if other.end <= span.start and other.sent == span.sent:
            between = [t for t in doc[other.end : span.start] if not t.is_space]
            if len(between) <= 3 and not any(
                (t.is_punct and t.text not in "()") or t.lower_ in {"and", "or"} for t in between
            ):
                return True
            if all(is_sts(t) or t.text in "()" for t in between):
                return True
        if other.start < span.end and span.start < other.end and other.id_ == "route.intralesional_phrase":
            return True
        if other.start == span.end and other.text.lower().endswith("ly"):
            return True  # the adverb right after says how: "infused intravenously", "injected intralesionally"
    return False


def injected_into_lesion(doc: Doc, span: Span, lesion_words: frozenset[str] | set[str]) -> bool:
    """A bare injection word whose site is the lesion: "injecting STS into calcinosis
    lesions", "local injection inside the calcifications", "The lesions were
    injected with STS" (intralesional, not merely injection)."""
    sentence = span.sent
    after = [t for t in doc[span.end : min(sentence.end, span.end + 16)] if not t.is_space]
    for k, token in enumerate(after):
        if token.lower_ in _SITE_WORDS and any(t.lower_ in lesion_words for t in after[k + 1 : k + 5]):
            return True
        if token.is_punct and token.text not in '()"':
            break
    before = [t for t in doc[max(sentence.start, span.start - 3) : span.start] if not t.is_space]
    return (
        len(before) >= 2
        and before[-1].lower_ in {"were", "was", "are", "is", "be", "been"}
        and before[-2].lower_ in lesion_words
    )
