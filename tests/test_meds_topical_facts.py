"""Facts of the topical analgesic criteria (checker/lexicon/*.d/meds-topical.yaml): negation, time, request and
speaker scoping."""
from __future__ import annotations

import datetime as dt

from checker.facts import extract_facts


def states(text, name, **kw):
    """(negated, hypothetical, historical) of each mention of ``name``."""
    return [(f.negated, f.hypothetical, f.historical) for f in extract_facts(text, **kw) if f.name == name]


def present(text, name):
    return any(not n and not h for n, h, _ in states(text, name))


def test_neuropathic_pain_and_its_negation():
    assert present("Burning pain over the left foot; post-herpetic neuralgia.", "neuropathic_pain_peripheral")
    assert present("Exam shows allodynia of the right hand.", "neuropathic_pain_peripheral")
    s = states("There is no neuropathic pain.", "neuropathic_pain_peripheral")
    assert s and all(n for n, _, _ in s)
    assert not states("Lumbar strain with paraspinal spasm.", "neuropathic_pain_peripheral")


def test_first_line_trial_counts_tried_drugs_not_topicals_or_requests():
    assert present("She failed gabapentin due to sedation.", "first_line_neuropathic_trial")
    assert present("Meds: Cymbalta 60 mg daily.", "first_line_neuropathic_trial")
    # a topical form of the drug is not a trial of it
    assert not present("Request for gabapentin 10% cream.", "first_line_neuropathic_trial")
    assert not present("Plan: compounded cream with amitriptyline.", "first_line_neuropathic_trial")
    # a drug only planned or requested is not a trial (prior care)
    assert not present("The treatment plan included nortriptyline.", "first_line_neuropathic_trial")
    s = states("She has never tried gabapentin.", "first_line_neuropathic_trial")
    assert not s or all(n for n, _, _ in s)


def test_oral_intolerance_and_its_absence():
    assert present("Persistent dysphagia after ACDF; cannot swallow pills.", "oral_intolerance")
    s = states("The patient was able to tolerate oral medications.", "oral_intolerance")
    assert s and all(n for n, _, _ in s)
    s = states("He tolerates oral medications well.", "oral_intolerance")
    assert s and all(n for n, _, _ in s)
    s = states("No dysphagia.", "oral_intolerance")
    assert s and all(n for n, _, _ in s)


def test_joint_arthritis_is_peripheral_joints_only():
    assert present("Dx: right knee osteoarthritis.", "peripheral_joint_arthritis")
    assert present("Left lateral epicondylitis.", "peripheral_joint_arthritis")
    assert present("Positive Finkelstein, de Quervain's tenosynovitis.", "peripheral_joint_arthritis")
    assert not states("Lumbar facet arthritis and hip pain.", "peripheral_joint_arthritis")


def test_other_treatments_failed():
    assert present("Failed oral NSAIDs due to GI upset.", "other_treatments_failed")
    assert present("Medications have not helped.", "other_treatments_failed")
    assert not states("Naproxen helps with her pain.", "other_treatments_failed")


def test_nutritional_deficiency_and_negation():
    assert present("Labs show vitamin D deficiency after gastric bypass.", "nutritional_deficiency")
    s = states("No malnutrition.", "nutritional_deficiency")
    assert s and all(n for n, _, _ in s)


def test_another_persons_condition_is_not_the_patients():
    fs = [f for f in extract_facts("Her mother has diabetic neuropathy.") if f.name == "neuropathic_pain_peripheral"]
    assert fs and all(f.experiencer == "other" for f in fs)


def test_facts_carry_dates():
    fs = [f for f in extract_facts("On 03/01/2016 she failed gabapentin.", as_of=dt.date(2016, 6, 1))
          if f.name == "first_line_neuropathic_trial"]
    assert fs and fs[0].evidence.quote == "gabapentin" and fs[0].date == dt.date(2016, 3, 1)
