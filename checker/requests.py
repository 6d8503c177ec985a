"""Normalise a disputed item's text (as an IMR letter words it) into a :class:`Request`.

Public API
----------
``normalize_request(text, as_of=None) -> Request``
    Never raises for any ``str``; everything is done with precompiled regular expressions.
``request_core(text) -> str``
    The request phrase inside an item heading (see "Long headings" below).

How the category is chosen
--------------------------
1. A drug dose (``10mg``, ``5%``, ``2 mcg``, ``5cc``, ``120 grams``...) makes the item ``other``
   whatever else it says ("Diazepam 5mg 1 hour before MRI" is a drug request).
2. Otherwise every *head word* is found: modality words (MRI, CT, x-ray, EMG, physical therapy,
   chiropractic...) and "other" heads (injection, surgery, DME, programs, labs/tests/exams,
   passive modalities, medications, consults to a physician). The **earliest** head decides the
   category; at the same position an "other" head wins ("manipulation under anesthesia").
   Heads preceded by ``post-``/``pre-`` are descriptions, not heads ("post-injection MRI").
   An imaging word used as guidance ("under fluoroscopic guidance", "ultrasound-guided") is not
   a head. With no head at all the item is ``other``.
3. The modality within the winning category:
   imaging - arthrogram > myelogram > DEXA > bone scan (when bone scan *and* SPECT are named:
   "bone scan/SPECT" -> ``bone_scan``) > PET > SPECT > the earliest of MRI/CT/x-ray/ultrasound
   ("MRI/CT" -> ``mri``). "MRA" of a joint is read as an MR arthrogram, elsewhere as MRI.
   electrodiagnostic - EMG and NCS/NCV both named (or "electrodiagnostic") -> ``emg_ncs``.
   therapy - aquatic > work conditioning > the earliest of chiro/pt/ot/acupuncture/massage
   ("PT/OT" -> ``pt``; "chiropractic physiotherapy" -> ``chiro``).

Ambiguous cases (decisions)
---------------------------
* "manual therapy", "spinal manipulation", "chirophysio", "CMT" -> therapy/``chiro``: IMR reviewers
  judge them under MTUS "Manual therapy & manipulation". "therapeutic exercise" -> therapy/``pt``
  (MTUS "Physical medicine"). "Physical therapy evaluation" / "Chiropractic evaluation" -> therapy.
* Passive modalities given in the clinic are therapy with their own modality: ``e_stim``
  (electrical/muscle stimulation, EMS, NMES, interferential, galvanic), ``ultrasound_therapy``,
  ``infrared``, ``shockwave`` (ESWT), ``traction``, ``laser`` and ``heat_cold`` (hot/cold packs, ice,
  cryotherapy). Each has its own MTUS/ODG entry, not the physical-medicine visit limits. Named with a
  device, rental or purchase ("Cold compression therapy 30 day rental") they are equipment (``other``),
  except traction and electrical stimulation (TENS, interferential): ACOEM Ch 12 judges traction wherever
  it is given, and the Chronic Pain guidelines judge a TENS or interferential unit by a one-month home
  trial (a *purchase* of a stimulator, which follows a successful trial, stays ``other``). H-wave,
  biofeedback, thermography, iontophoresis, phonophoresis, paraffin, diathermy, whirlpool and
  vasopneumatic devices stay ``other`` (not in the catalog).
  "Ultrasound" is *therapeutic* when it is called therapy/treatment or comes with a therapy schedule
  ("Ultrasound 1 times 8") and is not called diagnostic; otherwise it is diagnostic imaging
  ("ultrasound of the shoulder").
* Programs and levels of care (acute inpatient rehabilitation, SNF, functional restoration,
  home aide, gym/pool membership) are ``other`` even when they mention PT/OT: the question the
  reviewer answers is the level of care, not a visit count.
* Consults, referrals and transfers of care to a *physician* are ``other`` ("TOC to ortho spine
  surgeon", "Neurology consult for EMG"); a referral to a chiropractor/therapist/acupuncturist is
  that therapy ("Referral to chiropractor ... twice a week for 3 weeks" -> ``chiro``).
* "Electroencephalogram", "EKG", "SSEP"/evoked potentials are ``other`` (not EMG/NCS; the catalog
  covers only EMG/NCS).
* A chest x-ray requested as a pre-op "lab" is imaging (region ``chest``): the "Labs to include:"
  prefix is dropped.
* Regions: "total/whole/entire spine" and a bare "spine"/"spinal" with no level -> ``["spine"]``
  (not expanded to three regions); a bare "back" -> ``lumbar``; "groin" -> ``hip``; spinal levels
  (``L4-5``, ``C5-6``, ``T12``) give the region. For electrodiagnostic requests a named limb joint adds
  the limb (hand/wrist/elbow/shoulder -> ``upper_extremity``; hip/knee/ankle/foot -> ``lower_extremity``).
* Laterality: "bilateral", "both knees", plural paired parts ("knees", "upper extremities"), or
  both "left" and right" named (even for different parts) -> ``bilateral``.
* Contrast is only read for imaging.
* Counts: explicit sessions ("Twelve sessions", "(8 sessions)", "#6", "x 12", "(6)") win over
  frequency x weeks; ranges use the upper bound ("2-3 times a week for 6-8 weeks" -> 3/week,
  8 weeks); "2x4", "2 times 8", "2x4 weeks" mean 2 a week for 4/8 weeks ("3x week x 4 weeks": 3 a
  week for 4); months count as 4 weeks. For drugs only ``quantity`` (``#60``) is read. For non-therapy
  items a bare count ("#2", "times 3", "One (1)", "QTY:1.00", a trailing ", 2") is the ``quantity``.
* ``repeat`` is also set for therapy asked as "additional/continued/further" care (prior care was
  given), besides "repeat/follow-up/updated/new/second MRI".
* ``retrospective_date``: the first date in the request (a date after "DOS"/"date of service" is
  preferred); "between 8/5/2013 and 10/20/2013" -> 2013-08-05. Two-digit years are 20yy (19yy when
  that would be after ``as_of``); a month/day without a year after "DOS" needs ``as_of``.

Speed
-----
About 40 microseconds per request (Python 3.11): head words and regions are two alternations of
named groups tried at word starts only, on a lower-cased copy of the text (so a failing alternative
is skipped on its first character), plus a short one for case-sensitive abbreviations; the other
patterns run only when a cheap substring test says they can match.

Long headings
-------------
Modified requests are worded "X was the original request. ... The remaining IMR eligible portion of
the original request, Y is: Upheld". :func:`request_core` keeps X (the original request: the
guideline limits apply to the whole course), or Y when no original request is given. A trailing
": Upheld"/": Overturned" and a "Labs to include:"/"Associated surgical service:" prefix are removed.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from checker.models import Request
from checker.regex_cache import compile_stored as _rx  # module-level patterns: compiled code kept between runs

__all__ = ["normalize_request", "request_core"]

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


# --------------------------------------------------------------------------- drugs, levels
_DOSE = _rx(
    r"(?<![a-z])[0-9]+(?:\.[0-9]+)?\s*(?:mg|mcg|µg|ug|meq|gm|grams?|g|ml|cc|%|percent)(?![a-z])"
    r"|[0-9]\s*(?:mg|mcg)\s*/")                   # on the lower-cased text
_LEVEL = _rx(r"\b[CTLS][0-9]{1,2}(?:\s*-\s*[CTLS]?[0-9]{1,2})?\b")

# --------------------------------------------------------------------------- head words
# (group name, lowercase pattern, case-sensitive pattern). The lowercase patterns run without re.I on a
# lowercased copy of the text and start with a plain letter, so the regex engine skips a failing
# alternative on its first character; the case-sensitive ones (abbreviations: PT, OT, CT, MR...) run
# on the original text. Every head starts a word. Names: i_<modality> imaging,
# e_<modality> electrodiagnostic, t_<modality> therapy, o_<kind> other, s_specialist (other only when
# a consult word is present), u_us ultrasound (imaging or therapeutic, decided later).
_HEADS: list[tuple[str, Optional[str], Optional[str]]] = [
    # other heads first: they win ties at the same position
    ("o_mua", r"manipulations?\s+under\s+(?:general\s+)?an(?:a)?esthesia", r"MUA\b"),
    ("o_program",
     r"functional\s+restoration|multi-?\s*disciplinary|inter-?\s*disciplinary|"
     r"(?:chronic\s+)?pain\s+(?:management\s+)?program|in-?\s*patient|acute\s+rehab\w*|"
     r"rehab\w*\s+(?:unit|facility|center|hospital)|skilled\s+nursing|nursing\s+(?:facility|home|care)|"
     r"home\s+(?:health\s+)?(?:aides?|care)\b|caregiver|nurse\b|gym\b|membership|ymca\b|"
     r"weight\s+(?:loss|watchers)|detox\w*|transportation|transport\b|hospitali[sz]\w*|admission|residential|"
     r"(?:cognitive|behaviou?ral)\s+(?:behaviou?ral\s+)?therap\w*|psychotherap\w*|counsel+ing|"
     r"speech\s+therap\w*|vision\s+therap\w*|(?:cardiac|pulmonary)\s+rehab\w*",
     r"(?:FRP|HELP|SNF|CBT)\b"),
    ("o_injection",
     r"inject\w*|blocks?\b|epidural|facet\w*|radio-?\s*frequency|ablation|rhizotom\w*|neurotom\w*|platelet|"
     r"prolotherap\w*|botox|botulinum|trigger\s+points?|viscosupplement\w*|synvisc|hyaluron\w*|shots?\b|"
     r"aspiration|arthrocentesis|neuroplast\w*|neurolytic|biops\w*",
     r"(?:ESIs?|RFA|PRP)\b"),
    ("o_surgery",
     r"arthroscop\w*|surg(?:ery|eries|ical)\b|repair\b|reconstruct\w*|fusion\b|arthrodesis|laminectom\w*|"
     r"laminotom\w*|(?:micro)?discectom\w*|foraminotom\w*|decompression|release\b|replacement|arthroplast\w*|"
     r"fixation|implant\w*|stimulator|pump\b|operation\b|[a-z]\w*ectomy\b|[a-z]\w*otomy\b",
     r"(?:ORIF|RCR|ACDF|TKA|THA|TKR|THR)\b"),
    ("o_dme",
     r"braces?\b|orthos[ie]s|orthotics?\b|insoles?|splints?\b|slings?\b|pillows?|wraps?\b|canes?\b|walkers?|"
     r"wheel\s*chairs?|scooters?|crutch\w*|collars?\b|supports?\b|belts?\b|mattress\w*|beds?\b|chairs?\b|"
     r"commode|shower|grab\s+bars?|hearing\s+aids?|gloves?|wipes\b|garments?|stockings?|sleeves?|cushions?|"
     r"rental|purchase|equipment|kits?\b|pads?\b|tape\b|taping|compression|unit\b|machine\b|"
     r"continuous\s+passive\s+motion",
     r"(?:DME|CPM)\b"),
    # passive single modalities the catalog does not cover stay "other" (devices, biofeedback, thermography)
    ("o_passive",
     r"thermograph\w*|biofeedback|iontophoresis|phonophoresis|paraffin|diathermy|whirlpool|"
     r"vasopneumatic|h-?\s*wave",
     None),
    ("o_lab",
     r"labs?\b|laborator\w*|urin\w*|drug\s+(?:screen|test)\w*|toxicolog\w*|blood\b|panel\b|genetic|"
     r"electrocardiogra\w*|electroencephalogra\w*|evoked\s+potential\w*|sleep\s+stud\w*|polysomnogra\w*|"
     r"pulmonary\s+function|echocardiogra\w*|stress\s+test|neuro-?\s*psycholog\w*|psycholog\w*|psychiatr\w*|"
     r"functional\s+capacity|grip\s+(?:strength\s+)?test\w*|jamar|range\s+of\s+motion|muscle\s+test\w*|"
     r"exam(?:ination)?s?\b|clearance|office\s+visits?|follow[\s-]*up\s+(?:office\s+)?visits?|"
     r"transfer\s+of\s+care|second\s+opinion|impairment\s+rating|report\b",
     r"(?:CBC|CMP|BMP|PTT|INR|EKG|ECG|EEG|VNG|DNA|SSEPs?|FCE|ROM|TOC|QME|AME|IME)\b"),
    ("o_drug",
     r"tablets?\b|tabs?\b|capsules?|caps\b|creams?\b|gel\b|ointment|lotion|patch(?:es)?\b|spray\b|suspension|"
     r"solution\b|compound\w*|topical|refills?|supply\b|medications?|prescription|by\s+mouth|orally\b|drugs?\b|"
     r"lidoderm|norco\b|tramadol|ultram|opioid\w*|narcotic\w*",
     r"PO\b"),
    ("s_specialist",
     r"surgeon|orthop(?:a)?edi\w*|ortho\b|neurolog\w*|neurosurg\w*|physiatr\w*|"
     r"physical\s+medicine\s+(?:and|&)\s+rehab\w*|"
     r"pain\s+(?:management|medicine|specialist|interventionist)|rheumatolog\w*|podiatr\w*|internist|"
     r"internal\s+medicine|specialist|physician|doctor|cardiolog\w*|urolog\w*|gastroenterolog\w*|"
     r"endocrinolog\w*|dentist|dental|ophthalmolog\w*|optometr\w*|audiolog\w*|otolaryngolog\w*",
     r"(?:M\.?D\.?|ENT|PM\s*&\s*R)\b"),
    # imaging
    ("i_arthrogram", r"arthrogra\w*", r"MR\s*-?\s*[Aa]rthro\w*"),
    ("i_myelogram", r"myelogra\w*", None),
    ("i_dexa", r"d(?:e)?xa\b|bone\s+(?:mineral\s+)?densit\w*|densitometr\w*", None),
    ("i_bone_scan", r"bone\s+scan\w*|scintigra\w*|nuclear\s+(?:medicine\s+)?bone|radionuclide|"
                    r"(?:three|3|triple)[\s-]*phase\s+bone", None),
    ("i_spect", r"spect\b", None),
    ("i_pet", r"positron", r"PET\b"),
    ("i_mra", None, r"MRA\b"),
    ("i_mri", r"f?mri'?s?\b|magnetic\s+resonance", r"MR\b"),
    ("i_ct", r"ct(?=\s*-?\s*scan)|cat\s+scan|computed\s+(?:axial\s+)?tomograph\w*", r"CTA?\b"),
    ("i_xray", r"x\s*-?\s*rays?\b|xrays?\b|radiograph\w*|plain\s+films?|roentgen\w*", None),
    ("u_us", r"ultrasound\w*|ultrasonograph\w*|sonogra\w*|doppler\b|duplex\b", None),
    # electrodiagnostic
    ("e_emg_ncs", r"electro-?\s*diagnostic\w*", r"EDX\b"),
    ("e_emg", r"emgs?\b|electromyogra\w*", None),
    ("e_ncs", r"nc[sv]s?\b|nerve\s+conduction", r"NCT\b"),
    # therapy
    ("t_work_conditioning", r"work\s+(?:hardening|conditioning|simulation)", None),
    ("t_aquatic", r"aqua\w*|pool\s+(?:therap\w*|exercises?)|water\s+therap\w*|hydrotherap\w*", None),
    ("t_chiro", r"chiropract\w*|chiro-?\s*physio\w*|chiro\b|manipulat\w*|manual\s+(?:therap\w*|medicine)",
     r"(?:CMT|OMT)\b"),
    ("t_acupuncture", r"(?:electro-?\s*)?acupunct\w*", None),
    ("t_massage", r"massag\w*", None),
    ("t_ot", r"occupational\s+therap\w*|hand\s+therap\w*", r"OT\b"),
    # passive modalities given in the clinic (therapy; a device, rental or purchase makes them DME below)
    ("t_e_stim", r"electr(?:ical|ic|o)[\s-]*(?:muscle\s+|nerve\s+)?stim\w*|e-?\s*stim\w*|interferential|"
                 r"galvanic|transcutaneous\s+electrical", r"(?:EMS|NMES|IFC|TENS)\b"),
    ("t_infrared", r"infra-?\s*red", None),
    ("t_shockwave", r"(?:extracorporeal\s+)?shock\s*-?\s*wave", r"ESWT\b"),
    ("t_traction", r"traction", None),
    ("t_laser", r"(?:cold\s+|low[\s-]+level\s+)?laser\b", r"LLLT\b"),
    ("t_heat_cold", r"hot\s*(?:/|and|&)?\s*cold|hot\s+packs?|cold\s+packs?|heat\b|ice\b|cryo\w*|"
                    r"hydrocollator|cold\b", None),
    ("t_pt", r"physical\s+therap\w*|physio-?\s*therap\w*|physio\b|physical\s+medicine|"
             r"therapeutic\s+(?:exercises?|activit\w*)|home\s+health\s+(?:pt|physical)\b|"
             r"neuromuscular\s+re-?\s*education|gait\s+training|rehab(?:ilitation)?\b",
     r"PT\b(?!\s*/\s*(?:PTT|INR))"),
]


def _alternation(rows: list[tuple], col: int) -> re.Pattern:
    """One regex of named groups, tried at word starts only."""
    return _rx(r"\b(?=\w)(?:" + "|".join(f"(?P<{r[0]}>{r[col]})" for r in rows if r[col]) + ")")


_HEAD_LOW = _alternation(_HEADS, 1)
_HEAD_CS = _alternation(_HEADS, 2)
_HEAD_ORDER = {r[0]: i for i, r in enumerate(_HEADS)}
_CONSULT = _rx(r"\b(?=\w)(?:consult\w*|referr?al|refer\w*|evaluat\w*|eval\b|transfer\s+of\s+care|"
                      r"visits?\b|appointment|opinion|follow[\s-]*up)")           # lower-cased text
_CONSULT_CS = _rx(r"\bTOC\b")
_PRE_POST = _rx(r"(?:\b(post)|\bpre|\b(after)|\b(following)|\b(s/p)|\bstatus\s+(post))[\s-]*"
                       r"(?:[\w/]+[\s-]+){0,3}$")                                     # lower-cased text
_GUIDE_AFTER = _rx(r"\s*-?\s*guid(?:ed|ance)")
_GUIDE_BEFORE = _rx(r"\bunder\s+(?:\w+\s+)?$")
_US_THERAPEUTIC = _rx(r"therapeutic\s+ultrasound|ultrasound\s+(?:therap\w*|treatments?)")

# --------------------------------------------------------------------------- regions
_REGIONS: list[tuple[str, Optional[str], Optional[str]]] = [
    ("cervicothoracic", r"cervico-?\s*thoracic", None),
    ("thoracolumbar", r"thoraco-?\s*lumbar", None),
    ("cervical", r"cervical\w*|c-?\s*spine\b|neck\b", None),
    ("thoracic", r"thoracic|t-?\s*spine\b|mid(?:dle)?[\s-]*back|upper\s+back|dorsal\s+spine", None),
    ("lumbar", r"lumb\w*|l-?\s*spine\b|low(?:er)?[\s-]+back", r"(?:LBP|LS|L/S)\b"),
    ("sacroiliac", r"sacro-?\s*iliac\w*", r"SIJ?\b(?:\s+joints?)?"),
    ("total_spine", r"(?:total|whole|entire|full|complete)\s+spine", None),
    ("spine", r"spin(?:e|al)\b", None),
    ("back", r"backs?\b", None),
    ("lvl_c", None, r"C[1-8]\b"),
    ("lvl_t", None, r"T(?:1[0-2]|[1-9])\b"),
    ("lvl_l", None, r"(?:L[1-5]|S1)\b"),
    ("shoulder", r"shoulders?|rotator\s+cuff|clavic\w*|scapul\w*|acromio\w*|glenohumeral", r"AC\s+joint"),
    ("elbow", r"elbows?|epicondyl\w*|olecranon|cubital", None),
    ("hand_wrist", r"hands?\b|wrists?|fingers?|thumbs?|(?:meta)?carp\w*|digits?\b|palms?\b", None),
    ("hip", r"hips?\b|groin|acetabul\w*|femoral\s+head", None),
    ("pelvis", r"pelvi[sc]|sacr(?:al|um)\b|coccy\w*|pubi[sc]", None),
    ("knee", r"knees?\b|patell\w*|menisc\w*|tibial\s+plateau", r"(?:ACL|MCL|PCL|LCL)\b"),
    ("ankle_foot", r"ankles?|foot\b|feet\b|toes?\b|heels?\b|calcane\w*|achilles|plantar|metatars\w*|tars(?:al|us)\b",
     None),
    ("head", r"head\b|brain\w*|skull\b|cranial|face\b|facial|sinus\w*", r"TMJ\b"),
    ("chest", r"chest\b|ribs?\b|thorax\b|stern(?:um|al)", None),
    ("abdomen", r"abdom\w*", None),
    ("upper_extremity", r"upper\s+(?:extremit\w*|limbs?)|arms?\b|forearms?|humer\w*", r"(?:RUE|LUE|BUE|UEs?)\b"),
    ("lower_extremity", r"lower\s+(?:extremit\w*|limbs?)|legs?\b|thighs?|calf\b|calves\b|shins?\b|tibi\w*|"
                        r"fibul\w*|femur\b", r"(?:RLE|LLE|BLE|LEs?)\b"),
]
_REGION_LOW = _alternation(_REGIONS, 1)
_REGION_CS = _alternation(_REGIONS, 2)
_REGION_MAP = {"lvl_c": ("cervical",), "lvl_t": ("thoracic",), "lvl_l": ("lumbar",), "back": ("lumbar",),
               "cervicothoracic": ("cervical", "thoracic"), "thoracolumbar": ("thoracic", "lumbar"),
               "total_spine": ("spine",)}
_REGION_ORDER = {r[0]: i for i, r in enumerate(_REGIONS)}
_SPINAL = {"cervical", "thoracic", "lumbar", "sacroiliac"}
_UPPER_JOINTS = {"shoulder", "elbow", "hand_wrist"}
_LOWER_JOINTS = {"hip", "knee", "ankle_foot"}
_JOINT_REGIONS = _UPPER_JOINTS | _LOWER_JOINTS
_BACK_QUALIFIED = _rx(r"(?:low|lower|mid|middle|upper)[\s-]+$")

# --------------------------------------------------------------------------- laterality, contrast (lower-cased text)
_SIDE = _rx(
    r"\b(?=\w)(?:(?P<b>bilateral(?:ly)?\b|bilat\b|b/l\b|"
    r"both\s+(?:\w+\s+)?(?:knees?|hips?|shoulders?|hands?|wrists?|elbows?|ankles?|feet|foot|legs?|arms?|"
    r"upper|lower|sides?|extremit\w*)|"
    r"(?:knees|shoulders|hips|elbows|wrists|ankles|feet|hands|extremities|legs|arms)\b)|"
    r"(?P<l>left\b|lt\b)|(?P<r>right\b|rt\b))")
_SIDE_CS = _rx(r"\b(?:(?P<b>BUEs?|BLEs?)|(?P<l>LUE|LLE)|(?P<r>RUE|RLE))\b")
_CONTRAST = _rx(
    r"(?P<wwo>with\s*(?:and|&|/|or)\s*without|without\s*(?:and|&|/|or)\s*with|\bw\s*/\s*(?:and\s+)?w\s*/?\s*o\b|"
    r"\bw/wo\b|\bw-wo\b|pre[\s-]*and[\s-]*post[\s-]*contrast)|"
    r"(?P<wo>without\s+(?:iv\s+|intravenous\s+)?(?:contrast|gad\w*|dye)|\bw/o\b|\bwo\s+contrast|"
    r"non-?\s*contrast\w*|un-?\s*enhanced|\bno\s+contrast|\bwithout\s*$)|"
    r"(?P<w>with\s+(?:iv\s+|intravenous\s+)?(?:contrast|gad\w*|dye)|\bw/\s*contrast|\bw\s+contrast|"
    r"contrast[\s-]+enhanced|gadolinium)")

# --------------------------------------------------------------------------- flags (lower-cased text)
_POSTSURG = _rx(r"\bpost[\s-]*(?:op(?:erative(?:ly)?)?|surg(?:ical|ery)?)\b|\b(?:after|following)\s+"
                       r"(?:the\s+|his\s+|her\s+)?surgery|\bs/p\b|\bstatus[\s-]+post\b")
_REPEAT = _rx(
    r"\brepeat(?:ed)?\b|\bre-?\s*(?:imag\w*|scan\w*|do)\b|"
    r"\b(?:follow[\s-]*up|updated?|new|second|another|interval|additional|further)\s+(?:[\w/-]+\s+){0,3}?"
    r"(?:mri|mra|ct|x-?\s*rays?|xrays?|radiograph\w*|scans?|stud(?:y|ies)|imaging|emg|ncs|ncv|nerve|"
    r"electro\w*|bone|dexa|dxa|spect|ultrasound|sonogram|arthrogram|myelogram|films?)\b")
_PREOP = _rx(r"\bpre[\s-]*(?:op(?:erative(?:ly)?)?|surg(?:ical|ery)?|procedur\w*)\b|\bprior\s+to\s+(?:the\s+)?"
                    r"(?:surgery|operation|procedure)|\bbefore\s+(?:the\s+)?(?:surgery|operation)|"
                    r"\b(?:surgical|medical|pre-?operative)\s+clearance")            # lower-cased text
_CONTINUE = _rx(r"\b(?:additional|continued|continuing|continuation|further|more|extra|ongoing|"
                       r"repeat(?:ed)?|another|renewed|resume\w*)\b")

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
_PURCHASE = re.compile(r"\bpurchas\w*|\bbuy\b", re.I)


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
    category = "other"
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
                pp = _PRE_POST.search(low, max(0, start - 40), start) if start else None
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
        if earliest is not None and earliest[1] != "o":
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
                    category, modality = "other", None

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

    return Request(
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
        in_scope=category in ("imaging", "electrodiagnostic", "therapy"),
    )
