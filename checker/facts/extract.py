"""Extraction: one case summary or clinic note -> list of :class:`checker.models.Fact`."""
from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from checker.models import Evidence, Fact
from checker.regex_cache import compile_stored

from .context import _Context
from .sections import find_sections
from .lexicon import _FLAGS, LEXICON_PATH, _FactSpec, load_lexicon
from .text import _Norm, _sentences
from .values import _as_number, _parse_date, _value, weeks_since_month


@lru_cache(maxsize=4)
def _regions_regex(path: str | Path | None = None) -> tuple[re.Pattern, tuple]:
    lex = load_lexicon(path)
    pats = lex.scanner.channels[lex.region_ch].patterns if lex.region_ch is not None else []
    rx = "|".join(f"(?P<r{i}>{p})" for i, p in enumerate(pats)) or "(?!)"
    return compile_stored(r"(?<!\w)(?:" + rx + r")(?!\w)", _FLAGS), lex.region_tags


@lru_cache(maxsize=64)  # a letter's items share one summary
def regions_named(text: str) -> frozenset[str]:
    """The body regions a text names anywhere (the `body_regions` of the lexicon)."""
    rx, tags = _regions_regex()
    return frozenset(tags[int(m.lastgroup[1:])] for m in rx.finditer(" ".join(text.split())))


_TREND_NUM = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")

_COORD = re.compile(r"(?:\s*(?:,|/|&|\band\b|\bor\b|\bspines?\b|\bregions?\b|\bthe\b|\bleft\b|\bright\b|"
                    r"\bbilateral\b|\bboth\b)\s*)+", re.I)


