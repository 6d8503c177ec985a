"""Systemic (oral) medication requests: drug-name normalisation, class modality, strength, sig, supply, morphine
equivalents (checker/requests/medications/oral.py and drugs.yaml), and the meds-oral facts."""
from __future__ import annotations

from datetime import date

import pytest

from checker.facts import extract_facts
from checker.requests import normalize_request
from checker.requests.medications import oral

# every oral request form of the corpus, and office forms
CASES = [
    ("Norflex 100mg #60", "muscle_relaxant", "orphenadrine", dict(quantity=60, strength_mg=100)),
    ("Pepcid 20mg", "h2_blocker", "famotidine", dict(strength_mg=20)),
    ("Oxycodone HCL ER 20mg #60 day supply: 30", "opioid", "oxycodone",
     dict(quantity=60, days_supply=30, per_day=2, daily_med=60, extended_release=True)),
    ("Diazepam 5mg #10", "benzodiazepine", "diazepam", dict(quantity=10)),
    ("Naproxen 550mg #60", "nsaid", "naproxen", dict(strength_mg=550)),
    ("Orphenadrine Citrate ER 100mg tabs #30", "muscle_relaxant", "orphenadrine", dict(extended_release=True)),
    ("Norco 5/325mg oral tablet, one tablet twice daily 14 days #40", "opioid", "hydrocodone",
     dict(strength_mg=5, per_day=2, days_supply=14, daily_med=10)),
    ("Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16", "muscle_relaxant", "cyclobenzaprine",
     dict(retrospective_date=date(2016, 11, 14))),
    ("Pantoprazole 40mg, one by mouth, twice a day #60 with one refill", "ppi", "pantoprazole",
     dict(per_day=2, days_supply=30, refills=1)),
    ("Two refills of Ibuprofen 600mg #90", "nsaid", "ibuprofen", dict(refills=2, quantity=90)),
    ("Lorzone 750mg one by mouth three times a day #45", "muscle_relaxant", "chlorzoxazone",
     dict(per_day=3, days_supply=15)),
    ("one month supply of Trezix capsule 30.5/30/16mg", "opioid", "dihydrocodeine", dict(strength_mg=16, days_supply=30)),
    ("Nortriptyline HCL 25mg, #30", "antidepressant", "nortriptyline", dict(drug_subclass="tricyclic")),
    ("Retrospective Cyclobenzaprine 7.5mg #18, per 12/07/2016 order", "muscle_relaxant", "cyclobenzaprine",
     dict(strength_mg=7.5, quantity=18)),
    ("Retrospective Famotidine 20mg #60, per 12/07/2016 order", "h2_blocker", "famotidine", dict(quantity=60)),
    ("Post-op Norco 5/325mg #60, 1-2 tabs orally every 4-6 hrs as needed", "opioid", "hydrocodone",
     dict(postsurgical=True, per_day=12, daily_med=60, days_supply=5)),
    ("Post-op Colace 100mg #60, 1 tablet by mouth as needed", "stool_softener", "docusate", dict(postsurgical=True)),
    ("Ultram (tramadol) 50mg #90", "opioid", "tramadol", dict(quantity=90)),
    ("Ultram ER 100mg #60", "opioid", "tramadol", dict(extended_release=True, strength_mg=100)),
    ("Fioricet #120", "barbiturate_analgesic", "butalbital/acetaminophen/caffeine", dict(quantity=120)),
    ("Diazepam (Valium) 5mg take 1 tab orally 1 hour before exam, may repeat dose 1/2 hour after first dose for "
     "anxiety", "benzodiazepine", "diazepam", dict(strength_mg=5)),
    ("Tramadol (Ultram) 50mg take 1 tab orally every 4-6 hours as needed for moderate to severe pain #30", "opioid",
     "tramadol", dict(per_day=6, daily_med=30)),
    ("Diclofenac/misoprostol 75-0.2mg #60 with 2 refills", "nsaid", "diclofenac/misoprostol",
     dict(gi_protective=True, strength_mg=75, refills=2)),
    ("Celecoxib 200mg #90", "nsaid", "celecoxib", dict(drug_subclass="cox2")),
    ("Pantoprazole sod DR 20mg #60", "ppi", "pantoprazole", dict(strength_mg=20)),
    ("Prilosec 20mg #90", "ppi", "omeprazole", {}),
    ("Prevacid 15mg #30", "ppi", "lansoprazole", {}),
    ("Baclofen 20mg #60", "muscle_relaxant", "baclofen", {}),
    ("Norco 7.5-325mg #112", "opioid", "hydrocodone", dict(strength_mg=7.5, quantity=112)),
    ("Flexeril 10mg #90", "muscle_relaxant", "cyclobenzaprine", {}),
    ("Meloxicam (Mobic) 7.5mg #30", "nsaid", "meloxicam", {}),
    # office forms
    ("Norco 10/325 #90", "opioid", "hydrocodone", dict(strength_mg=10, quantity=90)),
    ("Flexeril 10mg 1 tab qhs #30", "muscle_relaxant", "cyclobenzaprine", dict(per_day=1, days_supply=30)),
    ("Percocet 10/325 1 tab q4h prn #180", "opioid", "oxycodone", dict(per_day=6, daily_med=90, days_supply=30)),
    ("Oxycodone 30mg 2 tabs every 4 hours #360", "opioid", "oxycodone", dict(per_day=12, daily_med=540)),
    ("Soma 350mg TID #90", "muscle_relaxant", "carisoprodol", dict(per_day=3)),
    ("Ambien 10mg qhs #30", "sleep_aid", "zolpidem", dict(per_day=1)),
    ("Gabapentin 300mg tid #90", "anticonvulsant", "gabapentin", dict(per_day=3, days_supply=30)),
    ("Cymbalta 60mg daily #30", "antidepressant", "duloxetine", dict(drug_subclass="snri")),
    ("Sertraline 50mg #30", "antidepressant", "sertraline", dict(drug_subclass="ssri")),
    ("Xanax 0.5mg bid #60", "benzodiazepine", "alprazolam", dict(per_day=2, days_supply=30)),
    ("Senokot-S 2 tabs qhs #60", "stool_softener", "senna", dict(per_day=2)),
    ("Refill Norco", "opioid", "hydrocodone", {}),
]


