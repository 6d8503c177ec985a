"""Reason codes: the taxonomy, the labels, the check split, our decisive codes, and `reasons-eval`."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.models import Citation, CriterionResult
from checker.reasons import LABELS_FILE, ReasonsError, Scored, check_split, load_labels, load_taxonomy, score

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "dwc-2016"
needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared not found: reasons-eval needs the letters")


def test_taxonomy_is_small_and_sided():
    tax = load_taxonomy()
    assert 20 <= len(tax) <= 150  # the main file and the categories' parts
    assert {v["side"] for v in tax.values()} <= {"denial", "certification", "none"}
    assert all(v.get("title") for v in tax.values())


def test_labels_use_known_codes_and_hold_no_letter_text():
    labels = load_labels()
    assert len(labels) >= 140
    tax = load_taxonomy()
    for codes in labels.values():
        assert 1 <= len(codes) <= 3 and all(c in tax for c in codes)
    header = LABELS_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert header == "case,item,codes"
    assert max(len(line) for line in LABELS_FILE.read_text(encoding="utf-8").splitlines()) < 120


def test_bad_label_file_names_file_and_line(tmp_path):
    p = tmp_path / "labels.csv"
    p.write_text("case,item,codes\nCM1,1,no_red_flag\nCM1,2,not_a_code\n", encoding="utf-8")
    with pytest.raises(ReasonsError, match=r"labels.csv:3"):
        load_labels(p)


def test_check_split_is_fixed_by_hash():
    cases = [f"CM16-{n:07d}" for n in range(200)]
    a = check_split(cases)
    assert len(a) == 30 and a == check_split(list(reversed(cases)))
    assert check_split(cases + ["CM17-9999999"]) - a <= {"CM17-9999999"}


class _Rule:
    def __init__(self, rid, effect, reasons, reasons_unmet=()):
        self.id, self.effect, self.reasons, self.reasons_unmet = rid, effect, list(reasons), list(reasons_unmet)

    def decisive_reasons(self, met: bool) -> list[str]:
        return self.reasons if met or self.effect != "supports_certification" else self.reasons_unmet


def _criterion(rule, effect, state):
    return CriterionResult(rule=rule, title=rule, effect=effect, state=state,
                           citation=Citation(source="MTUS", document="x"))


def test_unmet_certification_criterion_speaks_for_its_negative_code():
    from checker.predict import decisive_reasons

    red = _Rule("cert.red", "supports_certification", ["red_flag_present"], ["no_red_flag"])
    nerve = _Rule("cert.nerve", "supports_certification", ["neuro_deficit_present"], ["no_neuro_deficit"])
    early = _Rule("deny.early", "supports_denial", ["early_window"])
    crit = lambda states: {r: _criterion(r, "supports_certification", s) for r, s in states.items()}  # noqa: E731
    assert decisive_reasons([red], set(), crit({"cert.red": "not met"})) == ["no_red_flag"]
    assert decisive_reasons([red], {"cert.red"}, crit({"cert.red": "met"})) == ["red_flag_present"]
    assert decisive_reasons([early], {"deny.early"}, {"deny.early": _criterion("deny.early", "supports_denial", "met")}) == ["early_window"]
    # the record contradicts the nerve criterion and is silent on red flags: the contradicted one comes first
    assert decisive_reasons([red, nerve], set(), crit({"cert.red": "unknown", "cert.nerve": "not met"})) == ["no_neuro_deficit", "no_red_flag"]
    assert decisive_reasons([red, nerve], set(), crit({"cert.red": "unknown", "cert.nerve": "unknown"})) == ["no_red_flag", "no_neuro_deficit"]


def test_score_counts_right_outcome_for_a_wrong_reason():
    items = [Scored("corpus", "A", 1, "MRI", "Upheld", "Upheld", ["no_red_flag"], ["no_red_flag", "early_window"]),
             Scored("corpus", "B", 1, "MRI", "Upheld", "Upheld", ["no_neuro_deficit"], ["early_window"]),
             Scored("corpus", "C", 1, "PT", "Overturned", "Upheld", ["within_guideline_visits"], ["visits_exceed_guideline"]),
             Scored("corpus", "D", 1, "MRI", "Upheld", "Upheld", ["no_reason_stated"], ["early_window"])]
    rep = score(items)
    assert rep["labelled"] == 4 and rep["scored"] == 3 and rep["no_reason_stated"] == 1
    assert rep["reason_agreement"] == round(1 / 3, 4)
    assert rep["primary_agreement"] == round(1 / 3, 4)
    assert rep["right_outcome_wrong_reason"] == 1
    assert rep["by_reason"]["early_window"]["predicted"] == 2 and rep["by_reason"]["early_window"]["precision"] == 0.0
    assert rep["by_reason"]["no_red_flag"]["recall"] == 1.0
    assert rep["confusions"]["within_guideline_visits"] == [["visits_exceed_guideline", 1]]


@needs_shared
def test_reasons_eval_json_contract(tmp_path):
    res = CliRunner().invoke(app, ["reasons-eval", "--json", "-j", "1", "--notes", str(tmp_path),
                                   str(SHARED / "seeds"), str(CORPUS)])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert {"labelled", "reason_agreement", "right_outcome_wrong_reason", "by_reason"} <= set(rep)
    assert rep["labelled"] >= 140
    assert set(rep["splits"]) == {"seeds", "corpus", "check"}
    assert rep["splits"]["check"]["labelled"] > 0
    # by category of item: the counts add up to the letters' labelled items
    assert {"imaging", "therapy"} <= set(rep["categories"])
    assert sum(c["labelled"] for c in rep["categories"].values()) == rep["labelled"]


def test_reasons_doc_lists_every_code():
    docs = Path(__file__).resolve().parents[1] / "docs"
    # docs/reasons.md and one part per category of items (docs/reasons/<category>.md)
    doc = "\n".join(p.read_text(encoding="utf-8") for p in [docs / "reasons.md", *sorted(docs.glob("reasons/*.md"))])
    missing = [c for c in load_taxonomy() if f"`{c}`" not in doc]
    assert not missing, f"docs/reasons.md lacks {missing}"
