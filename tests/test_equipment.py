"""Request reading for equipment items (checker/requests/equipment.py): every form the corpus letters use, and
office forms."""
from __future__ import annotations

import pytest

from checker.requests import normalize_request

CASES = [
    # corpus forms
    ("Associated surgical service: Cold compression therapy 30 day rental", "cold_therapy_unit",
     {"rental": True, "rental_days": 30, "dme_with_surgery": True}),
    ("Associated surgical service: Shoulder wrap for purchase", "compression_garment",
     {"purchase": True, "dme_with_surgery": True}),
    ("Associated surgical service: Shoulder sling with abduction pillow", "brace", {"dme_with_surgery": True}),
    ("Lumbar support", "brace", {"rental": False, "purchase": False}),
    ("Cervical pillow", "pillow", {}),
    ("Wedge pillow", "pillow", {}),
    ("Wrist braces #2", "brace", {}),
    ("Elbow braces #2", "brace", {}),
    ("Bilateral hearing aids", "hearing_aid", {}),
    ("1 knee scooter", "walking_aid", {"powered": False}),
    ("Large gloves", "dme", {"dme_supply": True}),
    ("Hygiene wipes", "dme", {"dme_supply": True}),
    # office forms
    ("TENS unit purchase", "tens_unit", {"purchase": True}),
    ("Interferential unit purchase", "tens_unit", {"purchase": True}),
    ("H-wave unit 30 day home trial", "h_wave", {"rental_days": 30}),
    ("Purchase of H-wave device", "h_wave", {"purchase": True}),
    ("CPM rental x 21 days", "cpm", {"rental": True, "rental_days": 21}),
    ("Game Ready cold therapy unit x 2 weeks", "cold_therapy_unit", {"rental_days": 14}),
    ("Vascutherm rental 1 month", "cold_therapy_unit", {"rental": True, "rental_days": 30}),
    ("Cold therapy unit post-op 7 days", "cold_therapy_unit", {"rental_days": 7, "dme_with_surgery": True}),
    ("Front wheeled walker", "walking_aid", {"powered": False}),
    ("Power wheelchair", "walking_aid", {"powered": True}),
    ("Motorized scooter", "walking_aid", {"powered": True}),
    ("LSO brace", "brace", {}),
    ("Hinged knee brace, left", "brace", {}),
    ("Cock-up wrist splint", "brace", {}),
    ("Cervical collar", "brace", {}),
    ("Compression stockings", "compression_garment", {}),
    ("Custom orthotics", "brace", {}),
    ("Hospital bed", "dme", {"dme_supply": False}),
    ("Raised toilet seat", "dme", {"dme_supply": False}),
    ("Heating pad", "dme", {"dme_supply": False}),
]


@pytest.mark.parametrize("text,modality,attrs", CASES, ids=[c[0] for c in CASES])
def test_equipment_requests(text, modality, attrs):
    r = normalize_request(text)
    assert r.category == "equipment", r
    assert r.modality == modality
    assert r.in_scope
    assert r.kind.startswith("equipment: ")
    for k, v in attrs.items():
        assert r.attributes.get(k) == v, (k, r.attributes)


def test_regions_and_quantity():
    assert normalize_request("Wrist braces #2").regions == ["hand_wrist"]
    assert normalize_request("Wrist braces #2").quantity == 2
    assert normalize_request("Elbow braces #2").regions == ["elbow"]
    assert normalize_request("Lumbar support").regions == ["lumbar"]
    assert normalize_request("LSO brace").regions == ["lumbar"]
    assert normalize_request("Associated surgical service: Shoulder sling with abduction pillow").regions == ["shoulder"]
    assert normalize_request("Lumbar support").kind == "equipment: brace or support (lumbar)"
    assert normalize_request("1 knee scooter").kind == "equipment: knee scooter"


def test_stimulator_trial_stays_therapy():
    # the one-month home trial is judged as therapy (MTUS TENS criteria); only the purchase is equipment
    assert normalize_request("TENS unit").modality == "e_stim"
    assert normalize_request("TENS unit 30 day rental").category == "therapy"


def test_drug_pad_is_a_medication():
    r = normalize_request("Salonpas pad #60")
    assert r.category == "medication"
    assert r.quantity == 60


def test_unknown_device_out_of_scope_with_kind():
    r = normalize_request("Home exercise kit")
    assert r.category == "equipment" and not r.in_scope
    assert "kit" in r.kind


@pytest.mark.parametrize("bad", ["", "   ", "rental", "purchase #", "x 999999 days rental", None])
def test_bad_input_no_traceback(bad):
    r = normalize_request(bad)
    assert r.category in ("equipment", "other")