@pytest.mark.parametrize("text,modality,drug,attrs", CASES, ids=[c[0][:40] for c in CASES])
def test_oral_request(text, modality, drug, attrs):
    r = normalize_request(text)
    assert r.category == "medication"
    assert r.modality == modality
    assert r.in_scope
    assert r.attributes["drug"] == drug
    assert r.kind == f"medication: {drug}"
    for k, v in attrs.items():
        got = getattr(r, k) if k in ("quantity", "postsurgical", "retrospective_date") else r.attributes.get(k)
        assert got == v, (k, got, v)


@pytest.mark.parametrize("text,kind", [
    ("Three months coverage of Viagra 50mg", "medication: sildenafil"),
    ("Cialis 5mg #30", "medication: tadalafil"),
    ("Medrol Dosepak 4mg", "medication: methylprednisolone"),
])
def test_drug_no_section_covers_is_out_of_scope_with_its_kind(text, kind):
    r = normalize_request(text)
    assert r.category == "medication"
    assert r.modality is None and not r.in_scope
    assert r.kind == kind


@pytest.mark.parametrize("text", [
    "Diclofenac sodium 3% 300mg/g #1",
    "One container of Flurbiprofen 10%, Cyclobenzaprine 3%, Gabapentin 6%, Lidocaine 5%/Dextromethorphan",
    "Dextromethorphan 5%/Amitriptyline 5%/Lidocaine/Capsaicin 0.025%, 120grams #1",
    "Lidoderm 5% patch #30",
])
def test_topical_and_compounded_products_are_not_oral_classes(text):
    r = normalize_request(text)
    assert r.category == "medication"
    assert r.modality not in oral.MODALITIES


def test_days_supply_not_taken_from_a_count():
    r = normalize_request("Naproxen 500mg #60")
    assert "days_supply" not in r.attributes and "daily_med" not in r.attributes


def test_longest_name_wins_and_unknown_drug():
    assert oral.lookup("ms contin 15mg")[1]["generic"] == "morphine"
    assert oral.lookup("ms contin 15mg")[1].get("extended")
    assert oral.lookup("unobtainium 5mg") is None
    r = normalize_request("Unobtainium 5mg #30")
    assert r.category == "medication" and not r.in_scope


def test_bad_input_never_raises():
    for text in ("", "#", "mg", "Norco //// #", "q0h Norco 10/0", "Oxycodone 5mg every 0 hours #10", None):
        normalize_request(text)


# --------------------------------------------------------------------------- facts
def _state(text, name):
    fs = [f for f in extract_facts(text) if f.name == name]
    if not fs:
        return "unknown"
    return "absent" if all(f.negated for f in fs) else "present"


