"""One document's candidates → mentions: the driver. Each field has its
resolver (routes, quantities, outcomes, tables, evidence fields), all sharing
:class:`MentionBuilder`; this class runs them and removes overlaps.

``stage`` is the ``sts_mentions_v1`` component: it holds the rules
(``by_id``, ``lexicons``, ``context``, ``route_words``, ``result_filter``)."""

from __future__ import annotations

from extractor.mentions.attribution import THIS_STUDY
from extractor.mentions.builder import NUMERIC_FIELDS, without_overlaps
from extractor.mentions.evidence_resolver import EvidenceResolver
from extractor.mentions.outcome_resolver import OutcomeResolver
from extractor.mentions.quantity_resolver import QuantityResolver
from extractor.mentions.route_resolver import RouteResolver
from extractor.mentions.table_resolver import TableResolver
from extractor.schema import Mention

OWN_STS_FIELDS = frozenset({"lesion_size", "outcome", "route"})


class DocumentMentions(RouteResolver, QuantityResolver, OutcomeResolver, TableResolver, EvidenceResolver):
    """The per-document filtering and normalization steps, field by field."""

    def build(self) -> list[Mention]:
        by_field = self.candidates()
        # no filter of these fields reads a mention's source: it is worked out for the kept ones
        with self.sources_deferred():
            mentions = self.routes(by_field.get("route", []))
            mentions += self.outcomes(by_field.get("outcome", []))
            numeric = []
            for field in NUMERIC_FIELDS:
                numeric += self.numeric(field, by_field.get(field, []))
            table = self.tables()
        mentions += without_overlaps(
            table + numeric, group=lambda m: "numeric" if m.field in NUMERIC_FIELDS else m.field
        )
        mentions += self.evidence_fields(by_field)
        mentions = without_overlaps(mentions, group=lambda m: m.field)
        self.settle_sources(mentions)
        if any(m.field in OWN_STS_FIELDS and m.source == THIS_STUDY for m in mentions) and not self.own_sts:
            mentions = [m for m in mentions if not (m.field in OWN_STS_FIELDS and m.source == THIS_STUDY)]
        return sorted(mentions, key=lambda m: (m.start, m.end, m.field))
