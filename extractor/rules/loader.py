"""Rules and lexicons kept as data in ``patterns/``: loading and validation.

A rule is one JSONL line. Unknown keys are an error (spaCy's matcher accepts
unknown top-level keys silently, so a misspelt "negatives" would never run).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extractor.rules.jsonl import iter_jsonl
from extractor.schema import CATEGORIES, FIELDS

PATTERNS_DIR = Path(__file__).resolve().parent / "data"
FIELD_FILES: dict[str, str] = {name: f"{name}.jsonl" for name in FIELDS}
RULE_KEYS = {"id", "label", "pattern", "category", "sentence_requires", "examples", "negatives", "note"}
REQUIRED_RULE_KEYS = {"id", "label", "pattern"}
SPECIAL_CATEGORIES = {"by_value"}


class PatternError(ValueError):
    """A rule file that cannot be used, with file and line in the message."""


@dataclass(frozen=True)
class Rule:
    """One matcher rule: its id travels onto every mention it makes."""

    id: str
    label: str
    pattern: list | str
    category: str | None = None
    sentence_requires: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()


@dataclass
class Lexicons:
    """Word lists used by the rules and the filters."""

    sts_synonyms: list[str] = field(default_factory=list)
    other_drugs: list[str] = field(default_factory=list)
    other_drug_suffixes: tuple[str, ...] = ()
    treatment_heads: frozenset[str] = frozenset()
    lesion_words: frozenset[str] = frozenset()
    vehicles: frozenset[str] = frozenset()
    words: dict[str, frozenset[str]] = field(default_factory=dict)

    def word_set(self, name: str) -> frozenset[str]:
        """The lower-case words of ``lexicons/<name>.txt`` (referenced from a rule as ``@name``)."""
        if name not in self.words:
            raise PatternError(f"unknown lexicon @{name}")
        return self.words[name]


def read_lexicon(path: Path) -> list[str]:
    """One term per line; blank lines and ``#`` comments skipped."""
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            terms.append(line)
    return terms


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) pairs; a bad line raises PatternError naming it."""
    records = []
    for number, record, problem in iter_jsonl(path):
        if problem or record is None:
            raise PatternError(f"{path}:{number}: {problem}")
        records.append((number, record))
    return records


def _rule_from(record: dict, where: str, expected_label: str) -> Rule:
    unknown = set(record) - RULE_KEYS
    if unknown:
        raise PatternError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(RULE_KEYS)})")
    missing = REQUIRED_RULE_KEYS - set(record)
    if missing:
        raise PatternError(f"{where}: missing keys {sorted(missing)}")
    if record["label"] != expected_label:
        raise PatternError(f"{where}: label {record['label']!r} in the {expected_label} file")
    if not isinstance(record["pattern"], (list, str)) or not record["pattern"]:
        raise PatternError(f"{where}: pattern must be a token list or a phrase string")
    category = record.get("category")
    allowed = CATEGORIES.get(expected_label)
    # a frequency rule without a category states administrations per week
    if (
        allowed is not None
        and category not in allowed | SPECIAL_CATEGORIES
        and not (expected_label == "frequency" and category is None)
    ):
        raise PatternError(f"{where}: category {category!r} not allowed for {expected_label}")
    if allowed is None and category is not None:
        raise PatternError(f"{where}: {expected_label} rules take no category")
    return Rule(
        id=record["id"],
        label=record["label"],
        pattern=record["pattern"],
        category=category,
        sentence_requires=tuple(record.get("sentence_requires", ())),
        examples=tuple(record.get("examples", ())),
        negatives=tuple(record.get("negatives", ())),
    )


def load_rules(patterns_dir: Path | str = PATTERNS_DIR) -> list[Rule]:
    """All field rules, checked; ids must be unique across files."""
    patterns_dir = Path(patterns_dir)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for label, filename in FIELD_FILES.items():
        path = patterns_dir / filename
        if not path.is_file():
            raise PatternError(f"{path}: missing rule file for field {label}")
        for number, record in read_jsonl(path):
            where = f"{path}:{number}"
            rule = _rule_from(record, where, label)
            if rule.id in seen:
                raise PatternError(f"{where}: duplicate rule id {rule.id!r} (first at {seen[rule.id]})")
            seen[rule.id] = where
            rules.append(rule)
    return rules


@lru_cache(maxsize=8)
def _load_lexicons_cached(patterns_dir: str) -> Lexicons:
    base = Path(patterns_dir) / "lexicons"

    def words(name: str) -> frozenset[str]:
        return frozenset(term.lower() for term in read_lexicon(base / f"{name}.txt"))

    return Lexicons(
        sts_synonyms=read_lexicon(base / "sts_synonyms.txt"),
        other_drugs=read_lexicon(base / "other_drugs.txt"),
        other_drug_suffixes=tuple(read_lexicon(base / "other_drug_suffixes.txt")),
        treatment_heads=words("treatment_heads"),
        lesion_words=words("lesion_words"),
        vehicles=words("vehicles"),
        words={path.stem: words(path.stem) for path in sorted(base.glob("*.txt"))},
    )


def load_lexicons(patterns_dir: Path | str = PATTERNS_DIR) -> Lexicons:
    """The lexicons (cached per folder; the returned object is never mutated)."""
    return _load_lexicons_cached(str(Path(patterns_dir).resolve()))


@dataclass(frozen=True)
class RegexRule:
    """A regular-expression rule (sections, citation markers, table headers, context)."""

    id: str
    regex: re.Pattern[str]
    data: dict


def alternation(rules: Sequence[RegexRule]) -> str:
    """The rules' patterns as one alternation, each keeping its own case flag."""
    return "|".join(f"(?{'i' if r.regex.flags & re.IGNORECASE else '-i'}:{r.regex.pattern})" for r in rules)


