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


def test_count_widening_skips_only_digitless_texts():
    """Every count or percentage ``widen_with_rate`` takes in holds a digit, so a left
    stretch without one is not searched: same bounds as searching it."""
    from extractor.mentions.outcomes import _LEFT_COUNT, _RIGHT_RATE, widen_with_rate
    from extractor.mentions.quantities import percent_in

    def plain(text: str, start: int, end: int, s_start: int, s_end: int) -> tuple[int, int]:
        s_start = max(s_start, text.rfind("\t", s_start, start) + 1)
        tab = text.find("\t", end, s_end)
        s_end = tab if tab != -1 else s_end
        match = _LEFT_COUNT.search(text[s_start:start])
        if match and match.group(0).strip():
            start = s_start + match.start()
        if percent_in(text[start:end]) is None:
            right = _RIGHT_RATE.match(text[end:s_end])
            if right:
                end = end + right.end()
        return start, end

    texts = ["In all, 19 (68%) had clinical improvement and seven patients had complete healing."] + [
        path.read_text(encoding="utf-8") for path in PAPERS
    ]
    widened = 0
    for text in texts:
        for line in re.finditer(r"[^\n]+", text):
            for word in list(_WORD.finditer(text, line.start(), line.end()))[::3]:
                got = widen_with_rate(text, word.start(), word.end(), line.start(), line.end())[:2]
                assert got == plain(text, word.start(), word.end(), line.start(), line.end())
                widened += got[0] < word.start()
    assert widened > 0


def test_scope_shortcuts_match_plain_scans():
    """Repeated runs by first occurrence and the reference list's prose line by
    bisection give the ranges of the plain scans."""
    from extractor.text.scope import _first_prose, _is_prose, repeated_runs
    from extractor.text.structure import analyse

    def plain_runs(structure, min_run: int = 3, min_chars: int = 20) -> list[tuple[int, int]]:
        seen: set[str] = set()
        flags = []
        for start, end in structure.sentences:
            key = " ".join(structure.text[start:end].split()).lower()
            flags.append(len(key) >= min_chars and key in seen)
            if len(key) >= min_chars:
                seen.add(key)
        runs, i = [], 0
        while i < len(flags):
            j = i
            while flags[i] and j + 1 < len(flags) and flags[j + 1]:
                j += 1
            if flags[i] and j - i + 1 >= min_run:
                runs.append((structure.sentences[i][0], structure.sentences[j][1]))
            i = j + 1
        return runs

    texts = [path.read_text(encoding="utf-8") for path in PAPERS]
    block = "The first sentence is here. The second one follows it. A third closes the block.\n\n"
    texts.append(block + "Some other text comes between them.\n\n" + block + "Short. Short. Short. Short.\n")
    repeated = 0
    for text in texts:
        structure = analyse(text)
        runs = repeated_runs(structure)
        assert runs == plain_runs(structure)
        repeated += len(runs)
        for start, _, _ in structure.sections:
            for end in (start + 1, start + 5000, len(text)):
                plain = next(
                    (line.start for line in structure.lines if start < line.start < end and _is_prose(line.text)), end
                )
                assert _first_prose(structure.lines, start, end) == plain
    assert repeated > 0
