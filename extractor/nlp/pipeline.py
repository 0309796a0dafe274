"""The spaCy pipeline, assembled in one place for the CLI, the batch workers and the tests.

Components (registered with ``@Language.factory``, names carry a version):
- ``sts_sentences_v1``: sentence starts from :mod:`extractor.text.structure`, which
  sees the original text (line ends, tables) even though spaCy gets a copy
  with newlines and tabs turned into spaces (same length, so offsets hold;
  spaCy's tokenizer runs far slower on text full of ``\\n``);
- ``sts_abbreviations_v1``: scispaCy's AbbreviationDetector run per sentence
  (the paper's own abbreviations);
- ``sts_drug_tagger_v1``: STS names (and abbreviations the paper defines for
  them) as ``STS`` entities, other drugs as ``DRUG`` entities and in
  ``doc.spans["drugs"]``;
- ``sts_external_ner_v1`` (optional): any installed spaCy/scispaCy NER model;
  its chemical entities join the other drugs (STS names excepted);
- ``sts_lemmatizer_v1``: lower-case lookup lemmas from spacy-lookups-data's
  English table (no trained model), so one rule written on lemmas matches
  "succeeds", "Successfully Treated" and "healing";
- ``sts_field_matcher_v1``: the rules of ``patterns/*.jsonl`` as a spaCy
  Matcher; candidates land in ``doc.spans["sts_candidates"]`` with the rule id
  as ``span.id_``.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy
import spacy
from spacy.attrs import IDX, IS_SPACE, LEMMA, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from extractor.rules.loader import PATTERNS_DIR, Rule, load_lexicons, load_rules
from extractor.text.scope import legend_entries
from extractor.text.structure import analyse

CANDIDATES = "sts_candidates"
DRUGS = "drugs"
RAW_TEXT_KEY = "raw_text"
_WHITESPACE_FOR_SPACY = str.maketrans(
    {"\n": " ", "\r": " ", "\t": " ", "\x0b": " ", "\x0c": " ", "^": " ", "{": " ", "}": " "}
)

# scispaCy's AbbreviationDetector runs an empty per-document matcher on most docs
warnings.filterwarnings("ignore", message=r".*\[W036\]")


_MARKUP = re.compile(r"</?(?:sup|sub|i|b|em|strong|sc)>", re.IGNORECASE)
# superscript citation markers ("tissue.¹", "UR.ᵇ"), but not unit powers ("mg/m²", "cm²")
_SUPERSCRIPT_MARKER = re.compile(r"(?<![mM])[⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ]")
UNIT_WORDS_WITH_STOP = ("mL", "ml", "mg", "gm", "g", "cm", "mm", "kg", "mcg")


def spacy_text(text: str) -> str:
    """Same-length copy of ``text`` for the tokenizer: no line breaks or tabs,
    and citation markup (``<sup>``, ``^{3,4}``, ``^3^``, superscript digits)
    blanked so "mm.<sup>2</sup>", "improved.^4^" and "application.⁵" split into words."""
    text = _MARKUP.sub(lambda m: " " * len(m.group(0)), text)
    text = _SUPERSCRIPT_MARKER.sub(" ", text)
    return text.translate(_WHITESPACE_FOR_SPACY)


def make_doc(nlp: Language, text: str) -> Doc:
    """A tokenized Doc for ``text`` whose offsets equal the original string's."""
    doc = nlp.make_doc(spacy_text(text))
    doc.user_data[RAW_TEXT_KEY] = text
    return doc


def raw_text(doc: Doc) -> str:
    """The original text (``doc.text`` has line breaks blanked)."""
    return doc.user_data.get(RAW_TEXT_KEY, doc.text)


@Language.factory("sts_sentences_v1")
def create_sentence_setter(nlp: Language, name: str) -> SentenceSetter:
    return SentenceSetter()


