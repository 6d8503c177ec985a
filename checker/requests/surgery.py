"""Requests for surgery and its associated surgical services (category ``surgery``).

See :mod:`checker.requests.kinds` for the contract.

What is read
------------
* The **procedures** named (``procedures``, a set): "Right shoulder arthroscopy RCR (rotator cuff repair) and
  decompression" -> rotator_cuff_repair, subacromial_decompression, arthroscopy. Office abbreviations count
  (RCR, SAD, DCE, CTR, TKA, ACDF, TLIF, "scope", "menisectomy").
* The **modality**: the one procedure its criteria judge, by priority when several are named. A fusion outranks a
  decompression done with it (the fusion criteria are stricter and include the decompression's), a rotator cuff
  repair outranks an acromioplasty done with it, an arthroplasty outranks an arthroscopy. A request for a
  surgical *evaluation* or *consultation* ("Spine surgery evaluation for the lumbar") is ``surgical_consult``:
  ACOEM's chapters give the indications for referral for surgical consultation in their surgical sections.
* ``approach`` (arthroscopic, open, mini_open, endoscopic), ``levels`` (spinal levels named: "L4-5 and L5-S1" ->
  2; "L4-S1" -> 2) and ``associated`` (the letter's "Associated surgical service:" prefix, read by
  :mod:`checker.requests.core` for every category, since an associated item is usually equipment, a test or a
  drug).
* Regions: a procedure that names its site ("carpal tunnel release", "meniscectomy", "ACDF") adds the region when
  the request names none.

Out of the catalog
------------------
A procedure with no encoded criteria keeps its name as the kind ("surgery: shoulder arthroplasty", "surgery: manipulation under anesthesia") and is reported out of scope; nothing is guessed. A
surgery word with no procedure that can be named ("Surgery", "Right knee surgery") is out of scope too.
"""
from __future__ import annotations

import re
from checker.regex_cache import compile_stored as _rx  # compiled code kept between runs

CATEGORY = "surgery"
MODALITIES: tuple[str, ...] = (
    "rotator_cuff_repair", "shoulder_decompression", "knee_arthroscopy", "knee_arthroplasty",
    "carpal_tunnel_release", "trigger_finger_release", "lumbar_decompression", "lumbar_fusion",
    "cervical_surgery", "acl_reconstruction", "cubital_tunnel_release",
)
PROCEDURES = (
    "rotator_cuff_repair", "subacromial_decompression", "distal_clavicle_excision", "labral_repair",
    "biceps_tenodesis", "shoulder_arthroplasty", "meniscectomy", "meniscus_repair", "chondroplasty",
    "synovectomy", "debridement", "acl_reconstruction", "knee_arthroplasty", "hip_arthroplasty",
    "carpal_tunnel_release", "trigger_finger_release", "cubital_tunnel_release", "de_quervain_release",
    "discectomy", "laminectomy", "foraminotomy", "fusion", "disc_arthroplasty", "spinal_cord_stimulator",
    "manipulation_under_anesthesia", "arthroscopy", "orif", "hardware_removal", "evaluation",
)
ATTRIBUTES: dict[str, object] = {
    "procedures": ("set", PROCEDURES),
    "approach": "category",
    "levels": "number",
    "associated": "bool",
}

