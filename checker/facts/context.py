"""ConText modifiers: trigger matches of one text, their scopes, and who asserts a sentence."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Optional

from .lexicon import _CATEGORIES, _Lexicon


_SINGULAR = re.compile(r"(?:is|was|has)\b", re.IGNORECASE)


@dataclass
class _Trig:
    cat: str
    fwd: bool
    s: int
    e: int
    unbounded: bool = False  # scope = rest of the sentence (request_sentence)
    only_findings: bool = False  # inside a `negation_request` pseudo phrase: a trigger for findings only
    max_words: Optional[int] = None  # this trigger's own word limit (a short marker: "neg", "(-)")


class _Context:
    """Trigger matches of one text with scope queries."""

    def __init__(self, t: str, sents: list[tuple[int, int]], lex: _Lexicon, scan: list, sections: list = (),
                 absorbed: list = ()):
        self.t = t
        self.lex = lex
        pseudo_spans = {cat: [(a, b) for a, b, _, _ in scan[ch]] for cat, ch in lex.pseudo_ch.items()}
        self.trigs: list[_Trig] = []
        for (cat, direction), ch in lex.trig_ch.items():
            ps = pseudo_spans.get(cat, ())
            ps_req = pseudo_spans.get(cat + "_request", ())
            unbounded = cat == "request_sentence"
            if unbounded:
                cat = "request"
            limits = lex.trig_limits.get(ch, ())
            for s, e, pi, _ in scan[ch]:
                if ps and any(a < e and s < b for a, b in ps):
                    continue
                # a singular backward trigger inside a finding's own negative phrase belongs to that finding
                # ("straight leg raise is negative"): it does not also deny "pain radiating to the left leg" before
                # it; a plural one is shared ("Hawkins and O'Brien's tests were negative")
                if (absorbed and direction == "backward" and _SINGULAR.match(t, s)
                        and any(a < e and s < b for a, b in absorbed)):
                    continue
                only_findings = bool(ps_req) and any(a < e and s < b for a, b in ps_req)
                self.trigs.append(_Trig(cat, direction == "forward", s, e, unbounded, only_findings,
                                        limits[pi] if limits else None))
        self.trigs.sort(key=lambda x: x.s)
        self.trig_starts = [x.s for x in self.trigs]
        self.terms = [(a, b) for a, b, _, _ in scan[lex.term_ch]]
        self.soft_term = [t[a:b] in (";", ":") for a, b in self.terms]
        self.attr = {k: [a for a, _, _, _ in scan[ch]] for k, ch in lex.attr_ch.items()}
        self.term_starts = [s for s, _ in self.terms]
        self.sents = sents
        self.sent_starts = [s for s, _ in sents]
        st = lex.settings
        self.maxf = int(st.get("max_words_forward", 14))
        self.maxb = int(st.get("max_words_backward", 6))
        self.maxf_cat = {c: int(st.get(f"max_words_forward_{c}", self.maxf)) for c in _CATEGORIES}
        self._attr: dict[int, str] = {}
        self.sections = list(sections)  # (start, end, category, header start, header end), in order
        lists = lex.lists
        self.list_sep: Optional[re.Pattern] = lists.get("separator")
        self.list_item_words = int(lists.get("max_item_words", 5))
        self.not_item: Optional[re.Pattern] = lists.get("not_an_item")
        self.list_cats = frozenset(lists.get("categories", ()))

    def _in_list(self, a: int, b: int) -> bool:
        """Whether [a, b) is the run of a coordinated list between a trigger and a target ("fever, chills,
        bowel or bladder changes, weight loss, or history of"): list items of at most ``max_item_words`` words
        joined by separators (",", "/", "and", "or", "nor"), none of them a clause of its own (a verb)."""
        if self.list_sep is None:
            return False
        gap = self.t[a:b]
        items = self.list_sep.split(gap)
        if len(items) < 2:
            return False
        for item in items:
            if item.count(" ") > self.list_item_words + 1:
                return False
            if self.not_item is not None and self.not_item.search(item):
                return False
        return True

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect_right(self.sent_starts, pos) - 1)

    def _terminated(self, a: int, b: int, soft_ok: bool = False) -> bool:
        """A termination trigger inside [a, b)?  ``soft_ok``: ';' and ':' do not count."""
        i = bisect_left(self.term_starts, a)
        while i < len(self.terms) and self.terms[i][0] < b:
            if self.terms[i][1] <= b and not (soft_ok and self.soft_term[i]):
                return True
            i += 1
        return False

    def modifiers(
        self, ts: int, te: int, si: int, ignore: frozenset, ignore_backward: Optional[re.Pattern] = None,
        finding: bool = False,
    ) -> dict[str, tuple[int, int] | None]:
        """For each category, the span of the trigger whose scope reaches [ts, te).  ``finding``: the target
        is a present-tense finding (a `<category>_request` pseudo phrase such as "was denied" does not hide
        triggers from it)."""
        ss, se = self.sents[si]
        out: dict[str, tuple[int, int] | None] = {}
        t = self.t
        lo = bisect_left(self.trig_starts, ss)
        hi = bisect_left(self.trig_starts, se)
        for k in range(lo, hi):
            tr = self.trigs[k]
            if tr.cat in ignore or tr.cat in out:
                continue
            if tr.only_findings and not finding:
                continue
            if tr.s < te and ts < tr.e:  # overlaps the target itself
                continue
            if tr.unbounded:
                # no word limit; ';' and ':' do not stop it, other terminations do
                if tr.fwd and tr.e <= ts and not self._terminated(tr.e, ts, True):
                    out[tr.cat] = (tr.s, tr.e)
                elif not tr.fwd and tr.s >= te and not self._terminated(te, tr.s, True):
                    out[tr.cat] = (tr.s, tr.e)
                continue
            if tr.fwd:
                if tr.e > ts:
                    continue
                limit = self.maxf_cat[tr.cat] if tr.max_words is None else tr.max_words
                if t.count(" ", tr.e, ts) > limit and not (
                        tr.max_words is None and tr.cat in self.list_cats and self._in_list(tr.e, ts)):
                    continue
                # a colon right after the trigger introduces what it governs ("Denies: fever, chills")
                if self._terminated(tr.e + 1 if t.startswith(":", tr.e) else tr.e, ts, tr.cat == "request"):
                    continue
                out[tr.cat] = (tr.s, tr.e)
            else:
                if tr.s < te or tr.e > se:
                    continue
                if ignore_backward is not None and tr.cat == "negation" and ignore_backward.search(t, tr.s, tr.e):
                    continue
                # a short marker ("neg", "(-)") reaches only its own words, never a list: "Pain radiating to the
                # L leg, SLR (-)" must not deny the radiating pain
                if t.count(" ", te, tr.s) > (self.maxb if tr.max_words is None else tr.max_words) and not (
                        tr.max_words is None and tr.cat in self.list_cats and self._in_list(te, tr.s)):
                    continue
                if self._terminated(te, tr.s):
                    continue
                out[tr.cat] = (tr.s, tr.e)
        for s0, e0, cat, hs, he in self.sections:  # a note section ("Plan:", "FHx:") scopes all it holds
            if s0 <= ts and te <= e0 and ts >= he and cat not in ignore and cat not in out:
                out[cat] = (hs, he)
        return out

    def asserted_by(self, si: int, reported: bool = False) -> str:
        """Who asserts a mention: the claims administrator or the reviewer when its sentence reports what UR
        did or is the reviewer's comment; else the patient inside a report cue ("the patient reports", "c/o",
        "denies"); else the provider (exam, assessment, plan)."""
        who = self._sentence_speaker(si)
        if who == "provider" and reported:
            return "patient"
        return who

    def _sentence_speaker(self, si: int) -> str:
        if si not in self._attr:
            ss, se = self.sents[si]
            who = "provider"
            for kind in ("claims_administrator", "reviewer"):
                starts = self.attr.get(kind, ())
                i = bisect_left(starts, ss)
                if i < len(starts) and starts[i] < se:
                    who = kind
                    break
            self._attr[si] = who
        return self._attr[si]
