"""Document structure from raw text: lines, sentences, sections and tables.

Works on the original string so every offset stays exact. Sentences are cut
at line ends (paragraphs, table rows, headings) and at sentence punctuation,
but a paragraph that stops mid-sentence and resumes in lower case after a
break (a page or column break in the source) is joined back.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from extractor.rules.loader import RegexRule, load_rule_set
from extractor.text.markup import structure_view

ABBREVIATIONS = {
    "al",
    "fig",
    "figs",
    "dr",
    "vs",
    "e.g",
    "i.e",
    "eg",
    "ie",
    "no",
    "nos",
    "st",
    "mr",
    "mrs",
    "ms",
    "approx",
    "ca",
    "cf",
    "jr",
    "inc",
    "ltd",
    "vol",
    "pp",
    "ref",
    "refs",
    "tab",
    "mo",
    "yr",
    "yrs",
    "wk",
    "wks",
    "min",
    "max",
    "resp",
    "etc",
    "op",
    "cit",
    "i.v",
    "s.c",
    "p.o",
    "q.d",
    "b.i.d",
    "t.i.d",
}
_SENTENCE_END = re.compile(
    r"[.!?]"  # the full stop
    # closers and markers; a digit, comma or dash is one step each, so a run of them ("10.1016/...", "2019.12345")
    # is read once, not cut into every possible 1-3 digit groups when the look-ahead fails (which were the same
    # characters as "[⁰¹²³⁴⁵⁶⁷⁸⁹,–-]+|\d{1,3}(?:[,–-]\d{1,3})*" repeated, at an exponential cost)
    r"(?:[\"')\]]|<sup>[^<]{0,20}</sup>|\^\{[^}]{0,20}\}|\^[^^\s]{1,20}\^|[\d⁰¹²³⁴⁵⁶⁷⁸⁹,–-])*"
    r"(?=\s+[\"'(\[]?[A-Z0-9#*<])"
    r"|(?<=[a-z]{3})\.(?=[A-Z][a-z])"  # a sentence glued to the next, as scraped text loses the space
)
ARTICLE_START = re.compile(
    r"^\s*(?:<?https?://(?:dx\.)?doi\.org/\S+>?|doi:\s*\S+|DOI:\s*\S+|To the Editor:?)\s*$|^\s*To the Editor:",
    re.IGNORECASE,
)  # a DOI line or a letter opening starts a new article in a scraped file
_HEADING_MARKUP = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})\.?\s+)?(.*?)\s*(?:\*\*)?\s*:?\s*$"
)
# its part before the heading words (the lazy words then take all up to the trailing markup)
_HEADING_PREFIX = re.compile(r"\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})\.?\s+)?")


def _is_pipe_row(stripped: str) -> bool:
    """Whether a stripped line is a markdown table row (:attr:`Line.is_pipe_row`)."""
    return stripped.startswith("|") and stripped.count("|") >= 3


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()

    @property
    def is_table_row(self) -> bool:
        return "\t" in self.text

    @property
    def is_pipe_row(self) -> bool:
        """A markdown table row ("| L1 | Topical 25% | 5 mm |"): its own sentence,
        so a 15,000-row table is 15,000 short sentences, not one long one."""
        return _is_pipe_row(self.text.strip())


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    text: str
    column: int


@dataclass
class Table:
    """Consecutive tab-separated lines; the first is the header row."""

    rows: list[list[Cell]]
    start: int
    end: int

    @property
    def header(self) -> list[Cell]:
        return self.rows[0]


@dataclass
class Structure:
    text: str
    lines: list[Line]
    sentences: list[tuple[int, int]]
    sections: list[tuple[int, str, str]]  # (start offset, canonical section, heading text)
    tables: list[Table] = field(default_factory=list)
    derived: dict[str, object] = field(default_factory=dict, repr=False)  # per-document caches (legends)

    def section_at(self, offset: int) -> str:
        current = "body"
        for start, name, _ in self.sections:
            if start > offset:
                break
            current = name
        return current


def split_lines(text: str) -> list[Line]:
    lines = []
    position = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.rstrip("\r\n")
        lines.append(Line(position, position + len(stripped), stripped))
        position += len(raw)
    return lines


_TRAILING_MARKERS = re.compile(r"(<sup>[^<]*</sup>|[\s⁰¹²³⁴⁵⁶⁷⁸⁹\d,–*]|\^\{[^}]*\}|\^[^^\s]*\^)+$")
_MARKER_CHARACTERS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹,–*")  # the one-character markers, besides white space and digits


def _ends_sentence(text: str) -> bool:
    tail = _TRAILING_MARKERS.sub("", text)
    return not tail or tail[-1] in ".!?:;"


def _block_ends_sentence(text: str, start: int, end: int) -> bool:
    """:func:`_ends_sentence` of ``text[start:end]``, read off the characters
    before its trailing run of one-character markers (white space, digits,
    superscripts, commas): unless a tag or caret marker (ending ">", "}", "^")
    comes right before that run, the markers stripped are exactly that run. So
    a paragraph is not scanned again for each line added to it."""
    first = end
    while first > start and (
        text[first - 1].isspace() or text[first - 1].isdecimal() or text[first - 1] in _MARKER_CHARACTERS
    ):
        first -= 1
    if first == start:
        return True
    if text[first - 1] in ">}^":
        return _ends_sentence(text[start:end])
    return text[first - 1] in ".!?:;"


def _starts_continuation(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0].islower()


_LAST_WORD = re.compile(r"(\S+)$")
_AFTER_NUMBER = re.compile(r"\d\s*\S+$")
_TAIL = 64  # the tests of _last_word try words around this length


def _last_word(text: str, start: int, end: int) -> re.Match | None:
    """``(\\S+)$`` searched in text[start:end]: the run of non-space characters
    that ends the stretch, or ends it before a final line feed (as ``$``
    allows). Found by stepping back from the end (a word is short), not by
    trying the pattern at every position of the stretch."""
    stop = end
    if stop > start and text[stop - 1] == "\n":
        stop -= 1
    if stop <= start or text[stop - 1].isspace():
        return None
    first = stop - 1
    while first > start and not text[first - 1].isspace():
        first -= 1
    return _LAST_WORD.match(text, first, end)


def _sentence_ends(chunk: str) -> Iterator[re.Match]:
    """``_SENTENCE_END.finditer(chunk)``, tried only at the full stops, "!" and
    "?" (where every match starts), which ``str.find`` finds far faster than
    the pattern scans for them."""
    marks: list[int] = []
    for character in ".!?":
        found = chunk.find(character)
        while found >= 0:
            marks.append(found)
            found = chunk.find(character, found + 1)
    marks.sort()
    position = 0
    match = _SENTENCE_END.match
    for mark in marks:
        if mark >= position:
            stop = match(chunk, mark)
            if stop is not None:
                yield stop
                position = stop.end()


def _marks(text: str) -> list[int]:
    """Offsets of every ".", "!" and "?" in the text, in order: where a sentence end
    can start, found once per document by ``str.find`` rather than once per block."""
    marks: list[int] = []
    find = text.find
    for character in ".!?":
        found = find(character)
        while found >= 0:
            marks.append(found)
            found = find(character, found + 1)
    marks.sort()
    return marks


def _word_before(text: str, cursor: int, stop: int) -> str:
    """The lower-cased last word of ``text[cursor:stop]`` without its trailing
    dots, as :func:`_last_word` reads it ("" when a space precedes ``stop``),
    found by one ``rsplit`` of the last :data:`_TAIL` characters."""
    if stop > cursor and text[stop - 1] == "\n":
        stop -= 1
    if stop <= cursor or text[stop - 1].isspace():
        return ""
    low = stop - _TAIL if stop - _TAIL > cursor else cursor
    tail = text[low:stop]
    word = tail.rsplit(None, 1)[-1]  # its last run of non-space characters, found in C
    if low > cursor and len(word) == len(tail):  # a word longer than the tail: step back to its start
        first = low
        while first > cursor and not text[first - 1].isspace():
            first -= 1
        word = text[first:stop]
    return word.lower().rstrip(".")


def _split_block(text: str, start: int, end: int, marks: list[int] | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside one block of prose (``marks``: :func:`_marks` of the
    whole text, which spares the search). The pattern is tried on the whole text
    up to ``end``, which is the block's slice for it, except within three
    characters of the block's start, where its look-behind would see past it."""
    if marks is None:
        marks = _marks(text)
    spans = []
    cursor = start
    position = start
    match = _SENTENCE_END.match
    abbreviations = ABBREVIATIONS
    for index in range(bisect_left(marks, start), bisect_left(marks, end)):
        mark = marks[index]
        if mark < position:
            continue
        if mark - start >= 3:
            found = match(text, mark, end)
            if found is None:
                continue
            cut = found.end()
        else:
            found = match(text[start:end], mark - start)
            if found is None:
                continue
            cut = start + found.end()
        position = cut
        token = _word_before(text, cursor, mark)
        if token in abbreviations or (
            len(token) == 1 and token.isalpha() and _AFTER_NUMBER.search(text, cursor, mark) is None  # not "5 x."
        ):
            continue
        spans.append((cursor, cut))
        cursor = cut
        while cursor < end and text[cursor].isspace():
            cursor += 1
    if cursor < end:
        spans.append((cursor, end))
    return spans  # each span holds its mark, or starts at a non-blank character: none is blank


