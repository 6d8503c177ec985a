"""Requests for injections: epidural, facet, trigger point, joint and other injections (category ``injection``).

See :mod:`checker.requests.kinds` for the contract. ``read`` names the kind of injection (its modality), the
spinal levels and how many there are, the epidural approach, and whether it is a repeat. An injection whose
kind the catalog has no criteria for (a hip, elbow or wrist steroid injection, an occipital or genicular nerve block,
a Toradol or B12 shot, a knee injection that names no substance) keeps ``modality = None`` and is reported out
of scope with its kind; nothing is guessed.

Modalities (the guideline entry that judges each):

* ``epidural_steroid`` - MTUS Chronic Pain 2009 "Epidural steroid injections (ESIs)": interlaminar,
  transforaminal, caudal, selective nerve root blocks.
* ``facet_injection`` - intra-articular facet injections: lumbar (ACOEM 2004 Ch 12), cervical (ODG Neck).
  Thoracic intra-articular facet injections are not encoded (out of scope).
* ``medial_branch_block`` - ODG "Facet joint diagnostic blocks".
* ``rf_ablation`` - ODG "Facet joint radiofrequency neurotomy" (radiofrequency ablation, rhizotomy).
* ``trigger_point`` - MTUS Chronic Pain 2009 "Trigger point injections".
* ``si_joint`` - ODG Hip & Pelvis "Sacroiliac joint blocks".
* ``joint_steroid`` - ODG Knee "Corticosteroid injections" (knee); ACOEM 2004 Ch 9 subacromial injections
  (shoulder). Other joints are out of scope.
* ``viscosupplementation`` - ODG Knee "Hyaluronic acid injections".
* ``prp`` - ODG "Platelet-rich plasma".
* ``prolotherapy`` - MTUS Chronic Pain 2009 "Prolotherapy".
* ``botox`` - MTUS Chronic Pain 2009 "Botulinum toxin".
* ``adhesiolysis`` - ODG Low Back "Adhesiolysis, percutaneous" (epidural neuroplasty, lysis of adhesions,
  injection of a neurolytic substance into the epidural space).

Attributes: ``levels`` (the number of spinal levels or nerve roots named: "L4-5, L5-S1" is 2, "L3-S1" is 3,
"L4 and L5" is 2), ``approach`` (``transforaminal``, ``interlaminar``, ``caudal``; epidural injections only).
A repeat ("repeat", "second", "another", "additional") sets the common ``repeat`` field.
"""
from __future__ import annotations

import re
from checker.regex_cache import compile_stored as _rx  # compiled code kept between runs

CATEGORY = "injection"
MODALITIES: tuple[str, ...] = (
    "epidural_steroid", "facet_injection", "medial_branch_block", "rf_ablation", "trigger_point", "si_joint",
    "joint_steroid", "viscosupplementation", "prp", "prolotherapy", "botox", "adhesiolysis",
)
ATTRIBUTES: dict[str, object] = {
    "levels": "number",
    "approach": "category",
}

# (modality, pattern on the lower-cased text); the first that matches names the kind, so the more specific
# come first ("epidural adhesiolysis" is adhesiolysis, "medial branch radiofrequency neurotomy" an ablation)
_TYPES: tuple[tuple[str, re.Pattern], ...] = tuple((m, re.compile(p)) for m, p in (
    ("adhesiolysis", r"neuroplast\w*|adhesiolys\w*|lysis\s+of\s+(?:epidural\s+)?adhesions|neurolytic|racz\b|"
                     r"epidural\s+neurolys\w*"),
    ("botox", r"botox|botulinum|myobloc|dysport|xeomin"),
    ("prp", r"platelet|\bprp\b"),
    ("viscosupplementation", r"viscosupplement\w*|hyaluron\w*|synvisc|euflexxa|orthovisc|supartz|hyalgan|"
                             r"gel-?\s*one|monovisc|durolane|gelsyn"),
    ("prolotherapy", r"prolotherap\w*|sclerotherap\w*|dextrose"),
    ("rf_ablation", r"radio-?\s*frequency|rhizotom\w*|neurotom\w*|\brfa\b|\brf\s+ablation|ablation"),
    ("medial_branch_block", r"medial\s+branch|\bmbbs?\b|dorsal\s+ramus"),
    ("facet_injection", r"facet"),
    ("si_joint", r"sacro-?\s*iliac|\bsij\b|\bsi\s+joint|\bsi\s+(?:joint\s+)?(?:injection|block)"),
    ("epidural_steroid", r"epidural|\b(?:tf|il|l|c|t|caudal\s+)?esis?\b|transforaminal|interlaminar|translaminar|"
                         r"caudal|(?:selective\s+)?nerve\s+root\s+blocks?|\bsnrbs?\b"),
    ("trigger_point", r"trigger\s+points?|\btpis?\b"),
))
_STEROID = _rx(r"cortisone|cortico-?\s*steroid|steroid|dexamethasone|decadron|kenalog|triamcinolone|"
                      r"depo-?\s*medrol|methylprednisolone|betamethasone|celestone|\bcsis?\b|intra-?\s*articular")
