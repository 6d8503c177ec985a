"""Tests of the fact extractor (checker.facts) on short synthetic sentences."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.facts import extract_facts, load_lexicon

SHARED = Path(__file__).resolve().parents[2] / "shared"
ANNOTATIONS = Path(__file__).resolve().parent / "annotations"


def facts(text, name=None, **kw):
    out = extract_facts(text, **kw)
    return [f for f in out if name is None or f.name == name]


def one(text, name, **kw):
    fs = facts(text, name, **kw)
    assert fs, f"no {name} in {text!r}: {[(f.name, f.evidence.quote) for f in extract_facts(text, **kw)]}"
    return fs[0]


# --------------------------------------------------------------------------- basics
def test_empty_text():
    assert extract_facts("") == []
    assert extract_facts("   \n ") == []


def test_names_are_declared_in_vocabulary():
    import yaml

    from checker.datafiles import merged_section

    # the main vocabulary and the categories' parts (vocabulary.d/*.yaml)
    voc = merged_section(Path(__file__).resolve().parents[1] / "checker/lexicon/vocabulary.yaml", "facts")
    lex = load_lexicon()
    assert {f.name for f in lex.facts} <= set(voc)
    text = (
        "The applicant is a 34-year-old male with an industrial injury of October 10, 2015. He has had 12 sessions of "
        "physical therapy and 6 sessions of chiropractic care. Pain is 7/10. Symptoms for 3-4 weeks."
    )
    assert {f.name for f in extract_facts(text, as_of=dt.date(2016, 1, 1))} <= set(voc)


def test_sorted_and_quote_matches():
    text = "He denies fever. Strength is 4/5 in the left EHL. Straight leg raise was positive on the left."
    out = extract_facts(text)
    assert [f.evidence.start for f in out] == sorted(f.evidence.start for f in out)
    for f in out:
        assert f.evidence.quote == text[f.evidence.start:f.evidence.end]


# --------------------------------------------------------------------------- negation
@pytest.mark.parametrize(
    "text,name",
    [
        ("The applicant denies bowel or bladder dysfunction.", "red_flag_cauda_equina"),
        ("There are no red flags.", "red_flags_any"),
        ("The attending provider does not suspect tumor or infection.", "red_flag_cancer"),
        ("The attending provider does not suspect tumor or infection.", "red_flag_infection"),
        ("X-rays showed no evidence of fracture.", "red_flag_fracture"),
        ("There was no documentation of functional improvement with earlier therapy.", "functional_improvement"),
        ("He reported low back pain without radicular symptoms.", "radicular_symptoms"),
        ("Negative straight leg raise bilaterally.", "positive_slr"),
        ("Straight leg raising was negative.", "positive_slr"),
        ("Motor strength was 5/5 in the bilateral lower extremities.", "motor_weakness"),
        ("Sensation was intact to light touch.", "sensory_deficit"),
        ("Reflexes were 2+ and symmetric.", "reflex_change"),
        ("Spurling's maneuver was negative.", "positive_spurling"),
        ("She denied weight loss.", "weight_loss"),
    ],
)
def test_negation(text, name):
    assert one(text, name).negated is True


def test_neurologically_intact_is_normal_exam_not_negation():
    f = one("The applicant was neurologically intact.", "neuro_exam_normal")
    assert f.negated is False
    # nothing is said about strength, sensation or reflexes
    assert not facts("The applicant was neurologically intact.", "motor_weakness")
    assert not facts("The applicant was neurologically intact.", "sensory_deficit")


def test_no_focal_deficit_means_normal_exam():
    f = one("There were no focal neurological deficits.", "neuro_exam_normal")
    assert f.negated is False


# --------------------------------------------------------------------------- pseudo-negation
def test_claims_administrator_denied_request_is_not_negation():
    text = (
        "In a Utilization Review Report of August 21, 2013, the claims administrator denied a request for bone scan "
        "and a CT scan, incidentally, the applicant's medical history is notable for weight loss, seizures, and paralysis."
    )
    f = one(text, "weight_loss")
    assert f.negated is False
    assert f.asserted_by == "claims_administrator"


@pytest.mark.parametrize(
    "text",
    [
        "The claims administrator failed to approve a request for lumbar MRI; the applicant has a history of cancer.",
        "The request was non-certified by utilization review, citing weight loss and fever.",
    ],
)
def test_ur_actions_do_not_negate(text):
    out = [f for f in extract_facts(text) if f.name in ("red_flag_cancer", "weight_loss", "red_flag_infection")]
    assert out and all(not f.negated for f in out)
    assert all(f.asserted_by == "claims_administrator" for f in out)


# --------------------------------------------------------------------------- termination
@pytest.mark.parametrize(
    "text",
    [
        "He denies fever but reports weight loss.",
        "He denies fever; however, he reports weight loss.",
        "He denies fever, although he reports weight loss.",
        "He denies fever. He reports weight loss.",
        "No fever, but the applicant has weight loss.",
    ],
)
def test_negation_scope_terminates(text):
    assert one(text, "red_flag_infection").negated is True
    assert one(text, "weight_loss").negated is False


def test_negation_covers_a_list():
    text = "He denies fever, chills, bowel or bladder incontinence, or weight loss."
    assert one(text, "red_flag_infection").negated
    assert one(text, "red_flag_cauda_equina").negated
    assert one(text, "weight_loss").negated


# --------------------------------------------------------------------------- hypothetical
@pytest.mark.parametrize(
    "text,name",
    [
        ("The MRI was ordered to rule out occult fracture.", "red_flag_fracture"),
        ("A bone scan was requested to evaluate for possible infection.", "red_flag_infection"),
        ("Surgery is being considered.", "surgery_planned"),
        ("The surgeon would consider surgery if symptoms persist.", "surgery_planned"),
        ("The applicant worries that there may be a broken lead or a tumor.", "red_flag_cancer"),
        ("If radicular symptoms persist, EMG testing is recommended.", "radicular_symptoms"),
        ("Suspected rotator cuff tear.", "internal_derangement"),
    ],
)
def test_hypothetical(text, name):
    assert one(text, name).hypothetical is True


def test_planned_surgery_is_not_hypothetical_but_considered_is():
    assert one("Lumbar fusion surgery is scheduled for next month.", "surgery_planned").hypothetical is False
    assert one("He is a surgical candidate.", "surgery_planned").hypothetical is False
    assert one("A fusion is being considered.", "surgery_planned").hypothetical is True


def test_injection_planned():
    f = one("The claims administrator failed to approve a request for lumbar epidural steroid injections.", "injection_planned")
    assert not f.negated
    assert not facts("The claims administrator failed to approve a request for lumbar epidural steroid injections.", "injections")
    assert one("He has had prior epidural steroid injections.", "injections").negated is False


# --------------------------------------------------------------------------- historical / experiencer
@pytest.mark.parametrize(
    "text,name",
    [
        ("The applicant has a history of lung cancer.", "red_flag_cancer"),
        ("He is status post L4-5 fusion in 2010.", "prior_surgery"),
        ("A prior MRI of 2014 showed a disc protrusion.", "prior_mri"),
    ],
)
def test_historical(text, name):
    assert one(text, name).historical is True


def test_family_history_is_other_experiencer():
    f = one("Her mother had breast cancer.", "red_flag_cancer")
    assert f.experiencer == "other"
    assert one("She had breast cancer.", "red_flag_cancer").experiencer == "patient"


def test_reviewer_commentary():
    f = one("It was not clear whether the applicant had had physical therapy.", "physical_therapy")
    assert f.asserted_by == "reviewer"


# --------------------------------------------------------------------------- numbers
def test_age_and_sex():
    text = "The applicant is a 34-year-old male who has filed a claim for low back pain."
    assert one(text, "age").value == 34
    assert one(text, "sex").value == "male"
    assert one("The injured worker is a 48 year old female.", "sex").value == "female"


def test_sex_from_pronoun_only_when_not_stated():
    assert one("The applicant has back pain. She reports numbness in the leg.", "sex").value == "female"
    assert [f.value for f in facts("A 50-year-old male. She said so.", "sex")] == ["male"]


@pytest.mark.parametrize(
    "text,grade",
    [("Strength was 4/5 in the left EHL.", "4/5"), ("Motor strength 4+/5 with knee extension.", "4+/5"),
     ("Motor strength was noted to be 4 out of 5.", "4/5")],
)
def test_motor_grade(text, grade):
    f = one(text, "motor_weakness")
    assert f.value == grade and not f.negated


@pytest.mark.parametrize(
    "text,name,n",
    [
        ("He has completed 12 sessions of physical therapy.", "physical_therapy", 12),
        ("He had twelve sessions of physical therapy.", "physical_therapy", 12),
        ("Treatment has included 6 sessions of chiropractic care.", "chiropractic", 6),
        ("She has had 8 acupuncture sessions.", "acupuncture", 8),
        ("Physical therapy x 10 sessions was completed.", "physical_therapy", 10),
    ],
)
def test_sessions(text, name, n):
    f = one(text, name)
    assert f.value == n
    assert one(text, "therapy_sessions_completed").value == n


def test_unspecified_physical_therapy_has_no_count():
    f = one("Thus far, the applicant has been treated with unspecified amounts of physical therapy.", "physical_therapy")
    assert f.value is True
    assert not facts("Thus far, the applicant has been treated with unspecified amounts of physical therapy.", "therapy_sessions_completed")


def test_requested_therapy_is_not_prior_therapy():
    assert not facts("The claims administrator denied a request for 12 sessions of physical therapy.", "physical_therapy")
    assert not facts("The treatment plan included an MRI of the lumbar spine.", "prior_mri")


@pytest.mark.parametrize("text,score", [("He reports 9-10/10 pain.", 10), ("Pain is 7/10.", 7),
                                        ("He reports 9-\n10/10 pain.", 10), ("Pain rated 6 out of 10.", 6)])
def test_pain_score(text, score):
    assert one(text, "pain_score").value == score


def test_date_like_fraction_is_not_pain():
    assert not facts("Seen on 10/10/2016 for follow-up.", "pain_score")


@pytest.mark.parametrize(
    "text,iso",
    [
        ("associated with an industrial injury of October 10, 2015.", "2015-10-10"),
        ("The date of injury 3/4/2014 is not disputed.", "2014-03-04"),
        ("The injured worker sustained an industrial injury on 10-16-16.", "2016-10-16"),
    ],
)
def test_date_of_injury(text, iso):
    assert one(text, "date_of_injury").value == iso


def test_weeks_since_injury_needs_as_of():
    text = "The applicant has a claim for an industrial injury of October 10, 2015."
    assert not facts(text, "weeks_since_injury")
    f = one(text, "weeks_since_injury", as_of=dt.date(2015, 11, 7))
    assert f.value == 4
    assert f.evidence == one(text, "date_of_injury").evidence


def test_symptom_weeks():
    assert one("He has had symptoms for 3-4 weeks.", "symptom_weeks").value == 4
    assert one("Pain for 2 months.", "symptom_weeks").value == pytest.approx(8.7, abs=0.1)


@pytest.mark.parametrize(
    "text,value",
    [
        ("The applicant was placed off of work.", "off_work"),
        ("He remains on total temporary disability.", "off_work"),
        ("He is working modified duty.", "modified_duty"),
        ("Permanent work restrictions were renewed.", "modified_duty"),
        ("She is working full duty.", "working"),
        ("He has returned to work.", "working"),
    ],
)
def test_work_status(text, value):
    assert value in [f.value for f in facts(text, "work_status")]


def test_working_modified_duty_is_not_working():
    assert [f.value for f in facts("He was working modified duty.", "work_status")] == ["modified_duty"]


# --------------------------------------------------------------------------- purpose and imaging
def test_request_purpose_and_pain_generator():
    text = "The attending provider states that he is ordering CT scanning to evaluate the facet joints of the thoracic spine."
    f = one(text, "request_purpose")
    assert f.value == "evaluate the facet joints of the thoracic spine"
    assert one(text, "purpose_pain_generator")
    assert not facts(text, "prior_imaging")


def test_purpose_red_flag_is_not_pain_generator():
    text = "A bone scan was requested to evaluate for possible infection."
    assert one(text, "request_purpose")
    assert not facts(text, "purpose_pain_generator")


def test_prior_imaging_modality():
    text = "MRI imaging of the lumbar spine of 2005 was notable for stenosis. A thoracic spine plain film was unremarkable."
    assert [f.value for f in facts(text, "prior_imaging")] == ["mri", "xray"]
    assert facts(text, "prior_mri")


def test_radiculopathy_confirmed():
    assert one("EMG of March 2013 was notable for an L5-S1 radiculopathy.", "radiculopathy_confirmed")
    assert one("He had a radiographically confirmed radiculopathy.", "radiculopathy_confirmed")


def test_hardware_and_prior_surgery():
    text = "Treatment has included spinal cord stimulator implantation. He is status post L4-5 fusion with pedicle screws."
    names = {f.name for f in extract_facts(text)}
    assert {"hardware", "prior_surgery"} <= names


def test_dexa_risk_factors():
    text = (
        "She is postmenopausal, has hypothyroidism after a thyroidectomy, has had gastric bypass surgery and takes "
        "prednisone. She has osteoporosis and a prior fragility fracture. The surgeon may or may not pursue fusion "
        "based on the outcome of the DEXA scan."
    )
    names = {f.name for f in extract_facts(text)}
    assert {"menopause", "endocrine_disorder", "malabsorption", "glucocorticoid_use", "osteoporosis",
            "fragility_fracture", "treatment_decision_depends"} <= names
    assert one(text, "surgery_planned").hypothetical is True


def test_cumulative_trauma_is_not_a_fracture_red_flag():
    assert not facts("He filed a cumulative trauma claim.", "red_flag_fracture")


def test_hyphen_line_break_is_joined():
    text = "MRI was notable for moderate-to-\nsevere stenosis; he has radicular pain radiat-\ning into the left leg."
    f = one(text, "radicular_symptoms")
    assert f.evidence.quote == text[f.evidence.start:f.evidence.end]


# --------------------------------------------------------------------------- property
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_evidence_offsets_arbitrary_text(text):
    for f in extract_facts(text):
        assert 0 <= f.evidence.start <= f.evidence.end <= len(text)
        assert f.evidence.quote == text[f.evidence.start:f.evidence.end]


WORDS = ["no", "denies", "fever", "MRI", "physical therapy", "4/5", "weakness", "10/10", "7-\n8/10", " ", "\n", "\r\n",
         "-\n", ".", ";", "but", "history of", "cancer", "İ", "ß", "ﬁ", "rule out", "fracture", "12 sessions of", "Ⅻ",
         "October 10, 2015", "injury of", "  ", "\t", "She", "radiat-\n", "ing into the leg", "(", ")", "/"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=60))
def test_evidence_offsets_clinical_like_text(parts):
    text = " ".join(parts)
    for f in extract_facts(text):
        assert 0 <= f.evidence.start <= f.evidence.end <= len(text)
        assert f.evidence.quote == text[f.evidence.start:f.evidence.end]


# --------------------------------------------------------------------------- evaluation against hand annotations
def test_annotations_precision_recall():
    if not SHARED.is_dir():
        pytest.skip(f"shared data directory {SHARED} not found: annotation offsets point into its letters")
    from checker.facts_eval import evaluate

    rep = evaluate(ANNOTATIONS, SHARED, split="all")
    assert len(rep["letters"]) >= 30
    m = rep["micro"]
    assert m["precision"] >= 0.90, m
    assert m["recall"] >= 0.85, m


def test_annotations_store_no_letter_text():
    import yaml

    for p in ANNOTATIONS.glob("*.yaml"):
        doc = yaml.safe_load(p.read_text())
        assert doc["reviewed_by_hand"] is True
        for f in doc["facts"]:
            assert set(f) <= {"name", "value", "negated", "hypothetical", "historical", "start", "end"}, p


# --------------------------------------------------------------------------- phrasings fixed after the corpus evaluation
def test_missing_session_count_does_not_negate_the_therapy():
    f = one("Treatment has included physical therapy for the left hand (number of sessions not found) and ibuprofen.",
            "physical_therapy")
    assert not f.negated


@pytest.mark.parametrize("text,present", [
    ("Utilization review modified the request for physical therapy to an initial trial of 6 sessions.", True),
    ("The claims administrator authorized 6 sessions of acupuncture.", True),
    ("Utilization review modified the request for Norco to allow weaning.", False),  # not a therapy request
])
def test_partial_certification_of_therapy(text, present):
    assert bool(facts(text, "ur_modified")) == present


@pytest.mark.parametrize("text", [
    "Findings were notable for restricted range of motion and decreased C5 and C6 dermatome sensation.",
    "There is decreased sensation in the L5 dermatome on the left.",
])
def test_dermatomal_sensory_loss_by_root_level(text):
    assert not one(text, "sensory_deficit").negated


@pytest.mark.parametrize("text", [
    "The plan included a CT scan of her lumbar spine to review the L3-4 fusion and the rods.",
    "CT is requested instead of an MRI because of the hardware.",
])
def test_purpose_is_to_evaluate_hardware(text):
    assert facts(text, "purpose_hardware_evaluation")


@pytest.mark.parametrize("text,negated", [
    ("The six chiropractic visits have helped; she grips with less pain and felt more flexible.", False),
    ("The physical therapy has not helped.", True),
])
def test_improving_with_care(text, negated):
    assert one(text, "improving_with_care").negated == negated


@pytest.mark.parametrize("text", [
    "Acupuncture for 6 sessions was authorized by the Claims Administrator.",
    "Utilization review issued a modification for an initial 6 sessions of acupuncture.",
])
def test_partial_certification_passive_phrasings(text):
    assert facts(text, "ur_modified")


def test_non_certification_is_not_partial_certification():
    assert not facts("The request for 12 sessions of physical therapy was non-certified.", "ur_modified")


def test_facts_are_placed_on_a_timeline():
    text = ("The worker was injured on 3/4/2015. A lumbar MRI of June 2, 2015 showed a disc protrusion. "
            "On December 1, 2016, she reported weakness of the left ankle rated 4/5. She had 12 sessions of physical therapy.")
    got = {f.name: f.date for f in extract_facts(text)}
    assert got["date_of_injury"] == dt.date(2015, 3, 4)
    assert got["prior_mri"] == dt.date(2015, 6, 2)
    assert got["motor_weakness"] == dt.date(2016, 12, 1)
    assert got["physical_therapy"] is None  # its sentence gives no date


@pytest.mark.parametrize("text,name,negated,hypothetical", [
    ("Negative drop arm test.", "internal_derangement", True, False),
    ("Drop arm test negative.", "internal_derangement", True, False),
    ("Lateral Apley grind test is positive.", "internal_derangement", False, False),
    ("Surgery is not being considered.", "surgery_planned", True, False),
    ("He is not a surgical candidate.", "surgery_planned", True, False),
    ("Surgery is being considered.", "surgery_planned", False, True),
    ("She reports no change in function.", "functional_improvement", True, False),
    ("There is hyposensorium in the left hand.", "sensory_deficit", False, False),
    ("The physical therapy helped with flexibility.", "improving_with_care", False, False),
    ("Physical therapy was not helpful with pain.", "improving_with_care", True, False),
    ("Numbness and tingling into the right ring and small fingers.", "radicular_symptoms", False, False),
])
def test_phrasings_found_while_writing_the_rule_tests(text, name, negated, hypothetical):
    f = one(text, name)
    assert (f.negated, f.hypothetical) == (negated, hypothetical)


def test_facts_eval_command_reports_micro_figures():
    import json

    from typer.testing import CliRunner

    from checker.cli import app

    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared not found: facts-eval needs the annotated letters")
    res = CliRunner().invoke(app, ["facts-eval", "--split", "all", "--json"])
    assert res.exit_code == 0
    rep = json.loads(res.stdout)
    assert rep["micro"]["precision"] >= 0.90 and rep["micro"]["recall"] >= 0.85


def test_a_requirement_is_not_a_finding():
    text = ("The request for acupuncture was modified to authorize 6 sessions, as evidence of objective functional "
            "improvement was required for future authorizations.")
    f = one(text, "functional_improvement")
    assert f.hypothetical and not f.negated


def test_malformed_modifier_pattern_is_a_clear_lexicon_error(tmp_path):
    from checker import facts as facts_mod

    src = (Path(facts_mod.LEXICON_PATH)).read_text(encoding="utf-8")
    bad = tmp_path / "lexicon.yaml"
    bad.write_text(src.replace("      - rule out\n", "      - rule (?: out)\n", 1), encoding="utf-8")
    with pytest.raises(facts_mod.LexiconError, match="quote a pattern"):
        facts_mod.load_lexicon(bad)


@pytest.mark.parametrize("text", [
    "The MRI was denied because the patient has not undergone conservative care; six sessions of physical therapy were just certified.",
    "He is awaiting physical therapy.",
])
def test_conservative_care_not_yet_tried(text):
    assert facts(text, "conservative_care_pending")


def test_not_yet_started_therapy_is_negated():
    assert one("He has not yet started physical therapy.", "physical_therapy").negated


def test_weakness_described_as_progressive():
    assert not one("The weakness of the right hand is progressive.", "progressive_neuro_deficit").negated
