"""Facts of the equipment part files (checker/lexicon/*.d/equipment.yaml): presence, negation, time and scope."""
from __future__ import annotations

import pytest

from checker.facts import extract_facts


def states(text, name):
    return [(f.negated, f.hypothetical) for f in extract_facts(text) if f.name == name]


@pytest.mark.parametrize("text,name", [
    ("She did a one-month home trial of a TENS unit.", "stim_unit_trial"),
    ("50% relief with the TENS unit.", "stim_unit_benefit"),
    ("TENS unit, which reduced her pain.", "stim_unit_benefit"),
    ("Failed TENS and PT.", "tens_failed"),
    ("He is non-weight bearing on the left after ORIF.", "impaired_ambulation"),
    ("Antalgic gait.", "impaired_ambulation"),
    ("Audiogram shows bilateral sensorineural hearing loss.", "hearing_loss"),
    ("Seen by the audiologist.", "hearing_specialist"),
    ("Positive Cozen's test; lateral epicondylitis.", "lateral_epicondylitis"),
    ("Positive Finkelstein.", "de_quervain"),
    ("2+ pitting edema of the leg.", "edema"),
    ("Frozen shoulder.", "adhesive_capsulitis"),
    ("She is bedridden.", "bed_confined"),
    ("Plantar fasciitis L foot.", "plantar_fasciitis"),
    ("MRI: massive retracted rotator cuff tear.", "large_cuff_tear"),
    ("Cumulative trauma claim from repetitive lifting.", "cumulative_trauma"),
])
def test_present(text, name):
    assert (False, False) in states(text, name), extract_facts(text)


@pytest.mark.parametrize("text,name", [
    ("TENS unit did not help.", "stim_unit_benefit"),
    ("No relief with the H-wave.", "stim_unit_benefit"),
    ("Gait normal.", "impaired_ambulation"),
    ("Walks without assistive device.", "impaired_ambulation"),
    ("Full weight bearing.", "impaired_ambulation"),
    ("No swelling or edema of the leg.", "edema"),
    ("Patient is not bed-bound.", "bed_confined"),
    ("Audiogram: no sensorineural hearing loss.", "hearing_loss"),
])
def test_negated(text, name):
    st = states(text, name)
    assert st and all(neg for neg, _ in st), st


def test_failed_tens_is_not_a_benefit():
    text = "TENS unit did not help."
    assert any(f.name == "tens_failed" and not f.negated for f in extract_facts(text))
    assert not any(f.name == "stim_unit_benefit" and not f.negated for f in extract_facts(text))


def test_requested_trial_is_not_a_prior_trial():
    # a prior-care fact: a trial asked for is not a trial given
    assert not [f for f in extract_facts("Request for H-wave unit trial.") if f.name == "stim_unit_trial"
                and not f.negated and not f.hypothetical]


def test_evidence_quotes_the_text():
    text = "S: s/p ORIF. NWB RLE, uses a walker. 2+ edema."
    for f in extract_facts(text):
        assert text[f.evidence.start:f.evidence.end] == f.evidence.quote
