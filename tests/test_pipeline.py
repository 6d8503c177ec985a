"""End to end: the CLI contract, pre-submission checks, and the real letters in ../shared."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker import check
from checker.cli import app

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus" / "dwc-2016"
needs_shared = pytest.mark.skipif(not SEEDS.is_dir() or not CORPUS.is_dir(),
                                  reason="../shared not found: real-letter tests need the shared data beside the repo")
runner = CliRunner()

# Synthetic notes written for these tests.
LBP_3_WEEKS = (
    "The applicant is a 41-year-old male warehouse worker who hurt his low back lifting boxes. "
    "He has had low back pain for 3 weeks. He denies bowel or bladder dysfunction, fever or weight loss. "
    "No therapy has been given yet; he takes ibuprofen. Strength is 5/5 in both legs and reflexes are symmetric."
)
LBP_FOOT_DROP = LBP_3_WEEKS.replace(
    "Strength is 5/5 in both legs and reflexes are symmetric.",
    "He now has a progressive left foot drop, worse than last week, with 3/5 ankle dorsiflexion.")


# ---------------------------------------------------------------------------------------------- pre-submission

def test_flag_free_three_week_lbp_lumbar_mri_is_not_certified():
    r = check(LBP_3_WEEKS, "MRI of the lumbar spine", as_of=date(2016, 10, 1))
    assert r.imr_outcome == "Upheld" and r.certify is False
    assert r.status in ("not met", "insufficient")
    assert any("Chapter 12" in c.document for c in r.citations)
    checklist = " ".join(r.missing).lower()
    assert "conservative care" in checklist
    assert "red flag" in checklist and ("neurological" in checklist or "deficit" in checklist)


def test_progressive_foot_drop_lumbar_mri_is_certified():
    r = check(LBP_FOOT_DROP, "MRI of the lumbar spine", as_of=date(2016, 10, 1))
    assert r.imr_outcome == "Overturned" and r.certify is True and r.status == "met"
    assert any("Chapter 12" in c.document for c in r.citations)
    assert r.evidence and all(LBP_FOOT_DROP[e.start:e.end] == e.quote for e in r.evidence)
    assert any("foot drop" in e.quote for e in r.evidence)


def test_out_of_scope_request_is_not_guessed():
    r = check(LBP_3_WEEKS, "Viagra 50mg #30", as_of=date(2016, 10, 1))  # a drug no encoded section covers
    assert r.imr_outcome is None and r.status == "no rule applies"


# ---------------------------------------------------------------------------------------------- CLI contract

def test_cli_facts_json_quotes_match_offsets(tmp_path):
    f = tmp_path / "note.txt"
    f.write_text(LBP_FOOT_DROP, encoding="utf-8")
    res = runner.invoke(app, ["facts", str(f), "--json"])
    assert res.exit_code == 0, res.output
    facts = json.loads(res.stdout)["facts"]
    assert facts
    for fa in facts:
        assert set(fa) >= {"name", "value", "negated", "historical", "hypothetical", "evidence"}
        ev = fa["evidence"]
        assert LBP_FOOT_DROP[ev["start"]:ev["end"]] == ev["quote"]


def test_cli_check_json_contract(tmp_path):
    f = tmp_path / "note.txt"
    f.write_text(LBP_3_WEEKS, encoding="utf-8")
    res = runner.invoke(app, ["check", str(f), "--request", "MRI of the lumbar spine", "--request", "Norco 10/325 #60",
                              "--as-of", "2016-10-01", "--json"])
    assert res.exit_code == 0, res.output
    results = json.loads(res.stdout)["results"]
    assert len(results) == 2
    for r in results:
        assert set(r) >= {"request", "imr_outcome", "certify", "status", "citations", "rules", "rationale", "evidence", "missing"}
    assert results[0]["imr_outcome"] == "Upheld"
    assert {"source", "document", "section", "edition"} <= set(results[0]["citations"][0])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_check_batch_accounts_for_every_line(tmp_path, workers):
    lines = [
        {"id": "a", "summary": LBP_3_WEEKS, "requests": ["MRI of the lumbar spine"], "as_of": "2016-10-01"},
        "not json",
        {"id": "c", "summary": LBP_FOOT_DROP, "requests": ["MRI of the lumbar spine", "Physical therapy 2x4"]},
        {"id": "d", "requests": ["MRI"]},
    ]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(l if isinstance(l, str) else json.dumps(l) for l in lines) + "\n", encoding="utf-8")
    lines = lines * 5  # enough lines for the pool to split them into chunks
    f.write_text("\n".join(l if isinstance(l, str) else json.dumps(l) for l in lines) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["check", "--batch", str(f), "--json", "--workers", workers])
    assert res.exit_code == 1  # some lines failed, the others are still printed
    out = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
    assert len(out) == 20
    assert [o["id"] for o in out] == ["a", None, "c", "d"] * 5  # in input order
    out = out[:4]
    assert out[0]["error"] is None and out[0]["results"][0]["imr_outcome"] == "Upheld"
    assert out[2]["error"] is None and len(out[2]["results"]) == 2
    assert "in.jsonl:2" in out[1]["error"] and "in.jsonl:4" in out[3]["error"]


def test_cli_usage_error_exits_2():
    res = runner.invoke(app, ["check", "--as-of", "2016-13-45", "x.txt", "--request", "MRI"])
    assert res.exit_code == 2


def test_cli_evaluate_bad_file_exit_1(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", str(tmp_path), "--json"])
    assert res.exit_code == 1
    rep = json.loads(res.stdout)
    assert rep["letters"] == 1 and rep["errors"][0]["path"].endswith("empty.txt")


# ---------------------------------------------------------------------------------------------- real letters

@needs_shared
def test_seeds_all_seven_items_right_with_the_reviewers_guideline_family():
    from checker.evaluate import run_evaluation

    rep = run_evaluation([SEEDS])
    assert rep["letters"] == 5 and rep["items"] == 7 and rep["scored"] == 7 and not rep["errors"]
    for r in rep["results"]:
        assert r["predicted"] == r["actual"], r
        assert r["cited"] == r["actual_guideline"], r


@needs_shared
def test_corpus_every_imaging_and_therapy_item_scored():
    from checker.evaluate import run_evaluation

    rep = run_evaluation([CORPUS])
    assert rep["letters"] == 120 and rep["letters_parsed"] == 120 and rep["items"] == 255
    in_scope = [r for r in rep["results"] if r["category"] in ("imaging", "electrodiagnostic", "therapy")]
    assert len(in_scope) >= 100
    assert all(r["predicted"] in ("Upheld", "Overturned") for r in in_scope)
    assert rep["balanced_accuracy"] >= 0.70, rep["balanced_accuracy"]


@needs_shared
def test_why_explains_every_seed_item_with_quotes_into_the_letter():
    from checker.explain import explain_letter
    from checker.letters import parse_letter

    n = 0
    for p in sorted(SEEDS.glob("*.txt")):
        letter = parse_letter(p)
        for e in explain_letter(letter):
            n += 1
            assert e.criteria and e.predicted
            quotes = [ev for c in e.criteria for ev in c.evidence] + e.evidence
            assert quotes, e.request
            for ev in quotes:
                assert letter.source[ev.start:ev.end] == ev.quote  # offsets index the file as given
            if e.actual == "Upheld":
                assert e.missing, e.request
    assert n == 7


@pytest.mark.parametrize("line,family", [
    ("Decision based on MTUS ACOEM Chapter 8 Neck and Upper Back Complaints Page(s): table 8-8.", "MTUS"),
    ("The Expert Reviewer did not base their decision on the MTUS. Decision based on Non-MTUS Citation American College of Radiology", "ACR"),
    ("The Expert Reviewer based their decision on recommendation(s) outside  of the MTUS Guidelines. Decision based on "
     "Non-MTUS Citation Official Disability Guidelines (ODG) Low Back, Preoperative lab testing.", "ODG"),
    ("Decision based on MTUS Low Back Complaints 2004, and Chronic Pain Medical Treatment 2016. Decision based on Non-MTUS "
     "Citation ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Low Back Disorders.", "MTUS"),
])
def test_reviewer_guideline_family(line, family):
    from checker.evaluate import guideline_families

    assert guideline_families(line)[0] == family


def test_structured_request_file_and_schema(tmp_path):
    form = tmp_path / "req.yaml"
    form.write_text(
        "requests: ['MRI of the lumbar spine']\nrequest_date: 2016-10-01\nage: 44\nsex: female\n"
        "complaint: low back pain radiating to the left leg for 6 months\n"
        "findings: ['positive straight leg raise on the left', 'diminished left Achilles reflex']\n"
        "prior_care: [{treatment: physical therapy, sessions: 12, effect: no improvement}]\n"
        "plan: ['epidural steroid injection at the level the MRI confirms']\n", encoding="utf-8")
    res = runner.invoke(app, ["check", str(form), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    r = doc["results"][0]
    assert r["imr_outcome"] == "Overturned" and r["status"] == "met"
    for e in r["evidence"]:
        assert doc["summary"][e["start"]:e["end"]] == e["quote"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("requests: ['MRI']\nage: -3\n", encoding="utf-8")
    res = runner.invoke(app, ["check", str(bad), "--json"])
    assert res.exit_code == 1 and "bad.yaml" in res.output and "age" in res.output
    schema = json.loads(runner.invoke(app, ["check", "--schema"]).stdout)
    assert "requests" in schema["properties"] and schema["additionalProperties"] is False


def test_requests_after_the_2017_mtus_fall_back_to_the_earlier_criteria_and_say_so():
    """From 12/1/2017 the MTUS adopted ACOEM's current guidelines; where none of those is encoded for a request,
    the checker judges it by the MTUS of 11/30/2017 and says so in a note, instead of answering nothing."""
    import datetime as dt

    from checker import check

    note = "A 50-year-old with low back pain for two months. No red flags."
    late = check(note, "CT of the lumbar spine", as_of=dt.date(2024, 3, 1))
    assert late.notes and "11/30/2017" in late.notes[0]
    assert any(r.startswith("mtus.acoem04.ch12.") for r in late.rules + [c.rule for c in late.criteria])
    # in force before 12/1/2017: no note
    assert check(note, "CT of the lumbar spine", as_of=dt.date(2016, 11, 1)).notes == []
    # an encoded criterion of the 2017 MTUS: no fallback
    knee = check("Knee pain for a month; no locking or giving way.", "MRI of the right knee", as_of=dt.date(2024, 3, 1))
    assert knee.notes == [] and all(".acoem04." not in c.rule for c in knee.criteria)
    # the MTUS never addressed DEXA: the ACR criteria stand, without a note
    assert check("A 66-year-old woman.", "DEXA scan", as_of=dt.date(2024, 3, 1)).notes == []


def test_therapy_requested_today_gets_criteria_or_the_era_note():
    """The Chronic Pain 2009/2016 physical medicine and manual therapy rules end on 11/30/2017; a request dated today
    is judged by them with the era note, never silently; the postsurgical and acupuncture guidelines stay in force."""
    import datetime as dt

    from checker import check

    today = dt.date.today()
    pt = check("Chronic low back pain. No prior therapy.", "Physical therapy 2 times a week for 4 weeks for the lumbar spine", as_of=today)
    assert pt.status != "no rule applies" and pt.notes and "11/30/2017" in pt.notes[0]
    chiro = check("Chronic low back pain.", "Chiropractic 6 visits for the low back", as_of=today)
    assert chiro.status != "no rule applies" and chiro.notes and "11/30/2017" in chiro.notes[0]
    acu = check("Neck pain; home exercise program.", "Acupuncture 6 sessions for the neck", as_of=today)
    assert acu.status != "no rule applies" and not any("11/30/2017" in n for n in acu.notes)


def test_a_retrospective_request_is_judged_as_of_its_date_of_service():
    """A request for a service already given is judged by the criteria in force on the date of service."""
    import datetime as dt

    from checker import check

    note = "A 50-year-old with low back pain for two months. No red flags."
    later = dt.date(2018, 3, 1)
    retro = check(note, "Retrospective CT of the lumbar spine (DOS: 10/12/2016)", as_of=later)
    # the era-A criteria apply in their own right: no fall-back note, a note saying which date was used
    assert not any("11/30/2017" in n for n in retro.notes)
    assert any("2016-10-12" in n for n in retro.notes)
    assert any(c.rule.startswith("mtus.acoem04.ch12.") for c in retro.criteria)
    # the same request without a date of service is judged as of the request date (the fall-back note)
    plain = check(note, "CT of the lumbar spine", as_of=later)
    assert plain.notes and "11/30/2017" in plain.notes[0]


def test_a_request_for_a_body_part_the_summary_never_names_gets_a_note():
    import datetime as dt

    from checker import check

    day = dt.date(2016, 12, 1)
    note = "A 40-year-old with low back pain radiating to the left leg for two months despite physical therapy."
    knee = check(note, "MRI of the right knee", as_of=day)
    assert any("never names the knee" in n for n in knee.notes)
    assert not any("never names" in n for n in check(note, "MRI of the lumbar spine", as_of=day).notes)
    # a leg is not the knee, but a request for the lower extremity is satisfied by it
    assert not any("never names" in n for n in check(note, "EMG of the left lower extremity", as_of=day).notes)
    # symptoms, not body parts, ask for a chest film or a head CT
    assert not any("never names" in n for n in check("Cough for a month.", "Chest x-ray", as_of=day).notes)


def test_results_carry_the_decisive_reason_codes():
    """A result names why it was decided in the reason taxonomy: the met rules' own codes, or what an unmet
    certification criterion stands for."""
    import datetime as dt

    from checker import check
    from checker.rules import load_reasons

    day = dt.date(2016, 6, 1)
    red = check("New urinary incontinence and saddle anesthesia since last week.", "MRI of the lumbar spine", as_of=day)
    assert red.imr_outcome == "Overturned" and red.reasons == ["red_flag_present"]
    early = check("Low back pain for 2 weeks after lifting a box. No red flags.", "MRI of the lumbar spine", as_of=day)
    assert early.imr_outcome == "Upheld" and "early_window" in early.reasons
    pt = check("She completed 12 sessions of physical therapy. There is no documentation of functional improvement.",
               "Physical therapy 2 times a week for 3 weeks", as_of=day)
    assert pt.imr_outcome == "Upheld" and set(pt.reasons) & {"no_functional_improvement", "visits_exceed_guideline"}
    quiet = check("Knee pain.", "MRI of the right knee", as_of=day)
    assert quiet.imr_outcome == "Upheld" and quiet.reasons
    for r in (red, early, pt, quiet):
        side = "certification" if r.imr_outcome == "Overturned" else "denial"
        assert all(load_reasons()[c]["side"] == side for c in r.reasons)