_APPROACH = (("transforaminal", re.compile(r"transforaminal|\btfesis?\b|\btf\b|nerve\s+root|\bsnrbs?\b")),
             ("caudal", re.compile(r"caudal")),
             ("interlaminar", re.compile(r"interlaminar|translaminar|\bilesis?\b")))
_REPEAT = _rx(r"\b(?:repeat(?:ed)?|second|2nd|another|additional|further|follow-?\s*up)\b")
# spinal levels on the original text: "L4-5", "L5-S1", "C5-C6", "L4", "T12-L1"
_LEVEL = _rx(r"\b([CTLS])([0-9]{1,2})(?:\s*-\s*([CTLS])?([0-9]{1,2}))?\b")
_SIDE_LETTER = _rx(r"\b([RL])\s+(?=(?:knee|shoulder|hip|SI\b|sacroiliac|elbow|wrist|ankle|foot|trapezius|"
                          r"gluteal|buttock|lumbar|cervical|[CLT][0-9]))", re.I)
_BASE = {"C": 0, "T": 7, "L": 19, "S": 24}
_MAX = {"C": 7, "T": 12, "L": 5, "S": 5}
_NAMES = {"epidural_steroid": "epidural steroid injection", "facet_injection": "facet joint injection",
          "medial_branch_block": "medial branch block", "rf_ablation": "radiofrequency ablation",
          "trigger_point": "trigger point injection", "si_joint": "sacroiliac joint injection",
          "joint_steroid": "knee corticosteroid injection", "viscosupplementation": "viscosupplementation",
          "prp": "platelet-rich plasma injection", "prolotherapy": "prolotherapy", "botox": "botulinum toxin injection",
          "adhesiolysis": "epidural adhesiolysis"}


def _vertebra(letter: str, num: str) -> int | None:
    n = int(num)
    if not 1 <= n <= _MAX[letter]:
        return None
    return _BASE[letter] + n


def count_levels(s: str) -> int | None:
    """The spinal levels (or single nerve roots) a request names; None when it names none."""
    segments: set[int] = set()   # a segment is numbered by its upper vertebra
    roots: set[int] = set()
    for m in _LEVEL.finditer(s):
        a = _vertebra(m.group(1), m.group(2))
        if a is None:
            continue
        if m.group(4) is None:
            roots.add(a)
            continue
        b = _vertebra(m.group(3) or m.group(1), m.group(4))
        if b is None or b <= a:
            roots.add(a)
            continue
        segments.update(range(a, b))
    # a root named beside the segment it starts ("L4-5 and L4") is not another level
    roots -= segments
    n = len(segments) + len(roots)
    return n or None


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of an injection request (see :mod:`checker.requests.kinds`)."""
    modality = None
    for name, rx in _TYPES:
        if rx.search(low):
            modality = name
            break
    regions = fields.get("regions") or []
    if fields.get("laterality") is None:  # office shorthand: "R knee CSI", "L SI joint injection"
        m = _SIDE_LETTER.search(s)
        if m:
            fields["laterality"] = "right" if m.group(1) == "R" else "left"
    if modality is None and _STEROID.search(low):
        modality = "joint_steroid"
    levels = count_levels(s)
    approach = None
    if modality == "epidural_steroid":
        for name, rx in _APPROACH:
            if rx.search(low):
                approach = name
                break
    attrs: dict[str, object] = {}
    if levels is not None:
        attrs["levels"] = levels
    if approach is not None:
        attrs["approach"] = approach
    if modality is not None and not fields.get("repeat") and _REPEAT.search(low):
        fields["repeat"] = True
    # kinds the catalog does not judge: reported out of scope with what they are
    in_catalog = modality
    if modality == "joint_steroid" and not {"knee", "shoulder"} & set(regions):
        in_catalog = None
    if modality == "facet_injection" and regions and not {"lumbar", "cervical"} & set(regions):
        in_catalog = None  # thoracic intra-articular facet injections are not encoded
    if modality == "prp" and "elbow" in regions:  # the ODG Elbow PRP entry is not encoded
        in_catalog = None
    if modality is None:
        kind = "injection: " + " ".join(s.split()[:6]).strip(" ,;:.")
    else:
        name = _NAMES[modality]
        if modality == "joint_steroid":
            where = ", ".join(r.replace("_", "/") for r in regions if r not in ("lumbar", "cervical", "thoracic"))
            name = f"{where or 'joint'} corticosteroid injection"
        bits = [f"{approach} {name}" if approach else name]
        if levels:
            bits.append(f"{levels} level{'s' if levels > 1 else ''}")
        if fields.get("laterality"):
            bits.append(str(fields["laterality"]))
        if fields.get("repeat"):
            bits.append("repeat")
        kind = "injection: " + ", ".join(bits)
    fields["modality"] = in_catalog
    fields["kind"] = kind
    fields["attributes"] = attrs
