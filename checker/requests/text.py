"""Request text: clean-up of item headings, number words, dates (one concern of :mod:`checker.requests`)."""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from checker.regex_cache import compile_stored as _rx  # module-level patterns: compiled code kept between runs



# Most patterns are written in lower case and run, without re.I, on a lower-cased copy of the text
# (``_lower`` keeps every position), which lets the regex engine skip failing alternatives on their
# first character. Only abbreviations whose case matters run on the original text.
_I = re.I

# --------------------------------------------------------------------------- text clean-up
_TRANS = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
                        "\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}
_HYPHEN_BREAK = _rx(r"(\w)-[ \t]*\r?\n\s*(\w)")        # "X-\nray" -> "X-ray"
_WORD_BREAK = _rx(r"([a-z]{3,})-[ \t]*\r?\n\s*([a-z])")   # "physi-\ncal" -> "physical"
_DECISION_TAIL = _rx(r"[\s:;,.]*\b(?:upheld|overturned)\b[\s.]*$", _I)
_IS_TAIL = _rx(r"(?:\s+is)?\s*:?\s*$", _I)
_ORIGINAL = _rx(r"^(.*?)\s+was\s+the\s+original\s+request\b", _I | re.S)
_REMAINING = _rx(r"original\s+request\s*,\s*(.+)$", _I | re.S)
_REQUEST_FOR = _rx(r"\brequest\s+for\s+(?:an?\s+|the\s+)?(.+?)\s+(?:is|was)\s+(?:not\s+)?medically\b", _I)
# the letter marks an item as a service of a surgery ("Associated surgical service: Shoulder sling"): kept as the
# request attribute ``associated`` (checker/requests/core.py) though the prefix is removed from the phrase
ASSOCIATED = _rx(r"^\s*associated\s+surgical\s+services?\s*:", _I)
_PREFIX = _rx(
    r"\s*(?:associated\s+surgical\s+services?\s*:\s*|"
    r"(?:pre-?\s*op(?:erative)?\s+)?labs?\s*(?:to\s+include)?\s*:\s*|"
    r"the\s+original\s+request\s*,\s*)", _I)


def _lower(s: str) -> str:
    """Lower-case without changing any position."""
    low = s.lower()
    return low if len(low) == len(s) else s.translate(_ASCII_LOWER)


def request_core(text: str) -> str:
    """The request phrase of an item heading (decision, original/remaining wording removed)."""
    s = text.translate(_TRANS)
    if "\n" in s:
        s = _HYPHEN_BREAK.sub(r"\1-\2", _WORD_BREAK.sub(r"\1\2", s))
    s = " ".join(s.split())
    low = _lower(s)
    tail = low[-16:]
    if "upheld" in tail or "overturned" in tail:
        m = _DECISION_TAIL.search(s, max(0, len(s) - 40))
        if m:
            s = s[:m.start()]
    if "original request" in low:
        m = _ORIGINAL.search(s)
        if m and m.group(1).strip():
            s = m.group(1)
        else:  # "... was authorized. The remaining ... portion of the original request, X is"
            m = _REMAINING.search(s)
            if m:
                s = m.group(1)
    elif "request for" in low and "medically" in low:
        m = _REQUEST_FOR.search(s)
        if m:
            s = m.group(1)
    s = s.strip()
    t = s[-4:].lower()
    if t.endswith(":") or t.endswith(" is"):
        m = _IS_TAIL.search(s, max(0, len(s) - 12))
        if m:
            s = s[:m.start()]
    for _ in range(2):
        m = _PREFIX.match(s)
        if not m or not m.end():
            break
        s = s[m.end():]
    return s.strip(" \t:;,.") or s.strip()


# --------------------------------------------------------------------------- numbers
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40}
_WORD_VALUE = {w: i for i, w in enumerate(_UNITS)}
_WORD_VALUE.update(_TENS)
_NUMWORD_ALT = (r"\b(?:(twenty|thirty|forty)[\s-]+(one|two|three|four|five|six|seven|eight|nine)|"
                r"(a\s+dozen|dozen|" + "|".join(_UNITS[1:]) + r"|twenty|thirty|forty))\b")
_NUMWORD_LOW = _rx(_NUMWORD_ALT)          # detection on the lower-cased text
_NUMWORD = _rx(_NUMWORD_ALT, _I | re.A)   # replacement on the text (ASCII case folding only)
_ADVERB = _rx(r"\b(once|twice|thrice)\b", _I | re.A)
_ADVERB_VALUE = {"once": "1 times", "twice": "2 times", "thrice": "3 times"}
_DUP_PAREN = _rx(r"\b([0-9]{1,3})\s*\(\s*([0-9]{1,3})\s*\)")
_RANGE_WORD = _rx(r"\b([0-9]{1,3})\s+(?:to|or)\s+([0-9]{1,3})\b", _I)
_A_PERIOD = _rx(r"\b(for|over|during)\s+(?:a|an)\s+(month|week)\b", _I)
_DIGIT = _rx(r"[0-9]")


def _numword(m: re.Match) -> str:
    if m.group(1):
        return str(_TENS.get(m.group(1).lower(), 0) + _WORD_VALUE.get(m.group(2).lower(), 0))
    w = m.group(3).lower()
    if "dozen" in w:
        return "12"
    v = _WORD_VALUE.get(w)
    return m.group(0) if v is None else str(v)


def _dup_paren(m: re.Match) -> str:
    return m.group(1) if m.group(1) == m.group(2) else m.group(0)


# --------------------------------------------------------------------------- dates
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_DATE = _rx(
    r"(?<![0-9/.-])([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})(?![0-9/])"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})\b",
    _I)
_DOS = _rx(r"\b(?:DOS|dates?\s+of\s+service)\s*[:#-]?\s*$", _I)
_DOS_NOYEAR = _rx(r"\b(?:DOS|dates?\s+of\s+service)\s*[:#-]?\s*([0-9]{1,2})/([0-9]{1,2})(?![0-9/])", _I)


def _mk_date(y: int, mo: Optional[int], d: int) -> Optional[date]:
    try:
        return date(y, mo, d) if mo else None
    except ValueError:
        return None


def _year(y: str, as_of: Optional[date]) -> int:
    v = int(y)
    if len(y) == 4:
        return v
    full = 2000 + v
    limit = (as_of.year + 1) if as_of else 2069
    return full if full <= limit else 1900 + v


def _dates(s: str, as_of: Optional[date]) -> tuple[Optional[date], str]:
    """First date (one right after "DOS" preferred) and the text with dates masked."""
    first: Optional[date] = None
    dos: Optional[date] = None
    for m in _DATE.finditer(s):
        if m.group(1):
            d = _mk_date(_year(m.group(3), as_of), int(m.group(1)), int(m.group(2)))
        else:
            d = _mk_date(int(m.group(6)), _MONTHS.get(m.group(4).lower()[:3]), int(m.group(5)))
        if d is None:
            continue
        if first is None:
            first = d
        if dos is None and _DOS.search(s, max(0, m.start() - 25), m.start()):
            dos = d
    if first is None:
        if as_of is not None:
            m = _DOS_NOYEAR.search(s)
            if m:
                d = _mk_date(as_of.year, int(m.group(1)), int(m.group(2)))
                if d is not None and d > as_of:
                    d = _mk_date(as_of.year - 1, int(m.group(1)), int(m.group(2)))
                first = d
        return first, s
    return (dos or first), _DATE.sub(" DATE ", s)
