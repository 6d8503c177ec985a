"""Systemic drugs by generic name and class: opioids, NSAIDs, PPIs and H2 blockers, muscle relaxants,
anticonvulsants, antidepressants, benzodiazepines and sleep aids (one concern of the medications package).

The drug table is data (``drugs.yaml`` beside this module): brand and generic names -> generic, class (the modality
the criteria name) and, for opioids, the morphine-equivalent factor. What is read from the request:

``drug``           the generic name ("hydrocodone", "diclofenac/misoprostol"); the kind is "medication: <generic>"
``drug_subclass``  tricyclic, snri, ssri, cox2... (when the table gives one)
``strength_mg``    the strength of the drug the class is about ("Norco 10/325" -> 10; "Trezix 320.5/30/16" -> 16)
``per_day``        units a day from the sig ("1-2 tabs every 4-6 hours" -> 12; "bid" -> 2)
``days_supply``    (common) the days the supply lasts: stated ("day supply: 30", "14 days"), else quantity / per_day
``daily_med``      oral morphine-equivalent mg a day (opioids: strength x per_day x factor, when all are known)
``extended_release`` an ER/SR/CR/XR form or a long-acting brand
``gi_protective``  a combination with a gastroprotective agent (diclofenac/misoprostol)

A drug missing from the table, or one whose class no encoded section covers, keeps ``modality = None`` and is
reported out of scope with its kind ("medication: sildenafil").
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Optional

import yaml

from checker.datafiles import YamlLoader  # libyaml where available
from checker.regex_cache import compile_stored as _rx

MODALITIES: tuple[str, ...] = (
    "opioid", "nsaid", "ppi", "h2_blocker", "muscle_relaxant", "anticonvulsant", "antidepressant",
    "benzodiazepine", "sleep_aid", "barbiturate_analgesic", "stool_softener",
)
ATTRIBUTES: dict[str, object] = {
    "drug": "category",
    "drug_subclass": "category",
    "strength_mg": "number",
    "per_day": "number",
    "daily_med": "number",
    "extended_release": "bool",
    "gi_protective": "bool",
}

DRUGS_FILE = Path(__file__).resolve().parent / "drugs.yaml"


@functools.lru_cache(maxsize=1)
def drug_table() -> tuple[dict[str, dict], "re.Pattern"]:
    """(name -> entry, one alternation of every name, longest first) from ``drugs.yaml``."""
    with open(DRUGS_FILE, encoding="utf-8") as fh:
        data = (yaml.load(fh, Loader=YamlLoader) or {}).get("drugs") or {}
    names: dict[str, dict] = {}
    for key, entry in data.items():
        entry = dict(entry or {})
        entry.setdefault("generic", key)
        entry.setdefault("class", None)
        for n in [key.replace("_", " "), entry["generic"], *(entry.get("names") or [])]:
            names.setdefault(re.sub(r"[\s-]+", " ", str(n).lower()), entry)
    alts = sorted(names, key=len, reverse=True)
    rx = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in alts) +
                    r")(?![a-z0-9])")
    return names, rx


def lookup(low: str) -> Optional[tuple[str, dict]]:
    """The first drug name of a lower-cased text and its table entry, or ``None``."""
    names, rx = drug_table()
    m = rx.search(low)
    if not m:
        return None
    return m.group(0), names[re.sub(r"[\s-]+", " ", m.group(0))]


# strengths: "10/325", "7.5-325mg", "75-0.2mg", "320.5/30/16mg", "20mg", "100 mg"
_COMBO = _rx(r"(?<![0-9.#])([0-9]+(?:\.[0-9]+)?)(?:\s*mg)?\s*[/-]\s*([0-9]+(?:\.[0-9]+)?)"
             r"(?:\s*mg)?(?:\s*[/-]\s*([0-9]+(?:\.[0-9]+)?))?\s*(?:mg\b)?(?!\s*(?:hours?|hrs?|days?|weeks?|ml|cc))")
_MG = _rx(r"(?<![0-9.#])([0-9]+(?:\.[0-9]+)?)\s*(?:mg|milligrams?)\b")
_MCG = _rx(r"(?<![0-9.#])([0-9]+(?:\.[0-9]+)?)\s*(?:mcg|µg|ug)\b")
_ER_ONLY = _rx(r"\b(?:er|xr|sr|cr|la|xl)\b|extended[\s-]+release|sustained[\s-]+release|controlled[\s-]+release|"
               r"long[\s-]+acting")
# sig: units per dose and doses per day (lower-cased text)
_UNITS = _rx(r"\b(?:take\s+)?([0-9](?:\.[0-9])?)(?:\s*(?:-|to|or)\s*([0-9]))?\s*(?:tabs?|tablets?|caps?|capsules?|"
             r"pills?|po\b)")
_UNIT_WORDS = _rx(r"\b(one|two|half|1/2)(?:\s*(?:-|to|or)\s*(one|two))?\s+(?:tabs?|tablets?|caps?|capsules?|pills?)")
_WORDS = {"one": 1, "two": 2, "half": 0.5, "1/2": 0.5}
_FREQ = [
    (_rx(r"\bq\.?\s*([0-9]{1,2})\s*(?:-\s*([0-9]{1,2})\s*)?h(?:ours?|rs?|r)?\b|"
         r"\bevery\s+([0-9]{1,2})\s*(?:(?:-|to)\s*([0-9]{1,2})\s*)?(?:hours?|hrs?)\b"), "hours"),
    (_rx(r"\bq\.?i\.?d\b|\bfour\s+times\s+(?:a|per|each)\s+day\b|\b4\s*(?:x|times)\s*(?:a|per|/)\s*day\b"), 4),
    (_rx(r"\bt\.?i\.?d\b|\bthree\s+times\s+(?:a|per|each)\s+day\b|\b3\s*(?:x|times)\s*(?:a|per|/)\s*day\b"), 3),
    (_rx(r"\bb\.?i\.?d\b|\btwice\s+(?:a\s+day|daily|per\s+day)\b|\btwo\s+times\s+(?:a|per|each)\s+day\b|"
         r"\b2\s*(?:x|times)\s*(?:(?:a|per|/)\s*day\b|daily\b)"), 2),
    (_rx(r"\bq\.?d\b|\bq\.?\s*am\b|\bq\.?\s*pm\b|\bq\.?\s*hs\b|\bdaily\b|\bonce\s+(?:a\s+day|daily|per\s+day)\b|"
         r"\bat\s+bed\s*time\b|\bbedtime\b|\bnightly\b|\bh\.?s\.?\b|\bevery\s+(?:day|night|morning)\b"), 1),
]
_COURSE_DAYS = _rx(r"(?<!#)\b(?:for|x)?\s*([0-9]{1,3})\s*days?\b(?!'?\s*supply)")
_PRN = _rx(r"\bprn\b|as\s+needed")


def _strength(s_low: str, entry: dict) -> Optional[float]:
    """The strength, in mg, of the drug the class is about."""
    m = _COMBO.search(s_low)
    single = _MG.search(s_low)
    if m and single and single.start() < m.start():
        m = None
    if m and ("/" in m.group(0) or m.group(0).rstrip().endswith("mg") or m.group(3)):
        nums = [float(g) for g in m.groups() if g]
        idx = entry.get("opioid_index", 0)
        try:
            return nums[idx]
        except IndexError:
            return nums[0]
    m = _MG.search(s_low)
    if m:
        return float(m.group(1))
    return None


def _per_day(low: str) -> Optional[float]:
    """Units a day from the sig (the upper bound of a range), or ``None`` when no frequency is written."""
    doses: Optional[float] = None
    for rx, val in _FREQ:
        m = rx.search(low)
        if not m:
            continue
        if val == "hours":
            nums = [int(g) for g in m.groups() if g]
            hours = min(nums) if nums else 0
            if hours <= 0 or hours > 24:
                continue
            doses = 24 / hours
        else:
            doses = float(val)
        break
    if doses is None:
        return None
    units = 1.0
    m = _UNITS.search(low)
    if m:
        units = float(m.group(2) or m.group(1))
    else:
        m = _UNIT_WORDS.search(low)
        if m:
            units = _WORDS.get(m.group(2) or m.group(1), 1)
    return round(units * doses, 2)


# a strength in percent or per gram, or a weight in grams, is a topical or compounded product, never an oral drug
# ("Diclofenac sodium 3% 300mg/g", "Flurbiprofen 10%, Cyclobenzaprine 3%..."): left to ``topical``
_NOT_ORAL = _rx(r"[0-9]\s*(?:%|percent\b)|mg\s*/\s*g\b|[0-9]\s*(?:gm|grams?)\b")


def read(s: str, low: str, fields: dict) -> None:
    """Set ``fields["modality"]`` (the drug class the criteria name), the kind and the drug attributes."""
    attrs = fields.setdefault("attributes", {})
    found = lookup(low)
    if found is None or _NOT_ORAL.search(low):
        fields["modality"] = None
        return
    name, entry = found
    generic = str(entry["generic"])
    cls = entry.get("class")
    attrs["drug"] = generic
    if entry.get("subclass"):
        attrs["drug_subclass"] = entry["subclass"]
    fields["kind"] = f"medication: {generic}"
    fields["modality"] = cls if cls in MODALITIES else None
    rest = low[low.find(name):] if name in low else low
    strength = _strength(rest, entry)
    if strength is not None and strength > 0:
        attrs["strength_mg"] = strength
    per_day = _per_day(low)
    if per_day is not None:
        attrs["per_day"] = per_day
    if "days_supply" not in attrs:
        m = _COURSE_DAYS.search(low)
        if m and int(m.group(1)) > 0:
            attrs["days_supply"] = int(m.group(1))
        elif per_day and fields.get("quantity"):
            attrs["days_supply"] = int(round(fields["quantity"] / per_day))
    if per_day is None and attrs.get("days_supply") and fields.get("quantity"):
        attrs["per_day"] = per_day = round(fields["quantity"] / attrs["days_supply"], 2)
    attrs["extended_release"] = bool(entry.get("extended")) or _ER_ONLY.search(low) is not None
    attrs["gi_protective"] = bool(entry.get("gi_protective"))
    factor = entry.get("med")
    if cls == "opioid" and factor and strength and per_day:
        attrs["daily_med"] = round(strength * per_day * float(factor), 1)
