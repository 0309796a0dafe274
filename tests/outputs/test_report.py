"""The evidence report, checked in a real headless Chromium (Debian's chromium
and chromedriver, driven by selenium): every mention of the corpus CSV
highlighted exactly once with its exact text at its offsets, summary values
linked to mentions and back, keyboard and filters, error / out-of-scope /
missing-file / PDF papers, and a 2,000-paper report opening in under 3 s.
The nesting of overlapping mentions is also checked without a browser."""

from __future__ import annotations

import csv
import shutil
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import CORPUS, ROOT
from typer.testing import CliRunner

from extractor.cli import app
from extractor.ingest import load_document
from extractor.ingest.document import Page
from extractor.outputs.report import render_text

sys.path.insert(0, str(ROOT / "scripts"))
from make_corpus_pdfs import render_pdf
from report_timing import chromium_missing, launch_chromium, make_batch, open_report

runner = CliRunner()
SCREENSHOT = ROOT / "docs" / "report.png"
needs_browser = pytest.mark.skipif(bool(chromium_missing()), reason=f"no headless Chromium: {chromium_missing()}")


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def rows_by_doc(csv_path: Path) -> dict[str, list[dict]]:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["doc_id"], []).append(row)
    return grouped


# ------------------------------------------------------------ without a browser