def load_regex_rules(name: str, patterns_dir: Path | str = PATTERNS_DIR, *, keys: set[str]) -> list[RegexRule]:
    """Rules of ``patterns/<name>.jsonl`` with a ``regex`` key, compiled case-insensitively
    unless the rule says ``"case": "sensitive"``."""
    path = Path(patterns_dir) / f"{name}.jsonl"
    rules = []
    for number, record in read_jsonl(path):
        unknown = set(record) - keys - {"id", "regex", "case", "note"}
        if unknown:
            raise PatternError(f"{path}:{number}: unknown keys {sorted(unknown)}")
        if "id" not in record or "regex" not in record:
            raise PatternError(f"{path}:{number}: needs id and regex")
        flags = 0 if record.get("case") == "sensitive" else re.IGNORECASE
        try:
            compiled = re.compile(record["regex"], flags)
        except re.error as exc:
            raise PatternError(f"{path}:{number}: bad regex: {exc}") from exc
        rules.append(RegexRule(record["id"], compiled, record))
    return rules


def load_context_rules(patterns_dir: Path | str = PATTERNS_DIR) -> list[dict]:
    """ConText triggers: literal, category, direction, window."""
    path = Path(patterns_dir) / "context.jsonl"
    allowed = {"id", "category", "literal", "direction", "window", "through_commas", "through_colons", "note"}
    rules = []
    for number, record in read_jsonl(path):
        unknown = set(record) - allowed
        if unknown or not {"id", "category", "literal", "direction", "window"} <= set(record):
            raise PatternError(f"{path}:{number}: context rule keys must be {sorted(allowed)}")
        if record["direction"] not in ("forward", "backward", "both"):
            raise PatternError(f"{path}:{number}: direction must be forward, backward or both")
        rules.append(record)
    return rules


def rules_dir_of(rules_dir: Path | str | None) -> Path:
    """The rules directory a configuration names; empty means the rules shipped in the package."""
    return Path(rules_dir).resolve() if rules_dir else PATTERNS_DIR


@dataclass(frozen=True)
class RuleSet:
    """Every rule file of one rules directory, read and checked once.

    One object reaches every component (sentences, drug tagger, matcher, the
    mention stage, table headers, citations), so a developer who points
    ``--rules`` at a copy changes all of them together."""

    directory: Path
    fields: tuple[Rule, ...]
    lexicons: Lexicons
    sections: tuple[RegexRule, ...]
    citations: tuple[RegexRule, ...]
    table_headers: tuple[RegexRule, ...]
    indications: tuple[RegexRule, ...]
    context: tuple[dict, ...]

    def files(self) -> list[Path]:
        """The rule files, for copying a rule set beside a saved pipeline and for the batch fingerprint."""
        return sorted(
            path
            for path in self.directory.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
        )


# the word lists the code reads by name (lexicons/<name>.txt); a rules directory copied
# from an older version without one of them fails here, naming the file
REQUIRED_LEXICONS = (
    "sts_synonyms", "other_drugs", "other_drug_suffixes", "treatment_heads", "lesion_words", "vehicles",
    "quantity_heads", "quantity_tails", "unit_words", "outcome_trim", "partial_words", "giving_words",
    "treatment_words", "result_verbs", "symptom_words", "clause_terminators", "drug_object_heads",
    "pooled_treatment_words", "pooled_set_words", "pooled_set_heads", "hedge_modals", "not_given_phrases", "usage_phrases", "listing_headings",
    "salt_cations", "trauma_words", "not_a_course", "not_a_session", "report_kinds", "treatment_verbs",
    "enrolment_verbs", "amount_nouns", "history_words", "literature_items",
)  # fmt: skip


@lru_cache(maxsize=8)
def _load_rule_set(directory: str) -> RuleSet:
    base = Path(directory)
    if not base.is_dir():
        raise PatternError(f"{base}: rules directory not found")
    missing = [name for name in REQUIRED_LEXICONS if not (base / "lexicons" / f"{name}.txt").is_file()]
    if missing:
        raise PatternError(
            f"{base / 'lexicons' / (missing[0] + '.txt')}: missing word list (needed: {', '.join(missing)})"
        )
    return RuleSet(
        directory=base,
        fields=tuple(load_rules(base)),
        lexicons=load_lexicons(base),
        sections=tuple(load_regex_rules("sections", base, keys={"section"})),
        citations=tuple(load_regex_rules("citations", base, keys={"kind", "in_tables"})),
        table_headers=tuple(load_regex_rules("table_headers", base, keys={"field", "default_unit", "category"})),
        indications=tuple(_indication_rules(base)),
        context=tuple(load_context_rules(base)),
    )


def load_rule_set(rules_dir: Path | str | None = None) -> RuleSet:
    """The rule set of ``rules_dir`` (the packaged rules when empty), cached per directory."""
    return _load_rule_set(str(rules_dir_of(rules_dir)))


INDICATIONS = ("calcification", "other")


def _indication_rules(base: Path) -> list[RegexRule]:
    rules = load_regex_rules("indications", base, keys={"indication", "strength"})
    for rule in rules:
        if rule.data["indication"] not in INDICATIONS or rule.data["strength"] not in ("strong", "weak"):
            raise PatternError(
                f"{base / 'indications.jsonl'}: {rule.id}: indication must be calcification/other, strength strong/weak"
            )
    return rules