class SentenceSetter:
    """Sets ``is_sent_start`` from the structure of the original text."""

    def __call__(self, doc: Doc) -> Doc:
        structure = analyse(raw_text(doc))
        doc.user_data["structure"] = structure
        if not len(doc):
            return doc
        token_starts = doc.to_array(IDX).astype("int64")
        spaces = doc.to_array(IS_SPACE).astype(bool)
        starts = numpy.array(sorted(start for start, _ in structure.sentences), dtype="int64")
        holders = numpy.searchsorted(token_starts, starts, side="right") - 1  # token holding each start
        flags = numpy.full(len(doc), -1, dtype="int64")
        flags[holders[(holders >= 0) & ~spaces[numpy.clip(holders, 0, None)]]] = 1
        flags[0] = 1
        doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))  # spaCy stores -1 as uint64
        return doc


# scispaCy's filter_matches drops every "( ... )" holding more than 8 tokens
ABBREVIATION_MAX_TOKENS = 8


def parenthesis_candidates(tokens: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every "(" … ")" token run with 1 to 8 tokens inside, in
    the order spaCy's Matcher gives them for scispaCy's ``( + )`` pattern (by
    end, then innermost first); at most 8 per "(", so linear in the sentence."""
    found = []
    for i, token in enumerate(tokens):
        if token != "(":
            continue
        for j in range(i + 2, min(len(tokens), i + ABBREVIATION_MAX_TOKENS + 2)):
            if tokens[j] == ")":
                found.append((i, j + 1))
    found.sort(key=lambda match: (match[1], -match[0]))
    return found


@Language.factory("sts_abbreviations_v1")
def create_abbreviation_detector(nlp: Language, name: str):
    from scispacy.abbreviation import AbbreviationDetector

    class SentenceAbbreviationDetector(AbbreviationDetector):
        """scispaCy's Schwartz-Hearst detector, with two fixes:

        - the "( ... )" candidates are searched sentence by sentence: on a whole
          long document an unclosed "(" keeps a matcher state alive to the end,
          which is what makes the stock detector slow on long papers;
        - each Doc gets its own list (the stock extension's default list is
          shared, so abbreviations leaked from one document into the next);
        - the candidates come from :func:`parenthesis_candidates`, linear in
          the sentence length, not from the stock ``( + )`` Matcher, which
          yields every "(" paired with every later ")" (a sentence of 3,000
          parentheses: ~10 GB and a minute).
        """

        def __call__(self, doc: Doc) -> Doc:
            from scispacy.abbreviation import filter_matches

            doc._.abbreviations = []
            matches = []
            for sent in doc.sents:
                for start, end in parenthesis_candidates([token.text for token in sent]):
                    matches.append((0, sent.start + start + 1, sent.start + end - 1))
            for long_form, short_forms in self.find_matches_for(filter_matches(matches, doc), doc):
                for short in short_forms:
                    short._.long_form = long_form
                    doc._.abbreviations.append(short)
            return doc

    return SentenceAbbreviationDetector(nlp, name)


@Language.factory(
    "sts_drug_tagger_v1",
    default_config={"patterns_dir": None},
)
def create_drug_tagger(nlp: Language, name: str, patterns_dir: str | None) -> DrugTagger:
    return DrugTagger(nlp, patterns_dir=Path(patterns_dir) if patterns_dir else PATTERNS_DIR)


class DrugTagger:
    """Drug names as entities: ``STS`` (its names and the abbreviations a paper
    defines for them) and ``DRUG`` (other drugs, from the lexicon, INN suffixes
    and an optional NER model). Rules match STS with ``{"ENT_TYPE": "STS"}``;
    other drugs are also kept in ``doc.spans["drugs"]``."""

    def __init__(self, nlp: Language, *, patterns_dir: Path) -> None:
        lexicons = load_lexicons(patterns_dir)
        self.sts_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.sts_matcher.add("STS", [nlp.make_doc(term) for term in lexicons.sts_synonyms if not term.isupper()])
        self.sts_abbreviations = {term for term in lexicons.sts_synonyms if term.isupper()}
        terms = "|".join(re.escape(term) for term in lexicons.sts_synonyms if not term.isupper())
        self.sts_term_re = re.compile(rf"\b(?:{terms})\b", re.IGNORECASE)
        self.other_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.other_matcher.add("OTHER", [nlp.make_doc(term) for term in lexicons.other_drugs])
        suffixes = "|".join(re.escape(s) for s in lexicons.other_drug_suffixes)
        self.suffix_re = re.compile(rf"^[a-z]{{3,}}(?:{suffixes})s?$") if suffixes else None

    def __call__(self, doc: Doc) -> Doc:
        sts = [doc[s:e] for _, s, e in self.sts_matcher(doc)]
        names = set(self.sts_abbreviations)
        for abbreviation in getattr(doc._, "abbreviations", None) or []:
            long_form = abbreviation._.long_form
            if long_form is not None and any(_overlaps(long_form, s) for s in sts):
                names.add(abbreviation.text)
        structure = doc.user_data.get("structure")
        if structure is not None:
            for _, _, short, expansion in legend_entries(structure):
                if self.sts_term_re.search(expansion):
                    names.add(short)  # "STS, sodium thiosulfate" in a table legend
        orths = doc.to_array(ORTH)
        name_ids = numpy.array([doc.vocab.strings.add(name) for name in names], dtype="uint64")
        sts += [doc[i : i + 1] for i in numpy.flatnonzero(numpy.isin(orths, name_ids)).tolist()]
        sts_tokens = {t.i for span in sts for t in span}
        others = list(doc.spans[DRUGS]) if DRUGS in doc.spans else []
        others += [doc[s:e] for _, s, e in self.other_matcher(doc)]
        if self.suffix_re is not None:
            lowers = doc.to_array(LOWER)
            strings = doc.vocab.strings
            drug_ids = [key for key in numpy.unique(lowers).tolist() if self.suffix_re.match(strings[key])]
            positions = numpy.flatnonzero(numpy.isin(lowers, numpy.array(drug_ids, dtype="uint64"))).tolist()
            others += [doc[i : i + 1] for i in positions if i not in sts_tokens]
        others = [s for s in others if not any(t.i in sts_tokens for t in s)]
        entities = [Span(doc, s.start, s.end, label="STS") for s in sts] + [
            Span(doc, s.start, s.end, label="DRUG") for s in others
        ]
        doc.set_ents(filter_spans(entities), default="outside")
        doc.spans[DRUGS] = [Span(doc, s.start, s.end, label="OTHER") for s in others]
        return doc


def is_sts(token: Token) -> bool:
    """A token of an STS name (set by ``sts_drug_tagger_v1``)."""
    return token.ent_type_ == "STS"


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


@Language.factory(
    "sts_external_ner_v1",
    default_config={"model": "", "drug_labels": ["CHEMICAL", "CHEM", "DRUG", "SIMPLE_CHEMICAL"]},
)
def create_external_ner(nlp: Language, name: str, model: str, drug_labels: list[str]) -> ExternalNer:
    return ExternalNer(model, drug_labels=drug_labels)


class ExternalNer:
    """Runs a separately installed NER model and keeps its drug entities.

    The model keeps its own tokenizer; entities are mapped back by character
    offsets, so any spaCy/scispaCy NER pipeline works.
    """

    def __init__(self, model: str, *, drug_labels: list[str]) -> None:
        if not model:
            raise ValueError("sts_external_ner_v1 needs a model name or path")
        self.model = spacy.load(model)
        if "ner" not in self.model.pipe_names:
            raise ValueError(f"model {model!r} has no 'ner' component (pipes: {self.model.pipe_names})")
        self.drug_labels = {label.upper() for label in drug_labels}

    def __call__(self, doc: Doc) -> Doc:
        external = self.model(doc.text)
        found = []
        for ent in external.ents:
            if ent.label_.upper() not in self.drug_labels:
                continue
            span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="expand")
            if span is not None:
                found.append(Span(doc, span.start, span.end, label="OTHER"))
        existing = list(doc.spans[DRUGS]) if DRUGS in doc.spans else []
        doc.spans[DRUGS] = existing + found
        return doc


@Language.factory("sts_lemmatizer_v1")
def create_lemmatizer(nlp: Language, name: str) -> LookupLemmatizer:
    return LookupLemmatizer()


class LookupLemmatizer:
    """Lemmas from the lookup table, keyed on the lower-cased word and stored
    lower-case, set for the whole Doc in one array write (one table look-up per
    distinct word)."""

    def __init__(self) -> None:
        from spacy.lookups import load_lookups

        self.table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._cache: dict[int, int] = {}

    def _lemma(self, doc: Doc, lower: int) -> int:
        if lower not in self._cache:
            word = doc.vocab.strings[lower]
            self._cache[lower] = doc.vocab.strings.add(self.table.get(word, word).lower())
        return self._cache[lower]

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            distinct, inverse = numpy.unique(doc.to_array(LOWER), return_inverse=True)
            lemmas = numpy.array([self._lemma(doc, int(h)) for h in distinct], dtype="uint64")
            doc.from_array([LEMMA], lemmas[inverse].reshape(-1, 1))
        return doc


@Language.factory("sts_field_matcher_v1", default_config={"patterns_dir": None})
def create_field_matcher(nlp: Language, name: str, patterns_dir: str | None) -> FieldMatcher:
    return FieldMatcher(nlp, patterns_dir=Path(patterns_dir) if patterns_dir else PATTERNS_DIR)


class FieldMatcher:
    """Rule matches as candidate spans; ``span.id_`` is the rule id.

    Rules are grouped by anchor words (the word set of a required,
    non-function-word token of the pattern); each group's Matcher runs only on
    the sentences holding one of its anchors, so most patterns never see most
    sentences (measured: 2.3x the words/s of one Matcher over the whole doc).
    Rules without an anchor run everywhere.
    """

    def __init__(self, nlp: Language, *, patterns_dir: Path) -> None:
        self.rules: dict[str, Rule] = {rule.id: rule for rule in load_rules(patterns_dir)}
        self.groups: list[tuple[tuple[str, frozenset[str]] | None, Matcher]] = []
        grouped: dict[tuple[str, frozenset[str]], list[Rule]] = {}
        unanchored: list[Rule] = []
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for rule in self.rules.values():
            if isinstance(rule.pattern, str):
                self.phrases.add(rule.id, [nlp.make_doc(rule.pattern)])
            elif rule_anchors(rule.pattern) is None:
                unanchored.append(rule)
            else:
                grouped.setdefault(rule_anchors(rule.pattern), []).append(rule)
        for anchors, rules in grouped.items():
            self.groups.append((anchors, _matcher(nlp, rules)))
        self._anchor_cache: dict[tuple[str, frozenset[str]], numpy.ndarray] = {}
        if unanchored:
            self.groups.append((None, _matcher(nlp, unanchored)))

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        sentences = list(doc.sents)
        sentence_starts = numpy.array([sent.start for sent in sentences], dtype="int64")
        columns = {"LOWER": doc.to_array(LOWER), "LEMMA": doc.to_array(LEMMA)}
        for anchors, matcher in self.groups:
            if anchors is None:
                spans.extend(matcher(doc, as_spans=True))
                continue
            hits = numpy.flatnonzero(numpy.isin(columns[anchors[0]], self._anchor_ids(doc, anchors)))
            for k in numpy.unique(numpy.searchsorted(sentence_starts, hits, side="right") - 1):
                spans.extend(matcher(sentences[k], as_spans=True))
        spans.extend(self.phrases(doc, as_spans=True))
        doc.spans[CANDIDATES] = [
            Span(doc, s.start, s.end, label=self.rules[s.label_].label, span_id=s.label_) for s in spans
        ]
        return doc

    def _anchor_ids(self, doc: Doc, anchors: tuple[str, frozenset[str]]) -> numpy.ndarray:
        """Hash ids of the anchor words, as the LOWER or LEMMA column of ``doc.to_array`` holds them."""
        if anchors not in self._anchor_cache:
            self._anchor_cache[anchors] = numpy.array(
                [doc.vocab.strings.add(word) for word in anchors[1]], dtype="uint64"
            )
        return self._anchor_cache[anchors]


_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "to",
        "by",
        "for",
        "with",
        "and",
        "or",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "has",
        "have",
        "had",
        "did",
        "does",
        "not",
        "no",
        "as",
        "at",
        "from",
        "that",
        "this",
        "it",
        "its",
        "their",
        "her",
        "his",
    ]
)


def rule_anchors(pattern: list[dict]) -> tuple[str, frozenset[str]] | None:
    """The column (LOWER or LEMMA) and lower-case words one of which must occur
    for ``pattern`` to match, or None."""
    for spec in pattern:
        if spec.get("OP") in ("?", "*", "!"):
            continue
        for key in ("LOWER", "TEXT", "ORTH", "LEMMA"):
            value = spec.get(key)
            words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
            if words and not any(word.lower() in _FUNCTION_WORDS for word in words):
                return ("LEMMA" if key == "LEMMA" else "LOWER"), frozenset(word.lower() for word in words)
    return None


def _matcher(nlp: Language, rules: list[Rule]) -> Matcher:
    matcher = Matcher(nlp.vocab, validate=True)
    for rule in rules:
        matcher.add(rule.id, [rule.pattern])
    return matcher


def build_nlp(*, model: str | None = None, patterns_dir: Path | str | None = None) -> Language:
    """The production pipeline: scispaCy tokenizer and abbreviations, then the STS components."""
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    _split_dashes_between_words(nlp)
    config = {"patterns_dir": str(patterns_dir) if patterns_dir else None}
    nlp.add_pipe("sts_sentences_v1")
    nlp.add_pipe("sts_abbreviations_v1")
    if model:
        nlp.add_pipe("sts_external_ner_v1", config={"model": str(model)})
    nlp.add_pipe("sts_drug_tagger_v1", config=config)
    nlp.add_pipe("sts_lemmatizer_v1")
    nlp.add_pipe("sts_field_matcher_v1", config=config)
    return nlp


class TailSearch:
    """A ``$``-anchored suffix regex searched from near the end of the string.

    spaCy's tokenizer strips one affix at a time and searches the suffix regex
    over the whole remaining string each time, so a 6,000-character run of
    "(((("… costs 6,000 full scans (11 s). Every suffix alternative is at most
    ``TAIL`` characters wide except runs ("..+"); a search starting ``TAIL``
    characters before the end (look-behinds and ``^`` still see the whole
    string) finds the same match, and a match starting right at that point
    may reach further left, so the full search decides."""

    TAIL = 64

    def __init__(self, regex: re.Pattern) -> None:
        self.regex = regex
        self.__self__ = regex  # spaCy serializes the tokenizer via suffix_search.__self__.pattern

    def __call__(self, string: str) -> re.Match | None:
        start = len(string) - self.TAIL
        if start <= 0:
            return self.regex.search(string)
        match = self.regex.search(string, start)
        if match is not None and match.start() == start:
            return self.regex.search(string)
        return match


def _split_dashes_between_words(nlp: Language) -> None:
    """Split "thiosulfate—10", "calcinosis.2", "thiosulfate(TST)", "1 mL." and "mL/session" so rules see
    the word, the number and the unit."""
    extra = (
        r"(?<=[A-Za-z])[—–](?=[0-9A-Za-z])|(?<=[a-z]{3})[.,](?=[0-9])"
        r"|(?<=[A-Za-z])/(?=(?:session|day|week|dose|lesion|month|injection|d|wk|h)\b)"
        r"|(?<=[a-z]{2})\((?=[A-Za-z0-9<>≤≥])"  # "thiosulfate(TST)", "small(<3cm)": a bracket glued to a word
        r"|(?<=\d)(?=(?:cms|mms|mls|mg/ml|mg/mL)$)"  # "3cms" → "3", "cms"; "150mg/ml" → "150", "mg/ml"
    )
    current = nlp.tokenizer.infix_finditer.__self__.pattern
    nlp.tokenizer.infix_finditer = re.compile(f"{extra}|{current}").finditer
    unit_stops = "|".join(
        [rf"(?<=^{re.escape(unit)})\.$" for unit in UNIT_WORDS_WITH_STOP]
        + [r"(?<=/mL)\.$", r"(?<=/ml)\.$", r"(?<=/kg)\.$"]
    )
    suffix = nlp.tokenizer.suffix_search.__self__.pattern
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nlp.tokenizer.suffix_search = TailSearch(re.compile(f"{unit_stops}|{suffix}"))
    rules = nlp.tokenizer.rules or {}
    # and "<3" is a size ("small(<3cm)"), not the heart emoticon of spaCy's special cases
    nlp.tokenizer.rules = {
        k: v for k, v in rules.items() if k.rstrip(".") not in UNIT_WORDS_WITH_STOP and k not in ("<3", "</3")
    }
