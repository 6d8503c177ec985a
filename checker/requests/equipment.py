"""Requests for equipment: durable medical equipment, braces, devices and supplies (category ``equipment``).

See :mod:`checker.requests.kinds` for the contract. ``read`` names the kind of device and the modality its criteria
name (``checker/criteria/*`` files whose ``applies_to.modalities`` list these):

``brace``               braces, supports, splints, slings, collars, belts, orthoses and foot orthotics (the body
                        region of the request says which chapter judges it: lumbar support, wrist splint...)
``pillow``              cervical, neck or wedge pillows (a pillow *with a sling* is the sling's abduction pillow)
``cold_therapy_unit``   continuous-flow cryotherapy and cold compression units (Game Ready, Polar Care...)
``compression_garment`` compression wraps, stockings, sleeves and garments (a wrap with cold therapy is the unit's)
``walking_aid``         canes, crutches, walkers, knee scooters, wheelchairs and power mobility devices
``hearing_aid``         hearing aids
``tens_unit``           a TENS or interferential unit bought after a home trial (the trial itself is therapy/e_stim)
``h_wave``              an H-wave device, trial or purchase
``cpm``                 continuous passive motion
``dme``                 other home equipment and supplies: beds, mattresses, chairs, commodes, bath and toilet
                        items, gloves, wipes (ODG's definition of DME decides them)

Anything else (kits, an unnamed "unit" or "machine", bone growth stimulators...) stays out of scope with its kind.
A named topical drug pad ("Salonpas pad #60") is a medication: the item is handed to the medication module.

Attributes: ``rental`` / ``purchase`` (bool), ``rental_days`` (the rental's or use's duration in days: "30 day
rental", "x 2 weeks", "1 month"), ``powered`` (a power wheelchair or scooter), ``dme_supply`` (a disposable supply:
gloves, wipes, pads, dressings - not DME by ODG's definition), ``dme_with_surgery`` (the request is for use with a
surgery: "associated surgical service", "post-op", "after surgery"), ``cold_compression`` (a cold unit with
compression: Game Ready, Vascutherm), ``abduction_pillow`` (a sling with an abduction pillow).
"""
from __future__ import annotations

import re
from typing import Optional
from checker.regex_cache import compile_stored as _rx  # compiled code kept between runs

CATEGORY = "equipment"
MODALITIES: tuple[str, ...] = ("brace", "pillow", "cold_therapy_unit", "compression_garment", "walking_aid",
                               "hearing_aid", "tens_unit", "h_wave", "cpm", "dme")
ATTRIBUTES: dict[str, object] = {
    "rental": "bool",
    "purchase": "bool",
    "rental_days": "number",
    "powered": "bool",
    "dme_supply": "bool",
    "dme_with_surgery": "bool",
    "cold_compression": "bool",
    "abduction_pillow": "bool",
}

# (modality, kind label, pattern) tried in this order on the lower-cased request; the first that matches wins
_TOPICAL_DRUG = _rx(r"\b(?:salonpas|lidoderm|lidocaine|flector|terocin|menthoderm|capsaicin|voltaren|"
                           r"bengay|icy\s*hot|biofreeze|thermacare|diclofenac|ketoprofen)\b")
_DEVICES: tuple[tuple[str, str, re.Pattern], ...] = tuple((m, k, re.compile(p)) for m, k, p in (
    ("h_wave", "h-wave device", r"\bh-?\s*wave\b"),
    ("tens_unit", "tens unit", r"\btens\b|transcutaneous\s+electrical|\binterferential\b|\bif\s+unit\b|\bifc\b|"
                               r"\be-?\s*stim\w*\s+unit|\belectr\w*\s+(?:muscle\s+|nerve\s+)?stim\w*\s+unit"),
    ("cpm", "continuous passive motion", r"\bcpm\b|continuous\s+passive\s+motion"),
    ("cold_therapy_unit", "cold therapy unit",
     r"\bcryo\w*|\bcold\b|\bice\b|game\s*ready|polar\s*care|vasc?utherm\w*|\bcoolcare|\bsqueeze\s*ice"),
    ("hearing_aid", "hearing aids", r"\bhearing\s+aids?\b"),
    ("brace", "sling", r"\bslings?\b|\bultra\s*sling\b|\bimmobili[sz]er\b"),
    ("pillow", "pillow", r"\bpillows?\b"),
    ("walking_aid", "walking aid",
     r"\bcanes?\b|\bcrutch\w*|\bwalkers?\b|\brollator\w*|\bscooters?\b|\bwheel\s*chairs?\b|\bpower\s+chair|"
     r"\bmobility\s+(?:device|scooter|aid)"),
    ("compression_garment", "compression garment",
     r"\bcompression\s+(?:garments?|stockings?|sleeves?|hose|socks?|wraps?|bandages?|shorts)|\bstockings?\b|"
     r"\bted\s+hose\b|\bsleeves?\b|\bgarments?\b|\bwraps?\b|\bace\s+bandages?\b"),
    ("brace", "brace or support",
     r"\bbraces?\b|\bsupports?\b|\bsplints?\b|\borthos[ie]s\b|\borthotics?\b|\binsoles?\b|\bcollars?\b|"
     r"\bbelts?\b|\bcorsets?\b|\bbinder\b|\bboot\b|\b[ct]?lso\b|\bheel\s+cups?\b|\bthumb\s+spica\b"),
    ("dme", "home equipment",
     r"\bhospital\s+beds?\b|\bbeds?\b|\bmattress\w*|\bcommode\w*|\bshower\b|\bbath\w*\b|\btub\b|\bgrab\s+bars?\b|"
     r"\btoilet\b|\breachers?\b|\bchairs?\b|\brecliner\b|\bcushions?\b|\bheating\s+pads?\b|\bergonomic\b|"
     r"\blift\s+chair\b|\bhome\s+modification"),
    ("dme", "supplies", r"\bgloves?\b|\bwipes?\b|\bdressings?\b|\bbandages?\b|\bgauze\b|\bunderpads?\b|"
                        r"\bdiapers?\b|\bbriefs\b|\bchux\b|\bpads?\b|\btape\b|\bsupplies\b|\belectrodes?\b"),
))
_SUPPLY = _rx(r"\bgloves?\b|\bwipes?\b|\bdressings?\b|\bbandages?\b|\bgauze\b|\bunderpads?\b|\bdiapers?\b|"
                     r"\bbriefs\b|\bchux\b|\bpads?\b|\btape\b|\bsupplies\b|\belectrodes?\b|\bdisposable\b")
