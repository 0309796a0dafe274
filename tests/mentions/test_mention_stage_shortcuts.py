"""The mention stage's shortcuts skip only work that cannot change a mention:
each is checked against the plain computation it stands in for."""

from __future__ import annotations

import re
from pathlib import Path

from extractor.mentions.indication import is_about_other_use

ROOT = Path(__file__).resolve().parent.parent.parent
PAPERS = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "realtext" / "dev" / "docs").glob("*.txt"))[:8]
_WORD = re.compile(r"\w+")


def test_other_use_prefilter_never_hides_a_match(extractor):
    """Wherever ``is_about_other_use`` finds another use around a stretch, the
    word prefilter lets it be searched (results at every word of the papers)."""
    stage = extractor.nlp.get_pipe("sts_mentions_v1")
    assert stage.other_use_words is not None  # the production rules all give words
    texts = [
        "Sodium thiosulfate led to regression of vascular calcification in two patients.",
        "We saw gradual vascular calcification regression and hearing loss improvement.",
        "Improvement of cisplatin ototoxicity; healing of the ulcers.",
    ] + [path.read_text(encoding="utf-8") for path in PAPERS]
    searched = matched = 0
    for text in texts:
        for word in _WORD.finditer(text):
            start, end = word.span()
            about = is_about_other_use(stage.other_use_object, text, start, end)
            may = stage._may_name_other_use(text, start, end)
            assert may or not about, text[max(0, start - 60) : end + 80]
            searched += may
            matched += about
    assert matched > 0 and searched < sum(len(_WORD.findall(t)) for t in texts)
