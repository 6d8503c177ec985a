"""Tests (category ``test``): request reading (checker/requests/testing.py), the tests' facts
(checker/lexicon/*.d/tests.yaml) and their criteria end to end."""
from __future__ import annotations

from datetime import date

import pytest

from checker.engine import build_features
from checker.facts import extract_facts
from checker.predict import default_checker
from checker.requests import normalize_request


# --------------------------------------------------------------------------- request reading
@pytest.mark.parametrize("text,modality,attrs", [
    # every form of the corpus
    ("Comprehensive psychological testing", "psych_testing", {"testing_only": True, "instruments_named": False}),
    ("Electroencephalogram", "eeg", {}),
    ("Labs to include: EKG", "ecg", {}),
    ("Urine Test", "udt", {}),
    ("Urine drug testing", "udt", {}),
    ("Functional capacity evaluation", "fce", {}),
    ("Jamar grip test", "rom_testing", {"measures": ["grip"]}),
    ("Range of motion of test", "rom_testing", {"measures": ["rom"]}),
    ("Pre-op labs: CBC", "preop_lab", {"labs": ["cbc"]}),
    ("Pre-op labs: CMP", "preop_lab", {"labs": ["metabolic_panel"]}),
    ("Pre-op labs: PT/PTT", "preop_lab", {"labs": ["coagulation"]}),
    ("Pre-op urinalysis", "preop_lab", {"labs": ["urinalysis"]}),
    ("SSEP of the lumbar and lower extremities", "ssep", {"intraoperative": False}),
    ("Electrocardiogram times 3", "ecg", {}),
    # office forms
    ("UDS", "udt", {}),
    ("Random urine tox screen", "udt", {}),
    ("POC urine drug screen x1", "udt", {}),
    ("Preoperative CBC, BMP, PT/INR, UA", "preop_lab",
     {"labs": ["cbc", "metabolic_panel", "coagulation", "urinalysis"]}),
    ("Pre-op EKG", "ecg", {}),
    ("EEG to r/o seizure", "eeg", {}),
    ("Intraop SSEP neuromonitoring", "ssep", {"intraoperative": True}),
    ("FCE", "fce", {}),
    ("Psych eval", "psych_testing", {"testing_only": False}),
    ("Psychological testing: MMPI-2, BDI", "psych_testing", {"testing_only": True, "instruments_named": True}),
    ("Neuropsychological testing", "neuropsych_testing", {}),
    ("Neuropsych eval", "neuropsych_testing", {}),
    ("Computerized ROM and grip strength testing", "rom_testing", {"measures": ["rom", "grip"]}),
    ("Muscle testing of the upper extremities", "rom_testing", {"measures": ["strength"]}),
])
def test_test_requests_are_read(text, modality, attrs):
    r = normalize_request(text)
    assert r.category == "test" and r.in_scope
    assert r.modality == modality
    assert r.kind.startswith("test: ")
    for k, v in attrs.items():
        assert r.attributes[k] == v, (k, r.attributes)


def test_pre_op_prefix_and_words_make_the_request_preoperative():
    assert normalize_request("Pre-op labs: CBC").preoperative
    assert normalize_request("Pre-op urinalysis").preoperative
    assert normalize_request("Preoperative EKG").preoperative
    assert not normalize_request("Labs to include: EKG").preoperative
    assert normalize_request("Electrocardiogram times 3").quantity == 3


@pytest.mark.parametrize("text", ["Sleep study", "Video EEG monitoring",
                                  "Echocardiogram", "Genetic testing"])
def test_other_tests_are_out_of_scope_with_their_kind(text):
    r = normalize_request(text)
    assert r.category == "test" and not r.in_scope and r.modality is None
    assert r.kind.lower().startswith("test: " + text.split()[0].lower())


def test_urinalysis_is_not_a_drug_screen():
    assert normalize_request("UA").modality == "preop_lab"
    assert normalize_request("Urine drug screen").modality == "udt"
    assert normalize_request("Urinalysis").attributes["labs"] == ["urinalysis"]


# --------------------------------------------------------------------------- facts
def _state(text, name, request="Urine drug screen", as_of=date(2017, 1, 10)):
    return build_features(extract_facts(text), normalize_request(request), as_of)[f"f_{name}"]


@pytest.mark.parametrize("text,state", [
    ("Meds: Norco 10/325 TID.", "present"),
    ("He is not on opioids.", "absent"),
    ("He takes ibuprofen only; no opioid medications.", "absent"),
    ("Plan: start Norco 5/325 #30 after surgery.", "present"),
    ("P: refill Norco 10/325 TID #90.", "present"),
    ("Knee sprain, pain 4/10.", "unknown"),
])
def test_udt_opioid_therapy(text, state):
    assert _state(text, "udt_opioid_therapy") == state


@pytest.mark.parametrize("text,state", [
    ("Early refills twice this month.", "present"),
    ("Last UDS was inconsistent.", "present"),
    ("History of cocaine use.", "present"),
    ("No aberrant behavior. UDS consistent.", "absent"),
])
def test_udt_aberrant_behavior(text, state):
    assert _state(text, "udt_aberrant_behavior") == state


def test_a_prior_drug_screen_is_not_the_one_requested():
    assert _state("UDS 9/1/16 consistent with prescriptions.", "udt_prior_test") == "present"
    assert _state("Plan: UDS today.", "udt_prior_test") == "unknown"


