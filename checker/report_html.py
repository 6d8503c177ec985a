"""The self-contained HTML report of ``imrcheck audit --html``.

One file, no external resource of any kind: styles and a few lines of script are inline, charts are inline SVG
drawn here by hand, and a Content-Security-Policy forbids the page from loading anything. Every text that comes
from a letter goes through :func:`esc`. Every finding links to its item in the letter index (``#L-<name>-item-<n>``)
and to the letter file itself by a path relative to the report.
"""
from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any, Iterable, Optional
from urllib.parse import quote

from .audit import FINDING_TYPES

TITLES = {
    "rule_contrary": "Rule-contrary decisions",
    "similar_different": "Similar cases, different outcomes",
    "citation_mtus_addresses": "Non-MTUS guideline where the MTUS addresses the request",
    "citation_mtus_silent": "MTUS cited where our catalog finds the MTUS silent",
    "citation_ca_vs_reviewer": "Claims administrator's guideline family vs the reviewer's",
    "rationale_cites_nothing": "Rationales that cite no guideline",
}
SHORT = {
    "rule_contrary": "rule-contrary decisions",
    "similar_different": "similar cases, different outcomes",
    "citation_mtus_addresses": "non-MTUS where the MTUS applies",
    "citation_mtus_silent": "MTUS where the catalog has none",
    "citation_ca_vs_reviewer": "claims admin. vs reviewer family",
    "rationale_cites_nothing": "rationale cites nothing",
}
INTRO = {
    "rule_contrary": "The reviewer upheld a denial although every criterion our catalog applies appears met in the "
                     "case summary, or overturned one although a required criterion is not met (not merely "
                     "undocumented). The reviewer's stated reason stands beside ours. Reason groups: green = "
                     "named by both, brown = by the reviewer only, blue = by our criteria only.",
    "similar_different": "Items of the same request type (modality and region) whose decisive facts - the facts "
                         "the criteria in play read, as the engine saw them - match, but whose decisions differ. "
                         "Ranked by Jaccard similarity over the known facts.",
    "citation_mtus_addresses": "The reviewer's MAXIMUS guideline line names no MTUS guideline although our catalog "
                               "has an MTUS criterion in play for the request (8 CCR 9792.21.1: MTUS first).",
    "citation_mtus_silent": "The reviewer cites the MTUS although the criteria our catalog has in play for the "
                            "request all come from other guidelines (often a gap in our catalog).",
    "citation_ca_vs_reviewer": "The first guideline family on the claims administrator's line differs from the "
                               "first on the reviewer's line.",
    "rationale_cites_nothing": "The decision rationale names no guideline or other source.",
}
DIMENSION_TITLES = {"modality": "modality", "region": "body region", "guideline_family": "guideline family (MAXIMUS line)",
                    "specialty": "reviewer specialty", "year": "year of decision"}
MAX_CHART_ROWS = 12

