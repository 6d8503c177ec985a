"""The text of `imrcheck why`: an item's explanation for a reader who is not a programmer.

Case number, request, the reviewer's outcome and ours, the date judged for, the reviewer's reason and ours, every
criterion grouped as met / not met / not documented with its evidence quoted as whole sentences, and what would
change the outcome. The JSON form (``why --json``) carries the same content with offsets.
"""
from __future__ import annotations

import bisect
import re
import textwrap
from typing import Optional

from .explain import ItemExplanation
from .models import Evidence, Letter

WIDTH = 100
_SENTENCE_END = re.compile(r"[.!?][\"')\]\u201d\u2019]*(?=\s)")
_HYPHEN_NL = re.compile(r"(?<=\w-)[ \t]*\r?\n\s*(?=\w)")
_WS = re.compile(r"\s+")
_OUTCOME = {"Upheld": "Upheld (the denial stands: not certified)",
            "Overturned": "Overturned (the denial is reversed: certified)"}
_STATE_HEAD = {"met": "Met", "not met": "Not met", "unknown": "Not documented (unknown)"}


def clean(text: str) -> str:
    """One line of readable text: pdfium hyphen marks, broken words and runs of blanks mended."""
    text = text.replace("\ufffe", "-\n").replace("\x02", "-\n")
    return _WS.sub(" ", _HYPHEN_NL.sub("", text)).strip()


def sentence_at(source: str, start: int, end: int, limit: int = 320) -> str:
    """The sentence(s) of ``source`` holding ``[start, end)``, cleaned; a window around the quote when long."""
    lo = max(0, start - 600)
    ends = [m.end() for m in _SENTENCE_END.finditer(source, lo, start)]
    a = ends[-1] if ends else lo
    para = source.rfind("\n\n", a, start)  # a heading or a paragraph break also starts a sentence
    if para != -1:
        a = para + 2
    m = _SENTENCE_END.search(source, max(end - 1, start), min(len(source), end + 600))
    b = m.end() if m else min(len(source), end + 200)
    para = source.find("\n\n", end, b)
    if para != -1:
        b = para
    text = clean(source[a:b])
    if len(text) <= limit:
        return text
    quote = clean(source[start:end])
    i = text.find(quote)
    if i == -1 or len(quote) >= limit:
        return quote[:limit] + ("..." if len(quote) > limit else "")
    pad = (limit - len(quote)) // 2
    lo_i, hi_i = max(0, i - pad), min(len(text), i + len(quote) + pad)
    return ("..." if lo_i else "") + text[lo_i:hi_i].strip() + ("..." if hi_i < len(text) else "")


def _wrap(text: str, indent: str = "  ") -> list[str]:
    """Wrapped at ``WIDTH``; a list entry ("- ...") hangs its continuation lines under its text."""
    hang = indent + "  " if text.startswith("- ") else indent
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=hang) or [indent.rstrip()]


def _date_source(e: ItemExplanation, letter: Letter) -> str:
    if e.as_of is None:
        return ""
    if e.as_of_defaulted:
        return f"judged as of {e.as_of.isoformat()} (today: the letter gives no request date)"
    if letter.ur_denial_date == e.as_of:
        why = "the utilization review denial date in the letter"
    elif letter.date_assigned == e.as_of:
        why = "the date the IMR was assigned"
    else:
        why = "the latest date in the case summary"
    return f"judged as of {e.as_of.isoformat()} ({why})"


class _Sentences:
    """Sentences around spans of a letter's source text, found in its normalised text (where a blank line is a
    paragraph break, not the double spacing of a 2013 letter)."""

    def __init__(self, letter: Letter):
        from .letters import source_offsets

        self.text = letter.text
        self.map = source_offsets(letter.source) if letter.source else list(range(len(letter.text) + 1))
        self.summary = (letter.summary_start, letter.summary_start + len(letter.summary))

    def __call__(self, start: int, end: int, limit: int = 320) -> str:
        a = min(bisect.bisect_left(self.map, start), len(self.text))
        b = min(max(a, bisect.bisect_left(self.map, end)), len(self.text))
        if not (self.summary[0] <= a and b <= self.summary[1]):
            # outside the case summary: the request as the letter's heading words it, never the decision beside it
            return clean(self.text[a:b])
        return sentence_at(self.text, a, b, limit)