@pytest.mark.parametrize("name,text,state", [
    ("anticoagulant_use", "On warfarin for atrial fibrillation.", "present"),
    ("anticoagulant_use", "Not on blood thinners.", "absent"),
    ("bleeding_risk", "No history of bleeding.", "absent"),
    ("bleeding_risk", "Von Willebrand disease.", "present"),
    ("renal_disease", "CKD stage 3.", "present"),
    ("diabetes", "PMH: DM2 on metformin.", "present"),
    ("diabetes", "Denies diabetes.", "absent"),
    ("cardiac_risk_factor", "Prior myocardial infarction in 2010.", "present"),
    ("electrolyte_medication", "Meds: lisinopril, HCTZ.", "present"),
    ("seizure", "No report of stiffening or convulsing.", "absent"),
    ("seizure", "EEG to rule out seizure.", "suspected"),
    ("seizure", "Febrile seizures as a toddler.", "unknown"),
    ("seizure", "He had a seizure at work last week.", "present"),
    ("neuro_deterioration", "Headaches and memory problems are worsening.", "present"),
    ("rtw_failed", "He tried to return to work in May but could not tolerate full duty.", "present"),
    ("near_mmi", "The physician expects him to reach MMI next month.", "present"),
    ("psych_symptoms", "Denies depression or anxiety.", "absent"),
    ("psych_symptoms", "Depressed mood, poor sleep.", "present"),
])
def test_test_facts_and_their_negation(name, text, state):
    assert _state(text, name, request="Pre-op labs: CBC") == state


@pytest.mark.parametrize("name,text,state", [
    # surgery types are read only inside a plan or request
    ("implant_surgery", "Plan: laparoscopic inguinal hernia repair with mesh.", "present"),
    ("implant_surgery", "He had a lumbar fusion in 2009.", "unknown"),
    ("low_risk_surgery", "Right carpal tunnel release is scheduled.", "present"),
    ("blood_loss_surgery", "Plan: L4-5 fusion next month.", "present"),
    ("urologic_surgery", "Cystoscopy is planned.", "present"),
])
def test_planned_surgery_types(name, text, state):
    assert _state(text, name, request="Pre-op urinalysis") == state


def test_the_claims_administrators_decision_on_a_screen_is_not_a_prior_screen():
    text = "The claims administrator denied the urine drug screen, noting no opioid use."
    assert _state(text, "udt_prior_test") == "unknown"
    assert _state("Urine drug screen on 11/8/2016 was consistent.", "udt_prior_test") == "present"


# --------------------------------------------------------------------------- criteria end to end
CH = default_checker()


def _check(text, request, as_of=date(2017, 1, 10)):
    return CH.check(text, request, as_of=as_of)


def test_drug_screen_follows_opioid_therapy():
    on = _check("Chronic LBP. Meds: Norco 10/325 TID. Pain agreement signed.", "Urine drug screen", date(2016, 6, 1))
    off = _check("Knee sprain. Takes ibuprofen; not on opioids.", "Urine drug screen", date(2016, 6, 1))
    assert on.imr_outcome == "Overturned" and "mtus.cpmtg.drug-testing.opioid-therapy" in on.rules
    assert off.imr_outcome == "Upheld" and "no_opioid_therapy" in off.reasons


def test_a_combined_preop_lab_request_is_decided_whole():
    text = "On warfarin. No anemia, no kidney disease. Lumbar discectomy is scheduled."
    assert _check(text, "Pre-op labs: PT/PTT").imr_outcome == "Overturned"
    both = _check(text, "Pre-op labs: CBC, PT/PTT")
    assert both.imr_outcome == "Upheld" and "odg.preop.cbc-not-indicated" in both.rules


def test_preop_tests_need_a_planned_surgery():
    r = _check("Chronic neck pain, managed with HEP.", "Pre-op labs: CBC")
    assert r.imr_outcome == "Upheld" and "no_surgical_plan" in r.reasons


def test_an_ecg_for_symptoms_finds_no_rule_and_says_so():
    r = _check("Palpitations for two weeks, no chest pain.", "Electrocardiogram")
    assert r.status == "no rule applies" and r.imr_outcome is None


def test_range_of_motion_testing_is_not_a_separate_service():
    r = _check("Neck pain, ROM decreased.", "Computerized range of motion testing")
    assert r.imr_outcome == "Upheld" and r.reasons == ["modality_not_recommended"]


def test_fce_needs_a_return_to_work_question():
    yes = _check("Failed attempt to return to work in May. Near MMI.", "Functional capacity evaluation",
                 date(2016, 6, 1))
    no = _check("Neck strain 4 weeks ago, improving with PT.", "Functional capacity evaluation", date(2016, 6, 1))
    assert yes.imr_outcome == "Overturned"
    assert no.imr_outcome == "Upheld" and no.status == "insufficient"


def test_eeg_for_deterioration_not_in_the_first_days():
    assert _check("Head injury 6 weeks ago; headaches worsening, witnessed seizure.", "EEG").imr_outcome == "Overturned"
    early = _check("Struck on the head 2 days ago, brief loss of consciousness, CT negative.", "EEG")
    assert early.imr_outcome == "Upheld" and "early_window" in early.reasons


def test_neuropsychological_testing_waits_out_the_first_month_after_a_concussion():
    early = _check("Struck on the head 10 days ago, CT negative, mild headache.", "Neuropsychological testing")
    late = _check("Fell and struck his head 3 months ago; subdural hematoma on CT; memory problems are worsening.",
                  "Neuropsychological testing")
    assert early.imr_outcome == "Upheld" and "early_window" in early.reasons
    assert late.imr_outcome == "Overturned"


@pytest.mark.parametrize("text", ["", "   ", "EKG x", "#3", "Urine", "Labs to include:", "Pre-op", "psych"])
def test_odd_test_requests_never_raise(text):
    r = normalize_request(text)
    _check("No history.", r)


def test_a_psychiatric_consultation_is_a_consultation_not_a_test():
    r = normalize_request("Psychiatric consultation")
    assert r.category == "consultation" and r.in_scope
