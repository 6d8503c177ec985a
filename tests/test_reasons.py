"""Reason codes: the taxonomy, the labels, the check split, our decisive codes, and `reasons-eval`."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.models import Citation, CriterionResult, Result
from checker.reasons import (LABELS_FILE, ReasonsError, check_split, load_labels, load_taxonomy, result_reasons,
                             score, Scored)

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "dwc-2016"
needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared not found: reasons-eval needs the letters")


def test_taxonomy_is_small_and_sided():
    tax = load_taxonomy()
    assert 20 <= len(tax) <= 40
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
    def __init__(self, effect, reasons, reasons_unmet=()):
        self.effect, self.reasons, self.reasons_unmet = effect, list(reasons), list(reasons_unmet)


def _criterion(rule, effect, state):
    return CriterionResult(rule=rule, title=rule, effect=effect, state=state,
                           citation=Citation(source="MTUS", document="x"))


def test_unmet_certification_criterion_speaks_for_its_negative_code():
    rules = {"cert.red": _Rule("supports_certification", ["red_flag_present"], ["no_red_flag"]),
             "deny.early": _Rule("supports_denial", ["early_window"])}
    up = Result(request="MRI", status="not met", imr_outcome="Upheld", rules=["cert.red"],
                criteria=[_criterion("cert.red", "supports_certification", "not met")])
    assert result_reasons(up, rules) == ["no_red_flag"]
    over = Result(request="MRI", status="met", imr_outcome="Overturned", rules=["cert.red"],
                  criteria=[_criterion("cert.red", "supports_certification", "met")])
    assert result_reasons(over, rules) == ["red_flag_present"]
    denied = Result(request="MRI", status="not met", imr_outcome="Upheld", rules=["deny.early", "cert.red"],
                    criteria=[_criterion("deny.early", "supports_denial", "met"),
                              _criterion("cert.red", "supports_certification", "unknown")])
    assert result_reasons(denied, rules) == ["early_window", "no_red_flag"]


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


def test_reasons_doc_lists_every_code():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "reasons.md").read_text(encoding="utf-8")
    missing = [c for c in load_taxonomy() if f"`{c}`" not in doc]
    assert not missing, f"docs/reasons.md lacks {missing}"
