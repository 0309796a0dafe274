"""Route candidates → route mentions (the most specific route word, STS's only)."""

from __future__ import annotations

from spacy.tokens import Span

from extractor.mentions.builder import MentionBuilder
from extractor.mentions.drugs import names_sts_next_to
from extractor.mentions.routes import filter_routes, injected_into_lesion
from extractor.schema import Mention


class RouteResolver(MentionBuilder):
    """Routes: the matcher's route words kept when they are STS's, most specific first."""

    def routes(self, spans: list[Span]) -> list[Mention]:
        kept = filter_routes(self.doc, spans, self.category_of, self.x.lexicons)
        columns = self.columns
        result = []
        for span in kept:
            if self._in_excluded_cell(span.start_char, span.end_char):
                continue  # before the hedge scan: a route word in an excluded cell goes whatever its hedges say
            modifiers = self.x.context.modifiers(self.doc, span, "route")
            if modifiers and not (
                all(self.x.context.category(m) == "adverse" for m in modifiers) and names_sts_next_to(span)
            ):
                continue  # an adverse-event phrase names a route only with STS itself ("nausea related to STS infusions")
            category = self.category_of(span)
            if category == "injection" and injected_into_lesion(
                self.doc, span, self.x.lexicons.word_set("lesion_words")
            ):
                category = "intralesional"
            # the route word only ("subcutaneous sodium")
            words = [k for k in range(span.start, span.end) if k not in columns.sts_at]
            if not words or (words[0] == span.start and words[-1] == span.end - 1):
                start, end = span.start_char, span.end_char
            else:
                first, last = self.doc[words[0]], self.doc[words[-1]]
                start, end = first.idx, last.idx + len(last.text)
            result.append(self.mention("route", start, end, category=category, rule_id=span.id_))
        return result
