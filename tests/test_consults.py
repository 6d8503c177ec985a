"""Request reading for consultations, office visits and programs (checker/requests/consultations.py, programs.py)."""
from __future__ import annotations

import pytest

from checker.requests import normalize_request

# (request as written, category, modality, attribute subset)
CASES = [
    # consultation forms seen in the corpus
    ("Physical exam 2 times 8", "consultation", "office_visit", {"visit_count": 16}),
    ("Initial exam", "consultation", "office_visit", {"visit_count": 1}),
    ("TOC to ortho spine surgeon eval and treatment", "consultation", "surgical_consultation",
     {"consult_purpose": "evaluate_treat"}),
    ("Medical Clearance", "consultation", "specialist_referral", {"consult_purpose": "clearance"}),
    ("Neurosurgeon evaluation for the Low back/Pelvis", "consultation", "surgical_consultation",
     {"consult_specialty": "neurosurgeon"}),
    ("Medication management consultation", "consultation", "specialist_referral",
     {"consult_purpose": "medication_management"}),
    ("Follow up office visit times 2", "consultation", "office_visit", {"visit_count": 2}),
    ("Spine surgery evaluation for the lumbar", "consultation", "surgical_consultation", {"consult_specialty": "surgeon"}),
    # office forms
    ("Pain management consultation", "consultation", "specialist_referral",
     {"consult_specialty": "pain_management", "consult_purpose": "evaluation"}),
    ("Referral to internal medicine for pre-op clearance", "consultation", "specialist_referral",
     {"consult_purpose": "clearance"}),
    ("Ortho surgical consult R knee", "consultation", "surgical_consultation", {}),
    ("Second opinion with spine surgeon", "consultation", "surgical_consultation", {"consult_purpose": "second_opinion"}),
    ("F/U office visit", "consultation", "office_visit", {"visit_count": 1}),
    ("Neurology consult", "consultation", "specialist_referral", {"consult_specialty": "neurology"}),
    # program forms seen in the corpus
    ("Acute inpatient rehabilitation physical therapy and occupational therapy 7-10 days for left foot fracture",
     "program", "inpatient_rehab", {"program_days": 10}),
    ("Four sessions of biofeedback two times a week times 2 weeks", "program", "biofeedback", {}),
    ("Home aide 6 hours per day, 5 times a week for 4 weeks to assist with mobility, transfer, ADL's and safety in "
     "the home", "program", "home_health", {"hours_per_week": 30}),
    ("Wound care nurse, 1-2 visits to evaluate right hip incision, treat, and demonstrate treatment", "program",
     "home_health", {}),
    ("one week trial of Acute Rehabilitation Unit", "program", "inpatient_rehab", {"program_days": 7}),
    ("Transportation to/from all medical appointments", "program", "transportation", {}),
    ("Gym membership", "program", "gym_membership", {}),
    # office forms
    ("Functional restoration program x 10 days", "program", "functional_restoration", {"program_days": 10}),
    ("HELP program 80 hours", "program", "functional_restoration", {"program_hours": 80}),
    ("SNF x 14 days", "program", "inpatient_rehab", {"program_days": 14}),
    ("Home health aide 4 hrs/day 7 days/wk", "program", "home_health", {"hours_per_week": 28}),
    ("CBT x 4 sessions", "program", "psychotherapy", {}),
    ("YMCA pool membership x 3 months", "program", "gym_membership", {}),
]


@pytest.mark.parametrize("text,category,modality,attrs", CASES, ids=[c[0][:40] for c in CASES])
def test_reading(text, category, modality, attrs):
    r = normalize_request(text)
    assert (r.category, r.modality) == (category, modality)
    assert r.in_scope
    for k, v in attrs.items():
        assert r.attributes.get(k) == v, (k, r.attributes)


def test_sessions_read_for_programs():
    assert normalize_request("Four sessions of biofeedback two times a week times 2 weeks").sessions == 4
    assert normalize_request("CBT x 4 sessions").sessions == 4


def test_home_health_services():
    r = normalize_request("Home aide 6 hours per day, 5 times a week for 4 weeks to assist with ADLs and cleaning")
    assert set(r.attributes["home_health_services"]) == {"personal_care", "homemaker"}
    r = normalize_request("Wound care nurse, 1-2 visits to evaluate right hip incision")
    assert {"wound_care", "skilled_nursing"} <= set(r.attributes["home_health_services"])


@pytest.mark.parametrize("text,kind", [
    ("QME report", "consultation: medical-legal evaluation (not medical treatment)"),
    ("Weight loss program", "program: weight loss program"),
    ("Detox program 7 days", "program: detoxification"),
])
def test_out_of_scope_keeps_its_kind(text, kind):
    r = normalize_request(text)
    assert not r.in_scope and r.modality is None
    assert r.kind == kind


def test_surgery_itself_stays_surgery():
    assert normalize_request("Lumbar surgery").category == "surgery"
    assert normalize_request("L4-5 decompression surgery").category == "surgery"


@pytest.mark.parametrize("text", ["", "   ", "visit", "program", "consult ####", None, 12])
def test_bad_input_no_traceback(text):
    normalize_request(text)


def test_surgeon_consult_without_a_chapter_region_is_a_referral():
    r = normalize_request("Orthopedic surgeon consultation for the left hip")
    assert (r.category, r.modality) == ("consultation", "specialist_referral")
    assert r.kind == "consultation: surgeon evaluation"
    r = normalize_request("Orthopedic surgeon consultation")
    assert r.modality == "specialist_referral"
    assert normalize_request("Orthopedic surgeon consultation for the left knee").modality == "surgical_consultation"


@pytest.mark.parametrize("text,modality", [
    ("RTC 4 weeks", "office_visit"),
    ("F/u visit", "office_visit"),
    ("Post-op visit after knee surgery", "office_visit"),
    ("Evaluation for possible surgery of the knee", "surgical_consultation"),
    ("Second opinion spine surgery", "surgical_consultation"),
    ("L4-5 fusion surgery consult", "surgical_consultation"),
    ("Psych consult", "specialist_referral"),
    ("Neuro consult", "specialist_referral"),
    ("HHA 4 hrs/day x 5 days/wk", "home_health"),
    ("Taxi to appointments", "transportation"),
    ("Home health nursing 2x/wk x 3 wks for wound care", "home_health"),
])
def test_office_shorthand(text, modality):
    assert normalize_request(text).modality == modality


def test_heads_that_stay_elsewhere():
    assert normalize_request("Home health PT 2x4").modality == "pt"
    assert normalize_request("Follow-up MRI of the lumbar spine").modality == "mri"
    assert normalize_request("Knee surgery").category == "surgery"
    hha = normalize_request("HHA 4 hrs/day x 5 days/wk")
    assert hha.attributes["hours_per_week"] == 20 and "program_days" not in hha.attributes
