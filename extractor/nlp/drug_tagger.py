"""``sts_drug_tagger_v1``: STS names (and abbreviations the paper defines for
them) as ``STS`` entities, other drugs as ``DRUG`` entities and in
``doc.spans["drugs"]``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE, LOWER, ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from extractor.nlp.extensions import doc_value, span_value, token_column
from extractor.nlp.rules_component import RulesComponent
from extractor.rules.loader import RuleSet
from extractor.text.scope import legend_entries

DRUGS = "drugs"
# the lexeme flag bits spaCy leaves free (1-18 are its own IS_* attributes, 13 a deprecated one)
_FREE_FLAGS = range(19, 64)


@Language.factory("sts_drug_tagger_v1", default_config={"rules_dir": ""})
def create_drug_tagger(nlp: Language, name: str, rules_dir: str) -> DrugTagger:
    return DrugTagger(nlp, rules_dir)


class WordFlag:
    """A lexeme flag: whether a word is one of ``exact``, or its lower case one
    of ``lowered`` or a match of ``pattern``. spaCy computes it once per word
    type, when the word enters the vocabulary. The flag also keeps the ORTH ids
    of the words it marked, so a Doc finds its flagged tokens on its ORTH column
    (:meth:`positions`) instead of reading the flag with ``doc.to_array``, which
    costs ~300 instructions per token. Compared by value: pipelines with the
    same lexicons share a flag bit."""

    def __init__(
        self,
        *,
        exact: Iterable[str] = (),
        lowered: Iterable[str] = (),
        pattern: str = "",
        lower: Callable[[str], str] = str.lower,
    ) -> None:
        self.exact = frozenset(exact)
        self.lowered = frozenset(lowered)
        self.regex = re.compile(pattern) if pattern else None
        self.lower = lower
        self._new: list[int] = []  # ORTH ids marked since the sorted array was last made
        self._marked = numpy.zeros(0, dtype="uint64")

    def __call__(self, string: str) -> bool:
        if self._test(string):
            self._new.append(get_string_id(string))
            return True
        return False

    def _test(self, string: str) -> bool:
        if string in self.exact:
            return True
        word = self.lower(string)
        return word in self.lowered or (self.regex is not None and self.regex.match(word) is not None)

    def positions(self, orths: numpy.ndarray) -> numpy.ndarray:
        """The indices of ``orths`` (a Doc's ORTH column) whose word the flag
        marked: spaCy calls the flag on every word type of the vocabulary (those
        there when the flag was added, and each new one), so these are the
        tokens whose flag is set."""
        if self._new:
            self._marked = numpy.union1d(self._marked, numpy.array(self._new, dtype="uint64"))
            self._new = []
        marked = self._marked
        if not len(marked) or not len(orths):
            return numpy.zeros(0, dtype="int64")
        where = numpy.minimum(marked.searchsorted(orths), len(marked) - 1)
        return numpy.flatnonzero(marked[where] == orths)

    def _key(self) -> tuple:
        return (self.exact, self.lowered, self.regex.pattern if self.regex is not None else "", self.lower)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordFlag) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def lexeme_getters(vocab: Vocab) -> dict[int, Callable[[str], object]]:
    """The functions spaCy applies to each new word type, by attribute id."""
    getters: dict[int, Callable[[str], object]] = vocab.lex_attr_getters  # type: ignore[attr-defined]  # not in the stub
    return getters


def word_flag(vocab: Vocab, flag: WordFlag) -> int:
    """The flag bit of ``flag`` in ``vocab``: the bit an equal flag already has,
    else a free one (set on every word the vocabulary holds, and on new words
    as they come)."""
    getters = lexeme_getters(vocab)
    for bit in _FREE_FLAGS:
        if getters.get(bit) == flag:
            return bit
    for bit in _FREE_FLAGS:
        if bit not in getters:
            return vocab.add_flag(flag, flag_id=bit)
    raise ValueError("no free lexeme flag bit left in this vocabulary")


class PhraseTable:
    """spaCy's ``PhraseMatcher(attr="LOWER")``, tried only at given tokens:
    the phrases (their tokens' lower-case hashes) and, by first word, the
    lengths they come in. Same matches in the same order: by start, shorter
    first (two phrases of one length and first word never match at one start)."""

    def __init__(self, phrases: Iterable[Doc]) -> None:
        self.phrases: set[tuple[int, ...]] = set()
        self.first_words: set[str] = set()
        for phrase in phrases:
            if len(phrase):
                self.phrases.add(tuple(phrase.to_array(LOWER).tolist()))
                self.first_words.add(phrase[0].lower_)
        lengths: dict[int, set[int]] = {}
        for words in self.phrases:
            lengths.setdefault(words[0], set()).add(len(words))
        self.lengths = {first: sorted(sizes) for first, sizes in lengths.items()}

    def matches(
        self, lowers: numpy.ndarray, starts: list[int], start_lowers: list[int] | None = None
    ) -> list[tuple[int, int]]:
        """(start, end) of every phrase in the LOWER column ``lowers`` that opens at one of ``starts`` (ascending);
        ``start_lowers``: the LOWER values at ``starts``, if already read. The words after
        every start that opens a longer phrase are read in one fancy index, not one slice per phrase."""
        if start_lowers is None:
            start_lowers = lowers[starts].tolist() if len(starts) else []
        lengths = self.lengths
        candidates = [(start, lengths[first]) for start, first in zip(starts, start_lowers) if first in lengths]
        longest = max((sizes[-1] for _, sizes in candidates), default=1)
        size = len(lowers)
        windows: list[list[int]] = []
        if longest > 1:
            firsts = numpy.array([start for start, _ in candidates], dtype="int64")
            windows = lowers[numpy.minimum(firsts[:, None] + numpy.arange(longest), size - 1)].tolist()
        phrases = self.phrases
        found = []
        for k, (start, sizes) in enumerate(candidates):
            for length in sizes:
                if length == 1 or (start + length <= size and tuple(windows[k][:length]) in phrases):
                    found.append((start, start + length))
        return found


class DrugTagger(RulesComponent):
    """Drug names as entities: ``STS`` (its names and the abbreviations a paper
    defines for them) and ``DRUG`` (other drugs, from the lexicon, INN suffixes
    and an optional NER model). Rules match STS with ``{"ENT_TYPE": "STS"}``;
    other drugs are also kept in ``doc.spans["drugs"]``.

    One lexeme flag marks every word that can matter (a name's first word, an
    STS abbreviation, a drug suffix), computed once per word type; only the
    flagged tokens are looked at. The entities are written as ENT_IOB /
    ENT_TYPE columns, as ``doc.set_ents(filter_spans(...))`` would set them,
    without a Span (and its Token objects) per name."""

    name = "sts_drug_tagger_v1"
    SUFFIX_CACHE = 500_000

    def __init__(self, nlp: Language, rules_dir: str) -> None:
        self.nlp = nlp
        super().__init__(rules_dir)

    def use_rules(self, rule_set: RuleSet) -> None:
        super().use_rules(rule_set)
        nlp, lexicons = self.nlp, rule_set.lexicons
        vocab = nlp.vocab
        lower: Callable[[str], str] = lexeme_getters(vocab).get(LOWER, str.lower)  # type: ignore[assignment]  # returns str
        self.sts_phrases = PhraseTable([nlp.make_doc(term) for term in lexicons.sts_synonyms if not term.isupper()])
        self.sts_abbreviations = {term for term in lexicons.sts_synonyms if term.isupper()}
        self.sts_name_ids = {vocab.strings.add(term) for term in self.sts_abbreviations}
        self.sts_name_lowers = {vocab.strings.add(lower(term)) for term in self.sts_abbreviations}
        terms = "|".join(re.escape(term) for term in lexicons.sts_synonyms if not term.isupper())
        self.sts_term_re = re.compile(rf"\b(?:{terms})\b", re.IGNORECASE)
        self.other_phrases = PhraseTable([nlp.make_doc(term) for term in lexicons.other_drugs])
        suffixes = "|".join(re.escape(s) for s in lexicons.other_drug_suffixes)
        pattern = rf"^[a-z]{{3,}}(?:{suffixes})s?$" if suffixes else ""
        self.suffix_re = re.compile(pattern) if pattern else None
        self._suffixed: dict[int, bool] = {}  # lower-case word hash → whether it has a drug suffix
        words = self.sts_phrases.first_words | self.other_phrases.first_words
        self.flag = word_flag(
            vocab, WordFlag(exact=self.sts_abbreviations, lowered=words, pattern=pattern, lower=lower)
        )
        self.word_flag: WordFlag = lexeme_getters(vocab)[self.flag]  # type: ignore[assignment]  # the one spaCy calls
        self.labels = {label: vocab.strings.add(label) for label in ("STS", "DRUG", "OTHER")}

    def _has_suffix(self, doc: Doc, lower: int) -> bool:
        suffixed = self._suffixed
        flag = suffixed.get(lower)
        if flag is None:
            if len(suffixed) > self.SUFFIX_CACHE:
                suffixed.clear()
            flag = suffixed[lower] = (
                self.suffix_re is not None and self.suffix_re.match(doc.vocab.strings[lower]) is not None
            )
        return flag

    def __call__(self, doc: Doc) -> Doc:
        lowers = token_column(doc, LOWER)
        orths = token_column(doc, ORTH)
        flagged_column = self.word_flag.positions(orths)
        flagged = flagged_column.tolist()
        flagged_lowers = lowers[flagged_column].tolist()
        sts = self.sts_phrases.matches(lowers, flagged, flagged_lowers)
        named = {i for start, end in sts for i in range(start, end)}
        extra = set()  # the paper's own names for STS
        if named:
            for abbreviation in doc_value(doc, "abbreviations") or []:
                long_form = span_value(abbreviation, "long_form")
                if long_form is not None and not named.isdisjoint(range(long_form.start, long_form.end)):
                    extra.add(abbreviation.text)  # its long form overlaps an STS name
        structure = doc_value(doc, "structure")
        if structure is not None:
            for _, _, short, expansion in legend_entries(structure):
                if self.sts_term_re.search(expansion):
                    extra.add(short)  # "STS, sodium thiosulfate" in a table legend
        name_lowers, name_ids = self.sts_name_lowers, self.sts_name_ids
        flagged_orths = orths[flagged_column].tolist()
        names = {
            i
            for i, lower, orth in zip(flagged, flagged_lowers, flagged_orths)
            if lower in name_lowers and orth in name_ids
        }
        extra -= self.sts_abbreviations
        if extra:
            extra_ids = numpy.array([doc.vocab.strings.add(name) for name in extra], dtype="uint64")
            names.update(numpy.flatnonzero(numpy.isin(orths, extra_ids)).tolist())
        sts += [(i, i + 1) for i in sorted(names)]
        sts_tokens = {i for start, end in sts for i in range(start, end)}
        others = [(span.start, span.end) for span in doc.spans[DRUGS]] if DRUGS in doc.spans else []
        others += self.other_phrases.matches(lowers, flagged, flagged_lowers)
        if self.suffix_re is not None:
            has_suffix = self._has_suffix
            others += [
                (i, i + 1)
                for i, lower in zip(flagged, flagged_lowers)
                if i not in sts_tokens and has_suffix(doc, lower)
            ]
        if sts_tokens:
            others = [(start, end) for start, end in others if sts_tokens.isdisjoint(range(start, end))]
        sts_label, drug_label = self.labels["STS"], self.labels["DRUG"]
        entities = [(start, end, sts_label) for start, end in sts] + [(start, end, drug_label) for start, end in others]
        set_entities(doc, filter_ranges(entities))
        other = self.labels["OTHER"]
        doc.spans[DRUGS] = [Span(doc, start, end, label=other) for start, end in others]
        return doc


def filter_ranges(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``spacy.util.filter_spans`` on (start, end, label) triples: longest first
    (then the later start), dropping any whose first or last token is taken."""
    result = []
    seen: set[int] = set()
    for start, end, label in sorted(ranges, key=lambda r: (r[1] - r[0], -r[0]), reverse=True):
        if start not in seen and end - 1 not in seen:
            result.append((start, end, label))
            seen.update(range(start, end))
    return sorted(result, key=lambda r: r[0])


def set_entities(doc: Doc, entities: list[tuple[int, int, int]]) -> None:
    """``doc.set_ents`` of non-overlapping (start, end, label) entities, every
    other token outside: B/I/O and the type written as two columns. set_ents
    also clears the entity tokens' knowledge-base ids; a fresh Doc has none,
    so that column is read and written only when one is there."""
    iob = numpy.full(len(doc), 2, dtype="uint64")  # O
    types = numpy.zeros(len(doc), dtype="uint64")
    # every entity token and its label, written with one index each (not three slices per entity)
    tokens = [i for start, end, _ in entities for i in range(start, end)]
    if tokens:
        iob[tokens] = 1  # I
        iob[[start for start, end, _ in entities if end > start]] = 3  # B
        types[tokens] = numpy.array(
            [label for start, end, label in entities for _ in range(start, end)], dtype="uint64"
        )
    if any(doc[i].ent_kb_id for i in tokens):
        kb_ids = doc.to_array(ENT_KB_ID)
        for start, end, _ in entities:
            kb_ids[start:end] = 0
        doc.from_array([ENT_IOB, ENT_TYPE, ENT_KB_ID], numpy.stack([iob, types, kb_ids], axis=1))
    else:
        doc.from_array([ENT_IOB, ENT_TYPE], numpy.stack([iob, types], axis=1))


def is_sts(token: Token) -> bool:
    """A token of an STS name (set by ``sts_drug_tagger_v1``)."""
    return token.ent_type_ == "STS"
