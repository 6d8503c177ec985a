"""Topical analgesics, compounded products, medical foods and oral suspensions: request reading
(checker/requests/medications/topical.py and topicals.yaml) and decisions through ``check``."""
from __future__ import annotations

from datetime import date

import pytest

from checker.predict import default_checker
from checker.requests import normalize_request
from checker.requests.medications import topical

# every request form of the category seen in the corpus letters, and office forms
CASES = [
    # text, modality, ingredients (subset), form
    ("Salonpas pad #60", "topical_salicylate", {"methyl_salicylate", "menthol"}, "patch"),
    ("Anecream cream 4% #30", "topical_lidocaine", {"lidocaine"}, "cream"),
    ("Lidocaine 5% patch #1", "topical_lidocaine", {"lidocaine"}, "patch"),
    ("Lidoderm 5% patch #30", "topical_lidocaine", {"lidocaine"}, "patch"),
    ("Lidoderm patches", "topical_lidocaine", {"lidocaine"}, "patch"),
    ("Lidocaine ointment 5% #1", "topical_lidocaine", {"lidocaine"}, "cream"),
    ("Flurbiprofen 20%, Baclofen 5%, Dexamethasone 2%, Menthol 2%, Capsaicin 0.025% in cream base",
     "topical_compound", {"flurbiprofen", "baclofen", "dexamethasone", "menthol", "capsaicin"}, "cream"),
    ("Gabapentin 10%, Cyclobenzaprine 6%, Bupivacaine 5% in cream base", "topical_compound",
     {"gabapentin", "cyclobenzaprine", "bupivacaine"}, "cream"),
    ("Gabapentin 10%/Cyclobenzaprine 6%", "topical_compound", {"gabapentin", "cyclobenzaprine"}, None),
    ("Diclofenac sodium 3% 300mg/g #1", "topical_nsaid", {"diclofenac"}, None),
    ("One container of Flurbiprofen 10%, Cyclobenzaprine 3%, Gabapentin 6%, Lidocaine 5%/Dextromethorphan",
     "topical_compound", {"flurbiprofen", "cyclobenzaprine", "gabapentin", "lidocaine", "dextromethorphan"}, None),
    ("Retrospective Lidopro 4%-27.5%-0.0325% 121gm #1, per 12/07/2016 order", "topical_compound",
     {"lidocaine", "capsaicin", "methyl_salicylate", "menthol"}, "cream"),
    ("Dextromethorphan 5%/Amitriptyline 5%/Lidocaine/Capsaicin 0.025%, 120grams #1", "topical_compound",
     {"dextromethorphan", "amitriptyline", "lidocaine", "capsaicin"}, None),
    ("Flurbiprofen 10%/Dextromethorphan 5%/Lidocaine 5%, 120grams #1", "topical_compound",
     {"flurbiprofen", "dextromethorphan", "lidocaine"}, None),
    ("Cyclophene 5% cream 111.2 grams", "topical_other", {"cyclobenzaprine"}, "cream"),
    ("Ketophene 20% cream, 167 grams", "topical_nsaid", {"ketoprofen"}, "cream"),
    ("Compound Cyclobenzaprine 5%, 240 grams", "topical_other", {"cyclobenzaprine"}, None),
    ("Compound Ketoprofen 20%, 240 grams", "topical_nsaid", {"ketoprofen"}, None),
    ("Fanatrex 25mg/ml oral suspension 420ml", "oral_suspension", {"gabapentin"}, "suspension"),
    ("Dicopanol 5mg/ml oral suspension, 150ml", "oral_suspension", {"diphenhydramine"}, "suspension"),
    ("Deprizine 15mg/ml oral suspension, 250ml", "oral_suspension", {"ranitidine"}, "suspension"),
    ("Tabradol 1mg/ml oral suspension, 250ml", "oral_suspension", {"cyclobenzaprine", "msm"}, "suspension"),
    ("Synapryn (10mg/1ml oral suspension) 500ml", "oral_suspension", {"tramadol", "glucosamine"}, "suspension"),
    # office forms
    ("Terocin patches #30", "topical_compound", {"lidocaine", "menthol"}, "patch"),
    ("Voltaren gel 1% to knees qid", "topical_nsaid", {"diclofenac"}, "cream"),
    ("Flector 1.3% patch #30", "topical_nsaid", {"diclofenac"}, "patch"),
    ("Capsaicin 0.075% cream 60gm", "topical_capsaicin", {"capsaicin"}, "cream"),
    ("Bengay cream 113gm", "topical_salicylate", {"methyl_salicylate"}, "cream"),
    ("Ketamine 10% cream 120gm", "topical_other", {"ketamine"}, "cream"),
    ("Theramine #120", "medical_food", {"amino_acids"}, None),
    ("Sentra PM #60", "medical_food", {"amino_acids"}, None),
    ("Medical food for sleep", "medical_food", set(), None),
]


@pytest.mark.parametrize("text,modality,ingredients,form", CASES, ids=[c[0][:40] for c in CASES])
def test_request_forms(text, modality, ingredients, form):
    r = normalize_request(text)
    assert r.category == "medication"
    assert r.modality == modality, (r.modality, r.kind, r.attributes)
    assert r.in_scope
    assert ingredients <= set(r.attributes.get("ingredients") or [])
    if form:
        assert r.attributes.get("form") == form
    assert r.kind.startswith("medication: ")