# (procedure, pattern on the lower-cased text, case-sensitive abbreviation pattern or None)
_TABLE = (
    ("rotator_cuff_repair", r"rotator\s+cuff\s+(?:tear\s+)?(?:repair|reconstruction)|cuff\s+repair|"
                            r"(?:supraspinatus|infraspinatus|subscapularis)\s+(?:tendon\s+)?repair", r"\bRCR\b|\bRCTR\b"),
    ("subacromial_decompression", r"subacromial\s+decompression|acromioplast\w*",
     r"\bSAD\b|\bASAD\b"),
    ("distal_clavicle_excision", r"distal\s+clavic\w+\s+(?:excision|resection)|mumford", r"\bDCE\b|\bDCR\b"),
    ("labral_repair", r"labr\w+\s+(?:repair|reconstruction|debridement)|bankart|slap\s+repair", None),
    ("biceps_tenodesis", r"biceps\s+tenodesis|tenodesis|tenotomy", None),
    ("shoulder_arthroplasty", r"(?:total|reverse|hemi)?\s*shoulder\s+(?:arthroplast\w*|replacement)|"
                              r"hemiarthroplast\w+\s+of\s+the\s+shoulder", r"\bTSA\b|\bRTSA\b|\bRSA\b"),
    ("meniscectomy", r"meni(?:s|sc)ectom\w*|menisectom\w*", r"\bAPM\b"),
    ("meniscus_repair", r"menisc\w*\s+repair", None),
    ("chondroplasty", r"chondroplast\w*|microfracture|abrasion\s+arthroplast\w*", None),
    ("synovectomy", r"synovectom\w*", None),
    ("debridement", r"debridement|debride\b", None),
    ("acl_reconstruction", r"(?:anterior\s+cruciate|acl)\s+(?:ligament\s+)?(?:reconstruction|repair)",
     r"\bACLR\b"),
    ("knee_arthroplasty", r"(?:total|unicompartmental|partial|uni)?\s*knee\s+(?:arthroplast\w*|replacement)|"
                          r"knee\s+(?:total\s+)?joint\s+replacement", r"\bTKA\b|\bTKR\b|\bUKA\b"),
    ("hip_arthroplasty", r"hip\s+(?:arthroplast\w*|replacement|resurfacing)", r"\bTHA\b|\bTHR\b"),
    ("carpal_tunnel_release", r"carpal\s+tunnel\s+(?:release|decompression|surgery)|"
                              r"(?:release|decompression)\s+of\s+the\s+(?:\w+\s+)?(?:carpal\s+tunnel|median\s+nerve)|"
                              r"median\s+nerve\s+(?:release|decompression)", r"\bCTR\b|\bECTR\b|\bOCTR\b"),
    ("trigger_finger_release", r"trigger\s+(?:finger|thumb|digit)s?\s+(?:release|surgery)|"
                               r"a-?1\s+pulley\s+release|(?:release|surgery)\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+)?"
                               r"trigger\s+(?:finger|thumb)|tenolysis|tendon\s+sheath\s+release", None),
    ("cubital_tunnel_release", r"cubital\s+tunnel\s+(?:release|decompression|surgery)|ulnar\s+nerve\s+"
                               r"(?:transposition|release|decompression)", r"\bCuTR\b"),
    ("de_quervain_release", r"(?:de\s*)?quervain\w*\s+(?:release|surgery)|first\s+dorsal\s+compartment\s+release",
     None),
    ("disc_arthroplasty", r"(?:cervical|lumbar|artificial)\s+disc\s+(?:arthroplast\w*|replacement)|"
                          r"disc\s+arthroplast\w*", r"\bTDR\b"),
    ("discectomy", r"(?:micro|micro-)?dis[ck]ectom\w*", None),
    ("laminectomy", r"hemilaminectom\w*|laminectom\w*|laminotom\w*|laminoplast\w*|"
                    r"(?:spinal|lumbar|cervical|central|foraminal|nerve\s+root|posterior)\s+decompression|"
                    r"decompression\s+(?:at|of)\s+(?:the\s+)?(?:[lcts][0-9]|lumbar|cervical|spin\w*|nerve)", None),
    ("foraminotomy", r"foraminotom\w*", None),
    ("fusion", r"fusion|arthrodesis|instrumentation|interbody", r"\bACDF\b|\bTLIF\b|\bPLIF\b|\bALIF\b|\bXLIF\b|"
                                                                r"\bOLIF\b|\bLLIF\b|\bPSF\b"),
    ("spinal_cord_stimulator", r"spinal\s+cord\s+stimulat\w*|dorsal\s+column\s+stimulat\w*", r"\bSCS\b"),
    ("manipulation_under_anesthesia", r"manipulation\s+under\s+(?:general\s+)?an(?:a)?esthe\w*", r"\bMUA\b"),
    ("orif", r"open\s+reduction|internal\s+fixation", r"\bORIF\b"),
    ("hardware_removal", r"(?:hardware|implant|screw|plate)s?\s+removal|removal\s+of\s+(?:the\s+)?"
                         r"(?:\w+\s+)?(?:hardware|implants?|screws?|plates?)", None),
    ("arthroscopy", r"arthroscop\w*|(?:knee|shoulder|hip|ankle|wrist|elbow)\s+scope\b", None),
    ("evaluation", r"surg(?:ery|ical)\s+(?:evaluation|eval\b|consult\w*|opinion|referral|re-?evaluation)|"
                   r"(?:evaluation|consult\w*|referral)\s+(?:with|by|to|for)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?"
                   r"(?:spine\s+|orthopedic\s+|hand\s+)?(?:surgeon|surgery)", None),
)
_LOW = [(name, re.compile(r"(?<![a-z])(?:" + low + r")")) for name, low, _ in _TABLE]
_CS = [(name, re.compile(cs)) for name, _, cs in _TABLE if cs]

