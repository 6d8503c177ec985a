"""Counts of a request: sessions, frequency, weeks, quantity (one concern of :mod:`checker.requests`)."""
from __future__ import annotations

import re

from checker.regex_cache import compile_stored as _rx  # module-level patterns: compiled code kept between runs

# --------------------------------------------------------------------------- counts (lower-cased text)
_N = r"([0-9]{1,3}(?:\.[0-9]+)?)(?:\s*(?:-|to|or)\s*([0-9]{1,3}(?:\.[0-9]+)?))?"
_QTY = _rx(r"\b(?:qty|quantity)\s*[:#=]?\s*([0-9]{1,4})(?:\.[0-9]+)?")
_PAREN_SESS = _rx(r"\(\s*" + _N + r"\s*(?:total\s+)?(?:sessions?|visits?|treatments?)\s*\)")
_PAREN_BARE = _rx(r"\(\s*([0-9]{1,3})\s*\)")
_FREQ = _rx(
    _N + r"\s*(?:x|times?|visits?|sessions?|treatments?|days?)?\s*(?:a|per|each|every|/|in\s+a|in\s+one)\s*"
    r"(?:weeks?|wks?)\b|" + _N + r"\s*(?:x|times?|visits?|sessions?|treatments?)?\s*(?:/\s*)?weekly\b|"
    + _N + r"\s*(?:x|times?)\s*(?:weeks?|wks?)\b")  # "3x week x 4 weeks"
_WEEKS = _rx(_N + r"\s*-?\s*(?:weeks?|wks?)\b")
_MONTHS_RE = _rx(_N + r"\s*-?\s*(?:months?|mos?)\b")
_COMPACT = _rx(r"(?<![0-9.])" + _N + r"\s*(?:x|times|time)\s*([0-9]{1,2})(?![0-9.])")
# "2x4 weeks", "2 x 6 wks", "3 times 4 weeks": frequency x weeks, read before "4 weeks" alone takes the weeks
_COMPACT_WEEKS = _rx(r"(?<![0-9.])" + _N + r"\s*(?:x|times)\s*([0-9]{1,2})\s*-?\s*(?:weeks?|wks?)\b")
_SESS = _rx(_N + r"\s+(?:[a-z/&'()-]+\s+){0,4}?(?:sessions?|visits?|treatments?|appointments?)\b")
_SESS_AFTER = _rx(r"\b(?:sessions?|visits?|treatments?)\s*(?:of|:|=|x)?\s*([0-9]{1,3})\b(?!\s*(?:x|times))")
_HASH = _rx(r"#\s*([0-9]{1,4})\b")
_TIMES = _rx(r"(?:\bx|\btimes)\s*([0-9]{1,3})\b(?![0-9.])")
_LEADING = _rx(
    r"\s*([0-9]{1,3})\s+(?!(?:phase|views?|dimensional|d|levels?|days?|hours?|years?|tesla|t|%|mg)\b)")
_TRAILING = _rx(r",\s*([0-9]{1,3})\s*$")
_SESSION_WORDS = ("session", "visit", "treatment", "appointment")


def _num(m: re.Match, i: int = 1) -> float:
    """Value of an ``_N`` number (the upper bound of a range) starting at group ``i``."""
    hi = m.group(i + 1)
    lo = float(m.group(i))
    return max(lo, float(hi)) if hi is not None else lo


class _Counts:
    __slots__ = ("qty", "paren", "explicit", "freq", "weeks", "months", "compact", "hash", "times",
                 "leading", "trailing")

    def __init__(self) -> None:
        self.qty = self.paren = self.explicit = self.hash = self.times = None
        self.leading = self.trailing = None
        self.freq = self.weeks = self.months = None
        self.compact = None


def _counts(s: str, drug: bool) -> _Counts:
    """Numbers of a lower-cased text whose dates, doses and spinal levels are masked.

    Each pattern's match is blanked out before the next pattern looks, so "3 visits per week" is a
    frequency and not 3 sessions."""
    c = _Counts()
    if "qty" in s or "quantity" in s:
        m = _QTY.search(s)
        if m:
            c.qty = int(m.group(1))
            s = _QTY.sub(" ; ", s)
    if "#" in s:
        m = _HASH.search(s)
        if m:
            c.hash = int(m.group(1))
            s = _HASH.sub(" ; ", s)
    if drug:
        return c
    sessionish = any(w in s for w in _SESSION_WORDS)
    if "(" in s:
        if sessionish:
            m = _PAREN_SESS.search(s)
            if m:
                c.explicit = int(_num(m))
                s = _PAREN_SESS.sub(" ; ", s)
        m = _PAREN_BARE.search(s)
        if m:
            c.paren = int(m.group(1))
            s = _PAREN_BARE.sub(" ; ", s)
    if "week" in s or "wk" in s:
        m = _COMPACT_WEEKS.search(s)
        if m:
            c.compact = (_num(m), float(m.group(3)))
            s = _COMPACT_WEEKS.sub(" ; ", s, count=1)
        m = _FREQ.search(s)
        if m:
            c.freq = _num(m, next(i for i in (1, 3, 5) if m.group(i) is not None))
            s = _FREQ.sub(" ; ", s)
        m = _WEEKS.search(s)
        if m:
            c.weeks = _num(m)
            s = _WEEKS.sub(" ; ", s)
    if "mo" in s:
        m = _MONTHS_RE.search(s)
        if m:
            c.months = _num(m)
            s = _MONTHS_RE.sub(" ; ", s)
    timesish = "x" in s or "time" in s
    if timesish:
        m = _COMPACT.search(s) if c.compact is None else None
        if m:
            c.compact = (_num(m), float(m.group(3)))
            s = _COMPACT.sub(" ; ", s)
    if c.explicit is None and sessionish:
        m = _SESS.search(s)
        if m:
            c.explicit = int(_num(m))
            s = _SESS.sub(" ; ", s, count=1)
        else:
            m = _SESS_AFTER.search(s)
            if m:
                c.explicit = int(m.group(1))
                s = _SESS_AFTER.sub(" ; ", s, count=1)
    if timesish:
        m = _TIMES.search(s)
        if m:
            c.times = int(m.group(1))
            s = _TIMES.sub(" ; ", s)
    m = _LEADING.match(s)
    if m:
        c.leading = int(m.group(1))
    m = _TRAILING.search(s)
    if m:
        c.trailing = int(m.group(1))
    return c


def _first(*vals):
    for v in vals:
        if v is not None:
            return v
    return None