def _quotes(evidence: list[Evidence], sentence: "_Sentences", seen: set, n: int = 2) -> list[str]:
    lines = []
    for ev in evidence:
        whole = sentence(ev.start, ev.end, limit=1 << 20)
        if whole in seen:  # one sentence quoted once
            continue
        seen.add(whole)
        s = sentence(ev.start, ev.end)
        lines += _wrap(f'"{s}"', "        ")
        if len(lines) >= 2 * n:
            break
    return lines


def render_item(e: ItemExplanation, letter: Letter, sentences: Optional[_Sentences] = None) -> str:
    """The explanation of one item as plain text (``sentences``: reuse one :func:`sentences_of` per letter)."""
    sentence = sentences or _Sentences(letter)
    case = letter.case_number or f"{letter.path} (no case number)"
    out = [f"Case {case}, item {e.item}: {clean(e.request)}", "=" * min(WIDTH, 12 + len(case) + len(clean(e.request)))]
    when = _date_source(e, letter)
    if when:
        out.append(when[0].upper() + when[1:] + ".")
    out.append(f"Reviewer's outcome: {_OUTCOME.get(e.actual, e.actual)}")
    if e.predicted is None:
        out.append("imrcheck's outcome: none - no criterion in the catalog covers this kind of request.")
    else:
        verdict = "agrees with the reviewer" if e.agrees else "DISAGREES with the reviewer"
        out.append(f"imrcheck's outcome: {_OUTCOME.get(e.predicted, e.predicted)}; criteria {e.status}; {verdict}.")
    out.append(f"Guidelines: the reviewer relied on {', '.join(e.reviewer_guideline) or 'none named'}; "
               f"imrcheck cites {', '.join(dict.fromkeys(e.our_guideline)) or 'none'}.")
    if e.reviewer_reasons:
        out.append("Reviewer's decisive reasons: " + "; ".join(r.title or r.code for r in e.reviewer_reasons) + ".")
    if e.our_reasons:
        out.append("imrcheck's decisive reasons: " + "; ".join(r.title or r.code for r in e.our_reasons) + ".")
    out.append("")
    out.append("The reviewer's reason:")
    out += _wrap(clean(e.reviewer_rationale) or "(the letter gives none)")
    if e.predicted is not None:
        out.append("")
        out.append("imrcheck's reason:")
        out += _wrap(clean(e.rationale) or "(none)")
    for w in e.warnings:
        out += _wrap("Warning: " + w, "")
    for n in e.notes:
        out += _wrap("Note: " + n, "")
    if e.criteria:
        out.append("")
        out.append(f"The criteria ({len(e.criteria)}):")
        seen: set = set()
        for state in ("met", "not met", "unknown"):
            group = [c for c in e.criteria if c.state == state]
            if not group:
                continue
            out.append(f"  {_STATE_HEAD[state]}:")
            for c in group:
                kind = {"supports_certification": "supports certifying",
                        "supports_denial": "weighs against certifying",
                        "documentation_required": "must be documented"}[c.effect]
                out += _wrap(f"- {c.title} [{kind}; {c.citation.source}, {c.citation.document}"
                             + (f", {c.citation.section}" if c.citation.section else "") + "]", "    ")
                out += _quotes(c.evidence, sentence, seen)
    if e.would_change_if:
        out.append("")
        out.append("What would change imrcheck's outcome:")
        for w in e.would_change_if:
            out += _wrap("- " + w[0].upper() + w[1:], "  ")
    if e.set_aside:
        out.append("")
        out.append("Set aside (about another part of the body than the request):")
        for a in e.set_aside[:5]:
            out += _wrap(f'- "{sentence(a.evidence.start, a.evidence.end)}" ({", ".join(a.regions)})', "  ")
    return "\n".join(out)


def sentences_of(letter: Letter) -> _Sentences:
    return _Sentences(letter)
