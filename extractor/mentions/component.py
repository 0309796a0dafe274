"""``sts_mentions_v1``: the mention stage as the pipeline's last component.

It decides the indication (what STS treats here), the out-of-scope ranges,
and hands the candidates to :class:`DocumentMentions`; the results land in
``doc._.sts_mentions``, ``doc._.indication`` and ``doc._.words``, so a saved
pipeline loaded with ``spacy.load`` gives the same mentions as the Extractor.
"""

from __future__ import annotations

import bisect
import re

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from extractor.ingest.document import Document
from extractor.mentions.attribution import CitationPatterns
from extractor.mentions.context import ContextRules
from extractor.mentions.doc_arrays import COLUMNS, token_arrays
from extractor.mentions.document_mentions import DocumentMentions
from extractor.mentions.indication import (
    NO_STS,
    OTHER,
    decide_indication,
    is_about_other_use,
    other_use_object,
    other_use_windows,
)
from extractor.mentions.result_filter import ResultFilter
from extractor.mentions.tables import HeaderClassifier
from extractor.nlp.rules_component import RulesComponent
from extractor.nlp.sentences import sentence_hooks
from extractor.nlp.tokenizer import raw_text
from extractor.rules.loader import RegexRule, Rule, RuleSet
from extractor.rules.prefilter import folded, required_words
from extractor.schema import Mention
from extractor.text.scope import find_scope


@Language.factory("sts_mentions_v1", default_config={"rules_dir": "", "all_indications": False, "learned": True})
def create_mention_stage(
    nlp: Language, name: str, rules_dir: str, all_indications: bool, learned: bool
) -> MentionStage:
    return MentionStage(rules_dir, all_indications=all_indications, learned=learned)


class MentionStage(RulesComponent):
    """Candidates → schema mentions. Mentions where STS treats something other
    than a calcification are dropped, unless ``all_indications`` keeps them
    (marked ``indication=other``)."""

    name = "sts_mentions_v1"

    def __init__(self, rules_dir: str, *, all_indications: bool = False, learned: bool = True) -> None:
        self.all_indications = all_indications
        self.learned = learned
        super().__init__(rules_dir)

    def use_rules(self, rule_set: RuleSet) -> None:
        super().use_rules(rule_set)
        self.by_id: dict[str, Rule] = {rule.id: rule for rule in rule_set.fields}
        self.lexicons = rule_set.lexicons
        self.context = ContextRules(list(rule_set.context), rule_set.lexicons.word_set("clause_terminators"))
        self.route_words = _route_words(self.by_id)
        self.citation_patterns = CitationPatterns.of(rule_set.citations)
        self.other_use_object = other_use_object(list(rule_set.indications))
        self.other_use_words = _other_use_words(list(rule_set.indications))
        self.classify_header = HeaderClassifier(rule_set.table_headers)
        # "not available and not given", any of the phrases as whole words (DocumentMentions._own_sts)
        phrases = sorted(self.lexicons.word_set("not_given_phrases"))
        self.not_given = re.compile("|".join(rf"\b{re.escape(p)}\b" for p in phrases)) if phrases else None
        # the trained result check (learned/ in the rules directory), when there is one
        self.result_filter = ResultFilter.load(rule_set.directory) if self.learned else None

    def __call__(self, doc: Doc) -> Doc:
        return self._read(doc)

    def _read(self, doc: Doc) -> Doc:
        text = raw_text(doc)
        structure = doc._.structure
        sts_names = [ent for ent in doc.ents if ent.label_ == "STS"]  # doc.ents makes its Spans anew on each read
        sts_offsets = sorted(ent.start_char for ent in sts_names)
        # one read of the token columns: the word count's, and the mention filters' (doc_arrays)
        columns = doc.to_array([*COLUMNS, IS_PUNCT]).reshape(-1, len(COLUMNS) + 1)
        doc._.words = int(
            len(doc) - numpy.count_nonzero(numpy.logical_or(columns[:, COLUMNS.index(IS_SPACE)], columns[:, -1]))
        )
        lower_keys = columns[:, COLUMNS.index(LOWER)]

        def mentions_sts(start: int, end: int) -> bool:
            k = bisect.bisect_left(sts_offsets, start)
            return k < len(sts_offsets) and sts_offsets[k] < end

        indication = decide_indication(
            structure, sts_offsets, list(self.rules.indications), self.lexicons.word_set("listing_headings")
        )
        doc._.indication = indication
        doc._.sts_mentions = []
        if indication.kind == NO_STS or (indication.kind == OTHER and not self.all_indications):
            return doc
        scope = find_scope(structure, mentions_sts)
        document = doc._.document if doc._.document is not None else Document(doc_id="", text=text)
        # the sentence lookup is built only for a document whose candidates are read
        with sentence_hooks(doc), token_arrays(doc, columns):
            found = DocumentMentions(self, document, doc, text, structure, scope, sts_names, lower_keys).build()
        mentions: list[Mention] = []
        for mention in found:
            other = indication.other_at(mention.start, mention.end)
            if other and not self.all_indications:
                continue
            if (
                mention.field == "outcome"
                and self._may_name_other_use(text, mention.start, mention.end)
                and is_about_other_use(self.other_use_object, text, mention.start, mention.end)
            ):
                continue  # "regression of vascular calcification" is no result on a skin lesion
            if other:
                mention.indication = OTHER
            mentions.append(mention)
        doc._.sts_mentions = mentions
        return doc

    def _may_name_other_use(self, text: str, start: int, end: int) -> bool:
        """Whether a word of another use occurs in the stretches ``is_about_other_use``
        reads around a result (``other_use_windows``): without one, its two
        searches cannot match, and most results pay for a few substring tests."""
        if self.other_use_words is None:
            return True
        anycase, exact = self.other_use_words
        for window in other_use_windows(text, start, end):
            if exact and any(map(window.__contains__, exact)):
                return True
            if anycase:
                lowered = folded(window)
                if lowered is None or any(map(lowered.__contains__, anycase)):
                    return True
        return False


def _other_use_words(rules: list[RegexRule]) -> tuple[frozenset[str], frozenset[str]] | None:
    """The words one of which every match of a rule of another use (those
    ``other_use_object`` combines) holds, all rules' together: those of the
    case-insensitive rules (looked for lower-cased) and those of the others. A
    stretch holding none of them matches no rule. None when a rule gives no
    words (then every result is searched)."""
    anycase: set[str] = set()
    exact: set[str] = set()
    for rule in rules:
        if rule.data["indication"] == OTHER:
            required = required_words(rule.regex)
            if required is None:
                return None
            (anycase if required[0] else exact).update(required[1])
    return frozenset(anycase), frozenset(exact)


def _route_words(rules: dict[str, Rule]) -> dict[str, str]:
    """Single route words → category, for abbreviations a paper defines ("intralesional (IL)")."""
    words: dict[str, str] = {}
    for rule in rules.values():
        if rule.label == "route" and rule.category and isinstance(rule.pattern, list) and len(rule.pattern) == 1:
            lower = rule.pattern[0].get("LOWER", {})
            for word in [lower] if isinstance(lower, str) else lower.get("IN", []):
                words[word] = rule.category
    return words