class _Pieces(HTMLParser):
    """Text of every mention piece of rendered HTML, by mention index, plus the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []
        self.pieces: dict[str, list[str]] = {}
        self.heads: dict[str, int] = {}
        self.plain: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        index = attrs.get("data-m")
        self.stack.append(index)
        if index is not None:
            self.pieces.setdefault(index, []).append("")
            self.heads[index] = self.heads.get(index, 0) + ("cont" not in attrs["class"].split())

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        self.plain.append(data)
        for index in {i for i in self.stack if i is not None}:
            self.pieces[index][-1] += data


@pytest.mark.parametrize(
    "spans",
    [
        [(0, 10), (5, 15)],  # crossing
        [(0, 20), (5, 15), (5, 8), (12, 25)],  # nested, then crossing two levels
        [(3, 9), (3, 9), (0, 30), (9, 12)],  # identical spans (two fields), touching
        [(2, 6), (4, 12), (8, 16), (10, 18)],  # a chain of crossings
    ],
)
def test_overlapping_mentions_each_appear_once_with_their_exact_text(spans):
    text = "Sodium thiosulfate 25% topical & <b>intralesional</b> injections"
    mentions = [{"field": "route", "start": a, "end": b, "text": text[a:b], "source": "this_study"} for a, b in spans]
    pages = [Page(1, 0, 20), Page(2, 20, len(text))]
    parsed = _Pieces()
    parsed.feed(render_text(text, mentions, list(range(len(mentions))), pages))
    assert "".join(parsed.plain) == text
    for index, mention in enumerate(mentions):
        assert "".join(parsed.pieces[str(index)]) == mention["text"]
        assert parsed.heads[str(index)] == 1


# ------------------------------------------------------------ in the browser


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory) -> tuple[Path, Path]:
    """`extractor extract corpus --html` (one job)."""
    folder = tmp_path_factory.mktemp("report")
    out, html = folder / "out.csv", folder / "report.html"
    result = invoke("extract", CORPUS, "--out", out, "--jobs", 1, "--fresh", "--quiet", "--html", html)
    assert result.exit_code == 0, result.output
    assert "report of 5 documents" in result.stderr
    return out, html


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if chromium_missing():
        pytest.skip(f"no headless Chromium: {chromium_missing()}")
    driver = launch_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


def show_paper(driver, doc_id: str) -> None:
    driver.execute_script("location.hash = arguments[0]", "#doc/" + quote(doc_id, safe=""))
    deadline = time.monotonic() + 10
    while driver.execute_script("return document.getElementById('main').dataset.paper") != doc_id:
        assert time.monotonic() < deadline, f"paper {doc_id} not shown"
        time.sleep(0.02)


PIECES_JS = """
const pre = document.querySelector('#main pre.text'), out = {};
for (const el of document.querySelectorAll('#main .m')) {
  const range = document.createRange(); range.setStart(pre, 0); range.setEndBefore(el);
  const page = [...pre.querySelectorAll('.pg')].filter(p => p.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
  (out[el.dataset.m] = out[el.dataset.m] || []).push({at: range.toString().length, text: el.textContent, id: el.id,
    cont: el.classList.contains('cont'), bg: getComputedStyle(el).backgroundColor, page: page ? page.dataset.p : ''});
}
return {text: pre.textContent, pieces: out};
"""


def assert_highlighted(driver, doc_id: str, rows: list[dict], text: str) -> dict:
    """Every CSV row of the paper is one head piece (plus continuations) whose
    joined text is the row's text, starting at the row's offset, coloured."""
    found = driver.execute_script(PIECES_JS)
    assert found["text"] == text, f"{doc_id}: shown text differs from the document"
    assert sorted(found["pieces"], key=int) == [str(i) for i in range(len(rows))]
    for index, row in enumerate(rows):
        pieces = found["pieces"][str(index)]
        heads = [piece for piece in pieces if not piece["cont"]]
        assert len(heads) == 1 and heads[0]["id"] == f"m{index}" and pieces[0] is heads[0], (doc_id, row)
        assert pieces[0]["at"] == int(row["start"]), (doc_id, row)
        for before, after in zip(pieces, pieces[1:]):
            assert after["at"] == before["at"] + len(before["text"]), (doc_id, row)
        assert "".join(piece["text"] for piece in pieces) == row["text"], (doc_id, row)
        assert heads[0]["bg"] not in ("rgba(0, 0, 0, 0)", "transparent"), (doc_id, row)
    return found


@pytest.mark.slow
@needs_browser
def test_every_corpus_mention_is_highlighted_once_with_its_exact_text(corpus_report, browser):
    out, html = corpus_report
    open_report(browser, html)
    grouped = rows_by_doc(out)
    assert sum(len(rows) for rows in grouped.values()) > 200
    for doc_id, rows in grouped.items():
        show_paper(browser, doc_id)
        assert_highlighted(browser, doc_id, rows, load_document(CORPUS / f"{doc_id}.txt").text)


def in_view(driver, element) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;",
        element,
    )


@pytest.mark.slow
@needs_browser
def test_a_summary_value_scrolls_to_its_mention_and_the_mention_back(corpus_report, browser):
    from selenium.webdriver.common.by import By

    out, html = corpus_report
    doc_id, rows = max(rows_by_doc(out).items(), key=lambda item: len(item[1]))
    open_report(browser, html)
    show_paper(browser, doc_id)
    last = max(range(len(rows)), key=lambda i: int(rows[i]["start"]))
    link = browser.find_element(By.CSS_SELECTOR, f'.summary a[data-go="{last}"]')
    assert browser.execute_script("return scrollY") == 0
    link.click()
    mention = browser.switch_to.active_element
    assert mention.get_attribute("id") == f"m{last}" and mention.text == rows[last]["text"]
    assert browser.execute_script("return scrollY") > 0 and in_view(browser, mention)
    assert "target" in mention.get_attribute("class")
    cell_id = "s" + mention.get_attribute("data-s")
    mention.click()
    cell = browser.switch_to.active_element
    assert cell.get_attribute("id") == cell_id and in_view(browser, cell)
    assert cell.find_element(By.CSS_SELECTOR, f'a[data-go="{last}"]')


@pytest.mark.slow
@needs_browser
def test_keyboard_tooltip_and_filters_then_a_screenshot(corpus_report, browser):
    from selenium.webdriver.common.by import By

    out, html = corpus_report
    doc_id = "004_2aee7e247fadcbf4"
    rows = rows_by_doc(out)[doc_id]
    open_report(browser, html)
    show_paper(browser, doc_id)
    body = browser.find_element(By.TAG_NAME, "body")
    order = browser.execute_script("return [...document.querySelectorAll('#main .m[id]')].map(e => e.id)")
    body.send_keys("n")
    assert browser.switch_to.active_element.get_attribute("id") == order[0]
    first = rows[int(order[0][1:])]
    tip = browser.find_element(By.ID, "tip")
    assert tip.is_displayed() and f"rule {first['pattern_id']}" in tip.text and first["field"] in tip.text
    starts = [int(row["start"]) for row in rows]
    densest = max(range(len(rows)), key=lambda i: sum(abs(start - starts[i]) < 500 for start in starts))
    browser.find_element(By.CSS_SELECTOR, f'.summary a[data-go="{densest}"]').click()
    assert tip.is_displayed() and rows[densest]["field"] in tip.text
    SCREENSHOT.parent.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
    body.send_keys("i")
    show_paper(browser, doc_id)
    body.send_keys("n")
    browser.switch_to.active_element.send_keys("n")
    assert browser.switch_to.active_element.get_attribute("id") == order[1]
    browser.switch_to.active_element.send_keys("p")
    assert browser.switch_to.active_element.get_attribute("id") == order[0]

    browser.find_element(By.CSS_SELECTOR, 'input[data-filter="f-route"]').click()
    browser.find_element(By.CSS_SELECTOR, 'input[data-filter="s-cited"]').click()
    route = browser.find_element(By.CSS_SELECTOR, "#main .m.f-route")
    assert route.value_of_css_property("background-color") == "rgba(0, 0, 0, 0)"
    shown = [i for i in order if rows[int(i[1:])]["field"] != "route" and rows[int(i[1:])]["source"] != "cited"]
    visited = []
    body.send_keys("i")  # back to the index, then the paper again: no focus
    show_paper(browser, doc_id)
    for _ in range(len(shown) + 1):
        browser.switch_to.active_element.send_keys("n")
        visited.append(browser.switch_to.active_element.get_attribute("id"))
    assert visited == shown + shown[:1]


def test_report_command_matches_extract_html_and_needs_no_network(corpus_report, tmp_path):
    out, html = corpus_report
    again = tmp_path / "again.html"
    result = invoke("report", out, "--html", again)
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == html.read_bytes()
    page = html.read_text(encoding="utf-8")
    assert "default-src 'none'" in page and "<link" not in page and " src=" not in page


@pytest.mark.slow
@needs_browser
def test_errors_out_of_scope_missing_files_and_pdf_pages(browser, tmp_path):
    from selenium.webdriver.common.by import By

    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(CORPUS / "000_27e00deb6a4870f6.txt", papers / "kept.txt")
    shutil.copy(CORPUS / "001_99b74193d2bf15ca.txt", papers / "gone.txt")
    render_pdf((CORPUS / "002_67d94498cd8a0ba2.txt").read_text(encoding="utf-8"), papers / "paper.pdf")
    (papers / "empty.txt").write_text("", encoding="utf-8")
    (papers / "antidote.txt").write_text(
        "Sodium thiosulfate for cyanide poisoning\n\nA patient with cyanide poisoning after a house fire received "
        "intravenous sodium thiosulfate 12.5 g and hydroxocobalamin.\n",
        encoding="utf-8",
    )
    out, html = tmp_path / "out.csv", tmp_path / "report.html"
    result = invoke("extract", papers, "--out", out, "--jobs", 1, "--quiet")
    assert result.exit_code == 1, result.output
    (papers / "gone.txt").unlink()
    result = invoke("report", out, "--html", html)
    assert result.exit_code == 0, result.output
    assert "text not shown for gone: " in result.stderr and "file not found" in result.stderr

    open_report(browser, html)
    index = {
        row.find_element(By.TAG_NAME, "a").text: row.text
        for row in browser.find_elements(By.CSS_SELECTOR, ".index tbody tr")
    }
    assert set(index) == {"antidote", "empty", "gone", "kept", "paper"}
    assert "error" in index["empty"] and "empty: file is empty" in index["empty"]
    assert "out_of_scope" in index["antidote"]
    assert "file not found" in index["gone"]

    grouped = rows_by_doc(out)
    show_paper(browser, "gone")
    assert "file not found" in browser.find_element(By.CSS_SELECTOR, "#main .problem").text
    listed = browser.find_elements(By.CSS_SELECTOR, "#main .mlist .m")
    assert [m.text for m in listed] == [row["text"] for row in grouped["gone"]]

    show_paper(browser, "paper")
    document = load_document(papers / "paper.pdf")
    found = assert_highlighted(browser, "paper", grouped["paper"], document.text)
    markers = browser.execute_script("return [...document.querySelectorAll('#main .pg')].map(p => p.dataset.p)")
    assert markers == [str(page.number) for page in document.pages] and len(markers) > 1
    for index, row in enumerate(grouped["paper"]):
        assert found["pieces"][str(index)][0]["page"] == row["page"], row


@pytest.mark.slow
@needs_browser
def test_a_2000_paper_report_opens_in_under_3_seconds(browser, tmp_path):
    make_batch(tmp_path / "papers", 2000)
    out, html = tmp_path / "batch.csv", tmp_path / "report.html"
    result = invoke("extract", tmp_path / "papers", "--out", out, "--quiet", "--html", html)
    assert result.exit_code == 0, result.output
    assert "report of 2000 documents" in result.stderr
    timings = [open_report(browser, html) for _ in range(2)]
    assert min(timings) < 3000, timings
    assert len(browser.find_elements("css selector", ".index tbody tr")) == 2000
    show_paper(browser, "paper01999")