_CSS = """
:root{--fg:#1b1f24;--muted:#5a6472;--line:#d8dde3;--bg:#fff;--soft:#f4f6f8;--up:#b4443c;--ov:#2f7d4f;--bar:#4c78a8}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);
background:var(--bg);margin:0;padding:0 24px 48px;max-width:1400px}
h1{font-size:24px;margin:20px 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:2px solid var(--line);
padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
p.lead,.muted{color:var(--muted)}
nav{position:sticky;top:0;background:var(--bg);padding:6px 0;border-bottom:1px solid var(--line);z-index:2;
font-size:13px}
nav a{margin-right:14px;white-space:nowrap}
a{color:#1f5fa8;text-decoration:none}a:hover{text-decoration:underline}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:150px;background:var(--soft)}
.card b{display:block;font-size:22px}.card a{color:inherit}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}
figcaption{font-size:12px;color:var(--muted)}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:var(--fg)}
svg .title{font-weight:600;font-size:13px}svg .axis{fill:var(--muted);font-size:11px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 6px;vertical-align:top;text-align:left}
th{background:var(--soft);position:relative}
table.sortable th{cursor:pointer;user-select:none;padding-right:16px}
table.sortable th::after{content:"\\2195";position:absolute;right:4px;color:#9aa3ad;font-size:11px}
table.sortable th[aria-sort=ascending]::after{content:"\\25B2";color:var(--fg)}
table.sortable th[aria-sort=descending]::after{content:"\\25BC";color:var(--fg)}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.Upheld{color:var(--up);font-weight:600}.Overturned{color:var(--ov);font-weight:600}
.state{display:inline-block;min-width:52px;border-radius:3px;padding:0 4px;font-size:11px;text-align:center;
color:#fff}.state-met{background:var(--ov)}.state-not-met{background:var(--up)}.state-unknown{background:#8a939e}
ul.crit{margin:0;padding-left:0;list-style:none}ul.crit li{margin:2px 0}
q{font-style:italic;color:#38424d}
.tag{display:inline-block;border-radius:10px;padding:0 7px;margin:1px 2px 1px 0;font-size:11px;border:1px solid}
.tag-shared{border-color:var(--ov);color:var(--ov)}.tag-rev{border-color:#8a5a00;color:#8a5a00}
.tag-ours{border-color:#1f5fa8;color:#1f5fa8}
.small{font-size:12px}.reason{max-width:420px}
tbody.letter tr:first-child td{border-top:2px solid #aab3bd}
:target{background:#fff6cc}
.err{color:var(--up)}
p.filter{margin:6px 0}input.row-filter{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:4px}
"""

_JS = r"""
(function(){
  function key(cell){
    if(!cell) return [1,''];
    var v = cell.getAttribute('data-sort');
    if(v === null) v = cell.textContent.trim();
    var n = Number(v);
    return (v !== '' && isFinite(n)) ? [0,n] : [1,v.toLowerCase()];
  }
  function sortTable(table, col, th){
    var body = table.tBodies[0];
    if(!body) return;
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function(h){ h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function(r,i){ r.setAttribute('data-pos', i); });
    rows.sort(function(a,b){
      var ka = key(a.cells[col]), kb = key(b.cells[col]);
      var c = ka[0]-kb[0];
      if(!c) c = ka[0] ? ka[1].localeCompare(kb[1]) : ka[1]-kb[1];
      if(!asc) c = -c;
      return c || a.getAttribute('data-pos') - b.getAttribute('data-pos');
    });
    rows.forEach(function(r){ body.appendChild(r); });
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function(t){
    if(!t.tHead) return;
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function(th, i){
      th.tabIndex = 0;
      th.title = 'Sort by this column';
      th.addEventListener('click', function(){ sortTable(t, i, th); });
      th.addEventListener('keydown', function(e){
        if(e.key === 'Enter' || e.key === ' '){ e.preventDefault(); sortTable(t, i, th); }
      });
    });
    t.setAttribute('data-sortable', 'ready');
  });
  document.documentElement.setAttribute('data-sortable', 'ready');
  // filter boxes: a row stays when its text contains every word typed (case-insensitive)
  function filterRows(input){
    var table = document.getElementById(input.getAttribute('data-table'));
    if(!table || !table.tBodies[0]) return;
    var words = input.value.toLowerCase().split(/\s+/).filter(function(w){ return w; });
    var rows = table.tBodies[0].rows, shown = 0;
    Array.prototype.forEach.call(rows, function(r){
      var text = r.textContent.toLowerCase();
      var keep = words.every(function(w){ return text.indexOf(w) !== -1; });
      r.style.display = keep ? '' : 'none';
      if(keep) shown++;
    });
    var count = document.querySelector('.filter-count[data-for="' + table.id + '"]');
    if(count) count.textContent = words.length ? (shown + ' of ' + rows.length + ' rows') : (rows.length + ' rows');
  }
  Array.prototype.forEach.call(document.querySelectorAll('input.row-filter'), function(input){
    input.addEventListener('input', function(){ filterRows(input); });
  });
  document.documentElement.setAttribute('data-filter', 'ready');
})();
"""


def esc(x: Any) -> str:
    """HTML-escape; a URL written in a letter stays text and never becomes one in the page's source."""
    if x is None:
        return ""
    return html.escape(str(x), quote=True).replace("://", "&#58;//")