_SPINE = {"cervical", "thoracic", "lumbar", "spine"}
# where a named procedure is, for a request that names no region
_SITE = {
    "rotator_cuff_repair": "shoulder", "subacromial_decompression": "shoulder", "distal_clavicle_excision": "shoulder",
    "labral_repair": "shoulder", "biceps_tenodesis": "shoulder", "shoulder_arthroplasty": "shoulder",
    "meniscectomy": "knee", "meniscus_repair": "knee", "acl_reconstruction": "knee", "knee_arthroplasty": "knee",
    "hip_arthroplasty": "hip", "carpal_tunnel_release": "hand_wrist", "trigger_finger_release": "hand_wrist",
    "de_quervain_release": "hand_wrist", "cubital_tunnel_release": "elbow",
}
_APPROACH = (("arthroscopic", re.compile(r"arthroscop\w*|\bscope\b")),
             ("endoscopic", re.compile(r"endoscop\w*")),
             ("mini_open", re.compile(r"mini[\s-]*open")),
             ("open", re.compile(r"\bopen\b(?!\s+mri)")))
_APPROACH_CS = _rx(r"\bECTR\b")
_LEVEL_RANGE = _rx(r"\b([clts])([0-9]{1,2})\s*-\s*([clts])?([0-9]{1,2})\b")
_LEVEL_ONE = _rx(r"\b([clts])([0-9]{1,2})\b")
_LEVEL_COUNT = _rx(r"\b(one|two|three|four|single|[1-4])[\s-]*level\b|\b(multi)[\s-]*level\b")
_LEVEL_WORDS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4}
_SEGMENT_ORDER = {"c": 0, "t": 8, "l": 20, "s": 25}


def _segment(letter: str, num: int) -> int:
    return _SEGMENT_ORDER[letter] + num


def _levels(low: str) -> int | None:
    """Motion segments named: "L4-5" 1, "L4-5 and L5-S1" 2, "L4-S1" 2, "C5-C7" 2, "two-level" 2."""
    m = _LEVEL_COUNT.search(low)
    if m:
        if m.group(2):
            return 2
        w = m.group(1)
        return _LEVEL_WORDS.get(w) or int(w)
    segs: set[tuple[int, int]] = set()
    for m in _LEVEL_RANGE.finditer(low):
        a = _segment(m.group(1), int(m.group(2)))
        b = _segment(m.group(3) or m.group(1), int(m.group(4)))
        if b <= a or b - a > 6:
            continue
        for x in range(a, b):
            segs.add((x, x + 1))
    if segs:
        return len(segs)
    return None


def _procedures(s: str, low: str) -> list[str]:
    found: dict[str, int] = {}
    for name, rx in _LOW:
        m = rx.search(low)
        if m and name not in found:
            found[name] = m.start()
    for name, rx in _CS:
        m = rx.search(s)
        if m and (name not in found or m.start() < found[name]):
            found[name] = m.start()
    return sorted(found, key=found.__getitem__)


