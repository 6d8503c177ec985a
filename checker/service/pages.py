"""HTML of the web page: the form, the result cards with the evidence marked in the note, the printable checklist.

Server-side rendering with plain forms: no JavaScript is needed and nothing is loaded from outside the app.
Everything that comes from the user or the note is HTML-escaped.
"""
from __future__ import annotations

import json
from datetime import date
from html import escape
from typing import Any, Optional, Sequence

from ..models import Result
from . import wording
from .store import Entry

STATE_CLASS = {"met": "met", "not met": "notmet", "unknown": "unknown"}
EFFECT_WORDS = {"supports_certification": "supports certification", "supports_denial": "supports denial",
                "documentation_required": "documentation required"}


def layout(title: str, body: str, *, extra_class: str = "") -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} - imrcheck</title><link rel="stylesheet" href="/static/style.css"></head>'
            f'<body class="{escape(extra_class)}"><header class="top"><a href="/" class="brand">imrcheck</a>'
            f'<span class="tag">pre-submission check against California workers\' compensation IMR criteria</span>'
            f'</header><main>{body}</main><footer>A rule-based estimate, not a utilization review decision. '
            f'<a href="/docs">API</a> · <a href="/health">health</a></footer></body></html>')


def form(values: Optional[dict[str, str]] = None, error: Optional[str] = None) -> str:
    v = values or {}
    err = f'<div class="error" role="alert"><strong>Cannot check:</strong> {escape(error)}</div>' if error else ""
    return layout("Check a request", f"""
<h1>Check a request before you send it</h1>
{err}
<form method="post" action="/check" enctype="multipart/form-data" class="checkform">
  <label for="note">Clinical note (paste)</label>
  <textarea id="note" name="note" rows="12" placeholder="Paste the progress report or the case summary here">{escape(v.get("note", ""))}</textarea>
  <label for="file">or upload the note (text or PDF)</label>
  <input id="file" name="file" type="file" accept=".txt,.text,.pdf,text/plain,application/pdf">
  <label for="requests">Requests, one per line</label>
  <textarea id="requests" name="requests" rows="3" placeholder="MRI of the lumbar spine without contrast&#10;Physical therapy 2 times a week for 4 weeks, lumbar spine">{escape(v.get("requests", ""))}</textarea>
  <label for="as_of">Date of the request (picks the guideline edition; empty: today)</label>
  <input id="as_of" name="as_of" type="date" value="{escape(v.get("as_of", ""))}">
  <button type="submit">Check</button>
</form>""")


def error_page(message: str) -> str:
    return layout("Error", f'<div class="error" role="alert">{escape(message)}</div><p><a href="/">Back to the form</a></p>')


# ---------------------------------------------------------------------------------------------------------------
def _spans(r: Result, note: str) -> tuple[list[tuple[int, int, str, bool]], int]:
    """(start, end, label, decisive) for every evidence quote that is found at its offsets; and how many were not."""
    out: dict[tuple[int, int], tuple[list[str], bool]] = {}
    bad = 0
    decisive = {(e.start, e.end) for e in r.evidence}

    def add(start: int, end: int, quote: str, label: str) -> None:
        nonlocal bad
        if not (0 <= start < end <= len(note)) or note[start:end] != quote:
            bad += 1
            return
        labels, _ = out.setdefault((start, end), ([], (start, end) in decisive))
        if label not in labels:
            labels.append(label)

    for c in r.criteria:
        for e in c.evidence:
            add(e.start, e.end, e.quote, f"{c.title} ({c.state})")
    for e in r.evidence:
        add(e.start, e.end, e.quote, "decisive evidence")
    return [(s, e, "; ".join(lab), dec) for (s, e), (lab, dec) in sorted(out.items())], bad


def highlight(note: str, spans: Sequence[tuple[int, int, str, bool]], prefix: str) -> str:
    """The note, escaped, with <mark> around every span; each span's first piece carries id ``{prefix}-{start}-{end}``."""
    spans = [sp for sp in spans if 0 <= sp[0] < sp[1] <= len(note)]
    bounds = sorted({0, len(note)} | {s for s, *_ in spans} | {e for _, e, *_ in spans})
    parts = []
    for a, b in zip(bounds, bounds[1:]):
        seg = escape(note[a:b])
        cover = [sp for sp in spans if sp[0] <= a and b <= sp[1]]
        if not cover:
            parts.append(seg)
            continue
        anchors = "".join(f'<span class="anchor" id="{prefix}-{s}-{e}"></span>' for s, e, *_ in cover if s == a)
        label = "; ".join(dict.fromkeys(lab for _, _, lab, _ in cover))
        cls = "ev decisive" if any(d for *_, d in cover) else "ev"
        parts.append(f'{anchors}<mark class="{cls}" title="{escape(label)}">{seg}</mark>')
    return "".join(parts)


def _value(v: Any) -> str:
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in v) + "</ul>"
    if isinstance(v, (dict, list)):
        return f"<code>{escape(json.dumps(v, ensure_ascii=False))}</code>"
    return escape(str(v))


