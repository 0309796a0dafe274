"""The evidence report: one self-contained HTML file for checking a batch in a browser.

An index of papers (mentions per field, error or out-of-scope status) and, per
paper, the per-field values followed by the document text with every mention
highlighted. The index is built at load from a small JSON block; each paper's
HTML sits gzipped and base64-encoded in its own inert ``<script
type="text/x-paper">`` block and is decompressed (the browser's
DecompressionStream) and put into the page only when that paper is opened, so
a 2,000-paper report opens about as fast as its index (gzip makes the file a
third of the size and the parser's work with it; measured in the README). No
network: CSS and JS are inline.

Overlapping mentions nest; a mention that crosses the end of the one it
starts inside is split into a head piece (with the id, focusable) and
continuation pieces, so each mention's characters are highlighted exactly once.
"""

from __future__ import annotations

import base64
import gzip
import heapq
import html
import json
from dataclasses import dataclass
from pathlib import Path

from extractor.ingest.document import Page
from extractor.run.writer import atomic_write, format_cell
from extractor.schema import FIELDS

# displaCy-like colours, shared with the brat and Label Studio configs.
FIELD_COLOURS: dict[str, str] = {
    "route": "#7aecec",
    "dose": "#bfeeb7",
    "concentration": "#feca74",
    "lesion_size": "#ff9561",
    "outcome": "#aa9cfc",
    "frequency": "#c887fb",
    "duration": "#9cc9cc",
    "patients": "#e4e7d2",
    "adverse_event": "#ff8197",
    "mortality": "#bbbbbb",
}
SOURCE_NAMES = ("this_study", "cited")


@dataclass
class ReportSummary:
    """What was written: counts a user sees on stderr."""

    documents: int
    mentions: int
    without_text: list[str]
    size: int


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def display_value(mention: dict) -> str:
    """The normalized value as a reviewer reads it: category, or a range with its unit."""
    low, high = format_cell(mention.get("value_min")), format_cell(mention.get("value_max"))
    unit = mention.get("unit") or ""
    if low and high:
        number = low if low == high else f"{low}–{high}"
    elif high:
        number = f"≤{high}"
    elif low:
        number = f"≥{low}"
    else:
        number = ""
    amount = f"{number} {unit}".strip() if number else ""
    category = mention.get("category") or ""
    return " ".join(part for part in (category, amount) if part) or mention.get("text", "")


def tooltip(mention: dict) -> str:
    """Hover/focus text: field, normalized value, category, source, rule id, page."""
    parts = [f"{mention['field']}: {display_value(mention)}"]
    if mention.get("category"):
        parts.append(f"category {mention['category']}")
    parts.append(f"source {mention.get('source') or 'this_study'}")
    if mention.get("pattern_id"):
        parts.append(f"rule {mention['pattern_id']}")
    if mention.get("page"):
        parts.append(f"page {mention['page']}")
    return " · ".join(parts)


def _mention_attrs(index: int, mention: dict, summary_id: int, *, head: bool) -> str:
    classes = f"m f-{mention['field']} s-{mention.get('source') or 'this_study'}" + ("" if head else " cont")
    attrs = f'class="{classes}" data-m="{index}"'
    if head:
        attrs += f' id="m{index}" tabindex="0" data-s="{summary_id}" data-tip="{_esc(tooltip(mention))}"'
    return attrs


