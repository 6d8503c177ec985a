"""Requests for programs and levels of care: functional restoration, home health, gym, transportation (category ``program``).

See :mod:`checker.requests.kinds` for the contract. Modalities:

``functional_restoration``  a functional restoration / interdisciplinary chronic pain program (HELP, FRP): MTUS
                            Chronic Pain, "Functional restoration programs" and "Chronic pain programs".
``home_health``             home health aide, home care, home nursing or wound care nurse visits: MTUS Chronic Pain
                            "Home health services" (ODG "Home health services" outside the MTUS).
``gym_membership``          gym, pool or YMCA membership: ODG "Gym memberships".
``transportation``          transportation to and from appointments: ODG "Transportation (to & from appointments)".
``biofeedback``             biofeedback sessions: MTUS Chronic Pain "Biofeedback".
``psychotherapy``           cognitive behavioural therapy, psychotherapy, counselling: MTUS Chronic Pain
                            "Behavioral interventions".
``inpatient_rehab``         acute inpatient rehabilitation, a rehabilitation unit or facility, a skilled nursing
                            facility: ODG "Skilled nursing facility (SNF) care" and "Inpatient rehabilitation".

Weight-loss and detoxification programs, residential care, speech, vision, cardiac and pulmonary rehabilitation
and a bare hospital admission have no criteria here: they are out of scope with their kind.

Attributes: ``program_days`` (days of a program or stay: "7-10 days" -> 10, "one week trial" -> 7),
``program_hours`` (hours of a functional restoration program), ``hours_per_week`` (home health: hours a day times
days a week, or hours a week as written), ``home_health_services`` (a set: skilled_nursing, wound_care, therapy,
personal_care, homemaker, infusion).
"""
from __future__ import annotations

import re
from checker.regex_cache import compile_stored as _rx  # compiled code kept between runs

CATEGORY = "program"
MODALITIES: tuple[str, ...] = ("functional_restoration", "home_health", "gym_membership", "transportation",
                               "biofeedback", "psychotherapy", "inpatient_rehab")
HOME_HEALTH_SERVICES = ("skilled_nursing", "wound_care", "therapy", "personal_care", "homemaker", "infusion")
ATTRIBUTES: dict[str, object] = {
    "program_days": "number",
    "program_hours": "number",
    "hours_per_week": "number",
    "home_health_services": ("set", HOME_HEALTH_SERVICES),
}