def _num(x: Optional[float], pct: bool = False, nd: int = 2) -> str:
    if x is None:
        return "n/a"
    return f"{100 * x:.1f}%" if pct else f"{x:.{nd}f}"


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", s).strip("-") or "letter"


class _Links:
    """Anchors for letters and items, and paths to the letter files relative to the report."""

    def __init__(self, letters: Iterable[str], base: Optional[Path]):
        self.anchor: dict[str, str] = {}
        used: set[str] = set()
        for path in letters:
            if path in self.anchor:
                continue
            a = "L-" + _slug(Path(path).stem)
            k = 2
            while a in used:
                a = f"L-{_slug(Path(path).stem)}-{k}"
                k += 1
            used.add(a)
            self.anchor[path] = a
        self.base = base

    def letter_anchor(self, path: str) -> str:
        return self.anchor.get(path) or "L-" + _slug(Path(path).stem)

    def item_anchor(self, path: str, item: int) -> str:
        return f"{self.letter_anchor(path)}-item-{item}"

    def href(self, path: str) -> str:
        """The letter's path relative to the report, as given: symbolic links are not resolved, so a report moved
        (or served) together with its letters keeps working."""
        p = os.path.abspath(path)
        try:
            if self.base is not None:
                rel = os.path.relpath(p, os.path.abspath(self.base))
                return quote(Path(rel).as_posix())
        except ValueError:  # another drive
            pass
        return Path(p).as_uri()

    def item_cell(self, ref: dict, request: Optional[str] = None) -> str:
        """Case number and item linked to the index, the letter file linked beside it."""
        path, item = ref["letter"], ref["item"]
        name = ref.get("case_number") or Path(path).name
        out = (f'<a href="#{esc(self.item_anchor(path, item))}">{esc(name)} #{item}</a> '
               f'<a class="small" href="{esc(self.href(path))}" title="open the letter">[letter]</a>')
        if request:
            out += f'<br><span class="small">{esc(request)}</span>'
        return out


# ----------------------------------------------------------------------------------------------------------------
# charts

def _svg_open(width: int, height: int, label: str) -> str:
    return (f'<svg role="img" aria-label="{esc(label)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">')


