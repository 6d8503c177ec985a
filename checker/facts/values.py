"""Values of fact mentions: numbers, grades, sessions, pain scores, dates, durations, categories."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Optional

from .lexicon import _FLAGS, _FactSpec, _Lexicon, _Pattern

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}


def _num(tok: str, numbers: dict) -> Optional[float]:
    tok = tok.lower().strip()
    if not tok:
        return None
    try:
        return float(tok)
    except ValueError:
        return numbers.get(tok)


_NUM_TOKEN = (
    r"\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|eighteen|twenty-four|twenty|thirty-six|thirty|several|a few"
)
_NUM_RX = re.compile(r"(?<![\w/])(" + _NUM_TOKEN + r")(?![\w/])", _FLAGS)
_GRADE_RX = re.compile(r"([0-5][+-]?)\s?/\s?5")
_GRADE_WORDS_RX = re.compile(r"([0-5][+-]?) out of 5")
_INT_RX = re.compile(r"\d+")
_PAIN_DENOM = re.compile(r"(?: ?/ ?10| out of 10| on a scale of .*)$|^\D+", _FLAGS)
_PAIN_SLASH10 = re.compile(r" ?/ ?10\b")
_PAIN_NUM = re.compile(r"\d{1,2}(?:\.\d)?")
_RANGE_RX = re.compile(
    r"(" + _NUM_TOKEN + r")(?: ?(?:-|to) ?(" + _NUM_TOKEN + r"))?[- ](days?|weeks?|months?|years?|wks?|mos?|yrs?|hours?|hrs?)(?!\w)", _FLAGS
)
# a relative day word: the event's distance from the note's date ("MVA yesterday", "fell this morning")
_DAY_WORD_RX = re.compile(r"\b(?:(yesterday|last night)|(today|this morning|this afternoon|this (?:am|a\.m\.|pm|p\.m\.)|earlier today|tonight))\b", _FLAGS)
_FREQ_X_WEEKS = re.compile(r"(?<![\w/])(\d{1,2}) ?x ?(?:/ ?(?:wk|week) ?x ?)?(\d{1,2})(?![\w/])", _FLAGS)
_TIMES_N = re.compile(r"(?<!\w)(?:x ?|#)(\d{1,3})(?!\w)", _FLAGS)
_PURPOSE_LEAD = re.compile(r"^(?:in order to|so as to|to|for)\s+", _FLAGS)
_MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SINCE_MONTH_RX = re.compile(
    r"\bsince (?:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?: ((?:19|20)\d\d))?|(\d{1,2})/((?:19|20)\d\d))",
    _FLAGS)


def weeks_since_month(q: str, as_of: _dt.date) -> Optional[float]:
    """Weeks from the month a mention dates its onset by ("since Oct", "since 12/2016") to ``as_of``: the first of
    that month; a month without its year is its latest occurrence not after ``as_of``."""
    m = _SINCE_MONTH_RX.search(q)
    if not m:
        return None
    if m.group(1):
        mo = _MONTH_ABBR.index(m.group(1).lower()) + 1
        y = int(m.group(2)) if m.group(2) else (as_of.year if mo <= as_of.month else as_of.year - 1)
    else:
        mo, y = int(m.group(3)), int(m.group(4))
    if not 1 <= mo <= 12:
        return None
    d0 = _dt.date(y, mo, 1)
    if d0 > as_of:
        return None
    return _as_number(round((as_of - d0).days / 7, 1))


_UNIT_WEEKS = {"h": 1 / 168, "d": 1 / 7, "w": 1.0, "m": 52 / 12, "y": 52.0}  # by the unit's first letter ("wks", "mo", "yrs")


def _as_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 1)


def _parse_date(s: str) -> tuple[Optional[str], Optional[_dt.date]]:
    """Return (ISO value, date for arithmetic) for a matched date string."""
    s = s.strip().rstrip(".,")
    m = re.match(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})$", s)
    if m:
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000 if y <= (_dt.date.today().year % 100) + 1 else 1900
        try:
            d0 = _dt.date(y, mo, d)
            return d0.isoformat(), d0
        except ValueError:
            return None, None
    m = re.match(r"([A-Za-z]+)\.? (?:(\d{1,2})(?:st|nd|rd|th)?,? )?(\d{4})$", s)
    if m:
        mo = _MONTHS.get(m.group(1)[:3].lower())
        if not mo:
            return None, None
        y = int(m.group(3))
        if m.group(2):
            try:
                d0 = _dt.date(y, mo, int(m.group(2)))
                return d0.isoformat(), d0
            except ValueError:
                return None, None
        return f"{y:04d}-{mo:02d}", _dt.date(y, mo, 15)
    m = re.match(r"((?:19|20)\d\d)$", s)
    if m:
        y = int(m.group(1))
        return f"{y:04d}", _dt.date(y, 7, 1)
    return None, None


def _value(spec: _FactSpec, pat: _Pattern, q: str, lex: _Lexicon):
    """(value, date) for a match text ``q`` (normalised)."""
    kind = spec.value
    if pat.has_value and pat.value is not None:
        return pat.value, None
    if kind is None:
        return True, None
    if kind == "grade":
        m = _GRADE_RX.search(q) or _GRADE_WORDS_RX.search(q)
        return (m.group(1) + "/5") if m else True, None
    if kind == "sessions":
        m = _FREQ_X_WEEKS.search(q)  # "PT 2x4": twice a week for 4 weeks = 8 visits
        if m:
            return int(m.group(1)) * int(m.group(2)), None
        m = _TIMES_N.search(q)  # "PT x8", "PT #12"
        if m:
            return int(m.group(1)), None
        m = re.search(
            r"(" + _NUM_TOKEN + r")(?= (?:\w+ ){0,3}(?:sessions?|visits?|treatments?)|\)| (?:prior |previous |completed )?(?:sessions?|visits?))",
            q,
            _FLAGS,
        ) or re.search(r"(?:x|times|totaling|totalling|of) (" + _NUM_TOKEN + r")", q, _FLAGS) or _NUM_RX.search(q)
        if m:
            n = _num(m.group(1), lex.numbers)
            if n is not None:
                return int(n), None
        return True, None
    if kind == "int":
        m = _INT_RX.search(q)
        return (int(m.group(0)) if m else True), None
    if kind == "modality":
        for key, rx in lex.modalities:
            if rx.search(q):
                return key, None
        return "unspecified", None
    if kind == "purpose":
        return _PURPOSE_LEAD.sub("", q).strip(" ,"), None
    if kind == "pain":
        nums = [float(x) for x in _PAIN_NUM.findall(_PAIN_SLASH10.sub(" ", _PAIN_DENOM.sub("", q)))]
        nums = [x for x in nums if 0 <= x <= 10]
        return (_as_number(max(nums)) if nums else True), None
    if kind == "date":
        m = None
        for m in lex.date_regex.finditer(q):
            pass
        if m:
            iso, d0 = _parse_date(m.group(0))
            if iso:
                return iso, d0
        return True, None
    if kind == "weeks":
        m = _RANGE_RX.search(q)
        if m:
            lo = _num(m.group(1), lex.numbers)
            hi = _num(m.group(2), lex.numbers) if m.group(2) else None
            n = hi if hi is not None else lo
            unit = m.group(3).lower()[0]
            if n is not None:
                return _as_number(round(n * _UNIT_WEEKS[unit], 1)), None
        m = _DAY_WORD_RX.search(q)
        if m:
            return (0.1 if m.group(1) else 0), None
        return True, None
    if kind == "category":
        ql = q.lower()
        if "female" in ql or "woman" in ql or "lady" in ql:
            return "female", None
        if "male" in ql or ql in ("man", "gentleman"):
            return "male", None
        return q, None
    return True, None