def render_text(text: str, mentions: list[dict], summary_ids: list[int], pages: list[Page] | None = None) -> str:
    """The document text as HTML with each mention a span (nested or split, see
    the module docstring) and an empty page marker at each PDF page start."""
    starts = sorted(page.start for page in pages or [] if 0 < page.start < len(text))
    numbers = {page.start: page.number for page in pages or []}
    out: list[str] = []
    position = 0
    next_page = 0

    def emit(until: int) -> None:
        nonlocal position, next_page
        while next_page < len(starts) and starts[next_page] < until:
            cut = starts[next_page]
            out.append(html.escape(text[position:cut], quote=False))
            out.append(f'<span class="pg" data-p="{numbers[cut]}"></span>')
            position = cut
            next_page += 1
        out.append(html.escape(text[position:until], quote=False))
        position = until

    pending = [(m["start"], -m["end"], i, True) for i, m in enumerate(mentions)]
    heapq.heapify(pending)
    stack: list[int] = []  # end offsets of the open spans, innermost last
    while pending:
        start, negative_end, index, head = heapq.heappop(pending)
        end = -negative_end
        while stack and stack[-1] <= start:
            emit(stack.pop())
            out.append("</span>")
        emit(start)
        if stack and stack[-1] < end:  # crosses the end of the span it starts in
            heapq.heappush(pending, (stack[-1], -end, index, False))
            end = stack[-1]
        out.append(f"<span {_mention_attrs(index, mentions[index], summary_ids[index], head=head)}>")
        stack.append(end)
    while stack:
        emit(stack.pop())
        out.append("</span>")
    emit(len(text))
    if pages:
        out.insert(0, f'<span class="pg" data-p="{pages[0].number}"></span>')
    return "".join(out)


def render_summary(mentions: list[dict]) -> tuple[str, list[int]]:
    """Per field, one link per distinct (value, source) to its first mention and
    numbered links to the others; returns the HTML and each mention's cell id."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for index, mention in enumerate(mentions):
        key = (mention["field"], display_value(mention), mention.get("source") or "this_study")
        groups.setdefault(key, []).append(index)
    cell_of = [0] * len(mentions)
    rows = []
    cell = 0
    for field_name in FIELDS:
        chips = []
        for (group_field, value, source), members in groups.items():
            if group_field != field_name:
                continue
            for index in members:
                cell_of[index] = cell
            more = ""
            if len(members) > 1:
                more = (
                    '<sup class="n">'
                    + " ".join(
                        f'<a href="#m{i}" data-go="{i}" aria-label="mention {k}">{k}</a>'
                        for k, i in enumerate(members, 1)
                    )
                    + "</sup>"
                )
            mark = " <small>cited</small>" if source == "cited" else ""
            chips.append(
                f'<span class="v f-{field_name} s-{source}" id="s{cell}"><a href="#m{members[0]}" data-go="{members[0]}">'
                f"{_esc(value)}</a>{mark}{more}</span>"
            )
            cell += 1
        rows.append(f'<tr class="r-{field_name}"><th>{field_name}</th><td>{" ".join(chips) or "<i>none</i>"}</td></tr>')
    return '<table class="summary">' + "".join(rows) + "</table>", cell_of


def render_mention_list(mentions: list[dict], summary_ids: list[int]) -> str:
    """When the text cannot be shown: each mention in its sentence, still linked."""
    items = []
    for index, mention in enumerate(mentions):
        span = f"<span {_mention_attrs(index, mention, summary_ids[index], head=True)}>{_esc(mention['text'])}</span>"
        items.append(f'<li>{span} <span class="ctx">{_esc(mention.get("sentence"))}</span></li>')
    return '<ul class="mlist">' + "".join(items) + "</ul>"


def render_paper(document, loaded) -> str:
    """One paper's HTML: header, summary, then the highlighted text (or why not)."""
    summary, cell_of = render_summary(document.mentions)
    status = document.status + (f" ({document.error[0]}: {document.error[1]})" if document.error else "")
    head = (
        f'<h2>{_esc(document.doc_id)}</h2><p class="meta">{_esc(document.path)} · status {_esc(status)}'
        + (f" · {document.pages} pages" if document.pages else "")
        + f" · {len(document.mentions)} mentions</p>"
    )
    if loaded.text is None:
        body = f'<p class="problem" role="alert">{_esc(loaded.problem)}</p>' + render_mention_list(
            document.mentions, cell_of
        )
    else:
        # the HTML parser drops one newline right after <pre>: give it one to drop
        body = '<pre class="text">\n' + render_text(loaded.text, document.mentions, cell_of, loaded.pages) + "</pre>"
    return head + summary + body


def pack(paper_html: str) -> str:
    """gzip + base64: a fixed mtime keeps the report byte-identical for the same batch."""
    return base64.b64encode(gzip.compress(paper_html.encode("utf-8"), compresslevel=6, mtime=0)).decode("ascii")


