"""Facts of consultations, office visits and programs (checker/lexicon/*.d/consults.yaml): presence, negation,
time (prior care, plans and requests), speaker, and how the engine reads them."""
from __future__ import annotations

import datetime as dt

import pytest

from checker.facts import extract_facts
from checker.predict import default_checker


def states(text, name, **kw):
    return [("neg" if f.negated else "hyp" if f.hypothetical else "pos") for f in extract_facts(text, **kw)
            if f.name == name]


@pytest.mark.parametrize("text,name", [
    ("The etiology of the pain remains unclear.", "diagnosis_uncertain"),
    ("Differential diagnosis includes facet versus discogenic pain.", "diagnosis_uncertain"),
    ("Recovery has been delayed; she is not progressing as expected.", "delayed_recovery"),
    ("He reports depression and fear avoidance.", "psychosocial_factors"),
    ("MRI of the lumbar spine 3/2016 showed a disc herniation at L5-S1 with nerve root compression.",
     "surgical_lesion_imaging"),
    ("MRI showed a full-thickness supraspinatus tear.", "surgical_lesion_imaging"),
    ("The patient is homebound and wheelchair bound.", "homebound"),
    ("She requires assistance with all activities of daily living.", "adl_assistance"),
    ("He required 2 people to assist to transfer to the bed.", "adl_assistance"),
    ("The incision needs daily dressing changes.", "skilled_care_need"),
    ("He was hospitalized for 6 days and discharged home.", "recent_hospitalization"),
    ("He is unable to work and unable to walk more than a block.", "functional_loss"),
    ("He is highly motivated to return to work.", "motivated_to_change"),
    ("A multidisciplinary evaluation was completed with baseline functional testing.", "frp_evaluation"),
    ("He completed 2 weeks of the functional restoration program.", "prior_frp"),
    ("She has completed 6 sessions of CBT with a psychologist.", "cognitive_behavioral_therapy"),
    ("He had 4 sessions of biofeedback.", "prior_biofeedback"),
    ("The home exercise program has not been effective.", "home_exercise_failed"),
    ("She needs access to a pool and weight machines.", "exercise_equipment_need"),
    ("The program will be supervised by a physical therapist.", "supervised_exercise"),
    ("He is unable to drive while in the cast.", "cannot_self_transport"),
])
def test_present(text, name):
    assert "pos" in states(text, name), [(f.name, f.evidence.quote) for f in extract_facts(text)]


@pytest.mark.parametrize("text,name", [
    ("She denies depression or anxiety.", "psychosocial_factors"),
    ("He is independent with ADLs.", "adl_assistance"),
    ("He drives himself to appointments.", "cannot_self_transport"),
    ("He drives himself to appointments.", "homebound"),
    ("She is doing well with her home exercise program.", "home_exercise_failed"),
    ("He shows poor motivation and secondary gain issues.", "motivated_to_change"),
    ("He will exercise alone, not supervised by a therapist.", "supervised_exercise"),
    ("No prior psychotherapy.", "cognitive_behavioral_therapy"),
])
def test_negated(text, name):
    got = states(text, name)
    assert got and set(got) == {"neg"}, got


@pytest.mark.parametrize("text", [
    "MRI showed no herniation or stenosis.",
    "MRI of the lumbar spine was negative for stenosis.",
])
def test_a_negative_study_is_no_lesion(text):
    assert "pos" not in states(text, "surgical_lesion_imaging")


@pytest.mark.parametrize("text,name", [
    ("Request for CBT 6 sessions.", "cognitive_behavioral_therapy"),
    ("The plan includes biofeedback x4.", "prior_biofeedback"),
    ("Request for a functional restoration program evaluation.", "frp_evaluation"),
    ("Plan: HELP program x 10 days.", "prior_frp"),
])
def test_a_request_or_plan_is_not_care_given(text, name):
    assert "pos" not in states(text, name)


def test_claims_administrator_speaker():
    fs = [f for f in extract_facts("The claims administrator noted the patient is homebound.") if f.name == "homebound"]
    assert fs and fs[0].asserted_by == "claims_administrator"


def test_engine_reads_the_facts():
    ch = default_checker()
    r = ch.check("Right femur fracture; he is unable to drive.", "Transportation to medical appointments",
                 as_of=dt.date(2017, 1, 10))
    assert r.imr_outcome == "Overturned"
    assert any("unable to drive" in e.quote for e in r.evidence)
    r = ch.check("Right femur fracture. He drives himself to appointments.", "Transportation to medical appointments",
                 as_of=dt.date(2017, 1, 10))
    assert r.imr_outcome == "Upheld" and r.status == "not met"


def test_reason_codes_stay_in_their_modalities():
    """A fact this category declares a code for (conservative care failed, medications) must not name that code
    for another category's unmet criteria."""
    ch = default_checker()
    r = ch.check("Low back pain for 2 weeks. Medications: ibuprofen.", "MRI of the lumbar spine",
                 as_of=dt.date(2016, 6, 1))
    assert "indication_not_documented" not in r.reasons


def test_a_lesion_elsewhere_does_not_support_the_referral():
    ch = default_checker()
    text = ("Injured 4 months ago. Left knee pain; failed physical therapy. MRI of the lumbar spine showed a disc "
            "herniation at L5-S1.")
    r = ch.check(text, "Orthopedic surgeon consultation for the left knee", as_of=dt.date(2016, 10, 1))
    assert r.imr_outcome == "Upheld"
    r = ch.check(text.replace("lumbar spine", "left knee").replace("a disc herniation at L5-S1",
                                                                     "a medial meniscus tear"),
                 "Orthopedic surgeon consultation for the left knee", as_of=dt.date(2016, 10, 1))
    assert r.imr_outcome == "Overturned"
