"""Body regions of fact mentions, and setting aside findings about another part of the body."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import check
from checker.engine import facts_for_request, mention_fits
from checker.facts import extract_facts
from checker.requests import normalize_request


def _regions(text: str, name: str) -> list[list[str]]:
    return [f.regions for f in extract_facts(text) if f.name == name]


@pytest.mark.parametrize("text, name, regions", [
    # a region after the finding in its own phrase wins over a nearer one in the previous phrase
    ("Examination showed tenderness of the cervical spine, decreased sensation to the lateral foot.",
     "sensory_deficit", [["ankle_foot"]]),
    # a region before it in the same phrase
    ("Lumbar spine examination showed decreased sensation.", "sensory_deficit", [["lumbar"]]),
    # coordinated regions all count
    ("She had an MRI of the cervical and lumbar spine in 2015.", "prior_mri", [["cervical", "lumbar"]]),
    ("Neck pain radiating to the right upper extremity and right lower extremity.", "radicular_symptoms",
     [["upper_extremity", "lower_extremity"]]),
    ("Motor strength was 5/5 bilaterally in the upper and lower extremities.", "motor_weakness",
     [["upper_extremity", "lower_extremity"]]),
    # a region named inside the mention
    ("A lumbar MRI from 2015 showed a disc bulge.", "prior_mri", [["lumbar"]]),
    ("Status post right knee arthroscopy in 2014.", "prior_surgery", [["knee"]]),
    # implicit regions
    ("Positive Spurling's test.", "positive_spurling", [["cervical"]]),
    # "head" inside "radial head" is the elbow
    ("Left elbow pain after a radial head fracture.", "red_flag_fracture", [["elbow"]]),
    ("Nondisplaced fracture of the left radius head.", "red_flag_fracture", [["elbow"]]),
    ("A stress fracture of the second metatarsal head.", "red_flag_fracture", [["ankle_foot"]]),
    ("CT of the head showed a skull fracture.", "red_flag_fracture", [["head"]]),
    # no region named: none given
    ("Examination showed decreased sensation.", "sensory_deficit", [[]]),
])
def test_mention_regions(text, name, regions):
    assert _regions(text, name) == regions


def test_region_stays_in_its_clause():
    text = "Neck pain with numbness of the fingers; the low back is stiff."
    assert _regions(text, "radicular_symptoms") == [["hand_wrist"]]


def test_non_regional_facts_carry_no_region():
    facts = extract_facts("A 45-year-old man with neck pain rated 7/10 who takes ibuprofen.")
    assert facts and all(f.regions == [] for f in facts)


@pytest.mark.parametrize("mode, mention, requested, fits", [
    ("quadrant", ["ankle_foot"], ["cervical"], False),
    ("quadrant", ["ankle_foot"], ["lumbar"], True),
    ("quadrant", ["hand_wrist"], ["upper_extremity"], True),
    ("quadrant", ["upper_extremity"], ["lumbar"], False),
    ("quadrant", ["thoracic"], ["lumbar"], True),           # the trunk is never set aside
    ("quadrant", ["ankle_foot"], ["unspecified"], True),    # a request with no region keeps everything
    ("quadrant", [], ["cervical"], True),                   # a mention with no region is kept
    ("site", ["lumbar"], ["cervical"], False),
    ("site", ["knee"], ["knee"], True),
    ("site", ["ankle_foot"], ["knee"], False),
    ("site", ["cervical", "lumbar"], ["lumbar"], True),
    ("spine_as_one", ["lumbar"], ["cervical"], True),       # a fusion bears on the whole spine
    ("spine_as_one", ["knee"], ["cervical"], False),
    ("spine_as_one", ["lumbar"], ["knee"], False),
    (None, ["lumbar"], ["cervical"], True),                 # not a regional fact
])
def test_mention_fits(mode, mention, requested, fits):
    assert mention_fits(mode, mention, requested) is fits


def test_facts_for_request_drops_other_limb_findings():
    facts = extract_facts("Numbness of the left foot and weakness of the left ankle 4/5.")
    assert {f.name for f in facts} >= {"radicular_symptoms", "motor_weakness"}
    assert [f for f in facts_for_request(facts, normalize_request("MRI of the cervical spine"))
            if f.name in ("sensory_deficit", "motor_weakness", "radicular_symptoms")] == []
    assert facts_for_request(facts, normalize_request("MRI of the lumbar spine")) == facts


LEG = ("He sustained an industrial injury on June 1, 2016. Low back pain radiates to the left leg with numbness of "
       "the left foot. Weakness of the left ankle dorsiflexors 4/5 and a diminished left Achilles reflex. Physical "
       "therapy and medications failed. He would consider surgery. He also has neck pain without radiation.")


def test_leg_findings_support_a_lumbar_mri_not_a_cervical_one():
    day = dt.date(2016, 12, 1)
    lumbar = check(LEG, "MRI of the lumbar spine", as_of=day)
    cervical = check(LEG, "MRI of the cervical spine", as_of=day)
    assert lumbar.imr_outcome == "Overturned"
    assert cervical.imr_outcome == "Upheld"
    # the cervical prediction quotes none of the leg findings
    quotes = " ".join(e.quote for c in cervical.criteria for e in c.evidence)
    assert "4/5" not in quotes and "Achilles" not in quotes


def test_prior_mri_of_another_segment_is_not_a_repeat():
    text = ("She had an MRI of the lumbar spine in March 2016. Neck pain radiates to the right arm with numbness "
            "of the right thumb and weakness of the right biceps 4/5.")
    facts = facts_for_request(extract_facts(text), normalize_request("Repeat MRI of the cervical spine"))
    assert "prior_mri" not in {f.name for f in facts}


def test_set_aside_findings_are_reported():
    day = dt.date(2016, 12, 1)
    cervical = check(LEG, "MRI of the cervical spine", as_of=day)
    aside = {(a.fact, a.evidence.quote) for a in cervical.set_aside}
    assert ("motor_weakness", "4/5") in aside and ("reflex_change", "diminished left Achilles reflex") in aside
    assert all(LEG[a.evidence.start:a.evidence.end] == a.evidence.quote for a in cervical.set_aside)
    assert all(a.regions and "cervical" not in a.regions for a in cervical.set_aside)
    assert check(LEG, "MRI of the lumbar spine", as_of=day).set_aside == []


def test_cli_check_names_the_set_aside_findings(tmp_path):
    from typer.testing import CliRunner

    from checker.cli import app

    note = tmp_path / "note.txt"
    note.write_text(LEG, encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(note), "-r", "MRI of the cervical spine", "--as-of", "2016-12-01"])
    assert res.exit_code == 0, res.output
    assert "Set aside" in res.output and "Achilles" in res.output


PARTS = ["neck", "low back", "left foot", "right shoulder", "knee", "numbness", "weakness 4/5", "MRI", "of the",
         "cervical and lumbar spine", "x-rays", "status post", "arthroscopy", "positive straight leg raise", ",", ";",
         ".", "and", "radiating to the arm", "decreased sensation", "Achilles reflex diminished", "fracture", "head"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PARTS), max_size=40),
       st.sampled_from(["MRI of the cervical spine", "MRI of the lumbar spine", "MRI of the right knee",
                        "EMG of the bilateral upper extremities", "X-rays of the right shoulder", "MRI"]))
def test_region_properties(parts, request_text):
    from checker.facts import load_lexicon

    text = " ".join(parts)
    tags = set(load_lexicon().region_tags)
    facts = extract_facts(text)
    for f in facts:
        assert set(f.regions) <= tags
        assert len(f.regions) == len(set(f.regions))
    req = normalize_request(request_text)
    kept = facts_for_request(facts, req)
    # a subset, in order; what has no region is always kept
    assert [f for f in facts if f in kept] == kept
    assert all(f in kept for f in facts if not f.regions)
    if not req.regions:
        assert kept == facts