def write_report(out_csv: Path | str, html_path: Path | str, *, pdf_timeout: float | None = 120.0) -> ReportSummary:
    """Read a finished batch and write the HTML report atomically."""
    from extractor.outputs.read_back import load_text, read_batch

    out_csv = Path(out_csv)
    documents = read_batch(out_csv)
    index = []
    papers = []
    without_text = []
    for number, document in enumerate(documents):
        loaded = load_text(document, out_csv, pdf_timeout=pdf_timeout)
        if loaded.text is None and document.status != "error":
            without_text.append(f"{document.doc_id}: {loaded.problem}")
        counts = [sum(1 for m in document.mentions if m["field"] == name) for name in FIELDS]
        note = (
            f"{document.error[0]}: {document.error[1]}"
            if document.error
            else (loaded.problem if loaded.text is None else "")
        )
        index.append([document.doc_id, document.status, document.pages, document.words, counts, note])
        papers.append(f'<script type="text/x-paper" id="p{number}">{pack(render_paper(document, loaded))}</script>')
    data = json.dumps({"fields": list(FIELDS), "docs": index, "source": str(out_csv)}, ensure_ascii=False).replace(
        "<", "\\u003c"
    )
    page = TEMPLATE.replace("/*CSS*/", CSS).replace("/*JS*/", JS).replace("<!--LEGEND-->", _legend())
    page = page.replace("<!--TITLE-->", _esc(f"Evidence report: {out_csv.name}"))
    page = page.replace("<!--DATA-->", f'<script type="application/json" id="index-data">{data}</script>')
    page = page.replace("<!--PAPERS-->", "\n".join(papers))
    with atomic_write(html_path, newline="\n") as handle:
        handle.write(page)
    return ReportSummary(
        len(documents), sum(len(d.mentions) for d in documents), without_text, len(page.encode("utf-8"))
    )


def _legend() -> str:
    fields = "".join(
        f'<label class="lg f-{name}"><input type="checkbox" checked data-filter="f-{name}"> {name}</label>'
        for name in FIELDS
    )
    sources = "".join(
        f'<label class="lg src"><input type="checkbox" checked data-filter="s-{name}"> {name}</label>'
        for name in SOURCE_NAMES
    )
    return f'<span class="group" aria-label="fields">{fields}</span><span class="group" aria-label="sources">{sources}</span>'


_FIELD_CSS = "\n".join(
    f".f-{name}{{--c:{colour}}} .hide-f-{name} .m.f-{name}{{background:transparent;box-shadow:none}}"
    f" .hide-f-{name} .v.f-{name}{{opacity:.35}}"
    for name, colour in FIELD_COLOURS.items()
)

