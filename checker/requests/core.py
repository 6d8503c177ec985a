"""``normalize_request``: the category, modality and attributes of one disputed item (see the package docstring)."""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from checker.models import Request
from checker.regex_cache import compile_stored as _rx  # compiled code kept between runs
from .counts import (  # noqa: F401
    _Counts, _counts, _first,
)
from .heads import (  # noqa: F401
    _BACK_QUALIFIED, _CONSULT, _CONSULT_CS, _CONTINUE, _CONTRAST, _SURGERY_CONSULT, _PSYCH_CONSULT,
    _DOSE, _GUIDE_AFTER, _GUIDE_BEFORE, _HEAD_CS, _HEAD_LOW,
    _HEAD_ORDER, _JOINT_REGIONS, _LEVEL, _LOWER_JOINTS, _POSTSURG,
    _PREOP, _PRE_POST, _REGION_CS, _REGION_LOW, _REGION_MAP,
    _REGION_ORDER, _REPEAT, _SIDE, _SIDE_CS, _SPINAL,
    _UPPER_JOINTS, _US_THERAPEUTIC,
)
from .kinds import BASE_CATEGORIES, CATEGORY_MODULES, default_kind
from .text import (  # noqa: F401
    _ADVERB, _ADVERB_VALUE, _A_PERIOD, _DIGIT, _DUP_PAREN,
    _NUMWORD, _NUMWORD_LOW, _RANGE_WORD, _dates, _dup_paren,
    _lower, _numword, request_core, ASSOCIATED,
)

def _matches(low: str, s: str, low_re: re.Pattern, cs_re: re.Pattern, order: dict[str, int]):
    """(start, table order, end, group) of both alternations, by position then table order."""
    out = [(m.start(), order[m.lastgroup], m.end(), m.lastgroup) for m in low_re.finditer(low)]
    out.extend((m.start(), order[m.lastgroup], m.end(), m.lastgroup) for m in cs_re.finditer(s))
    out.sort()
    return out


# --------------------------------------------------------------------------- main
_IMAGING_ORDER = ("arthrogram", "myelogram", "dexa")
# passive modalities given in the clinic: each has its own guideline entry, not the physical-medicine visit limits
PASSIVE_MODALITIES = ("e_stim", "ultrasound_therapy", "infrared", "shockwave", "traction", "laser", "heat_cold")
# passive modalities whose criteria speak of the treatment wherever it is given, a home unit included: ACOEM Ch 12
# does not recommend traction; the Chronic Pain guidelines judge TENS and interferential units by a one-month home
# trial as an adjunct to active care (mtus.cpmtg.passive.electrical-stimulation-*)
HOME_DEVICE_MODALITIES = ("traction", "e_stim")
# buying a stimulator follows a successful trial whose results the criteria ask for (not encoded): equipment
_PURCHASE = _rx(r"\bpurchas\w*|\bbuy\b", re.I)


# the category of an item whose earliest head word is not a modality ("o_*" heads of checker/requests/heads.py)
_OTHER_HEAD_CATEGORY = {
    "o_drug": "medication", "o_injection": "injection", "o_surgery": "surgery", "o_mua": "surgery",
    "o_dme": "equipment", "o_passive": "equipment", "o_lab": "test", "o_visit": "consultation",
    "s_specialist": "consultation",
    "o_program": "program",
}


def _pick(mods: dict[str, int], priority: tuple[str, ...]) -> str:
    """The first modality of ``priority`` that was named, else the one named first in the text."""
    for cand in priority:
        if cand in mods:
            return cand
    return min(mods, key=mods.__getitem__)