def heading_of(line_text: str) -> str | None:
    """The heading words of a line that looks like a heading, else None."""
    text = line_text.strip()
    if not text or len(text) > 80 or "\t" in text:
        return None
    if "\n" in text:  # "." stops at a line feed: the pattern decides
        match = _HEADING_MARKUP.match(text)
        return match.group(1).strip() if match else None
    # _HEADING_MARKUP without its lazy middle, which tries the tail pattern at every character:
    # the words run from the prefix to the trailing "**", ":" and spaces, read backwards
    start = _HEADING_PREFIX.match(text).end()  # type: ignore[union-attr]  # every part is optional
    end = _trailing_markup_start(text, start)
    return text[start:end].strip()


def _trailing_markup_start(text: str, start: int) -> int:
    """Where ``\\s*(?:\\*\\*)?\\s*:?\\s*$`` first matches in text[start:]: white space,
    then a colon, white space, "**" and white space, each taken backwards from the end."""
    end = len(text)
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and text[end - 1] == ":":
        end -= 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - 2 >= start and text[end - 2 : end] == "**":
        end -= 2
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


_RUN_IN_LABEL = re.compile(r"^\s*(?:\*\*)?([A-Z][A-Za-z /&]{2,40}?)(?:\*\*)?\s*[:.]\s+\S")
# the run of label characters from the label's capital: a run-in label needs ":" or "." right
# after it (or "**" or other white space first), within 41 characters
_LABEL_RUN = re.compile(r"\s*(?:\*\*)?([A-Z][A-Za-z /&]*)")