def _shoulder_decompression(procs: list[str], low: str, regions: list[str]) -> list[str]:
    """"Shoulder arthroscopy ... and decompression": a decompression at the shoulder is subacromial; one at a
    spinal level is a laminectomy."""
    if "shoulder" in regions and "subacromial_decompression" not in procs and "decompression" in low:
        procs = procs + ["subacromial_decompression"]
    # "L4-5 decompression": a decompression at a spinal level is a laminectomy or laminotomy
    elif set(regions) & _SPINE and "decompression" in low and not set(procs) & {"laminectomy", "discectomy"}:
        procs = procs + ["laminectomy"]
    return procs


def _modality(procs: set[str], regions: set[str]) -> tuple[str | None, str | None]:
    """(modality, the kind's procedure name) of the procedures named."""
    spine_region = regions & _SPINE
    if "evaluation" in procs:  # judged as a consultation (checker/requests/consultations.py), not a surgery
        return None, "surgical consultation"
    for unencoded in ("shoulder_arthroplasty", "hip_arthroplasty", "disc_arthroplasty", "spinal_cord_stimulator",
                      "manipulation_under_anesthesia", "de_quervain_release", "orif", "hardware_removal", "labral_repair"):
        if unencoded in procs and not (procs & {"rotator_cuff_repair", "knee_arthroplasty"}):
            return None, unencoded.replace("_", " ")
    if "knee_arthroplasty" in procs:
        return "knee_arthroplasty", "knee arthroplasty"
    if "acl_reconstruction" in procs:
        return "acl_reconstruction", "acl reconstruction"
    if "cubital_tunnel_release" in procs:
        return "cubital_tunnel_release", "cubital tunnel release"
    if "rotator_cuff_repair" in procs:
        return "rotator_cuff_repair", "rotator cuff repair"
    if procs & {"subacromial_decompression", "distal_clavicle_excision"} or (
            "shoulder" in regions and procs & {"arthroscopy", "debridement", "biceps_tenodesis"}):
        return "shoulder_decompression", "shoulder arthroscopy with subacromial decompression"
    if procs & {"meniscectomy", "meniscus_repair", "chondroplasty", "synovectomy"} or (
            "knee" in regions and procs & {"arthroscopy", "debridement"}):
        return "knee_arthroscopy", "knee arthroscopy"
    if "carpal_tunnel_release" in procs:
        return "carpal_tunnel_release", "carpal tunnel release"
    if "trigger_finger_release" in procs:
        return "trigger_finger_release", "trigger finger release"
    spinal = procs & {"fusion", "discectomy", "laminectomy", "foraminotomy"}
    if spinal:
        if "cervical" in spine_region:
            return "cervical_surgery", "cervical " + ("fusion" if "fusion" in procs else "decompression")
        if spine_region & {"lumbar"} or not spine_region - {"spine"}:
            if "fusion" in procs:
                return "lumbar_fusion", "lumbar fusion"
            return "lumbar_decompression", "lumbar decompression"
        return None, "thoracic " + ("fusion" if "fusion" in procs else "decompression")
    if procs:
        return None, sorted(procs, key=PROCEDURES.index)[0].replace("_", " ")
    return None, None


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a surgery request (see :mod:`checker.requests.kinds`)."""
    procs = _procedures(s, low)
    regions = fields.get("regions") or []
    if "ACDF" in s and "cervical" not in regions:
        regions = regions + ["cervical"]
    if not regions:
        for p in procs:
            site = _SITE.get(p)
            if site:
                regions = [site]
                break
    fields["regions"] = regions
    procs = _shoulder_decompression(procs, low, regions)
    modality, name = _modality(set(procs), set(regions))
    if modality in ("lumbar_decompression", "lumbar_fusion") and not regions:
        fields["regions"] = ["lumbar"]
    attrs = dict(fields.get("attributes") or {})
    if procs:
        attrs["procedures"] = procs
    approach = None
    if _APPROACH_CS.search(s):
        approach = "endoscopic"
    else:
        for value, rx in _APPROACH:
            if rx.search(low):
                approach = value
                break
    if approach:
        attrs["approach"] = approach
    if modality in ("lumbar_decompression", "lumbar_fusion", "cervical_surgery"):
        n = _levels(low)
        if n is not None:
            attrs["levels"] = n
    fields["attributes"] = attrs
    fields["modality"] = modality
    if name:
        fields["kind"] = f"surgery: {name}"