def rate_chart(title: str, rows: list[dict], max_rows: int = MAX_CHART_ROWS) -> str:
    """Horizontal bars of the overturn rate per group, with 95 % Wilson whiskers and k/n."""
    shown = rows[:max_rows]
    label_w, plot_w, right_w, row_h, top = 240, 270, 70, 22, 40
    width = label_w + plot_w + right_w
    height = top + row_h * max(1, len(shown)) + 26
    x = lambda v: label_w + v * plot_w  # noqa: E731
    parts = [_svg_open(width, height, title), f'<text class="title" x="4" y="16">{esc(title)}</text>']
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 22}" stroke="#e3e7eb"/>')
        parts.append(f'<text class="axis" x="{x(t):.1f}" y="{height - 8}" text-anchor="middle">{int(t * 100)}%</text>')
    for k, r in enumerate(shown):
        y = top + k * row_h
        label = r["group"] if len(r["group"]) <= 36 else r["group"][:35] + "\u2026"
        tip = f'{r["group"]}: {r["overturned"]} of {r["n"]} items overturned, from {r["letters"]} letter(s)'
        if r["ci"]:
            tip += f' ({_num(r["overturn_rate"], True)}, 95% CI {_num(r["ci"][0], True)}-{_num(r["ci"][1], True)})'
        parts.append(f'<g><title>{esc(tip)}</title>')
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{esc(label)}</text>')
        rate = r["overturn_rate"] or 0.0
        parts.append(f'<rect x="{x(0):.1f}" y="{y + 3}" width="{max(rate * plot_w, 0.5):.1f}" height="12" '
                     f'fill="#4c78a8" opacity="0.85"/>')
        if r["ci"]:
            lo, hi = x(r["ci"][0]), x(r["ci"][1])
            parts.append(f'<line x1="{lo:.1f}" y1="{y + 9}" x2="{hi:.1f}" y2="{y + 9}" stroke="#222" stroke-width="1.2"/>')
            for cx in (lo, hi):
                parts.append(f'<line x1="{cx:.1f}" y1="{y + 4}" x2="{cx:.1f}" y2="{y + 14}" stroke="#222" stroke-width="1.2"/>')
        parts.append(f'<text class="axis" x="{x(1) + 8:.1f}" y="{y + 12}">{r["overturned"]}/{r["n"]}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    note = f" Showing the {len(shown)} largest of {len(rows)} groups; all are in the table below." if len(rows) > len(shown) else ""
    return (f'<figure>{"".join(parts)}<figcaption>Share of items overturned (bar) with its 95% Wilson interval '
            f'(whiskers); overturned/items at the right.{esc(note)}</figcaption></figure>')


def kappa_chart(title: str, overall: dict, rows: list[dict], max_rows: int = MAX_CHART_ROWS) -> str:
    """Cohen's kappa with its 95 % interval, overall and per reviewer specialty, on a -1..1 axis."""
    shown = [overall] + rows[:max_rows]
    label_w, plot_w, right_w, row_h, top = 240, 270, 70, 22, 40
    width = label_w + plot_w + right_w
    height = top + row_h * len(shown) + 26
    x = lambda v: label_w + (v + 1) / 2 * plot_w  # noqa: E731
    parts = [_svg_open(width, height, title), f'<text class="title" x="4" y="16">{esc(title)}</text>']
    for t in (-1, -0.5, 0, 0.5, 1):
        parts.append(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 22}" '
                     f'stroke="{"#9aa3ad" if t == 0 else "#e3e7eb"}"/>')
        parts.append(f'<text class="axis" x="{x(t):.1f}" y="{height - 8}" text-anchor="middle">{t:g}</text>')
    for k, r in enumerate(shown):
        y = top + k * row_h
        name = "all scored items" if r is overall else r["group"]
        label = name if len(name) <= 36 else name[:35] + "\u2026"
        tip = f'{name}: n={r["n"]}, agreement {_num(r["observed"], True)}, kappa {_num(r["kappa"])}'
        parts.append(f'<g><title>{esc(tip)}</title>')
        weight = ' font-weight="600"' if r is overall else ""
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end"{weight}>{esc(label)}</text>')
        if r["kappa"] is None:
            parts.append(f'<text class="axis" x="{x(-1) + 6:.1f}" y="{y + 12}">not estimable</text>')
        else:
            if not r["ci"]:
                parts.append(f'<text class="axis" x="{x(-1) + 6:.1f}" y="{y + 12}">interval not estimable</text>')
            else:
                lo, hi = x(r["ci"][0]), x(r["ci"][1])
                parts.append(f'<line x1="{lo:.1f}" y1="{y + 9}" x2="{hi:.1f}" y2="{y + 9}" stroke="#222" stroke-width="1.2"/>')
                for cx in (lo, hi):
                    parts.append(f'<line x1="{cx:.1f}" y1="{y + 4}" x2="{cx:.1f}" y2="{y + 14}" stroke="#222" stroke-width="1.2"/>')
            colour = "#b4443c" if r is overall else "#4c78a8"
            parts.append(f'<circle cx="{x(r["kappa"]):.1f}" cy="{y + 9}" r="4.5" fill="{colour}"/>')
        parts.append(f'<text class="axis" x="{x(1) + 8:.1f}" y="{y + 12}">n={r["n"]}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return (f'<figure>{"".join(parts)}<figcaption>Cohen\'s kappa between our prediction and the reviewer (dot) '
            f'with its 95% interval (whiskers); n = scored items.</figcaption></figure>')


def findings_chart(counts: dict[str, int]) -> str:
    label_w, plot_w, right_w, row_h, top = 250, 270, 60, 22, 40
    width = label_w + plot_w + right_w
    height = top + row_h * len(counts) + 10
    most = max(list(counts.values()) + [1])
    parts = [_svg_open(width, height, "Findings per type"), '<text class="title" x="4" y="16">Findings per type</text>']
    for k, (t, n) in enumerate(counts.items()):
        y = top + k * row_h
        parts.append(f'<a href="#{t}"><text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{esc(SHORT[t])}</text></a>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(n / most * plot_w, 0.5):.1f}" height="12" fill="#8a5a00" opacity="0.8"/>')
        parts.append(f'<text class="axis" x="{label_w + n / most * plot_w + 6:.1f}" y="{y + 12}">{n}</text>')
    parts.append("</svg>")
    return f'<figure>{"".join(parts)}<figcaption>Number of findings of each type.</figcaption></figure>'


