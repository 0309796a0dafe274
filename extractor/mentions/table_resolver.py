"""Table cells → mentions, with units from column headers or row labels."""

from __future__ import annotations

from extractor.mentions.builder import MentionBuilder
from extractor.mentions.outcomes import (
    rate_category,
)
from extractor.mentions.tables import table_mentions
from extractor.schema import Mention


class TableResolver(MentionBuilder):
    """Table cells read by column header or row label."""

    def tables(self) -> list[Mention]:
        result = []
        for table in self.structure.tables:
            for found in table_mentions(table, self.x.rules.table_headers, self.x.classify_header):
                if self.out_of_scope(found.start, found.end):
                    continue
                category = found.category
                if found.field == "outcome" and "success" in found.rule_id:
                    category = rate_category(
                        found.value_min, success_is_complete=self.success_is_complete, is_success_rate=True
                    )
                result.append(
                    self.mention(
                        found.field,
                        found.start,
                        found.end,
                        values=(found.value_min, found.value_max, found.unit),
                        category=category,
                        rule_id=found.rule_id,
                    )
                )
        return result
