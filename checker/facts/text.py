"""Whitespace normalisation with a map back to original offsets, and sentence splitting."""
from __future__ import annotations

import re
from bisect import bisect_right

_WS = re.compile(r"(?<=\w)-[ \t]*\r?\n\s*|\s+")


class _Norm:
    """Whitespace-normalised copy of a text with a map back to original offsets."""

    __slots__ = ("text", "seg_n", "seg_o", "seg_lit")

    def __init__(self, text: str):
        pieces: list[str] = []
        seg_n: list[int] = []
        seg_o: list[int] = []
        seg_lit: list[bool] = []
        pos = npos = 0
        for m in _WS.finditer(text):
            s, e = m.span()
            if s > pos:
                pieces.append(text[pos:s])
                seg_n.append(npos)
                seg_o.append(pos)
                seg_lit.append(True)
                npos += s - pos
            if text[s] == " " and e - s == 1:
                # a single space stays a literal character
                pieces.append(" ")
                seg_n.append(npos)
                seg_o.append(s)
                seg_lit.append(True)
            else:
                pieces.append("-" if text[s] == "-" else " ")
                seg_n.append(npos)
                seg_o.append(s)
                seg_lit.append(False)
            npos += 1
            pos = e
        if pos < len(text):
            pieces.append(text[pos:])
            seg_n.append(npos)
            seg_o.append(pos)
            seg_lit.append(True)
        self.text = "".join(pieces)
        self.seg_n, self.seg_o, self.seg_lit = seg_n, seg_o, seg_lit

    def start(self, n: int) -> int:
        i = bisect_right(self.seg_n, n) - 1
        if i < 0:
            return 0
        if self.seg_lit[i]:
            return self.seg_o[i] + (n - self.seg_n[i])
        return self.seg_o[i]

    def end(self, n: int) -> int:
        """Original offset for an exclusive normalised end offset."""
        if n <= 0:
            return 0
        i = bisect_right(self.seg_n, n - 1) - 1
        if self.seg_lit[i]:
            return self.seg_o[i] + (n - 1 - self.seg_n[i]) + 1
        return self.seg_o[i] + 1


# a full stop before a capital, a digit or a list bullet ("... w/o contrast.\n  - Pt would like ...")
_SENT_END = re.compile(r"[.!?][\"')\]]* (?=[\"'(\[]?[A-Z0-9]|[-*\u2022] )")


def _sentences(t: str, abbrev: frozenset) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in _SENT_END.finditer(t):
        dot = m.start()
        if t[dot] == ".":
            j = dot
            while j > start and not t[j - 1].isspace():
                j -= 1
            word = t[j:dot].lower().lstrip("(\"'")
            # a single letter is an initial ("J. Smith"), but not before a number: "+Spurling R. 4/5 EHL"
            if word in abbrev or (len(word) == 1 and word.isalpha() and not t[m.end():m.end() + 1].isdigit()):
                continue
        out.append((start, m.end() - 1))
        start = m.end()
    if start < len(t):
        out.append((start, len(t)))
    return out or [(0, len(t))]