# ----------------------------------------------------------------------------------------------------------------
# tables

def _table(headers: list[str], rows: list[str], sortable: bool = True, tid: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    cls = ' class="sortable"' if sortable else ""
    ident = f' id="{esc(tid)}"' if tid else ""
    body = "".join(rows) if rows else f'<tr><td colspan="{len(headers)}" class="muted">none</td></tr>'
    return f"<table{cls}{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td_num(x: Any, text: Optional[str] = None) -> str:
    sort = "" if x is None else f' data-sort="{x}"'
    return f'<td class="num"{sort}>{esc(text if text is not None else x)}</td>'


def _decision(d: Optional[str]) -> str:
    return f'<span class="{esc(d)}">{esc(d)}</span>' if d else '<span class="muted">-</span>'


_TAG_TITLES = {"shared": "named by the reviewer and by our criteria", "rev": "named by the reviewer only",
               "ours": "read by our criteria only"}


def _tags(values: list[str], kind: str) -> str:
    return "".join(f'<span class="tag tag-{kind}" title="{_TAG_TITLES[kind]}">{esc(v)}</span>' for v in values)


def _rates_table(rates: dict) -> str:
    rows = []
    for dim in DIMENSION_TITLES:
        for r in rates[dim]:
            ci = r["ci"] or [None, None]
            rows.append(f"<tr><td>{esc(DIMENSION_TITLES[dim])}</td><td>{esc(r['group'])}</td>{_td_num(r['n'])}{_td_num(r['letters'])}"
                        f"{_td_num(r['upheld'])}{_td_num(r['overturned'])}"
                        f"{_td_num(r['overturn_rate'], _num(r['overturn_rate'], True))}"
                        f"{_td_num(ci[0], _num(ci[0], True))}{_td_num(ci[1], _num(ci[1], True))}</tr>")
    return _table(["dimension", "group", "items", "letters", "upheld", "overturned", "overturned %", "95% CI low", "95% CI high"],
                  rows, tid="rates-table")


def _agreement_table(ag: dict) -> str:
    rows = []
    for r in [ag["overall"]] + ag["by_specialty"]:
        ci = r["ci"] or [None, None]
        ne = "not estimable" if r["n"] else "n/a"
        kappa = _td_num(r["kappa"], _num(r["kappa"])) if r["kappa"] is not None else _td_num(None, ne)
        cis = (f"{_td_num(ci[0], _num(ci[0]))}{_td_num(ci[1], _num(ci[1]))}" if r["ci"]
               else f"{_td_num(None, ne)}{_td_num(None, ne)}")
        rows.append(f"<tr><td>{esc('all scored items' if r is ag['overall'] else r['group'])}</td>{_td_num(r['n'])}"
                    f"{_td_num(r['agree'])}{_td_num(r['observed'], _num(r['observed'], True))}"
                    f"{kappa}{cis}"
                    f"<td class='small'>{esc(r.get('note', ''))}</td></tr>")
    return _table(["reviewer specialty", "scored", "agree", "agreement", "kappa", "95% CI low", "95% CI high", "note"],
                  rows, tid="agreement-table")


def _criteria_list(criteria: list[dict]) -> str:
    items = []
    for c in criteria:
        st = c["state"]
        ev = "".join(f"<br><q>{esc(q)}</q>" for q in c.get("evidence", [])[:2])
        items.append(f'<li><span class="state state-{esc(st.replace(" ", "-"))}">{esc(st)}</span> {esc(c["title"])} '
                     f'<span class="small muted">({esc(c["effect"].replace("_", " ")) }; {esc(c["citation"])})</span>{ev}</li>')
    return f'<ul class="crit">{"".join(items)}</ul>' if items else '<span class="muted">-</span>'


def _findings_section(kind: str, found: list[dict], links: _Links, report: dict) -> str:
    rows = []
    for n, f in enumerate(found, 1):
        fid = f"{kind}-{n}"
        where = links.item_cell(f, f.get("request"))
        if kind == "rule_contrary":
            label = "upheld though criteria met" if f["kind"] == "upheld_though_criteria_met" else "overturned though a criterion is unmet"
            reasons = (_tags(f["reasons_shared"], "shared") + _tags(f["reasons_reviewer_only"], "rev")
                       + _tags(f["reasons_ours_only"], "ours")) or '<span class="muted">no reason groups</span>'
            missing = "".join(f"<li>{esc(m)}</li>" for m in f["missing"])
            ours = esc(f["our_reason"]) + (f'<ul class="small">{missing}</ul>' if missing else "")
            evidence = "".join(f"<q>{esc(q)}</q><br>" for q in f["evidence"]) or '<span class="muted">-</span>'
            rows.append(f'<tr id="{fid}"><td data-sort="{esc(f.get("case_number") or f["letter"])}">{where}</td>'
                        f'<td>{esc(label)}</td><td>{_decision(f["decision"])}</td><td>{_decision(f["predicted"])} '
                        f'<span class="small">({esc(f["status"])})</span></td><td>{_criteria_list(f["criteria"])}</td>'
                        f'<td class="small">{evidence}</td><td class="reason small">{esc(f["reviewer_reason"])}</td>'
                        f'<td class="reason small">{ours}</td><td>{reasons}</td></tr>')
            headers = ["letter / item", "kind", "reviewer", "ours", "criteria (state, citation)", "evidence",
                       "reviewer's reason", "our reason and what is missing", "reason groups"]
        elif kind == "similar_different":
            up = "<br>".join(links.item_cell(x) for x in f["upheld"])
            ov = "<br>".join(links.item_cell(x) for x in f["overturned"])
            match = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in f["matching"].items())
            diff = "".join(f"<li>{esc(d['fact'])}: upheld {esc(d['upheld'])}, overturned {esc(d['overturned'])}</li>"
                           for d in f["differing"])
            rows.append(f'<tr id="{fid}">{_td_num(f["similarity"], _num(f["similarity"]))}<td>{esc(f["request_type"])}</td>'
                        f'<td>{up}</td><td>{ov}</td><td class="small"><ul>{match}</ul></td>'
                        f'<td class="small">{"<ul>" + diff + "</ul>" if diff else "<span class=muted>none</span>"}</td>'
                        f'<td>{esc(", ".join(f["predicted"]))}</td></tr>')
            headers = ["similarity", "request type", "upheld", "overturned", "matching facts", "differing facts", "our prediction"]
        elif kind in ("citation_mtus_addresses", "citation_mtus_silent"):
            rules = f.get("mtus_criteria") or f.get("catalog_criteria") or []
            rows.append(f'<tr id="{fid}"><td data-sort="{esc(f.get("case_number") or f["letter"])}">{where}</td>'
                        f'<td>{esc(", ".join(f["reviewer_families"]))}</td><td>{esc(", ".join(f["rationale_sources"]) or "-")}</td>'
                        f'<td>{esc(", ".join(f["catalog_sources"]))}<br><span class="small">{esc(", ".join(rules))}</span></td>'
                        f'<td class="small reason">{esc(f["maximus_guideline"])}</td></tr>')
            headers = ["letter / item", "reviewer's families", "named in the rationale", "our catalog in play",
                       "MAXIMUS guideline line"]
        elif kind == "citation_ca_vs_reviewer":
            rows.append(f'<tr id="{fid}"><td data-sort="{esc(f.get("case_number") or f["letter"])}">{where}</td>'
                        f'<td>{esc(f["kind"].replace("_", " "))}</td><td>{esc(", ".join(f["ca_families"]))}</td>'
                        f'<td>{esc(", ".join(f["reviewer_families"]))}</td><td>{_decision(f["decision"])}</td></tr>')
            headers = ["letter / item", "kind", "claims administrator", "reviewer", "decision"]
        else:  # rationale_cites_nothing
            flags = []
            if f["generic_guidelines"]:
                flags.append("says 'guidelines' without naming one")
            if f["derivative"]:
                flags.append("follows another item's decision")
            rows.append(f'<tr id="{fid}"><td data-sort="{esc(f.get("case_number") or f["letter"])}">{where}</td>'
                        f'<td>{_decision(f["decision"])}</td><td>{esc(", ".join(f["reviewer_families"]))}</td>'
                        f'<td class="small">{esc("; ".join(flags)) or "-"}</td><td class="small reason">{esc(f["excerpt"])}</td></tr>')
            headers = ["letter / item", "decision", "MAXIMUS line families", "notes", "rationale (excerpt)"]
    if not found:
        headers = ["letter / item"]
    extra = ""
    if kind == "citation_ca_vs_reviewer":
        tab = report["citations"]
        cols = tab["columns"]
        trs = [f"<tr><td>{esc(r['claims_administrator'])}</td>" + "".join(_td_num(r[c]) for c in cols) + "</tr>"
               for r in tab["rows"]]
        extra = ("<h3>Items by first family: claims administrator (rows) vs reviewer (columns)</h3>"
                 + _table(["claims administrator \u2193 / reviewer \u2192"] + cols, trs, sortable=True, tid="citation-crosstab"))
    return (f'<section id="{kind}"><h2>{esc(TITLES[kind])} <span class="muted">({len(found)})</span></h2>'
            f'<p class="lead">{esc(INTRO[kind])} <span class="small">type <code>{kind}</code></span></p>{extra}'
            f'{_filter_box(kind + "-table", len(rows))}{_table(headers, rows, tid=kind + "-table")}</section>')


