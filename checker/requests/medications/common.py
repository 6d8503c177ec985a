"""What every drug request carries: its form, refills and days' supply (one concern of the medications package)."""
from __future__ import annotations

from checker.regex_cache import compile_stored as _rx

# the dosage form, from the words of the request (lower-cased text)
_FORMS = (
    ("patch", r"\bpatch(?:es)?\b|\blidoderm\b|\bpads?\b"),
    ("cream", r"\bcreams?\b|\bointments?\b|\blotions?\b|\bgels?\b|\bspray\b|\bliniment\b|\btopical\b|\bbalm\b"),
    ("suspension", r"\bsuspension\b|\bsolution\b|\bsyrup\b|\belixir\b|/\s*ml\b|\boral\s+liquid\b"),
    ("injection", r"\binject\w*\b|\bim\b|\bintramuscular\b"),
    ("capsule", r"\bcapsules?\b|\bcaps?\b"),
    ("tablet", r"\btablets?\b|\btabs?\b"),
)
_FORM_RX = [(name, _rx(p)) for name, p in _FORMS]
_REFILLS = _rx(r"\b([0-9]{1,2}|one|two|three|four|five)\s+refills?\b|\brefills?\s*[:x#]?\s*([0-9]{1,2})\b|"
               r"\bwith\s+(?:a\s+|one\s+)?refill\b")
# days' supply, tried in order: "day supply: 30" before "#60 day supply" reads the 60 as days
_DAYS = [
    (_rx(r"\bdays?'?\s+supply\s*[:=]\s*([0-9]{1,3})\b|\bsupply\s*[:=]\s*([0-9]{1,3})\b"), 1),
    (_rx(r"(?<!#)\b([0-9]{1,3})\s*-?\s*days?'?\s+supply\b"), 1),
    (_rx(r"\b([0-9]{1,2})\s+months?(?:'s)?\s+(?:supply|coverage)\b"), 30),
    (_rx(r"\b(?:one|a)\s+month(?:'s)?\s+(?:supply|coverage)\b"), 30),
]
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

ATTRIBUTES: dict[str, object] = {
    "form": "category",      # tablet, capsule, cream, patch, suspension, injection (unknown when not said)
    "refills": "number",     # refills asked for beyond the first fill
    "days_supply": "number",  # days the supply is meant to last
}


def read(s: str, low: str, attrs: dict) -> None:
    """Form, refills and days' supply into ``attrs`` (only what the text says)."""
    for name, rx in _FORM_RX:
        if rx.search(low):
            attrs["form"] = name
            break
    m = _REFILLS.search(low)
    if m:
        n = m.group(1) or m.group(2)
        attrs["refills"] = _WORDS.get(n, None) if n and not n.isdigit() else (int(n) if n else 1)
    for rx, unit in _DAYS:
        m = rx.search(low)
        if m:
            n = next((g for g in m.groups() if g), None)
            attrs["days_supply"] = int(n) * unit if n else unit
            break