# (modality, pattern on the lower-cased text), first match wins
_KINDS = (
    ("out:weight loss program", r"weight\s+(?:loss|watchers)|weight\s+management|lindora|nutrisystem"),
    ("out:detoxification", r"detox\w*"),
    ("out:speech or vision therapy", r"speech\s+therap\w*|vision\s+therap\w*"),
    ("out:cardiac or pulmonary rehabilitation", r"(?:cardiac|pulmonary)\s+rehab\w*"),
    ("functional_restoration", r"functional\s+restoration|multi-?\s*disciplinary|inter-?\s*disciplinary|"
                               r"(?:chronic\s+)?pain\s+(?:management\s+)?program|\bfrp\b|\bhelp\s+program|\bhelp\b"),
    ("biofeedback", r"biofeedback"),
    ("psychotherapy", r"(?:cognitive|behaviou?ral)\s+(?:behaviou?ral\s+)?therap\w*|psychotherap\w*|counsel+ing|\bcbt\b"),
    ("inpatient_rehab", r"acute\s+rehab\w*|in-?\s*patient\s+(?:\w+\s+){0,2}rehab\w*|rehab\w*\s+(?:unit|facility|center|"
                        r"hospital)|skilled\s+nursing\s+(?:facility|unit|stay)|\bsnf\b|nursing\s+(?:facility|home)|"
                        r"sub-?\s*acute\s+(?:rehab\w*|care|facility)"),
    ("home_health", r"home\s+(?:health|care|aide|nurs\w*|attendant|assist\w*)|\bhha\b|caregiver|\baides?\b|nurse\b|"
                    r"nursing\s+(?:care|visits?)|skilled\s+nursing"),
    ("gym_membership", r"\bgym\b|membership|ymca\b|fitness\s+(?:center|club)|health\s+club"),
    ("transportation", r"transport\w*|\btaxi\b"),
)
_KIND = _rx("|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_KINDS)))
_DAYS = _rx(r"\b(\d+)(?:\s*-\s*(\d+))?\s*(?:full[\s-]+)?days?\b(?!\s*(?:a|per|/)\s*(?:week|wk))")
_WEEKS = _rx(r"\b(\d+)(?:\s*-\s*(\d+))?\s*weeks?\b")
_HOURS = _rx(r"\b(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(?:hours?|hrs?)\b")
_PER_DAY = _rx(r"\b(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(?:hours?|hrs?)\s*(?:per|a|/|each)\s*day")
_PER_WEEK_H = _rx(r"\b(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(?:hours?|hrs?)\s*(?:per|a|/|each)\s*(?:week|wk)")
_DAYS_WEEK = _rx(r"\b(\d+)(?:\s*-\s*(\d+))?\s*(?:times|x|days?)\s*(?:per|a|/)?\s*(?:week|wk)")
_CONTINUE = _rx(r"\b(?:additional|continued|continuing|continuation|further|extension|extended|remaining|another|more)\b")
_SERVICES = (
    ("wound_care", r"wound|incision|dressing"),
    ("infusion", r"\biv\b|intravenous|infusion|antibiotic"),
    ("skilled_nursing", r"nurs\w*|\brn\b|\blvn\b"),
    ("therapy", r"physical\s+therap\w*|\bpt\b|occupational\s+therap\w*|\bot\b"),
    ("personal_care", r"\badls?\b|\badl's\b|activities\s+of\s+daily|bath\w*|dress\w*|toilet\w*|groom\w*|"
                      r"transfers?\b|mobility|personal\s+care|aide\b|attendant|caregiver|safety"),
    ("homemaker", r"homemak\w*|house\s*keep\w*|clean\w*|laundry|shopping|cook\w*|meals?\b|chores?"),
)


def _upper(m: re.Match) -> float:
    return float(m.group(2) or m.group(1))


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a program request (see :mod:`checker.requests.kinds`)."""
    fields["modality"] = None
    m = _KIND.search(low)
    if m is None:
        fields["kind"] = "program: " + " ".join(s.split()[:6]).strip(" ,;:.")
        return
    modality = _KINDS[int(m.lastgroup[1:])][0]
    if modality.startswith("out:"):
        fields["kind"] = "program: " + modality[4:]
        return
    attrs: dict = {}
    d = _DAYS.search(low)
    w = _WEEKS.search(low)
    if d is not None:
        attrs["program_days"] = _upper(d)
    elif w is not None and modality in ("inpatient_rehab", "functional_restoration"):
        attrs["program_days"] = _upper(w) * (5 if modality == "functional_restoration" else 7)
    h = _HOURS.search(low)
    if modality == "functional_restoration" and h is not None and not _PER_DAY.search(low):
        attrs["program_hours"] = _upper(h)
    if modality == "home_health":
        pw = _PER_WEEK_H.search(low)
        pd = _PER_DAY.search(low)
        if pw is not None:
            attrs["hours_per_week"] = _upper(pw)
        elif pd is not None:
            dw = _DAYS_WEEK.search(low)
            per_week = _upper(dw) if dw is not None else fields.get("frequency_per_week")
            attrs["hours_per_week"] = _upper(pd) * (per_week if per_week else 7)
        attrs["home_health_services"] = [name for name, p in _SERVICES if re.search(p, low)]
        if "wound_care" in attrs["home_health_services"] and "skilled_nursing" not in attrs["home_health_services"]:
            attrs["home_health_services"].append("skilled_nursing")
    fields["attributes"] = attrs
    fields["modality"] = modality
    if _CONTINUE.search(low):  # "Additional week of acute rehab", "continued FRP": a stay or program already begun
        fields["repeat"] = True
    label = modality.replace("_", " ")
    if modality == "inpatient_rehab" and re.search(r"skilled\s+nursing|\bsnf\b|nursing\s+(?:facility|home)", low):
        label = "skilled nursing facility"
    elif modality == "home_health" and re.search(r"wound", low):
        label = "home health (wound care nursing)"
    fields["kind"] = f"program: {label}"