@pytest.mark.parametrize("text,name,state", [
    ("Meds: Norco 10/325 q6h prn.", "taking_opioid", "present"),
    ("Plan: start Norco 5/325 #30.", "taking_opioid", "unknown"),            # a plan is not history
    ("The request for Flexeril was non-certified by UR.", "taking_muscle_relaxant", "unknown"),
    ("Has been on cyclobenzaprine since 10/2016.", "taking_muscle_relaxant", "present"),
    ("Medications include naproxen and omeprazole.", "taking_nsaid", "present"),
    ("Compounded flurbiprofen cream applied bid.", "taking_nsaid", "unknown"),
    ("Pain 8/10 without meds, 4/10 with meds.", "med_pain_relief", "present"),
    ("Reports 50% relief with medications.", "med_pain_relief", "present"),
    ("Medications are not helping.", "med_pain_relief", "absent"),
    ("Pain unrelieved by medication.", "med_pain_relief", "absent"),
    ("Meds allow him to work full duty.", "med_functional_benefit", "present"),
    ("No functional improvement with medications.", "med_functional_benefit", "absent"),
    ("No side effects.", "med_side_effects", "absent"),
    ("Constipation from Norco.", "med_side_effects", "present"),
    ("No aberrant behavior.", "aberrant_behavior", "absent"),
    ("Requested an early refill twice this month.", "aberrant_behavior", "present"),
    ("UDS 9/2016 consistent.", "drug_screen_consistent", "present"),
    ("Urine drug screen was inconsistent, positive for THC.", "drug_screen_consistent", "absent"),
    ("Opioid agreement signed 1/2016.", "pain_agreement", "present"),
    ("CURES report reviewed.", "cures_reviewed", "present"),
    ("History of bleeding ulcer in 2010.", "gi_risk_factor", "present"),
    ("Takes warfarin for atrial fibrillation.", "gi_risk_factor", "present"),
    ("No history of ulcers.", "gi_risk_factor", "absent"),
    ("Complains of heartburn since starting naproxen.", "dyspepsia", "present"),
    ("Denies GI upset.", "dyspepsia", "absent"),
    ("Chronic kidney disease stage 3.", "nsaid_risk_condition", "present"),
    ("Burning pain in both feet.", "neuropathic_pain", "present"),
    ("Denies depression.", "depression", "absent"),
    ("Anxiety about the MRI; claustrophobic.", "anxiety", "present"),
    ("Difficulty sleeping due to pain.", "insomnia", "present"),
    ("Exam: paraspinal spasm.", "muscle_spasm", "present"),
    ("No spasm.", "muscle_spasm", "absent"),
    ("Acute flare of low back pain 3 days ago.", "acute_exacerbation", "present"),
    ("Right knee osteoarthritis.", "osteoarthritis", "present"),
    ("Failed Tylenol and ibuprofen.", "nonopioid_analgesic_failed", "present"),
    ("Reports constipation.", "constipation", "present"),
])
def test_meds_oral_facts(text, name, state):
    assert _state(text, name) == state


def test_speaker_and_time_scoping():
    # the claims administrator's sentence about the drug is not the patient's history of taking it
    assert _state("Utilization review denied the request for Norco 10/325 #90.", "taking_opioid") == "unknown"
    # a resolved GI complaint is not a current one
    fs = [f for f in extract_facts("Her heartburn has resolved.") if f.name == "dyspepsia"]
    assert not fs or all(f.negated or getattr(f, "time", "") == "resolved" for f in fs)


# --------------------------------------------------------------------------- the drug table and the catalog
def test_drug_table_classes_and_unique_names():
    import re

    import yaml

    data = yaml.safe_load(oral.DRUGS_FILE.read_text(encoding="utf-8"))["drugs"]
    seen: dict[str, str] = {}
    for key, entry in data.items():
        assert entry.get("class") in (*oral.MODALITIES, None), key
        if entry.get("class") == "opioid" and key not in ("buprenorphine", "fentanyl"):
            assert isinstance(entry.get("med"), (int, float)) and entry["med"] > 0, key
        for n in [key.replace("_", " "), *(entry.get("names") or [])]:
            n = re.sub(r"[\s-]+", " ", str(n).lower())
            assert seen.get(n, key) == key, f"{n!r} names both {seen.get(n)} and {key}"
            seen[n] = key


def test_every_oral_modality_has_cited_rules():
    from checker.rules import load_rules

    rules = load_rules()
    for m in oral.MODALITIES:
        mine = [r for r in rules if m in r.applies_to.modalities]
        assert mine, m
        assert all(r.citation.confirmed_in and r.tests for r in mine), m