CSS = (
    """
*{box-sizing:border-box} body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#222}
body{display:grid;grid-template-columns:12.5em minmax(0,1fr);align-items:start}
header{grid-column:1;position:sticky;top:0;height:100vh;overflow-y:auto;z-index:2;background:#fafafa;
  border-right:1px solid #ccc;padding:.6em .7em;display:flex;flex-direction:column;gap:.6em}
header h1{font-size:1em;margin:0;overflow-wrap:anywhere} .group{display:flex;flex-direction:column;gap:.2em}
.lg{padding:0 .4em;border-radius:.3em;background:var(--c,#eee);cursor:pointer;font-size:13px;line-height:1.65;white-space:nowrap}
.lg input{width:12px;height:12px;margin:0 .3em 0 0;vertical-align:-1px}
.keys{color:#555;font-size:12px;line-height:1.4} main{grid-column:2;padding:0 1em 40vh;min-width:0}
@media (max-width:760px){
  body{display:block} html{scroll-padding-top:calc(var(--head,6em) + .5em)}
  header{height:auto;flex-direction:row;flex-wrap:wrap;align-items:center;gap:.25em 1em;border-right:0;border-bottom:1px solid #ccc;padding:.3em 1em}
  .group{flex-direction:row;flex-wrap:wrap}
}
.wide{overflow-x:auto} table.index{border-collapse:collapse;font-size:14px} .index th,.index td{padding:.15em .45em;border-bottom:1px solid #eee;text-align:right}
.index td:first-child,.index td.st,.index td.note{text-align:left} .st-error{color:#b00020} .st-out_of_scope{color:#8a6d00}
.summary th{text-align:left;padding-right:1em;vertical-align:top}
.v{display:inline-block;margin:.1em .3em .1em 0;padding:0 .4em;border-radius:.3em;background:var(--c)}
.v a{color:inherit} .v.s-cited{font-style:italic;background:repeating-linear-gradient(45deg,var(--c),var(--c) 4px,#fff 4px,#fff 6px)}
.v.hit{outline:3px solid #000} sup.n a{margin:0 .1em}
pre.text{white-space:pre-wrap;font:14px/1.9 ui-monospace,monospace;max-width:110ch}
.m{background:var(--c);border-radius:.25em;padding:.1em 0;box-shadow:0 0 0 1px rgba(0,0,0,.15);cursor:pointer}
.m .m{box-shadow:0 2px 0 0 #333} .m.s-cited{text-decoration:underline dotted}
.m:focus{outline:3px solid #1a5fb4} .m.target{outline:3px solid #e01b24}
.pg::before{content:"page " attr(data-p);display:block;margin:1em 0 .3em;border-top:1px dashed #999;color:#666;font:12px system-ui}
.problem{color:#b00020;font-weight:600} .meta{color:#555}
#tip{position:fixed;z-index:3;background:#222;color:#fff;padding:.3em .6em;border-radius:.3em;font-size:13px;pointer-events:none;max-width:40em}
"""
    + _FIELD_CSS
    + "\n"
    + "\n".join(
        f".hide-s-{name} .m.s-{name}{{background:transparent;box-shadow:none}} .hide-s-{name} .v.s-{name}{{opacity:.35}}"
        for name in SOURCE_NAMES
    )
)

