"""Issue 11: the extractor on office-style clinic notes (synthetic sentences written for these tests).

Negation over coordinated lists, time scoping (current / past / resolved / planned), the speaker of a fact,
requests and UR decisions that never yield prior care, work status versus UR modification, office shorthand,
plans and wishes, family history.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker.engine import build_features, fact_state
from checker.facts import LexiconError, extract_facts, load_lexicon
from checker.models import Evidence, Fact
from checker.requests import normalize_request
from checker.rules import vocabulary


def facts(text, name=None):
    out = extract_facts(text)
    for f in out:
        assert text[f.evidence.start:f.evidence.end] == f.evidence.quote
    return [f for f in out if name is None or f.name == name]


def only(text, name):
    found = facts(text, name)
    assert len(found) == 1, (name, found)
    return found[0]


def own(text, name):
    return [f for f in facts(text, name) if f.experiencer == "patient"]


# ---------------------------------------------------------------------------------------------- 1. negation
RED_FLAGS = ("red_flag_infection", "red_flag_cauda_equina", "weight_loss", "red_flag_cancer")


@pytest.mark.parametrize("text", [
    # a denial list longer than the negation word limit
    "Lumbar ache for 3 weeks after a fall at home. Denies fever, chills, bowel or bladder changes, weight loss, "
    "or history of cancer. Neuro intact.",
    "No fever, chills, sweats, weight loss, saddle anesthesia, bowel or bladder dysfunction, nor history of malignancy.",
    "ROS neg for fever, chills, unintended weight loss, bowel/bladder incontinence, saddle anesthesia or prior cancer.",
    # backward, past the backward word limit
    "Fever, chills, night sweats, unexplained weight loss, bladder incontinence and any cancer history are denied.",
    # templated review of systems
    "ROS: Constitutional: negative for fever, chills, night sweats, weight loss. GU: denies incontinence. "
    "Heme/Onc: negative for cancer.",
    "(-) fever, (-) chills, (-) weight loss, (-) incontinence, (-) cancer.",
])
def test_denial_lists_of_any_length_negate_every_item(text):
    found = [f for f in facts(text) if f.name in RED_FLAGS]
    assert {f.name for f in found} == set(RED_FLAGS)
    assert all(f.negated for f in found), [f for f in found if not f.negated]


def test_red_flag_denial_list_does_not_support_low_back_mri():
    text = ("Lumbar ache for 3 weeks after a fall at home. Denies fever, chills, bowel or bladder changes, weight "
            "loss, or history of cancer. Neuro intact.")
    feats = build_features(extract_facts(text), normalize_request("MRI lumbar spine"), dt.date(2016, 6, 1))
    for name in RED_FLAGS:
        assert feats[f"f_{name}"] == "absent", name
    assert feats["f_neuro_exam_normal"] == "present"


def test_a_report_inside_the_list_ends_the_denial():
    text = "Denies fever, chills, night sweats, reports numbness in the left leg."
    assert all(f.negated for f in facts(text, "red_flag_infection"))
    assert not only(text, "radicular_symptoms").negated


def test_a_list_does_not_carry_negation_past_a_clause():
    text = "No fever, chills or sweats, and the patient has developed bladder incontinence over the last week."
    assert not only(text, "red_flag_cauda_equina").negated


def test_list_items_with_a_verb_are_not_a_list():
    # beyond the word limit the scope needs a list: a clause with its own verb is not one
    text = "No fever was recorded at triage today by the nurse, the wife says he was shaking and had incontinence."
    assert not only(text, "red_flag_cauda_equina").negated


def test_exam_template_is_a_normal_exam():
    text = "Neuro: DTRs 2+ and symmetric, sensation intact to light touch, strength 5/5 throughout. neg SLR b/l."
    for name in ("reflex_change", "sensory_deficit", "motor_weakness", "positive_slr"):
        assert only(text, name).negated, name


def test_ur_denial_does_not_negate_a_request_but_the_patient_denying_negates_a_symptom():
    assert not [f for f in facts("The MRI of the lumbar spine was denied.") if f.negated]
    assert only("Bladder incontinence and weight loss are denied.", "red_flag_cauda_equina").negated


def test_a_list_reaches_only_listed_categories():
    # a hypothetical cue qualifies the phrase next to it, not a whole list past its word limit
    text = "Possible carpal tunnel syndrome, chronic neck pain, shoulder impingement, knee pain, and fracture of the thumb."
    assert not only(text, "red_flag_fracture").hypothetical


# ---------------------------------------------------------------------------------------------- 2. time
def test_resolved_findings():
    f = only("The numbness in the left leg has resolved.", "radicular_symptoms")
    assert f.time == "resolved" and f.historical and not f.negated
    f = only("She previously had tingling in the feet, now resolved.", "radicular_symptoms")
    assert f.time == "resolved"


def test_past_and_current_and_planned():
    assert only("History of lumbar fusion in 2010.", "prior_surgery").time == "past"
    assert only("Straight leg raise is positive on the left.", "positive_slr").time == "current"
    assert only("Lumbar fusion is scheduled for next month.", "surgery_planned").time == "planned"


def test_resolved_present_tense_finding_counts_as_absent():
    voc = vocabulary()
    resolved = only("The numbness in the left leg has resolved.", "radicular_symptoms")
    assert fact_state([resolved], voc["radicular_symptoms"]) == "absent"
    # a history of cancer stays a red flag, resolved or not (not a present-tense fact)
    cancer = Fact(name="red_flag_cancer", time="resolved", evidence=Evidence(quote="x", start=0, end=1))
    assert fact_state([cancer], voc["red_flag_cancer"]) == "present"


def test_planned_care_is_not_prior_care_for_the_engine():
    voc = vocabulary()
    planned = Fact(name="physical_therapy", value=8, time="planned", evidence=Evidence(quote="x", start=0, end=1))
    assert fact_state([planned], voc["physical_therapy"]) == "unknown"
    feats = build_features([planned], normalize_request("physical therapy 2x4 lumbar"), None)
    assert feats["f_physical_therapy"] == "unknown" and feats["f_therapy_sessions_completed"] == -1


def test_time_and_historical_agree():
    ev = Evidence(quote="x", start=0, end=1)
    assert Fact(name="red_flag_cancer", historical=True, evidence=ev).time == "past"
    assert Fact(name="red_flag_cancer", time="resolved", evidence=ev).historical
    for f in extract_facts("S/p L4-5 fusion. Numbness has resolved. Plan: lumbar fusion. Denies fever."):
        assert f.historical == (f.time in ("past", "resolved")), f


# ---------------------------------------------------------------------------------------------- 3. speaker
@pytest.mark.parametrize("text", [
    "The patient reports numbness in the left leg.",
    "Pt c/o tingling into the right foot.",
    "She complains of pain radiating into the left leg.",
    "Numbness in the right hand, per patient.",
])
def test_patient_is_the_speaker_of_what_the_patient_reports(text):
    assert only(text, "radicular_symptoms").asserted_by == "patient"


def test_provider_and_claims_administrator_speakers():
    text = "The patient reports numbness in the left leg. Exam shows decreased sensation in the L5 dermatome."
    assert only(text, "sensory_deficit").asserted_by == "provider"
    text = "The claims administrator noted the patient reports numbness in the left leg."
    assert only(text, "radicular_symptoms").asserted_by == "claims_administrator"


def test_patient_denial_is_the_patient_speaking():
    assert all(f.asserted_by == "patient" for f in facts("The patient denies fever or chills."))


# ---------------------------------------------------------------------------------------------- 4. requests
PRIOR = ("physical_therapy", "chiropractic", "acupuncture", "injections", "prior_imaging", "prior_mri",
         "prior_electrodiagnostic", "therapy_sessions_completed", "prior_surgery")


@pytest.mark.parametrize("text", [
    "Plan: PT 2x4, MRI L-spine, EMG/NCS of the legs.",
    "Requesting 6 sessions of chiropractic and 6 sessions of acupuncture.",
    "UR non-certified the MRI of the lumbar spine.",
    "UR modified PT to 6 visits.",
    "The claims administrator partially certified 6 of 12 chiropractic sessions.",
    "The request for an epidural steroid injection was modified to one injection.",
])
def test_the_request_and_urs_decision_on_it_are_never_prior_care(text):
    assert not [f for f in facts(text) if f.name in PRIOR]


def test_prior_care_facts_must_drop_requests(tmp_path):
    from checker.facts import LEXICON_PATH

    src = Path(LEXICON_PATH).read_text(encoding="utf-8")
    i = src.index("  acupuncture:\n")
    j = src.index("    request: drop\n", i)
    bad = tmp_path / "lexicon.yaml"
    bad.write_text(src[:j] + "    request: keep\n" + src[j + len("    request: drop\n"):], encoding="utf-8")
    with pytest.raises(LexiconError, match="acupuncture.*prior"):
        load_lexicon(bad)


def test_prior_care_is_dropped_in_requests_by_the_class_rule(tmp_path):
    # without its own `request: drop` the fact still drops requested care (vocabulary `prior: true`)
    from checker.facts import LEXICON_PATH

    src = Path(LEXICON_PATH).read_text(encoding="utf-8")
    i = src.index("  acupuncture:\n")
    j = src.index("    request: drop\n", i)
    alt = tmp_path / "lexicon.yaml"
    alt.write_text(src[:j] + src[j + len("    request: drop\n"):], encoding="utf-8")
    spec = next(f for f in load_lexicon(alt).facts if f.name == "acupuncture")
    assert spec.request == "drop" and spec.prior


def test_done_care_next_to_the_request_is_kept():
    text = "She completed 8 PT visits with little relief. Plan: chiropractic 2x3."
    assert only(text, "physical_therapy").value == 8
    assert not facts(text, "chiropractic")


# ---------------------------------------------------------------------------------------------- 5. work status
@pytest.mark.parametrize("text", [
    "She is on modified duty while attending physical therapy.",
    "Work status: light duty with restrictions; continue therapy visits.",
    "He remains on TTD; therapy sessions are helping.",
    "Return to full duty after the chiropractic visits.",
    "The patient was working modified work duties during the PT sessions.",
])
def test_work_status_is_never_ur_modification(text):
    assert not facts(text, "ur_modified")
    assert facts(text, "work_status")


def test_ur_modification_needs_the_claims_administrator():
    assert facts("UR modified the request for PT to 6 visits.", "ur_modified")
    assert facts("The request for physical therapy was modified to 6 visits.", "ur_modified")
    # the provider modifying the home program is not UR's partial certification
    assert not facts("The therapist modified the exercises during the PT visits.", "ur_modified")


# ---------------------------------------------------------------------------------------------- 6. shorthand
@pytest.mark.parametrize("text, name, value", [
    ("Has done PT x8 with little relief.", "physical_therapy", 8),
    ("Completed 6 PT visits.", "physical_therapy", 6),
    ("S/p PT #12 for the low back.", "physical_therapy", 12),
    ("Completed PT 2x4 (wks) without benefit.", "physical_therapy", 8),
    ("Completed PT 2x/wk x 4 wks.", "physical_therapy", 8),
    ("Chiro x6 helped a little.", "chiropractic", 6),
    ("Acupuncture 2x3 completed.", "acupuncture", 6),
])
def test_visit_counts_in_office_shorthand(text, name, value):
    f = only(text, name)
    assert f.value == value
    assert only(text, "therapy_sessions_completed").value == value


@pytest.mark.parametrize("text, name, negated", [
    ("neg SLR b/l.", "positive_slr", True),
    ("+SLR L.", "positive_slr", False),
    ("SLR (-) bilat.", "positive_slr", True),
    ("(+) Spurling.", "positive_spurling", False),
    ("+Spurling R.", "positive_spurling", False),
    ("Spurling neg.", "positive_spurling", True),
    ("4/5 EHL.", "motor_weakness", False),
    ("4+/5 L TA.", "motor_weakness", False),
    ("DTRs 2+ symm.", "reflex_change", True),
    ("DTR 1+ L achilles.", "reflex_change", False),
    ("Decreased sensation L5 dermatome.", "sensory_deficit", False),
    ("Decreased sens L5 dermatome.", "sensory_deficit", False),
    ("Sens intact to LT.", "sensory_deficit", True),
    ("Neuro intact.", "neuro_exam_normal", False),
    ("HEP daily.", "home_exercise", False),
    ("No fever; w/o chills.", "red_flag_infection", True),
])
def test_exam_shorthand(text, name, negated):
    found = facts(text, name)
    assert found, (text, name)
    assert all(f.negated == negated for f in found)


def test_history_shorthand():
    assert only("H/o lumbar fusion.", "hardware").time == "past"
    assert only("No hx of cancer.", "red_flag_cancer").negated


# ---------------------------------------------------------------------------------------------- 7. plans
@pytest.mark.parametrize("text, name, state", [
    ("Would like to discuss surgery.", "surgery_planned", "suspected"),
    ("Considering ESI.", "injection_planned", "suspected"),
    ("Pt wishes to proceed with surgery.", "surgery_planned", "present"),
    ("Referred to spine surgeon for surgical consult.", "surgery_planned", "suspected"),
    ("Referred to ortho.", "surgery_planned", "unknown"),
    ("Referral to orthopedics for evaluation and treatment.", "surgery_planned", "unknown"),
])
def test_plans_and_wishes(text, name, state):
    assert fact_state(facts(text, name), vocabulary()[name]) == state


# ---------------------------------------------------------------------------------------------- 8. family
@pytest.mark.parametrize("text", [
    "FHx: CA - mother.",
    "FHx: breast cancer (mother).",
    "FHx: colon cancer - father.",
    "Family history: mother with breast cancer, father with colon cancer.",
    "FH: lymphoma, diabetes, hypertension, stroke, coronary disease and pancreatic cancer.",
])
def test_family_history_is_never_the_patients_red_flag(text):
    assert not own(text, "red_flag_cancer")


@pytest.mark.parametrize("text, name, value", [
    ("52 yo F c/o LBP x 3 mo.", "symptom_weeks", 13),
    ("Neck pain for 6 wks.", "symptom_weeks", 6),
    ("52 yo F c/o LBP x 3 mo.", "age", 52),
])
def test_office_durations_and_age(text, name, value):
    assert only(text, name).value == value


@pytest.mark.parametrize("text", ["Pt reports numbness L foot.", "Tingling R hand at night.", "N/T b/l feet."])
def test_office_radicular_symptoms(text):
    assert not only(text, "radicular_symptoms").negated


def test_failed_care_in_shorthand():
    assert only("Completed PT x8 w/o relief.", "conservative_care_failed")


# ---------------------------------------------------------------------------------------------- evidence
def test_denied_symptoms_are_not_cited_as_evidence_of_a_red_flag():
    from checker.predict import check

    text = ("Lumbar ache for 8 weeks. Denies fever or chills. History of breast cancer treated in 2012. "
            "Completed PT x8 w/o relief.")
    r = check(text, "MRI lumbar spine", as_of=dt.date(2016, 6, 1))
    quotes = {e.quote for c in r.criteria if c.state == "met" for e in c.evidence}
    assert "cancer" in quotes
    assert not quotes & {"fever", "chills"}


# ---------------------------------------------------------------------------------------------- display
def test_facts_table_shows_time_and_speaker(tmp_path):
    from typer.testing import CliRunner

    from checker.cli import app

    note = tmp_path / "note.txt"
    note.write_text("Pt c/o numbness L foot. Numbness in the right hand has resolved.", encoding="utf-8")
    shown = CliRunner().invoke(app, ["facts", str(note)]).stdout
    assert "by patient" in shown and "resolved" in shown


# ---------------------------------------------------------------------------------------------- sections
def test_plan_section_spans_its_sentences():
    text = "Completed PT x8 without relief.\nPlan: 1. PT 2x4. 2. MRI L-spine. 3. EMG/NCS BLE.\nExam: +SLR L.\n"
    assert [f.value for f in facts(text, "physical_therapy")] == [8]
    assert not facts(text, "prior_mri") and not facts(text, "prior_imaging")
    assert not facts(text, "prior_electrodiagnostic")
    # the next header ends the plan: the exam finding is the provider's, current
    slr = only(text, "positive_slr")
    assert slr.time == "current" and not slr.negated


def test_family_and_past_history_sections():
    text = "FHx: Breast cancer - mother. Lymphoma in father.\nPMH: HTN. Lumbar fracture 2001.\n\nNumbness L foot."
    assert all(f.experiencer == "other" for f in facts(text, "red_flag_cancer"))
    assert only(text, "red_flag_fracture").time == "past"
    # a blank line ends a section
    assert only(text, "radicular_symptoms").time == "current"


def test_subjective_section_is_the_patient_speaking():
    text = "HPI: Numbness L foot. Worse with sitting.\nExam: Decreased sensation L5 dermatome."
    assert only(text, "radicular_symptoms").asserted_by == "patient"
    assert only(text, "sensory_deficit").asserted_by == "provider"


def test_a_lower_case_wrapped_line_is_not_a_header():
    text = ("The provider documented the treatment\nplan: rest and ice. The applicant completed 12 sessions of "
            "physical therapy.")
    assert only(text, "physical_therapy").value == 12


def test_unknown_section_category_is_a_lexicon_error(tmp_path):
    from checker.facts import LEXICON_PATH

    src = Path(LEXICON_PATH).read_text(encoding="utf-8")
    bad = tmp_path / "lexicon.yaml"
    bad.write_text(src.replace("\n  historical: ['(?-i:PMH", "\n  history: ['(?-i:PMH", 1), encoding="utf-8")
    with pytest.raises(LexiconError, match="sections"):
        load_lexicon(bad)


# ---------------------------------------------------------------------------------------------- more office forms
def test_a_colon_after_the_trigger_introduces_its_list():
    found = facts("Denies: fever, chills, weight loss.")
    assert found and all(f.negated for f in found if f.name in RED_FLAGS)


@pytest.mark.parametrize("text", [
    "Pt was told to start PT 2x/wk x 6 wks.",
    "Start chiropractic 2x3.",
    "Continue PT x6.",
    "Advised to begin acupuncture x6.",
])
def test_office_orders_are_not_care_received(text):
    assert not [f for f in facts(text) if f.name in PRIOR]


@pytest.mark.parametrize("text, name", [
    ("He would like to avoid surgery.", "surgery_planned"),
    ("Patient does not want surgery.", "surgery_planned"),
    ("She declines injections.", "injection_planned"),
])
def test_turning_care_down_is_no_plan_and_no_prior_care(text, name):
    assert fact_state(facts(text, name), vocabulary()[name]) == "absent"
    assert not [f for f in facts(text) if f.name in PRIOR]


def test_does_report_is_the_patient_speaking():
    text = "He has no fever, but does report night sweats."
    f = [f for f in facts(text, "red_flag_infection") if not f.negated][0]
    assert f.asserted_by == "patient"


def test_short_negative_markers_after_a_sign_reach_only_it():
    assert only("Hoffmann neg.", "myelopathy").negated
    assert only("Clonus (-).", "myelopathy").negated
    assert not only("Weakness of the left leg, Hoffmann neg.", "motor_weakness").negated
    assert not only("Pain radiating to the L leg, SLR (-).", "radicular_symptoms").negated


def test_a_singular_negative_belongs_to_its_own_sign():
    assert not only("Pain radiating to the left leg, straight leg raise is negative.", "radicular_symptoms").negated
    found = facts("Hawkins and O'Brien's tests were negative.", "internal_derangement")
    assert len(found) == 2 and all(f.negated for f in found)


def test_a_side_letter_before_a_number_ends_the_sentence():
    text = "Spurling (+) R. 4/5 R wrist extensors."
    assert only(text, "positive_spurling").regions == ["cervical"]


def test_limb_before_numbness_and_its_resolution():
    f = only("Previously had L arm numbness, now resolved.", "radicular_symptoms")
    assert f.time == "resolved"


@pytest.mark.parametrize("text, name, negated", [
    ("Motor: 5/5 throughout BLE.", "motor_weakness", True),
    ("Sensory: intact to LT throughout.", "sensory_deficit", True),
    ("Reflexes: 2+ and symmetric.", "reflex_change", True),
    ("SLR: negative bilaterally.", "positive_slr", True),
    ("Spurling: negative.", "positive_spurling", True),
    ("Sensory: decreased L5 dermatome.", "sensory_deficit", False),
    ("Reflexes: 1+ L achilles.", "reflex_change", False),
    ("SLR: positive on the L at 45 degrees.", "positive_slr", False),
    ("No B/B dysfunction.", "red_flag_cauda_equina", True),
])
def test_exam_template_lines_with_a_colon(text, name, negated):
    found = facts(text, name)
    assert found and all(f.negated == negated for f in found)


@pytest.mark.parametrize("old, new, message", [
    ("    speaker: [claims_administrator]\n", "    speaker: [insurer]\n", "speaker"),
    ("    exclude_facts: [work_status]\n", "    exclude_facts: [work_state]\n", "exclude_facts"),
    ("  NEG: '", "  NOT_NEG: '", "undefined macro"),
])
def test_new_lexicon_options_are_checked(tmp_path, old, new, message):
    from checker.facts import LEXICON_PATH

    src = Path(LEXICON_PATH).read_text(encoding="utf-8")
    assert old in src
    bad = tmp_path / "lexicon.yaml"
    bad.write_text(src.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        load_lexicon(bad)


def test_a_normal_finding_now_resolves_the_old_one():
    f = only("Previously had weakness of the left EHL, now 5/5.", "motor_weakness")
    assert f.time == "resolved"
    assert fact_state([f], vocabulary()["motor_weakness"]) == "absent"


# ---------------------------------------------------------------------------------------------- 12. relative time
@pytest.mark.parametrize("text, name, weeks", [
    ("Twisted her ankle on a pallet 5 wks ago, still swollen.", "weeks_since_injury", 5),
    ("Rear-ended in an MVC yesterday, neck stiff.", "weeks_since_injury", 0.1),
    ("Hit by a swinging door about 3 hrs ago.", None, None),  # no injury event word: nothing
    ("Slipped on oil this morning, L wrist pain.", "weeks_since_injury", 0),
    ("Elbow pain since a crate shifted 2 mo ago.", "symptom_weeks", 8.7),
    ("Numbness began 4 wks ago.", "symptom_weeks", 4),
])
def test_relative_time_dates_the_injury_or_onset(text, name, weeks):
    found = [f for f in facts(text) if f.name in ("weeks_since_injury", "symptom_weeks")]
    if name is None:
        assert found == []
        return
    assert [f.value for f in found if f.name == name] == [weeks]


def test_a_visit_dated_back_is_no_injury():
    assert facts("Seen in clinic 2 wks ago; MRI 3 mo ago unremarkable.", "weeks_since_injury") == []
    assert facts("Seen in clinic 2 wks ago; MRI 3 mo ago unremarkable.", "symptom_weeks") == []


# ---------------------------------------------------------------------------------------------- 13. care that did nothing
@pytest.mark.parametrize("text", [
    "Did 6 sessions of hand therapy and a wrist brace, no better.",
    "Night splint and meloxicam w/o much change.",
    "HEP x 4 wks, ibuprofen, crutches; still limping at the end of the day.",
    "Acupuncture x6, no real change.",
    "OT x10, no return of grip strength.",
])
def test_care_followed_by_no_gain_is_failed_care(text):
    f = only(text, "conservative_care_failed")
    assert not f.negated and not f.hypothetical


@pytest.mark.parametrize("text", [
    "P: Cont PT, no change in meds.",
    "No change in the neuro exam since last visit.",
    "X-rays w/o change from 2015.",
])
def test_no_change_without_care_or_about_something_else_is_not_failed_care(text):
    assert facts(text, "conservative_care_failed") == []


# ---------------------------------------------------------------------------------------------- 14. procedures by office name
@pytest.mark.parametrize("text, quote", [
    ("4 wks s/p R TKA 3/1/2016, walker.", "s/p R TKA"),
    ("S: s/p L open CuTR 2/2/2016, elbow stiff.", "s/p L open CuTR"),
    ("POD 12 s/p R shoulder scope and SAD.", "POD 12 s/p R shoulder scope"),
    ("8 wks s/p L4-5 TLIF w/ cage.", "s/p L4-5 TLIF"),
])
def test_status_post_an_abbreviated_procedure_is_prior_surgery(text, quote):
    assert only(text, "prior_surgery").evidence.quote == quote
    assert facts(text, "surgery_planned") == []


@pytest.mark.parametrize("text, hypothetical", [
    ("Procedure: L THA, scheduled 4/4/2016.", False),
    ("Hand surgeon discussing CTR w/ pt.", True),
])
def test_a_booked_or_considered_procedure_is_planned_surgery(text, hypothetical):
    f = only(text, "surgery_planned")
    assert f.time == "planned" and f.hypothetical is hypothetical
    assert facts(text, "prior_surgery") == []


# ---------------------------------------------------------------------------------------------- 15. functional improvement
@pytest.mark.parametrize("text, quote, negated", [
    ("After 6 visits NDI 40% -> 22%.", "NDI 40% -> 22%", False),
    ("QuickDASH 55 -> 61 despite therapy.", "QuickDASH 55 -> 61", True),  # measured, and worse
    ("Pinch strength 8 -> 14 lb.", "Pinch strength 8 -> 14", False),
    ("Abduction 120 deg (was 70).", "Abduction 120 deg (was 70", False),
    ("Walking tolerance from 10 to 45 min.", "Walking tolerance from 10 to 45", False),
    ("Went from TTD to modified duty in May.", "Went from TTD to modified duty", False),
    ("No longer taking Norco.", "No longer taking Norco", False),
    ("Weaned off the sling.", "Weaned off the sling", False),
])
def test_function_measured_before_and_after(text, quote, negated):
    f = only(text, "functional_improvement")
    assert (f.evidence.quote, f.negated) == (quote, negated)


@pytest.mark.parametrize("text", ["Can sit 20 to 30 min.", "Off work since the injury.", "Abduction 4/5 to 5/5 effort."])
def test_a_range_or_work_status_alone_is_no_functional_improvement(text):
    assert facts(text, "functional_improvement") == []


# ---------------------------------------------------------------------------------------------- 16. before the operation
@pytest.mark.parametrize("text", [
    "Attended 18 PT visits for the shoulder prior to the repair.",
    "Had 10 pre-op PT visits.",
    "Did PT x12 before his ACDF.",
])
def test_a_preoperative_course_is_past_and_not_counted_as_postoperative(text):
    pt = [f for f in facts(text) if f.name == "physical_therapy"]
    assert len(pt) == 1 and pt[0].time == "past" and pt[0].value is True
    assert facts(text, "therapy_sessions_completed") == []


def test_a_postoperative_count_is_counted():
    assert [f.value for f in facts("Completed 12 post-op PT visits.", "therapy_sessions_completed")] == [12]


# ---------------------------------------------------------------------------------------------- 17. change and intent
@pytest.mark.parametrize("text, name", [
    ("Since June, new R foot numbness and tingling.", "new_or_changed_symptoms"),
    ("A: progressive L ulnar neuropathy.", "progressive_neuro_deficit"),
    ("New L focal weakness since the last visit.", "progressive_neuro_deficit"),
])
def test_new_or_progressive_deficits_in_office_words(text, name):
    f = only(text, name)
    assert not f.negated


def test_no_new_deficit_is_absent():
    assert all(f.negated for f in facts("No new motor deficits.") if f.name in
               ("new_or_changed_symptoms", "progressive_neuro_deficit"))


@pytest.mark.parametrize("text, found", [
    ("Will proceed with cubital tunnel release if EMG confirms entrapment.", True),
    ("Plan to start teriparatide if osteoporotic on DXA.", True),
    ("Will start PT if tolerated.", False),
])
def test_a_plan_conditional_on_the_result_is_a_treatment_decision(text, found):
    assert bool(facts(text, "treatment_decision_depends")) is found


# ---------------------------------------------------------------------------------------------- 18. list-item lines
def test_a_bullet_line_is_its_own_sentence():
    text = "Plan:\n  - X-ray L ankle w/o stress views.\n  - Pt wants to discuss surgery once films back.\n"
    f = only(text, "surgery_planned")
    assert not f.negated


# ---------------------------------------------------------------------------------------------- 19. assessment items
@pytest.mark.parametrize("text", [
    "A: Possible labral tear, failed PT and NSAIDs.",
    "A: r/o meniscus tear, refractory to therapy.",
])
def test_a_suspicion_does_not_reach_the_next_assessment_item(text):
    f = only(text, "conservative_care_failed")
    assert not f.hypothetical


def test_a_relative_time_in_parentheses():
    assert [f.value for f in facts("Wrist pain since a pallet slipped 1/2016 (6 wks ago).", "symptom_weeks")] == [6]


# ---------------------------------------------------------------------------------------------- 20. exam shorthand
@pytest.mark.parametrize("text, name, negated", [
    ("Sensory: diminished PP L thumb.", "sensory_deficit", False),
    ("Absent 2-pt discrimination index finger.", "sensory_deficit", False),
    ("Monofilament insensate both soles.", "sensory_deficit", False),
    ("Mild R pronator drift.", "motor_weakness", False),
    ("No pronator drift.", "motor_weakness", True),
    ("+Thompson test R.", "internal_derangement", False),
    ("Concern for distal triceps rupture.", "internal_derangement", False),
])
def test_exam_shorthand(text, name, negated):
    f = only(text, name)
    assert f.negated is negated


def test_still_unstable_after_care_is_failed_care():
    assert not only("Brace and PT x8, still feels unstable on stairs.", "conservative_care_failed").negated


@pytest.mark.parametrize("text, name, found", [
    ("R lateral arm pain w/ numbness for weeks.", "radicular_symptoms", True),
    ("L post thigh pain and tingling.", "radicular_symptoms", True),
    ("Quad 4/5 R, pain-limited.", "motor_weakness", False),
    ("Give-way weakness of the L hip flexors.", "motor_weakness", False),
    ("Quad 4/5 R.", "motor_weakness", True),
])
def test_limb_pain_with_tingling_and_unreliable_grades(text, name, found):
    assert bool(facts(text, name)) is found


@pytest.mark.parametrize("text, quote", [
    ("Likely sensorimotor polyneuropathy.", "sensorimotor polyneuropathy"),
    ("Stocking-glove distribution numbness.", "Stocking-glove distribution"),
])
def test_polyneuropathy_terms(text, quote):
    assert only(text, "peripheral_neuropathy").evidence.quote == quote


def test_duration_before_the_symptom():
    assert [f.value for f in facts("For the last 8 wks tingling both hands.", "symptom_weeks")] == [8]


@pytest.mark.parametrize("text, weeks", [
    ("Twisted L knee on a ladder rung this AM.", 0),
    ("Rolled her ankle on a curb earlier today.", 0),
])
def test_same_day_injury(text, weeks):
    assert [f.value for f in facts(text, "weeks_since_injury")] == [weeks]


def test_a_course_last_fall_is_past_but_the_next_finding_is_not():
    assert only("Had 4 PT visits last fall.", "physical_therapy").time == "past"
    assert only("Doing HEP from 4 PT visits last fall.", "home_exercise").time == "current"
    assert [f.time for f in facts("EHL 4/5 (5/5 last year).", "motor_weakness")] == ["current"]


def test_limb_weakness_and_numbness_is_radicular():
    assert not only("New R leg weakness and numbness.", "radicular_symptoms").negated


@pytest.mark.parametrize("text, weeks", [
    ("Since Nov, R hand numbness.", 5.9),
    ("Neck pain since 10/2016.", 10.3),
    ("Knee pain since Aug 2015.", 71.3),
])
def test_an_onset_month_counts_to_the_note_date(text, weeks):
    out = [f for f in extract_facts(text, as_of=dt.date(2016, 12, 12)) if f.name == "symptom_weeks"]
    assert [f.value for f in out] == [weeks]
    assert [f.value for f in facts(text, "symptom_weeks")] == [True]  # no date to count to