def card(i: int, r: Result, note: str, as_of: Optional[date], label: str = "") -> str:
    kind = wording.outcome_kind(r)
    conf = wording.confidence(r)
    gov = wording.governing(r)
    prefix = f"c{i}"
    h = [f'<section class="card {kind}" id="card-{i}"><h2><span class="req">{escape(r.request)}</span>'
         + (f' <span class="code">{escape(label)}</span>' if label else "") + "</h2>",
         f'<p class="outcome {kind}">{escape(wording.outcome_label(r))}</p>']
    if conf:
        h.append(f'<p class="confidence">Confidence: <strong>{escape(conf)}</strong></p>')
    h.append(f'<p class="asof">Judged as of {escape((as_of or date.today()).isoformat())}'
             + ("" if as_of else " (no date given: today)") + "</p>")
    if r.imr_outcome is None:
        h.append(f'<p class="message">{escape(r.rationale or "No criterion in the catalog covers this request.")}</p>')
    if gov:
        h.append(f'<p class="guideline">Governing guideline: <cite>{escape(wording.cite(gov))}</cite>'
                 f' <span class="confidence-note">[{escape(gov.confidence)}]</span></p>')
    for n in r.notes:
        h.append(f'<p class="note-era"><strong>Note:</strong> {escape(n)}</p>')
    if r.criteria:
        rows = []
        for c in r.criteria:
            quotes = "".join(f'<li><a href="#{prefix}-{e.start}-{e.end}">&ldquo;{escape(e.quote)}&rdquo;</a></li>'
                             for e in c.evidence)
            rows.append(f'<tr class="{STATE_CLASS[c.state]}{" decisive" if c.rule in r.rules else ""}">'
                        f'<td><span class="state {STATE_CLASS[c.state]}">{escape(c.state)}</span></td>'
                        f'<td>{escape(c.title)}<div class="effect">{escape(EFFECT_WORDS.get(c.effect, c.effect))}'
                        f'{" · decisive" if c.rule in r.rules else ""} · {escape(wording.cite(c.citation))}</div>'
                        + (f'<ul class="quotes">{quotes}</ul>' if quotes else "") + "</td></tr>")
        h.append('<h3>Criteria</h3><table class="criteria"><thead><tr><th>State</th><th>Criterion</th></tr></thead>'
                 f'<tbody>{"".join(rows)}</tbody></table>')
    if r.missing:
        items = "".join(f'<li><label><input type="checkbox" name="done-{i}-{k}"> {escape(m)}</label></li>'
                        for k, m in enumerate(r.missing))
        h.append(f'<h3>Documentation checklist</h3><ul class="checklist">{items}</ul>')
    elif r.imr_outcome is not None:
        h.append('<h3>Documentation checklist</h3><p class="none">Nothing missing for the criteria in play.</p>')
    if r.rationale and r.imr_outcome is not None:
        h.append(f'<details class="rationale"><summary>Rationale</summary><p>{escape(r.rationale)}</p></details>')
    if r.set_aside:
        items = "".join(f'<li>&ldquo;{escape(a.evidence.quote)}&rdquo; ({escape(", ".join(a.regions))})</li>'
                        for a in r.set_aside)
        h.append(f'<details class="setaside"><summary>Set aside: findings about another part of the body '
                 f'({len(r.set_aside)})</summary><ul>{items}</ul></details>')
    extra = wording.extra_fields(r)
    if extra:
        h.append('<dl class="extra">' + "".join(f"<dt>{escape(k.replace('_', ' '))}</dt><dd>{_value(v)}</dd>"
                                               for k, v in extra.items()) + "</dl>")
    if r.imr_outcome is not None:
        spans, bad = _spans(r, note)
        caption = f"Evidence in the note ({len(spans)} passage{'s' if len(spans) != 1 else ''} marked)"
        if bad:
            caption += f"; {bad} quote(s) could not be placed"
        h.append(f'<details class="notebox" open><summary>{escape(caption)}</summary>'
                 f'<div class="note">{highlight(note, spans, prefix)}</div></details>')
    h.append("</section>")
    return "".join(h)


def result_page(key: str, entry: Entry) -> str:
    cards = "".join(card(i, r, entry.summary, entry.as_of[i], entry.labels[i] if i < len(entry.labels) else "")
                    for i, r in enumerate(entry.results))
    certified = sum(1 for r in entry.results if r.certify)
    head = (f'<div class="toolbar"><a href="/" class="button">New check</a> '
            f'<a href="/result/{escape(key)}/print" class="button">Printable checklist</a></div>'
            f'<h1>{len(entry.results)} request{"s" if len(entry.results) != 1 else ""}: {certified} likely certified</h1>')
    return layout("Result", head + cards)


def print_page(key: str, entry: Entry) -> str:
    parts = [f'<div class="toolbar noprint"><a href="/result/{escape(key)}" class="button">Back to the result</a></div>',
             "<h1>Documentation checklist</h1>"]
    for i, r in enumerate(entry.results):
        as_of = entry.as_of[i]
        parts.append(f'<section class="printitem"><h2>{escape(r.request)}</h2><p>{escape(wording.outcome_label(r))}'
                     f' · as of {escape((as_of or date.today()).isoformat())}</p>')
        gov = wording.governing(r)
        if gov:
            parts.append(f"<p><cite>{escape(wording.cite(gov))}</cite></p>")
        if r.missing:
            parts.append('<ul class="printlist">' + "".join(f"<li>&#9744; {escape(m)}</li>" for m in r.missing) + "</ul>")
        else:
            parts.append("<p>Nothing to add.</p>")
        parts.append("</section>")
    return layout("Checklist", "".join(parts), extra_class="print")
