"""Surgery requests, the surgery facts and associated surgical services (checker/requests/surgery.py,
checker/lexicon/*.d/surgery.yaml, checker/associated.py)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checker.associated import follow_surgeries, is_associated, surgery_for
from checker.evaluate import evaluate_letter
from checker.facts import extract_facts
from checker.models import Request, Result
from checker.requests import normalize_request


# ----------------------------------------------------------------------------------------------- request reading
@pytest.mark.parametrize("text, modality, region, procedures", [
    # the corpus forms
    ("Right shoulder arthroscopy RCR (rotator cuff repair) and decompression", "rotator_cuff_repair", "shoulder",
     {"rotator_cuff_repair", "subacromial_decompression", "arthroscopy"}),
    # office forms
    ("R shoulder scope, SAD, DCE", "shoulder_decompression", "shoulder", {"subacromial_decompression"}),
    ("Left shoulder arthroscopy with subacromial decompression and acromioplasty", "shoulder_decompression",
     "shoulder", {"subacromial_decompression"}),
    ("Left knee arthroscopy with partial medial meniscectomy", "knee_arthroscopy", "knee", {"meniscectomy"}),
    ("L knee scope, APM", "knee_arthroscopy", "knee", {"meniscectomy"}),
    ("Right knee arthroscopic chondroplasty", "knee_arthroscopy", "knee", {"chondroplasty"}),
    ("Right TKA", "knee_arthroplasty", "knee", {"knee_arthroplasty"}),
    ("Left total knee replacement with 3 day inpatient stay", "knee_arthroplasty", "knee", {"knee_arthroplasty"}),
    ("Right carpal tunnel release", "carpal_tunnel_release", "hand_wrist", {"carpal_tunnel_release"}),
    ("Endoscopic CTR bilateral", "carpal_tunnel_release", "hand_wrist", {"carpal_tunnel_release"}),
    ("Left trigger thumb release", "trigger_finger_release", "hand_wrist", {"trigger_finger_release"}),
    ("L5-S1 microdiscectomy", "lumbar_decompression", "lumbar", {"discectomy"}),
    ("Lumbar laminectomy at L4-5", "lumbar_decompression", "lumbar", {"laminectomy"}),
    ("L4-S1 TLIF", "lumbar_fusion", "lumbar", {"fusion"}),
    ("Posterior lumbar interbody fusion L4-5", "lumbar_fusion", "lumbar", {"fusion"}),
    ("ACDF C5-C7", "cervical_surgery", "cervical", {"fusion"}),
    ("Cervical laminectomy C3-C6", "cervical_surgery", "cervical", {"laminectomy"}),
    ("Right ACL reconstruction", "acl_reconstruction", "knee", {"acl_reconstruction"}),
    ("Left cubital tunnel release", "cubital_tunnel_release", "elbow", {"cubital_tunnel_release"}),
])
def test_procedures_are_read(text, modality, region, procedures):
    r = normalize_request(text)
    assert r.category == "surgery" and r.in_scope
    assert r.modality == modality
    assert region in r.regions
    assert procedures <= set(r.attributes["procedures"])
    assert r.kind.startswith("surgery: ")


def test_a_surgery_evaluation_is_a_consultation_not_a_surgery():
    r = normalize_request("Spine surgery evaluation for the lumbar")
    assert r.category == "consultation" and r.modality == "surgical_consultation" and "lumbar" in r.regions


def test_laterality_approach_and_levels():
    r = normalize_request("Open carpal tunnel release, left wrist")
    assert (r.laterality, r.attributes["approach"]) == ("left", "open")
    assert normalize_request("Right shoulder arthroscopy RCR").attributes["approach"] == "arthroscopic"
    assert normalize_request("L4-5 and L5-S1 microdiscectomy").attributes["levels"] == 2
    assert normalize_request("L4-S1 TLIF").attributes["levels"] == 2
    assert normalize_request("L5-S1 fusion").attributes["levels"] == 1
    assert normalize_request("Two level lumbar fusion").attributes["levels"] == 2
    assert normalize_request("C4-5, C5-6 ACDF").attributes["levels"] == 2


@pytest.mark.parametrize("text, kind", [
    ("Left de Quervain release", "surgery: de quervain release"),
    ("Manipulation under anesthesia of the right shoulder", "surgery: manipulation under anesthesia"),
    ("Right reverse total shoulder arthroplasty", "surgery: shoulder arthroplasty"),
    ("Right total hip replacement", "surgery: hip arthroplasty"),
    ("Spinal cord stimulator implantation", "surgery: spinal cord stimulator"),
])
def test_procedures_outside_the_catalog_are_out_of_scope_with_their_kind(text, kind):
    r = normalize_request(text)
    assert r.category == "surgery" and not r.in_scope and r.modality is None
    assert r.kind == kind


def test_a_bare_surgery_word_is_not_guessed():
    r = normalize_request("Right knee surgery")
    assert not r.in_scope and r.kind == "surgery: Right knee surgery"


def test_associated_prefix_is_kept_as_an_attribute():
    r = normalize_request("Associated surgical service: Shoulder sling with abduction pillow")
    assert r.category == "equipment" and r.attributes.get("associated") is True
    assert "associated" not in normalize_request("Shoulder sling with abduction pillow").attributes
    assert normalize_request("Post-op physical therapy 2 times a week for 4 weeks").postsurgical
    # "posterior" is not "post-": the fusion stays the head of its request
    assert normalize_request("Posterior lumbar fusion L4-5").category == "surgery"


def test_bad_input_never_raises():
    for text in ["", "   ", "L-", "RCR", "fusion C9-C2", "L5-S1 L5-S1 L5-S1", "associated surgical service:", None]:
        normalize_request(text)


# ----------------------------------------------------------------------------------------------------- facts
def _facts(text: str) -> dict[str, list[bool]]:
    out: dict[str, list[bool]] = {}
    for f in extract_facts(text, as_of=date(2016, 12, 1)):
        out.setdefault(f.name, []).append(f.negated)
    return out


@pytest.mark.parametrize("text, fact, negated", [
    ("MRI of the right shoulder showed a full-thickness supraspinatus tear with retraction.", "cuff_tear_full_thickness", False),
    ("MRI showed a partial-thickness articular-sided tear of the supraspinatus.", "cuff_tear_partial", False),
    ("Positive Neer and Hawkins signs.", "impingement", False),
    ("Negative Neer sign.", "impingement", True),
    ("Left knee MRI revealed a complex tear of the posterior horn of the medial meniscus.", "meniscal_tear_imaging", False),
    ("She reports locking and catching of the knee.", "mechanical_symptoms", False),
    ("No locking or giving way.", "mechanical_symptoms", True),
    ("X-rays show bone on bone medial compartment osteoarthritis.", "advanced_osteoarthritis", False),
    ("Mild degenerative joint disease of the knee.", "osteoarthritis", False),
    ("He wakes at night with knee pain.", "night_pain", False),
    ("Denies night pain.", "night_pain", True),
    ("EMG/NCS dated 4/1/2016 showed moderate right carpal tunnel syndrome.", "edx_entrapment_confirmed", False),
    ("EMG/NCS of the upper extremities was normal.", "edx_entrapment_confirmed", True),
    ("She wore a night wrist splint for 6 weeks.", "splinting", False),
    ("Right ring trigger finger with painful catching.", "trigger_digit", False),
    ("Lumbar MRI revealed a 6 mm L5-S1 disc extrusion.", "disc_herniation", False),
])
def test_surgery_facts(text, fact, negated):
    got = _facts(text)
    assert fact in got, got
    assert negated in got[fact]


def test_surgery_facts_scoping():
    # the requested splint is not prior splinting; a family member's arthritis is not the patient's
    assert "splinting" not in _facts("Request for a wrist splint.")
    assert _facts("BMI 42.")  # a number
    assert [f.value for f in extract_facts("BMI 42.", as_of=date(2016, 1, 1)) if f.name == "bmi"] == [42]
    # a meniscal tear named without imaging in the sentence is not an MRI finding
    assert "meniscal_tear_imaging" not in _facts("Rule out meniscal tear")


# ------------------------------------------------------------------------------------ associated surgical services
UPHELD_SURGERY_SUMMARY = (
    "The injured worker is a 52-year-old warehouse worker with right shoulder pain since a lifting injury on "
    "June 1, 2016. Strength is 5/5 in all planes. An MRI of the right shoulder showed tendinosis without a tear. "
    "Physical therapy has not yet started.")
CERTIFIED_SURGERY_SUMMARY = (
    "The injured worker is a 52-year-old warehouse worker with right shoulder pain since a lifting injury on "
    "January 4, 2016. An MRI of the right shoulder showed a full-thickness supraspinatus tear with retraction. "
    "Abduction strength is 3+/5 with a positive drop arm test. Physical therapy x 12 did not help.")


def _letter(summary: str, items: list[tuple[str, str]]) -> str:
    head = ("Case Number: CM16-9100001\nDate Assigned: 10/10/2016 Date of Injury: 06/01/2016\n"
            "Decision Date: 11/01/2016 UR Denial Date: 10/01/2016\nPriority: Standard Application \nReceived: \n"
            "10/05/2016\nHOW THE IMR FINAL DETERMINATION WAS MADE\nMAXIMUS Federal Services sent the complete case "
            "file to an expert reviewer.\nThe Expert Reviewer has the following credentials:\nState(s) of Licensure: "
            "California\nCertification(s)/Specialty: Orthopedic Surgery\nCLINICAL CASE SUMMARY\nThe expert reviewer "
            "developed the following clinical case summary based on a review of the \ncase file, including all "
            f"medical records:\n{summary}\nIMR ISSUES, DECISIONS AND RATIONALES\nThe Final Determination was based on "
            "decisions for the disputed items/services set forth below:\n")
    body = ""
    for request, decision in items:
        body += (f"{request}: {decision}\nClaims Administrator guideline: Decision based on MTUS.\n"
                 "MAXIMUS guideline: Decision based on MTUS Shoulder Complaints 2004.\n"
                 "Decision rationale: The rationale is not read by the predictor.\n")
    return head + body


ITEMS = [("Right shoulder arthroscopy with rotator cuff repair", "Overturned"),
         ("Associated surgical service: Shoulder sling with abduction pillow", "Overturned"),
         ("Post-op physical therapy 2 times a week for 4 weeks", "Overturned"),
         ("Pre-op labs: CBC", "Overturned"),
         ("Post-op physical therapy for the left knee 2 times a week for 6 weeks", "Overturned"),
         ("Naproxen 550mg #60", "Overturned")]


def test_associated_items_follow_a_surgery_predicted_upheld(tmp_path):
    p = tmp_path / "upheld.txt"
    p.write_text(_letter(UPHELD_SURGERY_SUMMARY, ITEMS))
    out = evaluate_letter(p)
    assert out.error is None and len(out.items) == 6
    surgery, sling, pt, labs, knee_pt, drug = out.predictions
    assert surgery is not None and surgery.imr_outcome == "Upheld"
    for pred in (sling, pt, labs):
        assert pred is not None and pred.imr_outcome == "Upheld"
        assert pred.reasons == ["primary_procedure_not_certified"]
        assert pred.rules == surgery.rules and pred.citations == surgery.citations
        assert "not the letter's decision" in pred.notes[0]
    # therapy for another joint is not this surgery's service, and a drug not marked post-op is judged by itself
    assert knee_pt is None or "primary_procedure_not_certified" not in knee_pt.reasons
    assert drug is None or "primary_procedure_not_certified" not in drug.reasons
    # the item results carry the same prediction (the letter's decisions, all Overturned, are never read)
    assert [i.predicted for i in out.items[:4]] == ["Upheld"] * 4


def test_associated_items_keep_their_own_criteria_when_the_surgery_is_certified(tmp_path):
    p = tmp_path / "certified.txt"
    p.write_text(_letter(CERTIFIED_SURGERY_SUMMARY, ITEMS[:3]))
    out = evaluate_letter(p)
    surgery, sling, pt = out.predictions
    assert surgery is not None and surgery.imr_outcome == "Overturned"
    # judged by its own criteria (the equipment's), never by the surgery's
    assert sling is None or "primary_procedure_not_certified" not in sling.reasons
    assert pt is None or "primary_procedure_not_certified" not in pt.reasons


def test_associated_items_without_a_surgery_item_keep_their_own_criteria(tmp_path):
    p = tmp_path / "no_surgery.txt"
    p.write_text(_letter(UPHELD_SURGERY_SUMMARY, ITEMS[1:4]))
    out = evaluate_letter(p)
    for pred in out.predictions:
        assert pred is None or "primary_procedure_not_certified" not in pred.reasons


def _req(text: str) -> Request:
    return normalize_request(text, as_of=date(2016, 10, 1))


def test_linking_by_operative_site():
    knee = _req("Left knee arthroscopy with partial meniscectomy")
    shoulder = _req("Right shoulder arthroscopy with rotator cuff repair")
    up = Result(request="x", status="not met", imr_outcome="Upheld")
    surgeries = [(knee, up), (shoulder, up)]
    assert surgery_for(_req("Post-op physical therapy for the right shoulder x 12"), surgeries)[0] is shoulder
    assert surgery_for(_req("Post-op knee brace"), surgeries)[0] is knee
    assert surgery_for(_req("Post-op lumbar brace"), surgeries) is None
    assert surgery_for(_req("Pre-op EKG"), surgeries)[0] is knee  # no site: the first surgery
    assert not is_associated(knee)
    assert not is_associated(_req("Naproxen 550mg #60"))
    assert is_associated(_req("Labs to include: EKG"))          # a test in a surgical letter is the pre-op work-up
    assert not is_associated(_req("Labs to include: EKG"), with_surgery=False)


def test_a_surgical_consultation_is_not_a_surgery():
    consult = _req("Spine surgery evaluation for the lumbar")
    preds = [Result(request="x", status="not met", imr_outcome="Upheld"), None]
    assert follow_surgeries([consult, _req("Pre-op labs: CBC")], preds) == preds