def _run_in_label(text: str) -> re.Match | None:
    """``_RUN_IN_LABEL.match(text)``, the pattern tried only where its label can end
    (most lines are prose, whose first words run on into a digit, a comma or a long clause)."""
    run = _LABEL_RUN.match(text)
    if run is None:
        return None
    end = run.end()
    if end >= len(text) or not (text[end] in ":.*" or text[end].isspace()):
        return None
    if len(run.group(1).rstrip(" ")) > 41:
        return None
    return _RUN_IN_LABEL.match(text)


_NEXT_RUN_IN_LABEL = re.compile(r"[.!?]\s*(?:\*\*)?([A-Z][A-Za-z /&]{2,40}?)(?:\*\*)?\s*:\s+\S")


def _more_labels(text: str, after: int, rules: Sequence[RegexRule]) -> bool:
    """Whether a paragraph that opens with a run-in label holds another one
    later ("Background/Aims: ... Methods: ... Results: ..."): a whole
    structured abstract in one paragraph."""
    for match in _NEXT_RUN_IN_LABEL.finditer(text, after):
        if any(rule.regex.match(part.strip()) for part in match.group(1).split("/") for rule in rules):
            return True
    return False


def find_sections(lines: list[Line], rules: Sequence[RegexRule] | None = None) -> list[tuple[int, str, str]]:
    """Headings on their own line, and run-in labels of structured abstracts
    ("Results: Nine of 12 ..."); a new article (DOI line, "To the Editor")
    closes the previous article's last section."""
    return _find_sections(lines, _section_rules(rules), [heading_of(line.text) for line in lines])


def _find_sections(
    lines: list[Line], rules: Sequence[RegexRule], headings: list[str | None]
) -> list[tuple[int, str, str]]:
    """:func:`find_sections`, given each line's :func:`heading_of`."""
    sections: list[tuple[int, str, str]] = []
    first_rule = _rule_finder(rules)
    for line, words in zip(lines, headings):
        if line.start > 0 and ARTICLE_START.match(line.text):
            sections.append((line.start, "body", line.text.strip()))  # a section ends where its article does
            continue
        candidates = [words] if words else []
        run_in = _run_in_label(line.text)
        if run_in:
            candidates += [part.strip() for part in run_in.group(1).split("/")]
        for candidate in candidates:
            rule = first_rule(candidate)
            if rule is not None:
                name = rule.data["section"]
                if (
                    run_in is not None
                    and not words
                    and name != "references"
                    and ((sections and sections[-1][1] == "abstract") or _more_labels(line.text, run_in.end(1), rules))
                ):
                    name = "abstract"  # "Background: ..." inside an abstract, or opening one, is the abstract
                sections.append((line.start, name, candidate))
                break
    return sections


# per tuple of section rules (kept alive here, so its id is not reused): the first rule matching a heading
_FIRST_RULES: dict[int, tuple[Sequence[RegexRule], dict[str, RegexRule | None]]] = {}
_FIRST_RULES_SIZE = 50_000


