"""What every rule-driven component shares: its rules come from one rules
directory (the ``rules_dir`` setting; empty means the packaged rules) and are
saved with the pipeline, as spaCy's span ruler saves its patterns."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from extractor.rules.loader import PatternError, RuleSet, load_rule_set, rules_dir_of

SAVED_RULES = "rules"


class RulesComponent:
    """A component built from a :class:`RuleSet`.

    ``to_disk`` copies the rule files into the component's folder and
    ``from_disk`` rebuilds from that copy, so a saved pipeline carries its own
    rules. A configured directory that does not exist here (a pipeline saved on
    another machine) is not read; ``from_disk`` supplies the rules."""

    name = "rules component"

    def __init__(self, rules_dir: str) -> None:
        self.rule_set: RuleSet | None = None
        directory = rules_dir_of(rules_dir)
        if not rules_dir or directory.is_dir():
            self.use_rules(load_rule_set(directory))

    def use_rules(self, rule_set: RuleSet) -> None:
        """Build the component's matchers or tables from ``rule_set``."""
        self.rule_set = rule_set

    @property
    def rules(self) -> RuleSet:
        if self.rule_set is None:
            raise PatternError(f"{self.name}: its rules directory was not found and no saved rules were loaded")
        return self.rule_set

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        target = Path(path) / SAVED_RULES
        if target.exists():
            shutil.rmtree(target)
        for source in self.rules.files():
            copy = target / source.relative_to(self.rules.directory)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RulesComponent:
        self.use_rules(load_rule_set(Path(path) / SAVED_RULES))
        return self