def _filter_box(table_id: str, n: int) -> str:
    """A text box that shows only the rows of table ``table_id`` containing every word typed (see ``_JS``)."""
    return (f'<p class="filter"><input type="search" class="row-filter" data-table="{esc(table_id)}" '
            f'placeholder="Filter rows: type words, e.g. a case number, MRI, Upheld" aria-label="Filter the rows of this table" '
            f'size="48"> <span class="small muted filter-count" data-for="{esc(table_id)}">{n} rows</span></p>')


def _index_section(index: list[dict], findings: list[dict], links: _Links) -> str:
    by_item: dict[tuple[str, int], list[str]] = {}
    counters: dict[str, int] = {}
    for f in findings:
        counters[f["type"]] = counters.get(f["type"], 0) + 1
        fid = f'{f["type"]}-{counters[f["type"]]}'
        refs = [f] + f.get("upheld", []) + f.get("overturned", [])
        for r in refs:
            lst = by_item.setdefault((r["letter"], r["item"]), [])
            if fid not in lst:
                lst.append(fid)
    bodies = []
    for L in index:
        anchor = links.letter_anchor(L["letter"])
        name = L["case_number"] or Path(L["letter"]).name
        head = (f'<a href="{esc(links.href(L["letter"]))}">{esc(name)}</a><br>'
                f'<span class="small muted">{esc(Path(L["letter"]).name)}</span>')
        rows = []
        if L["error"]:
            rows.append(f'<tr><td>{head}</td><td colspan="6" class="err">{esc(L["error"])}</td></tr>')
        for k, it in enumerate(L["items"]):
            fl = by_item.get((L["letter"], it["item"]), [])
            flinks = " ".join(f'<a href="#{fid}">{esc(fid)}</a>' for fid in fl) or '<span class="muted">-</span>'
            pred = _decision(it["predicted"]) + (f' <span class="small">({esc(it["status"])})</span>' if it["status"] else "")
            rows.append(f'<tr id="{esc(links.item_anchor(L["letter"], it["item"]))}"><td>{head if k == 0 else ""}</td>'
                        f'<td class="num">{it["item"]}</td><td>{esc(it["request"])}</td><td>{_decision(it["decision"])}</td>'
                        f'<td>{pred}</td><td class="small">{esc(", ".join(it["reviewer_families"]))}</td>'
                        f'<td class="small">{flinks}</td></tr>')
        bodies.append(f'<tbody class="letter" id="{esc(anchor)}">{"".join(rows)}</tbody>')
    head = "".join(f"<th>{h}</th>" for h in ("letter", "#", "request", "reviewer", "ours", "MAXIMUS families", "findings"))
    return (f'<section id="letters"><h2>Letters and items <span class="muted">({len(index)})</span></h2>'
            f'<p class="lead">Every item of every letter; findings link here, and the letter name opens the file '
            f'(a path relative to this report).</p><table id="letters-table"><thead><tr>{head}</tr></thead>'
            f'{"".join(bodies)}</table></section>')


