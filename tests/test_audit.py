"""`imrcheck audit`: statistics, finding logic, outputs, the real letters, and the HTML in headless Chromium."""
from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.audit import (FINDING_TYPES, AuditItem, CriterionView, _bucket, citation_findings, cohen_kappa,
                           decisive_signature, line_families, outcome_rates, rationale_excerpt, rationale_sources,
                           rule_contrary, similar_different, wilson_interval)
from checker.cli import app
from checker.report_html import esc

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "dwc-2016"
needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared not found: the corpus audit needs the shared letters")
runner = CliRunner()


# ---------------------------------------------------------------------------------------------- statistics

def test_wilson_interval_known_values():
    lo, hi = wilson_interval(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and round(hi, 4) == 0.2775
    lo, hi = wilson_interval(10, 10)
    assert round(lo, 4) == 0.7225 and hi == 1.0
    lo, hi = wilson_interval(1, 100)  # a small proportion: the interval is asymmetric and stays above 0
    assert (round(lo, 4), round(hi, 4)) == (0.0018, 0.0545)
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def _pairs(table: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    return [pair for pair, n in table.items() for _ in range(n)]


def test_cohen_kappa_known_values():
    # The textbook table: both say yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4.
    k = cohen_kappa(_pairs({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}))
    assert k["n"] == 50 and k["agree"] == 35
    assert math.isclose(k["observed"], 0.7) and math.isclose(k["expected"], 0.5) and math.isclose(k["kappa"], 0.4)
    # Fleiss, Cohen & Everitt (1969) variance worked by hand for this table: (0.02743 + 0.02547 - 0.0025) / 3.125
    assert math.isclose(k["se"], math.sqrt(0.016128), rel_tol=1e-9)
    assert math.isclose(k["ci"][0], 0.4 - 1.959963984540054 * k["se"])
    # The second textbook table: 45 / 15 / 25 / 15 -> po 0.6, pe 0.54, kappa 0.1304.
    k = cohen_kappa(_pairs({("yes", "yes"): 45, ("yes", "no"): 15, ("no", "yes"): 25, ("no", "no"): 15}))
    assert round(k["kappa"], 4) == 0.1304
    # Perfect agreement over both labels; one rater constant (kappa 0); both constant (undefined); nothing.
    k = cohen_kappa(_pairs({("a", "a"): 7, ("b", "b"): 3}))
    assert k["kappa"] == 1.0 and k["ci"] is None and "not estimable" in k["ci_note"]  # se 0: no "1.00 (1.00-1.00)"
    k = cohen_kappa(_pairs({("a", "a"): 9, ("b", "a"): 1}))
    assert k["kappa"] == 0.0 and k["single_class"] and k["ci"] is None
    assert cohen_kappa([("a", "a")] * 4)["kappa"] is None
    assert cohen_kappa([])["n"] == 0
    # Symmetric in the raters.
    t = {("yes", "yes"): 12, ("yes", "no"): 3, ("no", "yes"): 6, ("no", "no"): 9}
    swapped = {(b, a): n for (a, b), n in t.items()}
    assert math.isclose(cohen_kappa(_pairs(t))["se"], cohen_kappa(_pairs(swapped))["se"])


# ---------------------------------------------------------------------------------------------- reading lines

def test_line_families_and_rationale_sources():
    assert line_families("The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
                         "Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG).") == ["ODG"]
    assert line_families("The Claims Administrator did not cite any medical evidence for its decision.") == ["none"]
    assert line_families("Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.") == ["MTUS"]
    assert rationale_sources("The ACOEM Guidelines state that imaging waits.") == ["ACOEM"]
    assert rationale_sources("California Medical Treatment Utilization Schedule guidance says") == ["MTUS"]
    assert rationale_sources("Per ODG and the MTUS, ...") == ["MTUS", "ODG"]
    assert rationale_sources("Guidelines do not support this test.") == []
    assert rationale_sources("As the surgery is not necessary, the ancillary service is not either.") == []


def test_rationale_excerpt_keeps_the_reason_and_stays_short():
    filler = "The worker was seen again and the notes were reviewed in full at that visit. " * 8
    text = filler + "However, there was no documented neurological deficit or red flag. Therefore, the request is not medically necessary."
    ex = rationale_excerpt(text, limit=200)
    assert len(ex) <= 200 and "no documented neurological deficit" in ex
    assert rationale_excerpt("Short reason.") == "Short reason."


def test_esc_never_leaves_a_url_or_markup():
    s = esc('<script>alert("x")</script> see https://example.org & http://x.test')
    assert "<script>" not in s and "https://" not in s and "http://" not in s and "&amp;" in s


# ---------------------------------------------------------------------------------------------- signatures

def test_bucket_labels_put_equal_comparisons_together():
    assert _bucket(5, [4, 6]) == _bucket(5.5, [4, 6]) == "between 4 and 6"
    assert _bucket(6, [4, 6]) == "= 6"
    assert _bucket(2, [4, 6]) == "below 4" and _bucket(9, [4, 6]) == "above 6"


def test_decisive_signature_reads_the_rules_leaves():
    from checker.rules import Rule

    rule = Rule.model_validate({
        "id": "test.mri", "title": "t", "applies_to": {"modalities": ["mri"]},
        "when": {"all": [{"fact": "radicular_symptoms", "is": "present"}, {"fact": "weeks_since_injury", "gte": 4},
                         {"request": "modality", "is": "mri"}]},
        "unless": [{"request": "sessions", "gt": 10}],
        "effect": "supports_certification",
        "citation": {"source": "MTUS", "document": "d", "section": "s", "edition": "e", "confidence": "uncertain"},
        "rationale": "r", "documentation": "d"})
    feats = {"f_radicular_symptoms": "present", "f_weeks_since_injury": 5.0, "q_modality": "mri", "q_sessions": -1}
    assert decisive_signature([rule], feats) == {
        "radicular_symptoms": "present", "request sessions": "unknown", "weeks_since_injury": "above 4"}


# ---------------------------------------------------------------------------------------------- findings

def _item(letter="a.txt", item=1, decision="Upheld", predicted="Upheld", status="not met", **kw) -> AuditItem:
    base = dict(letter=letter, case_number=f"CM16-{letter[0]}", item=item, request="MRI of the lumbar spine",
                category="imaging", modality="mri", regions=["lumbar"], decision=decision, predicted=predicted,
                status=status, reviewer_families=["MTUS"], ca_families=["MTUS"], rationale_sources=["MTUS"],
                catalog_sources=["MTUS"])
    base.update(kw)
    return AuditItem(**base)


def test_rule_contrary_only_for_met_or_not_met():
    crit = [CriterionView(rule="r1", title="Red flag", effect="supports_certification", state="met",
                          citation="MTUS ACOEM Ch 12", source="MTUS", evidence=["foot drop"])]
    items = [
        _item("a.txt", decision="Upheld", predicted="Overturned", status="met", criteria=crit,
              reasons_ours=["red_flag", "neuro"], reasons_reviewer=["conservative", "neuro"],
              rationale_excerpt="No trial of conservative care."),
        _item("b.txt", decision="Overturned", predicted="Upheld", status="not met"),
        _item("c.txt", decision="Overturned", predicted="Upheld", status="insufficient"),  # undocumented: not contrary
        _item("d.txt", decision="Upheld", predicted="Upheld", status="not met"),
        _item("e.txt", decision="Upheld", predicted=None, status=None),
    ]
    found = rule_contrary(items)
    assert [(f["letter"], f["kind"]) for f in found] == [("a.txt", "upheld_though_criteria_met"),
                                                         ("b.txt", "overturned_though_criterion_unmet")]
    a = found[0]
    assert a["reasons_shared"] == ["neuro"] and a["reasons_ours_only"] == ["red_flag"]
    assert a["reasons_reviewer_only"] == ["conservative"] and a["criteria"][0]["evidence"] == ["foot drop"]
    assert {"type", "letter", "item", "case_number"} <= set(a)


def test_similar_different_groups_pairs_and_ranking():
    sig = {"radicular_symptoms": "present", "motor_weakness": "present", "red_flags_any": "absent", "prior_mri": "unknown"}
    near = dict(sig, red_flags_any="present")  # 2 of 4 known pairs shared -> Jaccard 0.5
    close = dict(sig, prior_mri="absent")  # 3 of 4 -> 0.75
    items = [
        _item("a.txt", decision="Upheld", signature=sig),
        _item("b.txt", decision="Upheld", signature=sig),
        _item("c.txt", decision="Overturned", predicted="Upheld", signature=sig),
        _item("d.txt", decision="Overturned", predicted="Upheld", signature=close),
        _item("e.txt", decision="Overturned", predicted="Upheld", signature=near),
        # another request type with the same facts is never compared
        _item("f.txt", decision="Overturned", modality="ct", signature=sig),
        # too few known facts
        _item("g.txt", decision="Upheld", signature={"radicular_symptoms": "present"}),
        _item("h.txt", decision="Overturned", signature={"radicular_symptoms": "present"}),
    ]
    found = similar_different(items, min_similarity=0.6, min_shared=2)
    assert [f["similarity"] for f in found] == [1.0, 0.75]
    top = found[0]
    assert top["identical"] and top["request_type"] == "mri / lumbar"
    assert [u["letter"] for u in top["upheld"]] == ["a.txt", "b.txt"] and [o["letter"] for o in top["overturned"]] == ["c.txt"]
    assert (top["letter"], top["item"]) == ("c.txt", 1)  # the smaller side leads
    assert top["differing"] == [] and top["matching"]["motor_weakness"] == "present"
    assert found[1]["differing"] == [{"fact": "prior_mri", "upheld": "unknown", "overturned": "absent"}]
    assert len(similar_different(items, min_similarity=0.5, min_shared=2)) == 3  # now e.txt pairs too
    assert similar_different(items, min_similarity=0.6, min_shared=5) == []


def test_citation_findings():
    items = [
        _item("a.txt", reviewer_families=["ODG"], catalog_sources=["MTUS", "Labor Code"]),  # MTUS addresses it
        _item("b.txt", reviewer_families=["MTUS", "ODG"], catalog_sources=["ODG"]),  # MTUS silent per catalog
        _item("c.txt", reviewer_families=["none"], catalog_sources=["MTUS"], ca_families=["MTUS"], rationale_sources=[]),
        _item("d.txt", ca_families=["none"]),
        _item("e.txt", ca_families=["ODG"], rationale_sources=[], rationale_generic=True),
        _item("f.txt", reviewer_families=["ODG"], predicted=None, status=None, catalog_sources=[]),  # not scored
    ]
    found = citation_findings(items)
    kinds = sorted((f["type"], f["letter"], f.get("kind", "")) for f in found)
    assert kinds == [
        ("citation_ca_vs_reviewer", "a.txt", "different_family"),
        ("citation_ca_vs_reviewer", "c.txt", "reviewer_cited_nothing"),
        ("citation_ca_vs_reviewer", "d.txt", "claims_administrator_cited_nothing"),
        ("citation_ca_vs_reviewer", "e.txt", "different_family"),
        ("citation_ca_vs_reviewer", "f.txt", "different_family"),
        ("citation_mtus_addresses", "a.txt", ""),
        ("citation_mtus_silent", "b.txt", ""),
        ("rationale_cites_nothing", "c.txt", ""),
        ("rationale_cites_nothing", "e.txt", ""),
    ]
    e = next(f for f in found if f["type"] == "rationale_cites_nothing" and f["letter"] == "e.txt")
    assert e["generic_guidelines"] is True


def test_outcome_rates_groups():
    items = [
        _item("a.txt", decision="Overturned", regions=["lumbar", "cervical"], specialty="Family Practice", year=2016),
        _item("b.txt", modality=None, category="other", regions=[], specialty="Physical Medicine and Rehabilitation, Pain", year=None),
        _item("c.txt", specialty="Physical Medicine & Rehabilitation", year=2017),
    ]
    r = outcome_rates(items)
    assert r["overall"]["n"] == 3 and r["overall"]["overturned"] == 1
    regions = {row["group"]: row["n"] for row in r["region"]}
    assert regions == {"lumbar": 2, "cervical": 1, "none": 1}  # several regions: counted under each
    assert {row["group"] for row in r["modality"]} == {"mri", "other"}
    assert {row["group"]: row["n"] for row in r["specialty"]}["Physical Medicine & Rehabilitation"] == 2
    assert [row["group"] for row in r["year"]] == ["2016", "2017", "unknown"]
    row = next(row for row in r["region"] if row["group"] == "lumbar")
    assert row["overturn_rate"] == 0.5 and row["ci"] == [round(x, 4) for x in wilson_interval(1, 2)]


# ---------------------------------------------------------------------------------------------- synthetic letters

SUMMARY = (
    "The injured worker is a 47-year-old stock clerk who hurt the low back on March 2, 2016 while moving pallets. "
    "Care so far has been naproxen and six visits of physical therapy, which did not help. On September 20, 2016 "
    "the treating physician found a left foot drop that had worsened since the prior visit, with 3/5 strength of "
    "ankle dorsiflexion and a reduced left ankle reflex. He denies bowel or bladder problems, fever or weight loss. "
    "An MRI of the lumbar spine was requested. Utilization Review denied it.")


def _letter(case: str, specialty: str, items: list[tuple[str, str, str, str, str]]) -> str:
    head = (f"Case Number: {case}\nDate Assigned: 10/10/2016 Date of Injury: 03/02/2016\n"
            f"Decision Date: 11/01/2016 UR Denial Date: 10/01/2016\nPriority: Standard Application \nReceived: \n10/05/2016\n"
            "HOW THE IMR FINAL DETERMINATION WAS MADE\nMAXIMUS Federal Services sent the complete case file to an "
            "expert reviewer.\nThe Expert Reviewer has the following credentials:\nState(s) of Licensure: California\n"
            f"Certification(s)/Specialty: {specialty}\nCLINICAL CASE SUMMARY\nThe expert reviewer developed the "
            "following clinical case summary based on a review of the \ncase file, including all medical records:\n"
            f"{SUMMARY}\nIMR ISSUES, DECISIONS AND RATIONALES\nThe Final Determination was based on decisions for the "
            "disputed items/services set forth below:\n")
    body = ""
    for request, decision, ca, maximus, rationale in items:
        body += (f"{request}: {decision}\nClaims Administrator guideline: {ca}\nMAXIMUS guideline: {maximus}\n"
                 f"Decision rationale: {rationale}\n")
    return head + body


MTUS_LINE = "Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies."
ODG_LINE = ("The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. Decision "
            "based on Non-MTUS Citation Official Disability Guidelines (ODG) Low Back, MRI, https://odg.example/low-back.")


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("letters")
    (d / "a_upheld.txt").write_text(_letter("CM16-9000001", "Family Practice", [
        ("MRI of the lumbar spine", "Upheld", "Decision based on MTUS Low Back Complaints 2004.", MTUS_LINE,
         "The MTUS reserves imaging for red flags or clear nerve compromise. The request is not medically necessary."),
        ("Naproxen 550 mg #60", "Upheld", "The Claims Administrator did not cite any medical evidence for its decision.",
         "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): NSAIDs.",
         "There is no documented benefit <per the notes> & no trial of a lower dose. The request is not medically necessary."),
    ]))
    (d / "b_overturned.txt").write_text(_letter("CM16-9000002", "Orthopedic Surgery, Sports Medicine", [
        ("MRI of the lumbar spine", "Overturned", "Decision based on MTUS Low Back Complaints 2004.", ODG_LINE,
         "ODG supports MRI for a progressive neurologic deficit. The request is medically necessary."),
    ]))
    (d / "c_broken.txt").write_text("This file is not an IMR letter.\n")
    return d


def _audit(args: list[str]):
    return runner.invoke(app, ["audit", *args])


def test_audit_synthetic_letters_json_csv_html(letters, tmp_path):
    html_path, csv_dir = tmp_path / "out" / "report.html", tmp_path / "csv"
    res = _audit([str(letters), "--json", "-j", "1", "--html", str(html_path), "--csv", str(csv_dir)])
    assert res.exit_code == 1, res.output  # one letter failed ...
    rep = json.loads(res.stdout)
    assert rep["letters"] == 3 and rep["letters_parsed"] == 2 and rep["items"] == 3  # ... and the rest was audited
    assert [Path(e["letter"]).name for e in rep["errors"]] == ["c_broken.txt"]
    for f in rep["findings"]:
        assert f["type"] in FINDING_TYPES and {"letter", "item", "case_number"} <= set(f)
    by = {(f["type"], f["case_number"], f["item"]) for f in rep["findings"]}
    assert ("similar_different", "CM16-9000002", 1) in by  # same summary, same request, opposite decisions
    assert ("citation_mtus_addresses", "CM16-9000002", 1) in by  # ODG although MTUS Ch 12 addresses lumbar MRI
    assert ("rationale_cites_nothing", "CM16-9000001", 2) in by
    sd = next(f for f in rep["findings"] if f["type"] == "similar_different")
    assert sd["similarity"] == 1.0 and sd["differing"] == [] and len(sd["matching"]) >= 2
    assert rep["rates"]["overall"] == {"group": "all", "n": 3, "letters": 2, "upheld": 2, "overturned": 1,
                                       "overturn_rate": 0.3333, "ci": [0.0615, 0.7923]}
    assert {r["group"] for r in rep["rates"]["specialty"]} == {"Family Practice", "Orthopedic Surgery"}
    assert [r["group"] for r in rep["rates"]["year"]] == ["2016"]
    # CSV: one file per finding type plus rates and agreement
    names = sorted(p.name for p in csv_dir.iterdir())
    assert names == sorted([f"{t}.csv" for t in FINDING_TYPES] + ["rates.csv", "agreement.csv"])
    with open(csv_dir / "similar_different.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["case_number"] == "CM16-9000002" and rows[0]["upheld"] == "CM16-9000001#1"
    # HTML: anchors for every item, links to the letters relative to the report, text escaped, no URL
    page = html_path.read_text()
    assert 'id="L-a_upheld-item-1"' in page and 'id="L-a_upheld-item-2"' in page and 'id="L-b_overturned"' in page
    assert 'href="#L-b_overturned-item-1"' in page
    assert 'href="../../' in page and "a_upheld.txt" in page
    assert "&lt;per the notes&gt; &amp; no trial" in page
    assert "http://" not in page and "https://" not in page and "odg.example" in page
    assert page.count("<svg") >= 3
    assert "c_broken.txt" in page and 'id="errors"' in page


def test_audit_is_byte_identical_whatever_the_workers(letters):
    one = _audit([str(letters), "--json", "-j", "1"])
    two = _audit([str(letters), "--json", "-j", "2"])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout


def test_audit_usage_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _audit([str(empty)]).exit_code == 2
    assert _audit([str(tmp_path), "--html", str(tmp_path)]).exit_code == 2
    (tmp_path / "file").write_text("x")
    assert _audit([str(tmp_path), "--csv", str(tmp_path / "file")]).exit_code == 2


def test_audit_terminal_summary(letters):
    res = _audit([str(letters), "-j", "1"])
    assert res.exit_code == 1
    assert "letters 3 = parsed 2 + failed 1" in res.stdout and "similar_different" in res.stdout
    assert "c_broken.txt" in res.stderr


# ---------------------------------------------------------------------------------------------- the real letters

@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("../shared not found: the corpus audit needs the shared letters")
    out = tmp_path_factory.mktemp("corpus") / "audit.html"
    res = _audit([str(CORPUS), "--json", "--html", str(out), "-j", "2"])
    return res, out


@needs_shared
def test_corpus_audit_is_identical_on_one_worker(corpus_report):
    res, _ = corpus_report
    assert _audit([str(CORPUS), "--json", "-j", "1"]).stdout == res.stdout


@needs_shared
def test_corpus_audit(corpus_report):
    res, out = corpus_report
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["letters"] == 120 and rep["letters_parsed"] == 120 and rep["items"] == 255 and rep["errors"] == []
    assert sum(r["n"] for r in rep["rates"]["modality"]) == 255
    assert set(rep["counts"]) == set(FINDING_TYPES)
    assert rep["agreement"]["overall"]["n"] == rep["items_scored"] > 0
    page = out.read_text()
    assert len(re.findall(r"<svg\b", page)) >= 3
    for t in FINDING_TYPES:
        assert f'<section id="{t}">' in page
    assert "http://" not in page and "https://" not in page
    assert len(re.findall(r'<tr id="L-CM1[67]-\d+-item-\d+"', page)) == 255


# ---------------------------------------------------------------------------------------------- headless Chromium

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not on PATH (apt-get install -y chromium) - "
                                                             "the rendering test needs a headless browser")

_SORT_CHECK = """<script>
(function(){
  var t = document.getElementById('rates-table');
  var th = t.tHead.rows[0].cells[2];
  th.click();
  var vals = Array.prototype.map.call(t.tBodies[0].rows, function(r){ return Number(r.cells[2].getAttribute('data-sort')); });
  var ok = vals.every(function(v, i){ return i === 0 || vals[i-1] <= v; });
  th.click();
  var first = Number(t.tBodies[0].rows[0].cells[2].getAttribute('data-sort'));
  document.documentElement.setAttribute('data-test-sorted', ok && first === Math.max.apply(null, vals) ? 'yes' : 'no');
})();
</script></body>"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=90)


@needs_chromium
def test_report_renders_in_headless_chromium(letters, tmp_path):
    report = tmp_path / "report.html"
    res = _audit([str(letters), "--html", str(report), "-j", "1"])
    assert res.exit_code == 1 and report.is_file()
    page = report.read_text()
    probe = tmp_path / "probe.html"  # the report plus a script that sorts a table the way a click does
    probe.write_text(page.replace("</body>", _SORT_CHECK, 1))
    done = _chromium(["--dump-dom", probe.as_uri()], tmp_path / "profile")
    dom = done.stdout
    assert "<html" in dom, done.stderr[-2000:]
    assert len(re.findall(r"<svg\b", dom)) >= 3
    n_sortable = len(re.findall(r'<table class="sortable"', page))
    assert n_sortable >= 5 and len(re.findall(r'<table class="sortable"[^>]*data-sortable="ready"', dom)) == n_sortable
    assert 'data-test-sorted="yes"' in dom  # the click handler sorted the rows, both ways
    assert 'id="letters-table"' in dom and "CM16-9000001" in dom
    shot = tmp_path / "shot.png"
    _chromium(["--hide-scrollbars", f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri()], tmp_path / "profile2")
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
