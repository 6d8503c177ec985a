"""Requests for consultations, referrals, office visits and transfers of care (category ``consultation``).

See :mod:`checker.requests.kinds` for the contract. Three modalities:

``surgical_consultation``
    a referral, evaluation or second opinion with a surgeon ("TOC to ortho spine surgeon eval and treatment",
    "Neurosurgeon evaluation for the low back", "Spine surgery evaluation for the lumbar"): the ACOEM 2004 chapters'
    criteria for surgical referral of the region (Ch 8 neck, Ch 9 shoulder, Ch 11 hand, Ch 12 low back, Ch 13 knee,
    Ch 14 ankle and foot). A surgeon's consultation for another region (hip, elbow) or with no region named is a
    ``specialist_referral``, judged by ACOEM Ch 7.
``specialist_referral``
    a consultation with any other physician (pain management, internal medicine, neurology, physiatry, psychiatry,
    a medication management consultation, a medical clearance): ACOEM 2004 Ch 7, p 127.
``office_visit``
    an office or follow-up visit, or an examination by the treating physician ("Follow up office visit times 2",
    "Initial exam", "Physical exam 2 times 8"): ODG "Office visits" (MTUS 2016 as reviewers quote it).

A medical-legal evaluation (QME, AME, IME, an impairment rating or a report) is not medical treatment: it stays out
of scope with its kind.

Attributes: ``consult_specialty`` (surgeon, neurosurgeon, orthopaedics, pain_management, psychiatry, psychology,
internal_medicine, neurology, physiatry, other, unknown), ``consult_purpose`` (evaluate_treat, second_opinion,
clearance, medication_management, evaluation), ``visit_count`` (the visits or exams asked for at once; 1 when no
count is written).
"""
from __future__ import annotations

import re
from checker.regex_cache import compile_stored as _rx  # compiled code kept between runs

CATEGORY = "consultation"
MODALITIES: tuple[str, ...] = ("surgical_consultation", "specialist_referral", "office_visit")
ATTRIBUTES: dict[str, object] = {
    "consult_specialty": "category",
    "consult_purpose": "category",
    "visit_count": "number",
}

_MEDICOLEGAL = _rx(r"\b(?:qme|ame|ime|impairment\s+rating|report|medical[\s-]+legal|medicolegal|"
                          r"independent\s+medical|panel\s+qualified)\b")
_SURGEON = _rx(r"\b(?:surgeon|neuro-?\s*surg\w*|surg(?:ery|ical)\s+(?:\w+\s+)?(?:eval\w*|consult\w*|"
                      r"opinion|referral|assessment)|(?:eval\w*|consult\w*|opinion|referral)\s+(?:\w+\s+){0,3}"
                      r"surg(?:ery|ical|eon))")
# specialty words, first match wins (a neurosurgeon is not a neurologist)
_SPECIALTIES = (
    ("neurosurgeon", r"neuro-?\s*surg\w*"),
    ("surgeon", r"surgeon|surg(?:ery|ical)\b"),
    ("pain_management", r"pain\s+(?:management|medicine|specialist|interventionist)"),
    ("psychiatry", r"psychiatr\w*|psych\b"),
    ("psychology", r"psycholog\w*"),
    ("internal_medicine", r"internal\s+medicine|internist|medical\s+clearance|primary\s+care|cardiolog\w*"),
    ("neurology", r"neurolog\w*|neuro\b"),
    ("physiatry", r"physiatr\w*|physical\s+medicine|pm\s*&\s*r"),
    ("orthopaedics", r"orthop(?:a)?edi\w*|ortho\b"),
)
_SPECIALTY = _rx("|".join(f"(?P<{n}>\\b(?:{p}))" for n, p in _SPECIALTIES))
_OTHER_DOCTOR = _rx(r"\b(?:rheumatolog|podiatr|urolog|gastroenterolog|endocrinolog|dentist|dental|"
                           r"ophthalmolog|optometr|audiolog|otolaryngolog|ent\b|specialist|physician|doctor)")
_SURGICAL_REGIONS = {"lumbar", "sacroiliac", "spine", "thoracic", "pelvis", "cervical", "shoulder", "hand_wrist", "knee",
                     "ankle_foot"}
_VISIT = _rx(r"\b(?:rtc\b|f/u\b|office\s+visits?|follow[\s-]*up|visits?\b|exam(?:ination)?s?\b|re-?\s*evaluat\w*|"
                    r"re-?\s*check|appointments?)")
_CONSULT_WORD = _rx(r"\b(?:consult\w*|referr?al|refer\w*|transfer\s+of\s+care|toc\b|second\s+opinion|"
                           r"opinion|eval\w*|clearance|medications?\s+management)")


def _purpose(low: str) -> str:
    if "second opinion" in low:
        return "second_opinion"
    if "clearance" in low:
        return "clearance"
    if re.search(r"\bmedications?\s+management", low):
        return "medication_management"
    if re.search(r"\btreat\w*|transfer\s+of\s+care|\btoc\b", low):
        return "evaluate_treat"
    return "evaluation"


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of a consultation request (see :mod:`checker.requests.kinds`)."""
    fields["modality"] = None
    m = _SPECIALTY.search(low)
    specialty = m.lastgroup if m else ("other" if _OTHER_DOCTOR.search(low) else "unknown")
    purpose = _purpose(low)
    count = fields.get("quantity") or fields.get("sessions")
    if not isinstance(count, (int, float)) or isinstance(count, bool) or count <= 0:
        count = 1
    attrs = {"consult_specialty": specialty, "consult_purpose": purpose, "visit_count": count}
    fields["attributes"] = attrs
    if _MEDICOLEGAL.search(low):
        fields["kind"] = "consultation: medical-legal evaluation (not medical treatment)"
        return
    if _SURGEON.search(low):
        who = "neurosurgeon" if specialty == "neurosurgeon" else "surgeon"
        fields["kind"] = f"consultation: {who} {purpose.replace('_', ' ')}"
        # the ACOEM 2004 surgical-referral criteria exist for these regions; a surgeon's consultation for another
        # region (hip, elbow) or none named is judged as a referral by ACOEM Ch 7
        if set(fields.get("regions") or ()) & _SURGICAL_REGIONS:
            fields["modality"] = "surgical_consultation"
        else:
            fields["modality"] = "specialist_referral"
        return
    consult = _CONSULT_WORD.search(low) is not None
    if consult or specialty not in ("unknown",):
        if not consult and _VISIT.search(low):  # "Orthopedic follow-up visit": a visit with that specialist
            fields["modality"] = "office_visit"
            fields["kind"] = f"consultation: office visit ({specialty.replace('_', ' ')})"
            return
        fields["modality"] = "specialist_referral"
        label = purpose.replace("_", " ") if purpose in ("clearance", "medication_management") else (
            f"{specialty.replace('_', ' ')} {purpose.replace('_', ' ')}")
        fields["kind"] = f"consultation: {label}"
        return
    if _VISIT.search(low):
        fields["modality"] = "office_visit"
        fields["kind"] = "consultation: office visit" if count == 1 else f"consultation: office visits x{count:g}"
        return
    fields["kind"] = "consultation: " + " ".join(s.split()[:6]).strip(" ,;:.")
