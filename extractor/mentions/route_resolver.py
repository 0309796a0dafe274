"""Route candidates → route mentions (the most specific route word, STS's only)."""

from __future__ import annotations

from spacy.tokens import Span

from extractor.mentions.builder import MentionBuilder
from extractor.mentions.drugs import names_sts_next_to
from extractor.mentions.routes import filter_routes, injected_into_lesion
from extractor.nlp.drug_tagger import is_sts
from extractor.schema import Mention


class RouteResolver(MentionBuilder):
    """Routes: the matcher's route words kept when they are STS's, most specific first."""

    def routes(self, spans: list[Span]) -> list[Mention]:
        kept = filter_routes(self.doc, spans, self.category_of, self.x.lexicons)
        result = []
        for span in kept:
            modifiers = self.x.context.modifiers(self.doc, span, "route")
            if modifiers and not (
                all(self.x.context.category(m) == "adverse" for m in modifiers) and names_sts_next_to(span)
            ):
                continue  # an adverse-event phrase names a route only with STS itself ("nausea related to STS infusions")
            if self._in_excluded_cell(span.start_char, span.end_char):
                continue
            category = self.category_of(span)
            if category == "injection" and injected_into_lesion(
                self.doc, span, self.x.lexicons.word_set("lesion_words")
            ):
                category = "intralesional"
            words = [t for t in span if not is_sts(t)] or list(span)  # the route word only ("subcutaneous sodium")
            start, end = words[0].idx, words[-1].idx + len(words[-1].text)
            result.append(self.mention("route", start, end, category=category, rule_id=span.id_))
        return result