def test_capsaicin_strength_read_or_known():
    assert normalize_request("Capsaicin 0.0375% cream").attributes["capsaicin_pct"] == pytest.approx(0.0375)
    assert normalize_request("Lidopro ointment 121gm").attributes["capsaicin_pct"] == pytest.approx(0.0325)
    assert "capsaicin_pct" not in normalize_request("Lidoderm 5% patch #30").attributes


def test_counter_irritants_are_not_active_ingredients():
    r = normalize_request("Salonpas pad #60")
    assert r.attributes["active_ingredients"] == 1
    assert normalize_request("Flurbiprofen 20%, Menthol 2% cream").modality == "topical_nsaid"


def test_quantity_and_retrospective_date_kept():
    r = normalize_request("Retrospective Lidopro 4%-27.5%-0.0325% 121gm #1, per 12/07/2016 order")
    assert r.quantity == 1 and r.retrospective_date == date(2016, 12, 7)
    assert normalize_request("Lidoderm 5% patch #30").quantity == 30


def test_unnamed_topical_is_out_of_scope_with_its_kind():
    r = normalize_request("Topical compound cream")
    assert r.category == "medication" and not r.in_scope and r.modality is None
    assert "ingredients not stated" in r.kind


@pytest.mark.parametrize("text", ["Norco 10/325 #90", "Flexeril 10mg 1 tab qhs #30", "Naproxen 550mg #60",
                                  "Pantoprazole 40mg, one by mouth, twice a day #60 with one refill",
                                  "one month supply of Trezix capsule 30.5/30/16mg"])
def test_oral_drugs_are_not_claimed(text):
    r = normalize_request(text)
    low = r.text.lower()
    assert not topical.is_topical(r.text, low, {k: v for k, v in r.attributes.items() if k == "form"})
    assert r.modality not in topical.MODALITIES


def test_bad_input_gives_no_traceback():
    for text in ["", "%", "cream", "#", "compound 0.0.0% cream", "Lidoderm" * 50, None]:
        normalize_request(text)


# ---------------------------------------------------------------------------- decisions
CH = default_checker()


def test_check_accepts_lidoderm_as_an_office_writes_it():
    r = CH.check("Post-herpetic neuralgia of the right chest wall, burning pain. Failed gabapentin and nortriptyline.",
                 "Lidoderm 5% patch #30", as_of=date(2016, 10, 1))
    assert r.status != "no rule applies"
    assert r.imr_outcome == "Overturned"
    assert "mtus.cpmtg.topical.neuropathic-after-first-line" in r.rules


def test_a_compound_with_one_not_recommended_ingredient_is_upheld_whatever_else():
    summary = "Localized neuropathic pain of the left foot after a crush injury. Failed gabapentin and Cymbalta."
    good = CH.check(summary, "Capsaicin 0.025%/Methyl salicylate 25%/Menthol 10% cream", as_of=date(2016, 10, 1))
    bad = CH.check(summary, "Capsaicin 0.025%/Baclofen 5%/Menthol 10% cream", as_of=date(2016, 10, 1))
    assert good.imr_outcome == "Overturned"
    assert bad.imr_outcome == "Upheld" and "mtus.cpmtg.topical.ingredient-not-recommended" in bad.rules


def test_lidocaine_cream_is_upheld_even_with_neuropathic_pain():
    summary = "Post-herpetic neuralgia. Failed gabapentin."
    assert CH.check(summary, "Lidocaine 5% ointment #1", as_of=date(2016, 10, 1)).imr_outcome == "Upheld"
    assert CH.check(summary, "Lidocaine 5% patch #30", as_of=date(2016, 10, 1)).imr_outcome == "Overturned"


def test_topical_nsaid_follows_the_joint():
    knee = CH.check("Right knee osteoarthritis; oral NSAIDs caused GI upset.", "Voltaren gel 1% 100gm",
                    as_of=date(2016, 10, 1))
    back = CH.check("Chronic low back pain, lumbar spondylosis.", "Voltaren gel 1% 100gm to the lumbar spine",
                    as_of=date(2016, 10, 1))
    assert knee.imr_outcome == "Overturned" and back.imr_outcome == "Upheld"


def test_clean_notes_are_not_certified():
    for req in ["Lidoderm 5% patch #30", "Theramine #120", "Fanatrex 25mg/ml oral suspension 420ml",
                "Capsaicin 0.025% cream #1", "Voltaren gel 1% #1", "Salonpas pad #60"]:
        r = CH.check("Pt seen for follow-up. Pain 6/10.", req, as_of=date(2016, 10, 1))
        assert r.imr_outcome == "Upheld", req


def test_suspension_needs_trouble_swallowing():
    req = "Deprizine 15mg/ml oral suspension, 250ml"
    assert CH.check("Tolerates oral medications well.", req, as_of=date(2016, 10, 1)).imr_outcome == "Upheld"
    assert CH.check("Dysphagia after cervical fusion, cannot swallow pills.", req,
                    as_of=date(2016, 10, 1)).imr_outcome == "Overturned"