def normalize_request(text: str, as_of: date | None = None) -> Request:
    """Normalise one disputed item's text (see the module docstring for the decisions)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    s = request_core(text)

    # ---- dates, drug doses, number words
    retro: Optional[date] = None
    drug = False
    if _DIGIT.search(s):
        retro, s = _dates(s, as_of)
        drug = _DOSE.search(_lower(s)) is not None
        if drug and "inject" in _lower(s):  # "Injection 5cc of lidocaine and 1cc of dexamethasone": an injection
            drug = False
    low = _lower(s)
    if "ce" in low:
        s = _ADVERB.sub(lambda m: _ADVERB_VALUE.get(m.group(1).lower(), m.group(0)), s)
    if _NUMWORD_LOW.search(low):
        s = _NUMWORD.sub(_numword, s)
    has_digit = _DIGIT.search(s) is not None
    if has_digit:
        if "(" in s:
            s = _DUP_PAREN.sub(_dup_paren, s)
        s = _RANGE_WORD.sub(r"\1-\2", s)
    s = _A_PERIOD.sub(r"\1 1 \2", s) if " a " in s or " an " in s else s
    low = _lower(s)

    # ---- regions
    regions: list[str] = []
    seen: set[str] = set()
    has_total_spine = False
    for start, _, _, name in _matches(low, s, _REGION_LOW, _REGION_CS, _REGION_ORDER):
        if name == "back" and _BACK_QUALIFIED.search(low, max(0, start - 8), start):
            continue
        if name == "total_spine":
            has_total_spine = True
        for r in _REGION_MAP.get(name, (name,)):
            if r not in seen:
                seen.add(r)
                regions.append(r)
    if "spine" in seen and not has_total_spine and seen & _SPINAL:
        regions.remove("spine")

    # ---- counts (levels and doses masked)
    if has_digit or "#" in s:
        cs = _LEVEL.sub(" LEVEL ", s) if has_digit else s
        cs = _lower(cs)
        if drug:
            cs = _DOSE.sub(" dose ", cs)
        counts = _counts(cs, drug)
    else:
        counts = _Counts()
    schedule = (counts.freq is not None or counts.weeks is not None or counts.compact is not None
                or counts.explicit is not None)

    # ---- heads
    category = "medication" if drug else "other"
    modality: Optional[str] = None
    after_surgery = False
    if not drug:
        found: dict[str, int] = {}
        earliest: Optional[tuple[int, str]] = None
        has_consult: Optional[bool] = None
        for start, _, end, name in _matches(low, s, _HEAD_LOW, _HEAD_CS, _HEAD_ORDER):
            kind = name[0]
            if kind in "os":
                if name == "s_specialist":
                    if has_consult is None:
                        has_consult = _CONSULT.search(low) is not None or _CONSULT_CS.search(s) is not None
                    if not has_consult:
                        continue
                # "post-injection MRI": the procedure describes the study; a visit stays a visit ("pre-op clearance")
                pp = _PRE_POST.search(low, max(0, start - 40), start) if start and name not in ("o_visit", "o_lab") else None  # "pre-op urinalysis" is a test
                if pp is not None:
                    if name == "o_surgery" and pp.lastindex:  # "post knee replacement PT", "PT after ... arthroplasty"
                        after_surgery = True
                    continue
                kind = "o"
            else:
                # an imaging word used as guidance for a procedure is not a head
                if kind in "iu" and (_GUIDE_AFTER.match(low, end) or
                                     (start and _GUIDE_BEFORE.search(low, max(0, start - 20), start))):
                    continue
                if name == "u_us":
                    therapeutic = ((schedule or _US_THERAPEUTIC.search(low) is not None)
                                   and "diagnostic" not in low)
                    if therapeutic:
                        kind, name = "t", "t_ultrasound_therapy"
                    else:
                        kind, name = "i", "i_ultrasound"
                elif name == "i_mra":
                    name = "i_arthrogram" if seen & _JOINT_REGIONS else "i_mri"
            if name not in found:
                found[name] = start
            if earliest is None or start < earliest[0]:
                earliest = (start, kind)
        if earliest is not None and earliest[1] == "o":
            head = min((p, _HEAD_ORDER[n], n) for n, p in found.items() if n[0] in "os" and p == earliest[0])[2]
            category = _OTHER_HEAD_CATEGORY.get(head, "other")
            if category == "surgery" and _SURGERY_CONSULT.search(low):  # "Spine surgery evaluation"
                category = "consultation"
            elif category == "test" and _PSYCH_CONSULT.search(low):  # "Psychiatry consultation"
                category = "consultation"
            if head == "o_passive" and "biofeedback" in low:
                category = "program"
        elif earliest is not None:
            kind = earliest[1]
            mods = {n[2:]: p for n, p in found.items() if n[0] == kind}
            if kind == "i":
                category = "imaging"
                modality = _pick(mods, tuple(_IMAGING_ORDER) + ("bone_scan", "pet", "spect"))
            elif kind == "e":
                category = "electrodiagnostic"
                if "emg_ncs" in mods or ("emg" in mods and "ncs" in mods):
                    modality = "emg_ncs"
                else:
                    modality = "emg" if "emg" in mods else "ncs"
            else:
                category = "therapy"
                modality = _pick(mods, ("aquatic", "work_conditioning"))
                # a passive modality as a device, rental or purchase is equipment ("Cold compression therapy
                # 30 day rental", "Interferential unit"), not a course of treatment
                if modality in PASSIVE_MODALITIES and "o_dme" in found and not (
                        modality in HOME_DEVICE_MODALITIES and not (modality == "e_stim" and _PURCHASE.search(low))):
                    category, modality = "equipment", None

    # ---- electrodiagnostic limbs
    if category == "electrodiagnostic":
        if seen & _UPPER_JOINTS and "upper_extremity" not in seen:
            regions.append("upper_extremity")
        if seen & _LOWER_JOINTS and "lower_extremity" not in seen:
            regions.append("lower_extremity")

    # ---- laterality
    sides = {m.lastgroup for m in _SIDE.finditer(low)}
    if "E" in s:
        sides.update(m.lastgroup for m in _SIDE_CS.finditer(s))
    laterality: Optional[str] = None
    if "b" in sides or ("l" in sides and "r" in sides):
        laterality = "bilateral"
    elif "l" in sides:
        laterality = "left"
    elif "r" in sides:
        laterality = "right"

    # ---- contrast
    contrast: Optional[str] = None
    if category == "imaging":
        kinds = {m.lastgroup for m in _CONTRAST.finditer(low)}
        if "wwo" in kinds or ("wo" in kinds and "w" in kinds):
            contrast = "with_and_without"
        elif "wo" in kinds:
            contrast = "without"
        elif "w" in kinds:
            contrast = "with"

    # ---- counts to fields
    c = counts
    quantity = sessions = None
    freq = weeks = None
    if drug:
        quantity = _first(c.hash, c.qty)
    else:
        freq = c.freq
        weeks = c.weeks
        if c.compact is not None:
            if freq is None:
                freq = c.compact[0]
            if weeks is None:
                weeks = c.compact[1]
        if weeks is None and c.months is not None and freq is not None:
            weeks = c.months * 4
        if category == "therapy":
            sessions = _first(c.explicit, c.paren, c.hash, c.times, c.leading, c.trailing)
            quantity = c.qty
        else:
            sessions = c.explicit
            quantity = _first(c.qty, c.hash, c.leading, c.times, c.trailing, c.paren)
        if sessions is None and freq is not None and weeks is not None:
            sessions = int(round(freq * weeks))

    # ---- flags
    postsurgical = after_surgery or (
        ("post" in low or "s/p" in low or "after" in low or "following" in low) and _POSTSURG.search(low) is not None)
    preoperative = _PREOP.search(low) is not None
    if drug:
        repeat = False
    elif category == "therapy":
        repeat = _CONTINUE.search(low) is not None
    else:
        repeat = _REPEAT.search(low) is not None

    fields = dict(
        text=text,
        category=category,
        modality=modality,
        regions=regions,
        laterality=laterality,
        contrast=contrast,
        quantity=quantity,
        sessions=sessions,
        frequency_per_week=freq,
        weeks=weeks,
        postsurgical=postsurgical,
        preoperative=preoperative,
        repeat=repeat,
        retrospective_date=retro,
    )
    module = CATEGORY_MODULES.get(category)
    if module is not None:
        # the category's own module reads what its criteria need: the modality (None: not in the catalog), a kind
        # for the reader ("surgery: shoulder arthroscopy") and its attributes (drug, strength, levels, rental...)
        module.read(s, low, fields)
    if ASSOCIATED.match(text):  # "Associated surgical service: ..." (any category): the item serves a surgery
        fields["attributes"] = {**(fields.get("attributes") or {}), "associated": True}
    fields["in_scope"] = fields["category"] in BASE_CATEGORIES or (
        fields["category"] in CATEGORY_MODULES and fields.get("modality") is not None)
    if not fields.get("kind"):
        fields["kind"] = default_kind(fields["category"], fields.get("modality"), s)
    return Request(**fields)