_POWERED = _rx(r"\bpower(?:ed)?\b|\bmotori[sz]ed\b|\belectric\b|\bmobility\s+scooter\b")
_KNEE_SCOOTER = _rx(r"\bknee\s+(?:scooter|walker)\b")
_RENTAL = _rx(r"\brent\w*|\blease\b|\bloan\b")
_PURCHASE = _rx(r"\bpurchas\w*|\bbuy\b|\bbought\b")
_DAYS = _rx(r"\b([0-9]{1,3})\s*-?\s*(days?|weeks?|wks?|months?|mos?)\b")
_WITH_SURGERY = _rx(r"associated\s+surgical\s+services?|\bpost[\s-]*op\w*|\bpost[\s-]*surg\w*|"
                           r"\bafter\s+(?:the\s+)?surgery|\bfollowing\s+(?:the\s+)?surgery|\bperi-?\s*op\w*|"
                           r"\bs/p\b")
_DEVICE_KIND = _rx(r"\b(?:cervical|neck|wedge|orthopedic|contour|abduction)\s+pillows?\b")


def _days(low: str) -> Optional[int]:
    """The duration in days asked for: "30 day rental", "x 2 weeks", "for 1 month"."""
    m = _DAYS.search(low)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if unit.startswith("w"):
        return n * 7
    if unit.startswith("mo"):
        return n * 30
    return n


def read(s: str, low: str, fields: dict) -> None:
    """Set the modality, kind and attributes of an equipment request (see :mod:`checker.requests.kinds`)."""
    fields["modality"] = None
    if _TOPICAL_DRUG.search(low):
        # a named drug patch or pad is a medication, whatever "pad" says ("Salonpas pad #60")
        from . import medications

        fields["category"] = medications.CATEGORY
        medications.read(s, low, fields)
        return
    modality = label = None
    for mod, kind, rx in _DEVICES:
        if rx.search(low):
            modality, label = mod, kind
            break
    original = str(fields.get("text") or "").lower()
    attrs: dict[str, object] = {}
    rental = _RENTAL.search(low) is not None
    purchase = _PURCHASE.search(low) is not None
    attrs["rental"] = rental
    attrs["purchase"] = purchase
    days = _days(low)
    if days is not None:
        attrs["rental_days"] = days
    attrs["dme_with_surgery"] = bool(_WITH_SURGERY.search(original) or _WITH_SURGERY.search(low)
                                     or fields.get("postsurgical"))
    if modality == "cold_therapy_unit" and not re.search(
            r"\bunit\b|\bdevice\b|\bmachine\b|\bsystem\b|rent|purchas|compression|game\s*ready|polar|vasc?utherm|"
            r"coolcare|squeeze|\bwraps?\b|\bpads?\b", low):
        modality = None  # "cold packs" without a device is a clinic modality, not read here
    if modality == "cold_therapy_unit":
        attrs["cold_compression"] = bool(re.search(r"compression|game\s*ready|vasc?utherm|squeeze", low))
    if modality == "brace" and label == "sling":
        attrs["abduction_pillow"] = bool(re.search(r"abduction|ultra\s*sling|pillow", low))
    if modality == "walking_aid":
        attrs["powered"] = _POWERED.search(low) is not None and not _KNEE_SCOOTER.search(low)
        if _KNEE_SCOOTER.search(low):
            label = "knee scooter"
        elif attrs["powered"]:
            label = "power mobility device"
    if modality == "dme":
        attrs["dme_supply"] = _SUPPLY.search(low) is not None and label == "supplies"
    if modality == "pillow":
        m = _DEVICE_KIND.search(low)
        label = m.group(0) if m else "pillow"
    if modality == "brace" and label == "brace or support" and re.search(r"\borthotics?\b|\binsoles?\b|\bheel\s+cups?",
                                                                        low):
        label = "foot orthotics"
        if not fields.get("regions"):
            fields["regions"] = ["ankle_foot"]
    if modality == "brace" and not fields.get("regions") and re.search(r"\b[ct]?lso\b", low):
        fields["regions"] = ["lumbar"]  # a lumbo-sacral orthosis
    fields["attributes"] = {**(fields.get("attributes") or {}), **attrs}
    fields["modality"] = modality
    if modality is not None:
        region = ", ".join(fields.get("regions") or [])
        fields["kind"] = f"equipment: {label}" + (f" ({region})" if region and modality == "brace" else "") + (
            " rental" if rental else " purchase" if purchase else "")