JS = r"""
(function(){
const data = JSON.parse(document.getElementById('index-data').textContent);
const main = document.getElementById('main'), tip = document.getElementById('tip');
const byId = new Map(data.docs.map((d, i) => [d[0], i]));
const hidden = new Set();
function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function showIndex(){
  const rows = data.docs.map((d, i) => '<tr><td><a href="#doc/' + encodeURIComponent(d[0]) + '">' + esc(d[0]) + '</a></td>' +
    '<td class="st st-' + d[1] + '">' + d[1] + '</td><td>' + (d[2] || '') + '</td><td>' + d[3] + '</td>' +
    d[4].map(n => '<td>' + n + '</td>').join('') + '<td>' + d[4].reduce((a, b) => a + b, 0) + '</td><td class="note">' + esc(d[5]) + '</td></tr>');
  main.innerHTML = '<h2>' + data.docs.length + ' papers</h2><div class="wide"><table class="index"><thead><tr><th>paper</th><th>status</th><th>pages</th><th>words</th>' +
    data.fields.map(f => '<th>' + f + '</th>').join('') + '<th>all</th><th>note</th></tr></thead><tbody>' + rows.join('') + '</tbody></table></div>';
  document.title = document.body.dataset.title;
}
async function paperHtml(i){
  const bytes = Uint8Array.from(atob(document.getElementById('p' + i).textContent), c => c.charCodeAt(0));
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
}
let shown = 0;
async function showPaper(i){
  const ticket = ++shown, body = await paperHtml(i);
  if (ticket !== shown) return;
  const prev = i > 0 ? '<a href="#doc/' + encodeURIComponent(data.docs[i-1][0]) + '">&larr; previous</a> · ' : '';
  const next = i + 1 < data.docs.length ? ' · <a href="#doc/' + encodeURIComponent(data.docs[i+1][0]) + '">next &rarr;</a>' : '';
  main.innerHTML = '<nav><a href="#">index</a> · ' + prev + (i + 1) + ' of ' + data.docs.length + next + '</nav>' +
    body;
  document.title = data.docs[i][0] + ' · ' + document.body.dataset.title;
  main.dataset.paper = data.docs[i][0];
  window.scrollTo(0, 0);
}
function route(){
  const m = location.hash.match(/^#doc\/(.+)$/);
  const i = m ? byId.get(decodeURIComponent(m[1])) : undefined;
  delete main.dataset.paper;
  if (i === undefined) { shown++; showIndex(); } else showPaper(i);
  document.body.dataset.view = i === undefined ? 'index' : 'paper';
}
function visible(el){ return ![...el.classList].some(c => hidden.has(c)); }
function go(el){
  if (!el) return;
  document.querySelectorAll('.target,.hit').forEach(e => e.classList.remove('target', 'hit'));
  el.classList.add(el.classList.contains('v') ? 'hit' : 'target');
  el.scrollIntoView({block: 'center'});
  el.focus({preventScroll: true});
}
function step(dir){
  const all = [...main.querySelectorAll('.m[id]')].filter(visible);
  if (!all.length) return;
  const at = all.indexOf(document.activeElement);
  go(all[at < 0 ? (dir > 0 ? 0 : all.length - 1) : (at + dir + all.length) % all.length]);
}
function head(el){ const m = el.closest('.m'); return m && document.getElementById('m' + m.dataset.m); }
function toSummary(m){ const cell = document.getElementById('s' + m.dataset.s); if (cell) { cell.tabIndex = -1; go(cell); } }
document.addEventListener('click', e => {
  const link = e.target.closest('[data-go]');
  if (link) { e.preventDefault(); go(document.getElementById('m' + link.dataset.go)); return; }
  const m = e.target.closest('.m');
  if (m) toSummary(head(m));
});
document.addEventListener('keydown', e => {
  if (e.target.matches('input') || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === 'n') step(1);
  else if (e.key === 'p') step(-1);
  else if (e.key === 'Enter' && e.target.matches('.m')) toSummary(e.target);
  else if (e.key === 'Escape' || e.key === 'i') location.hash = '';
  else if (e.key === ']' || e.key === '[') {
    const m = location.hash.match(/^#doc\/(.+)$/), i = m ? byId.get(decodeURIComponent(m[1])) : -1;
    const j = i + (e.key === ']' ? 1 : -1);
    if (j >= 0 && j < data.docs.length) location.hash = '#doc/' + encodeURIComponent(data.docs[j][0]);
  } else return;
  e.preventDefault();
});
document.querySelectorAll('[data-filter]').forEach(box => box.addEventListener('change', () => {
  const c = box.dataset.filter;
  if (box.checked) hidden.delete(c); else hidden.add(c);
  document.body.classList.toggle('hide-' + c, !box.checked);
}));
let tipFor = null;
function placeTip(){
  const r = tipFor.getBoundingClientRect();
  tip.style.left = Math.max(4, r.left) + 'px';
  tip.style.top = (r.bottom + 6 + tip.offsetHeight > innerHeight ? r.top - tip.offsetHeight - 6 : r.bottom + 6) + 'px';
}
function showTip(e){
  const m = e.target.closest && e.target.closest('.m'), h = m && head(m);
  if (!h) { if (e.type === 'focusin' || tipFor !== document.activeElement) { tip.hidden = true; tipFor = null; } return; }
  tipFor = m; tip.textContent = h.dataset.tip; tip.hidden = false; placeTip();
}
document.addEventListener('mouseover', showTip);
document.addEventListener('focusin', showTip);
document.addEventListener('scroll', () => { if (tipFor && tipFor.isConnected) placeTip(); else tip.hidden = true; }, {passive: true});
// on a narrow screen the legend is a sticky top bar: scroll targets land below it, whatever its height
const header = document.querySelector('header');
function headHeight(){ document.documentElement.style.setProperty('--head', header.offsetHeight + 'px'); }
new ResizeObserver(headHeight).observe(header);
headHeight();
window.addEventListener('hashchange', route);
route();
document.body.dataset.ready = String(Math.max(1, Math.round(performance.now())));  // ms after navigation start
})();
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title><!--TITLE--></title><style>/*CSS*/</style></head>
<body data-title="<!--TITLE-->">
<header><h1><a href="#"><!--TITLE--></a></h1><!--LEGEND-->
<span class="keys">keys: n / p next / previous mention · Enter on a mention: its summary value · [ ] paper · i index</span></header>
<main id="main"><noscript>This report needs JavaScript to show the papers.</noscript></main>
<div id="tip" role="tooltip" hidden></div>
<!--DATA-->
<!--PAPERS-->
<script>/*JS*/</script>
</body></html>
"""
