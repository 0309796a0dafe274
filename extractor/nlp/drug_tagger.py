"""``sts_drug_tagger_v1``: STS names (and abbreviations the paper defines for
them) as ``STS`` entities, other drugs as ``DRUG`` entities and in
``doc.spans["drugs"]``."""

from __future__ import annotations

import re

import numpy
from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from extractor.nlp.rules_component import RulesComponent
from extractor.rules.loader import RuleSet
from extractor.text.scope import legend_entries

DRUGS = "drugs"


@Language.factory("sts_drug_tagger_v1", default_config={"rules_dir": ""})
def create_drug_tagger(nlp: Language, name: str, rules_dir: str) -> DrugTagger:
    return DrugTagger(nlp, rules_dir)


class DrugTagger(RulesComponent):
    """Drug names as entities: ``STS`` (its names and the abbreviations a paper
    defines for them) and ``DRUG`` (other drugs, from the lexicon, INN suffixes
    and an optional NER model). Rules match STS with ``{"ENT_TYPE": "STS"}``;
    other drugs are also kept in ``doc.spans["drugs"]``."""

    name = "sts_drug_tagger_v1"

    def __init__(self, nlp: Language, rules_dir: str) -> None:
        self.nlp = nlp
        super().__init__(rules_dir)

    def use_rules(self, rule_set: RuleSet) -> None:
        super().use_rules(rule_set)
        nlp, lexicons = self.nlp, rule_set.lexicons
        self.sts_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.sts_matcher.add("STS", [nlp.make_doc(term) for term in lexicons.sts_synonyms if not term.isupper()])
        self.sts_abbreviations = {term for term in lexicons.sts_synonyms if term.isupper()}
        terms = "|".join(re.escape(term) for term in lexicons.sts_synonyms if not term.isupper())
        self.sts_term_re = re.compile(rf"\b(?:{terms})\b", re.IGNORECASE)
        self.other_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.other_matcher.add("OTHER", [nlp.make_doc(term) for term in lexicons.other_drugs])
        suffixes = "|".join(re.escape(s) for s in lexicons.other_drug_suffixes)
        self.suffix_re = re.compile(rf"^[a-z]{{3,}}(?:{suffixes})s?$") if suffixes else None
        self._suffixed: dict[int, bool] = {}  # lower-case word hash → whether it has a drug suffix

    def __call__(self, doc: Doc) -> Doc:
        sts = [doc[s:e] for _, s, e in self.sts_matcher(doc)]
        named = {i for span in sts for i in range(span.start, span.end)}
        names = set(self.sts_abbreviations)
        for abbreviation in getattr(doc._, "abbreviations", None) or []:
            long_form = abbreviation._.long_form
            if long_form is not None and not named.isdisjoint(range(long_form.start, long_form.end)):
                names.add(abbreviation.text)  # its long form overlaps an STS name
        structure = doc._.structure
        if structure is not None:
            for _, _, short, expansion in legend_entries(structure):
                if self.sts_term_re.search(expansion):
                    names.add(short)  # "STS, sodium thiosulfate" in a table legend
        orths = doc.to_array(ORTH)
        name_ids = numpy.array([doc.vocab.strings.add(name) for name in names], dtype="uint64")
        sts += [doc[i : i + 1] for i in numpy.flatnonzero(numpy.isin(orths, name_ids)).tolist()]
        sts_tokens = {i for span in sts for i in range(span.start, span.end)}
        others = list(doc.spans[DRUGS]) if DRUGS in doc.spans else []
        others += [doc[s:e] for _, s, e in self.other_matcher(doc)]
        if self.suffix_re is not None:
            lowers = doc.to_array(LOWER)
            strings = doc.vocab.strings
            suffixed = self._suffixed
            if len(suffixed) > 500_000:
                suffixed.clear()
            keys = numpy.unique(lowers).tolist()
            flags = [suffixed.get(key) for key in keys]  # the regex only for words not seen before
            if None in flags:
                match = self.suffix_re.match
                for key, flag in zip(keys, flags):
                    if flag is None:
                        suffixed[key] = match(strings[key]) is not None
                flags = [suffixed[key] for key in keys]
            drug_ids = [key for key, flag in zip(keys, flags) if flag]
            positions = numpy.flatnonzero(numpy.isin(lowers, numpy.array(drug_ids, dtype="uint64"))).tolist()
            others += [doc[i : i + 1] for i in positions if i not in sts_tokens]
        others = [s for s in others if sts_tokens.isdisjoint(range(s.start, s.end))]
        entities = [Span(doc, s.start, s.end, label="STS") for s in sts] + [
            Span(doc, s.start, s.end, label="DRUG") for s in others
        ]
        doc.set_ents(filter_spans(entities), default="outside")
        doc.spans[DRUGS] = [Span(doc, s.start, s.end, label="OTHER") for s in others]
        return doc


def is_sts(token: Token) -> bool:
    """A token of an STS name (set by ``sts_drug_tagger_v1``)."""
    return token.ent_type_ == "STS"
