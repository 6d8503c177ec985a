"""Sections of a clinic note: a header ("Plan:", "PMH:", "FHx:", "ROS:") scopes everything up to the next header.

A known header (lexicon ``sections:``) opens a section whose ConText category applies to every mention in it,
across sentences: "Plan: 1. PT 2x4. 2. MRI L-spine." puts both in a request; "FHx: breast cancer - mother.
Lymphoma - father." makes both another person's.  A section ends at the next header (a known one anywhere at a
line or sentence start; any other "Word(s):" at a line start, such as "Exam:" or "Work status:"), at a blank
line, or at the end of the text.  Headers are read on the original text (line starts), offsets are returned in
the normalised text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Optional

from .text import _Norm

_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")


def compile_sections(raw: dict, flags: int) -> Optional[tuple[re.Pattern, re.Pattern, list[str]]]:
    """(known-header regex with one group per category, any-header regex, categories by group) or None."""
    if not raw:
        return None
    cats = [c for c in raw if c != "any_header"]
    known = "|".join(f"(?P<s{i}>{'|'.join(raw[c])})" for i, c in enumerate(cats))
    # a known header: at a line start, or after a sentence end, or at the very start
    known_rx = re.compile(r"(?:^|(?<=\n)|(?<=[.;!?] ))[ \t]*(?:" + known + r")[ \t]*:", flags | re.MULTILINE)
    any_rx = re.compile(r"^[ \t]*(?:" + raw.get("any_header", r"(?!)") + r")[ \t]*:", re.MULTILINE)
    return known_rx, any_rx, cats


def find_sections(text: str, norm: _Norm, compiled) -> list[tuple[int, int, str, int, int]]:
    """Sections as (start, end, category, header start, header end), normalised offsets, in order."""
    if compiled is None or ":" not in text:
        return []
    known_rx, any_rx, cats = compiled
    opens = []
    for m in known_rx.finditer(text):
        cat = cats[int(m.lastgroup[1:])]
        opens.append((m.start(m.lastgroup), m.end(), cat))
    if not opens:
        return []
    stops = sorted({m.start() for m in any_rx.finditer(text)} | {m.start() for m in _BLANK_LINE.finditer(text)}
                   | {s for s, _, _ in opens})
    out = []
    for hs, he, cat in opens:
        i = bisect_right(stops, hs)
        end = stops[i] if i < len(stops) else len(text)
        out.append((to_norm(norm, hs), to_norm(norm, end), cat, to_norm(norm, hs), to_norm(norm, he)))
    return out


def to_norm(norm: _Norm, o: int) -> int:
    """The normalised offset of original offset ``o``."""
    i = bisect_right(norm.seg_o, o) - 1
    if i < 0:
        return 0
    return norm.seg_n[i] + (o - norm.seg_o[i] if norm.seg_lit[i] else 0)