def _rule_finder(rules: Sequence[RegexRule]) -> Callable[[str], RegexRule | None]:
    """The first of ``rules`` whose regex matches a string. Headings repeat from
    paper to paper, so for a tuple of rules (immutable) the answer is kept per
    string, instead of trying every rule's regex on every short line."""

    def first(words: str) -> RegexRule | None:
        return next((rule for rule in rules if rule.regex.match(words)), None)

    if not isinstance(rules, tuple):
        return first
    entry = _FIRST_RULES.get(id(rules))
    if entry is None or entry[0] is not rules:
        if len(_FIRST_RULES) >= 8:
            _FIRST_RULES.clear()
        entry = _FIRST_RULES[id(rules)] = (rules, {})
    known = entry[1]
    if len(known) > _FIRST_RULES_SIZE:
        known.clear()

    def remembered(words: str) -> RegexRule | None:
        if words in known:
            return known[words]
        rule = known[words] = first(words)
        return rule

    return remembered


def _section_rules(rules: Sequence[RegexRule] | None) -> Sequence[RegexRule]:
    """The given section rules, or the packaged ones."""
    return rules if rules is not None else load_rule_set().sections


def find_tables(lines: list[Line]) -> list[Table]:
    tables: list[Table] = []
    current: list[list[Cell]] = []
    for line in lines + [Line(-1, -1, "")]:
        if line.start >= 0 and line.is_table_row:
            cells = []
            position = line.start
            for column, piece in enumerate(line.text.split("\t")):
                cells.append(Cell(position, position + len(piece), piece, column))
                position += len(piece) + 1
            current.append(cells)
            continue
        if len(current) >= 2:
            tables.append(Table(current, current[0][0].start, current[-1][-1].end))
        current = []
    return tables


def analyse(text: str, section_rules: Sequence[RegexRule] | None = None) -> Structure:
    """Lines, sentence spans, sections and tables of a document (section names from ``section_rules``,
    the packaged rules by default); block tags of scraped markup end lines."""
    section_rules = _section_rules(section_rules)
    text = structure_view(text)
    lines = split_lines(text)
    headings = [heading_of(line.text) for line in lines]  # once per line, for the heading test and the sections
    first_rule = _rule_finder(section_rules)
    sentences: list[tuple[int, int]] = []
    marks = _marks(text)

    def close(block: tuple[int, int]) -> None:
        spans = _split_block(text, block[0], block[1], marks)
        first_start, first_end = spans[0]  # a block holds a non-blank line, so it has a span
        spans[0] = (_first_visible(text, first_start, first_end), first_end)  # the others start visible
        sentences.extend(spans)

    pending: tuple[int, int] | None = None  # an open block waiting for its continuation
    after_blank = True
    for line, words in zip(lines, headings):
        line_text = line.text
        stripped = line_text.strip()  # the tests of Line.is_blank, is_table_row and is_pipe_row, read once
        if not stripped:
            after_blank = True
            continue
        if "\t" in line_text or _is_pipe_row(stripped) or (words and _stands_alone(line_text, words, first_rule)):
            if pending:
                close(pending)
                pending = None
            sentences.append((_first_visible(text, line.start, line.end), line.end))
            after_blank = False
            continue
        open_block = pending is not None and not _block_ends_sentence(text, *pending)
        # a hard-wrapped line continues its paragraph; after a blank line only a
        # lower-case start does (a page or column break inside a sentence)
        if pending is not None and open_block and (not after_blank or _starts_continuation(line_text)):
            pending = (pending[0], line.end)
            after_blank = False
            continue
        if pending:
            close(pending)
        pending = (line.start, line.end)
        after_blank = False
    if pending:
        close(pending)
    return Structure(text, lines, sentences, _find_sections(lines, section_rules, headings), find_tables(lines))


def _first_visible(text: str, start: int, end: int) -> int:
    """A sentence starts at its first non-blank character (an indented line,
    a blanked tag), so the token that opens it is a word, not white space."""
    while start < end and text[start].isspace():
        start += 1
    return start


def _stands_alone(text: str, words: str, first_rule: Callable[[str], RegexRule | None]) -> bool:
    """Markdown or bold headings and known section names stand alone as sentences
    (``words``: the line's :func:`heading_of`)."""
    stripped = text.strip()
    if stripped.startswith("#") or (stripped.startswith("**") and stripped.endswith("**")):
        return True
    return first_rule(words) is not None


LONG_LINE = 120  # a line this long is a paragraph of its own (web text); shorter lines are hard-wrapped


def paragraphs(structure: Structure) -> list[tuple[int, int]]:
    """Blank-line separated blocks; a long line inside a block is a paragraph of its own."""
    blocks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for line in structure.lines:
        if line.is_blank or len(line.text) >= LONG_LINE:
            if current:
                blocks.append(current)
                current = None
            if not line.is_blank:
                blocks.append((line.start, line.end))
            continue
        current = (current[0], line.end) if current else (line.start, line.end)
    if current:
        blocks.append(current)
    return blocks