def extract_facts(text: str, as_of: _dt.date | None = None) -> list[Fact]:
    """Extract the facts of a clinical case summary.

    One :class:`Fact` per mention, sorted by start offset (then name).  With
    ``as_of``, each date of injury also yields a ``weeks_since_injury`` fact
    (same evidence).  ``evidence.quote == text[start:end]`` always.
    """
    if not text or not text.strip():
        return []
    lex = load_lexicon()
    norm = _Norm(text)
    t = norm.text
    sents = _sentences(t, lex.abbreviations)
    scan = lex.scanner.scan(t)
    # spans of findings written with their own negative ("SLR is negative", "sensation intact"): the triggers
    # inside them are theirs
    absorbed = [(a, b) for spec, (tch, _) in zip(lex.facts, lex.fact_ch) if spec.negated_patterns
                for a, b, pi, _ in scan[tch] if spec.patterns[pi].negated]
    ctx = _Context(t, sents, lex, scan, find_sections(text, norm, lex.sections), absorbed)
    out: list[Fact] = []
    sentence_dates: dict[int, Optional[_dt.date]] = {}
    region_spans = (sorted((a, b, lex.region_tags[pi]) for a, b, pi, _ in scan[lex.region_ch])
                    if lex.region_ch is not None else [])
    # a region inside a longer one is part of it ("head" in "radial head")
    region_spans = [r for r in region_spans
                    if not any(o[0] <= r[0] and r[1] <= o[1] and (o[1] - o[0]) > (r[1] - r[0]) for o in region_spans)]

    def regions_of(ts: int, te: int, si: int, spec: _FactSpec) -> list[str]:
        """The body regions a mention concerns: named inside it, else the nearest in its clause."""
        ss, se = sents[si]
        cs = t.rfind(";", ss, ts) + 1 or ss
        ce = t.find(";", te, se)
        ce = se if ce < 0 else ce
        near = [(a, b, tag) for a, b, tag in region_spans if (a >= cs and b <= ce) or (a < te and ts < b)]
        if not near:
            return [spec.region_default] if spec.region_default else []
        base = [i for i, (a, b, _) in enumerate(near) if a < te and ts < b]  # named inside the mention
        if not base:
            # within the mention's own phrase (between commas) a region after it wins ("decreased sensation to
            # the lateral foot", "tenderness of the cervical spine"), then one before it ("lumbar spine
            # tenderness"); otherwise the nearest in the clause
            ps = max(t.rfind(",", cs, ts) + 1, cs)
            pe = t.find(",", te, ce)
            pe = ce if pe < 0 else pe
            after = [i for i, (a, b, _) in enumerate(near) if a >= te and b <= pe]
            before = [i for i, (a, b, _) in enumerate(near) if b <= ts and a >= ps]
            if after:
                k = after[0]
            elif before:
                k = before[-1]
            else:
                k = min(range(len(near)), key=lambda i: (near[i][0] - te) if near[i][0] >= te else (ts - near[i][1]))
            base = [k]
        tags = [near[i][2] for i in base]
        # regions coordinated with those: "the cervical and lumbar spine", "the right upper and right lower extremity"
        for step, j in ((-1, base[0]), (1, base[-1])):
            while 0 <= j + step < len(near):
                lo, hi = (near[j + step], near[j]) if step < 0 else (near[j], near[j + step])
                if not _COORD.fullmatch(t, lo[1], hi[0]):
                    break
                j += step
                tags.append(near[j][2])
        return list(dict.fromkeys(tags))

    def sentence_date(si: int) -> Optional[_dt.date]:
        """The first date written in a sentence: the timeline position of what the sentence reports."""
        if si not in sentence_dates:
            ss, se = sents[si]
            m = lex.date_regex.search(t, ss, se)
            sentence_dates[si] = _parse_date(m.group(0))[1] if m else None
        return sentence_dates[si]

    target_ch = {f.name: ch for f, (ch, _) in zip(lex.facts, lex.fact_ch)}
    for spec, (tch, xch) in zip(lex.facts, lex.fact_ch):
        excl = [(a, b) for a, b, _, _ in scan[xch]] if xch is not None else []
        for other in spec.exclude_facts:  # "modified duty" is a work status, never UR's modification
            excl = excl + [(a, b) for a, b, _, _ in scan[target_ch[other]]]
        fallback_done = False
        for ts, te, pi, m in scan[tch]:
            if excl and any(a < te and ts < b for a, b in excl):
                continue
            pat = spec.patterns[pi]
            si = ctx.sentence_of(ts)
            if pat.fallback:
                # e.g. a sentence-initial "She ..." stands for the sex only when
                # nothing explicit was found and only once
                if fallback_done or ts != sents[si][0] or any(
                    not spec.patterns[p2].fallback for _, _, p2, _ in scan[tch]
                ):
                    continue
                fallback_done = True
            if spec.sentence is not None:
                ss, se = sents[si]
                if not spec.sentence.search(t, ss, se):
                    continue
            q = m.group(0)
            if spec.purpose_filter is not None and not spec.purpose_filter.search(q):
                continue
            mods = ctx.modifiers(ts, te, si, spec.ignore, spec.ignore_backward, spec.finding)
            speaker = ctx.asserted_by(si, "reported" in mods)
            if spec.speaker and speaker not in spec.speaker:
                continue
            neg_ctx = "negation" in mods
            hyp_ctx = "hypothetical" in mods
            req_ctx = "request" in mods
            # request / plan cues
            if spec.request == "drop" and req_ctx:
                continue
            if spec.request == "require" and not (req_ctx or hyp_ctx or pat.standalone):
                continue
            hypothetical = pat.hypothetical or hyp_ctx
            if spec.request == "hypothetical" and req_ctx:
                hypothetical = True
            if hypothetical and spec.on_hypothetical == "drop":
                continue
            if pat.invert:
                negated = not neg_ctx
            else:
                negated = pat.negated or neg_ctx
            if pat.trend is not None:
                nums = _TREND_NUM.findall(q)
                if len(nums) >= 2:
                    before, after = float(nums[-2]), float(nums[-1])
                    if pat.now_first:
                        before, after = after, before
                    if not (after > before if pat.trend == "up" else after < before):
                        negated = True  # measured, and no better
            value, d0 = _value(spec, pat, q, lex)
            if spec.value == "weeks" and value is True and as_of is not None:
                value = weeks_since_month(q, as_of) or True  # "since Oct": counted to the note's date
            if spec.value == "category" and value is None:
                continue
            preop = "preoperative" in mods and not req_ctx and spec.value == "sessions"
            if preop and isinstance(value, int) and not isinstance(value, bool):
                value = True  # a preoperative course's visits are not the postoperative course's
            if "resolved" in mods:
                time = "resolved"
            elif "historical" in mods or preop:
                time = "past"
            elif spec.request == "require" or (req_ctx and spec.request == "hypothetical"):
                time = "planned"  # only asked for, planned or considered ("surgery is scheduled")
            else:
                time = "current"
            os_, oe = norm.start(ts), norm.end(te)
            ev = Evidence(quote=text[os_:oe], start=os_, end=oe)
            fact = Fact(
                name=spec.name,
                value=value,
                negated=negated,
                historical=time in ("past", "resolved"),
                hypothetical=hypothetical,
                experiencer="other" if "experiencer_other" in mods else "patient",
                asserted_by=speaker,
                time=time,
                # the timeline: a date fact's own date, else the date its sentence gives
                date=d0 if (spec.value == "date" and d0 is not None) else sentence_date(si),
                evidence=ev,
                regions=regions_of(ts, te, si, spec) if spec.region_mode else [],
            )
            out.append(fact)
            if (
                spec.value == "sessions"
                and isinstance(value, int)
                and not isinstance(value, bool)
                and not negated
                and not hypothetical
                and "therapy_sessions_completed" in (lex.declared or {"therapy_sessions_completed"})
            ):
                out.append(fact.model_copy(update={"name": "therapy_sessions_completed"}))
            if spec.value == "date" and d0 is not None and as_of is not None:
                out.append(
                    fact.model_copy(
                        update={
                            "name": "weeks_since_injury",
                            "value": _as_number(round((as_of - d0).days / 7, 1)),
                        }
                    )
                )
    out.sort(key=lambda f: (f.evidence.start, f.evidence.end, f.name))
    return out
