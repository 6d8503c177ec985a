"""Injection requests (checker/requests/injections.py): the forms the corpus letters and offices write, and how the
criteria decide them."""
from __future__ import annotations

from datetime import date

import pytest

from checker.predict import default_checker
from checker.requests import normalize_request
from checker.requests.injections import count_levels


@pytest.mark.parametrize("text,modality,levels,approach,laterality", [
    # corpus letters' wording
    ("Facet joint injections L4-5, L5-S1", "facet_injection", 2, None, None),
    ("Neuroplasty, lumbar spine", "adhesiolysis", None, None, None),
    ("Injection of neurolytic substance, lumbar spine", "adhesiolysis", None, None, None),
    ("Right L5-S1 epidural steroid injection", "epidural_steroid", 1, None, "right"),
    ("Left L5-S1 epidural steroid injection", "epidural_steroid", 1, None, "left"),
    ("1 platelet rich plasma injection to left foot", "prp", None, None, "left"),
    ("Right L4 transforaminal epidural steroid injection under fluoroscopic guidance", "epidural_steroid", 1,
     "transforaminal", "right"),
    ("Lumbar Spine Epidural Injection at L4-5 under fluoroscopy", "epidural_steroid", 1, None, None),
    ("Lumbar epidural steroid injection with pain interventionist consult and treatment", "epidural_steroid", None,
     None, None),
    ("One platelet-rich plasma injection to the right knee", "prp", None, None, "right"),
    ("Platelet-rich plasma injection to the right knee", "prp", None, None, "right"),
    ("Retrospective injection 5cc of lidocaine hcl 1percent and 1cc of dexamethasone 120mg to the right knee",
     "joint_steroid", None, None, "right"),
    # office forms
    ("L5-S1 TFESI", "epidural_steroid", 1, "transforaminal", None),
    ("B/L L4-5 MBB", "medial_branch_block", 1, None, "bilateral"),
    ("TPI x4", "trigger_point", None, None, None),
    ("R knee CSI", "joint_steroid", None, None, "right"),
    ("C6-7 ILESI", "epidural_steroid", 1, "interlaminar", None),
    ("Caudal ESI", "epidural_steroid", None, "caudal", None),
    ("Bilateral L3-S1 radiofrequency ablation", "rf_ablation", 3, None, "bilateral"),
    ("L SI joint injection under fluoro", "si_joint", None, None, "left"),
    ("Synvisc-One right knee", "viscosupplementation", None, None, "right"),
    ("Euflexxa x3 L knee", "viscosupplementation", None, None, "left"),
    ("Dextrose prolotherapy lumbar", "prolotherapy", None, None, None),
    ("Botox 200 units cervical", "botox", None, None, None),
    ("Epidural adhesiolysis L4-5", "adhesiolysis", 1, None, None),
    ("Medial branch radiofrequency neurotomy L4-5, L5-S1", "rf_ablation", 2, None, None),
    ("R shoulder subacromial cortisone injection", "joint_steroid", None, None, "right"),
    ("Cervical facet injection C5-6", "facet_injection", 1, None, None),
])
def test_injection_requests_are_read(text, modality, levels, approach, laterality) -> None:
    r = normalize_request(text)
    assert r.category == "injection", text
    assert r.modality == modality and r.in_scope
    assert r.attributes.get("levels") == levels
    assert r.attributes.get("approach") == approach
    assert r.laterality == laterality
    assert r.kind.startswith("injection: ")


@pytest.mark.parametrize("text,kind_word", [
    ("Right hip cortisone injection", "hip"),
    ("Occipital nerve block", "Occipital"),
    ("Left knee injection", "knee"),          # no substance named: not guessed
    ("Thoracic facet injection T7-8", "facet"),
    ("PRP injection R elbow", "platelet"),
    ("Toradol injection", "Toradol"),
])
def test_injections_outside_the_catalog_are_out_of_scope_with_their_kind(text, kind_word) -> None:
    r = normalize_request(text)
    assert r.category == "injection" and not r.in_scope and r.modality is None
    assert kind_word in r.kind
    res = default_checker().check("Pain.", r)
    assert res.status == "no rule applies" and res.imr_outcome is None


@pytest.mark.parametrize("text,levels", [
    ("L4-5, L5-S1", 2), ("L3-S1", 3), ("L4 and L5", 2), ("L4-5 and L4", 1), ("C5-6", 1), ("T12-L1", 1),
    ("L5-S1 and L4-5 and L3-4", 3), ("no level", None), ("L9", None),
])
def test_levels_are_counted(text, levels) -> None:
    assert count_levels(text) == levels


def test_repeat_is_read() -> None:
    assert normalize_request("Repeat L4-5 TFESI").repeat
    assert normalize_request("Second lumbar epidural steroid injection").repeat
    assert not normalize_request("L4-5 TFESI").repeat


def test_kind_says_type_levels_and_side() -> None:
    assert normalize_request("Left L4-5, L5-S1 TFESI").kind == (
        "injection: transforaminal epidural steroid injection, 2 levels, left")


def test_bad_input_never_raises() -> None:
    for text in ("", "injection", "L99-S7 ESI", "ESI ESI ESI " * 50, "\x00facet", None):
        r = normalize_request(text)  # type: ignore[arg-type]
        assert r.kind


SUMMARY_ESI = ("45 yo with low back pain radiating down the left leg for 5 months despite PT and naproxen. "
               "Decreased sensation in the left L5 dermatome, positive straight leg raise on the left. "
               "MRI showed an L4-5 disc extrusion compressing the L5 nerve root.")


def test_check_accepts_an_office_esi_request() -> None:
    res = default_checker().check(SUMMARY_ESI, "L L4-5 TFESI", as_of=date(2016, 10, 1))
    assert res.imr_outcome == "Overturned"
    assert res.rules == ["mtus.cpmtg.esi.radiculopathy-corroborated-failed-care"]


def test_esi_over_the_level_limit_is_upheld_whole() -> None:
    res = default_checker().check(SUMMARY_ESI, "L3-4, L4-5, L5-S1 TFESI", as_of=date(2016, 10, 1))
    assert res.imr_outcome == "Upheld" and "mtus.cpmtg.esi.levels" in res.rules


def test_esi_without_corroboration_is_upheld_for_that_reason() -> None:
    from checker.reasons import result_reasons
    ch = default_checker()
    res = ch.check("Low back pain radiating to the right leg, positive straight leg raise on the right. "
                   "Failed PT. No MRI yet.", "Right L5-S1 ESI", as_of=date(2016, 10, 1))
    assert res.imr_outcome == "Upheld"
    assert "radiculopathy_not_corroborated" in result_reasons(res, ch.engine.by_id)


def test_esi_after_11_30_2017_is_judged_by_the_last_mtus_with_a_note() -> None:
    res = default_checker().check(SUMMARY_ESI, "L L4-5 TFESI", as_of=date(2018, 3, 1))
    assert res.imr_outcome == "Overturned" and res.notes


def test_the_second_of_two_requested_epidurals_is_not_a_prior_one() -> None:
    from checker.facts import extract_facts
    text = ("The Request for Authorization included requests for a right L5 transforaminal epidural steroid "
            "injection under fluoroscopic guidance and a right L4 transforaminal epidural steroid injection.")
    assert not [f for f in extract_facts(text) if f.name == "prior_epidural"]