def render_html(report: dict, index: list[dict], out_path: Optional[Path] = None, title: str = "imrcheck audit") -> str:
    """The report as one HTML document. ``index`` is :meth:`checker.audit.Audit.index`; links to letters are made
    relative to ``out_path``'s folder."""
    base = out_path.parent if out_path is not None else None
    links = _Links([L["letter"] for L in index], base)
    counts = report["counts"]
    overall = report["rates"]["overall"]
    ag = report["agreement"]["overall"]
    failed = report["letters"] - report["letters_parsed"]
    cards = [
        f'<div class="card"><b>{report["letters"]}</b>letters ({report["letters_parsed"]} parsed, '
        f'<a href="#errors">{failed} failed</a>)</div>',
        f'<div class="card"><b>{report["items"]}</b>items, {report["items_scored"]} scored by our criteria</div>',
        f'<div class="card"><b>{_num(overall["overturn_rate"], True)}</b>overturned ({overall["overturned"]} of {overall["n"]})</div>',
        f'<div class="card"><b>{_num(ag["kappa"]) if ag["kappa"] is not None or not ag["n"] else "not estimable"}</b>'
        f'Cohen\'s kappa, ours vs reviewer (n={ag["n"]})</div>',
    ] + [f'<div class="card"><b>{counts[t]}</b><a href="#{t}">{esc(TITLES[t])}</a></div>' for t in FINDING_TYPES]
    nav = " ".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in
                   [("charts", "Charts"), ("rates", "Rates"), ("agreement", "Agreement")]
                   + [(t, TITLES[t]) for t in FINDING_TYPES] + [("errors", "Errors"), ("letters", "Letters")])
    rates = report["rates"]
    charts = [rate_chart(f"Overturned by {DIMENSION_TITLES[d]}", rates[d]) for d in DIMENSION_TITLES]
    charts.append(kappa_chart("Agreement with the reviewer by specialty", ag, report["agreement"]["by_specialty"]))
    charts.append(findings_chart(counts))
    by_type = {t: [f for f in report["findings"] if f["type"] == t] for t in FINDING_TYPES}
    errors = [f'<tr><td><a href="{esc(links.href(e["letter"]))}">{esc(e["letter"])}</a></td><td class="err">{esc(e["error"])}</td></tr>'
              for e in report["errors"]]
    doc = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">Consistency audit of IMR final determination letters: outcome rates, decisions that run '
        f'against the criteria, similar cases decided differently, citation consistency and agreement with '
        f'imrcheck\'s criteria. {esc(report["agreement"]["method"])}.</p>',
        f"<nav>{nav}</nav>",
        f'<div class="cards">{"".join(cards)}</div>',
        f'<section id="charts"><h2>Charts</h2><div class="charts">{"".join(charts)}</div></section>',
        f'<section id="rates"><h2>Outcome rates</h2><p class="lead">All items, drugs and procedures included '
        f'(modality "other"); an item naming several regions counts under each; the guideline family is the first '
        f'named on the MAXIMUS guideline line ("none" when it says no evidence was cited). The Wilson interval '
        f'treats items as independent: where a group\'s items come from few letters (see "letters") it is too '
        f'narrow. Overall: '
        f'{overall["overturned"]} of {overall["n"]} overturned.</p>{_rates_table(rates)}</section>',
        f'<section id="agreement"><h2>Agreement with the reviewer</h2><p class="lead">Scored items only (requests '
        f'our catalog has criteria for). Kappa near 0 means no agreement beyond chance.</p>{_agreement_table(report["agreement"])}</section>',
    ]
    doc += [_findings_section(t, by_type[t], links, report) for t in FINDING_TYPES]
    doc.append(f'<section id="errors"><h2>Errors <span class="muted">({len(errors)})</span></h2><p class="lead">Letters '
               f'that could not be read or parsed; the audit went on without them.</p>'
               f'{_table(["letter", "error"], errors, tid="errors-table")}</section>')
    doc.append(_index_section(index, report["findings"], links))
    doc.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(doc) + "\n"
