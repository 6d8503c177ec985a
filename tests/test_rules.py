"""The criteria catalog: loading, schema errors with file:line, compiling, the engine."""
from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest

from checker.engine import Engine, build_features, compile_node
from checker.engine import eval_expr
from checker.lint import example_problems, lint
from checker.models import Request
from checker.rules import RuleError, RuleFile, load_file, load_rules

GOOD_RULE = """
rules:
  - id: test.mri.red-flag
    title: MRI for a red flag
    applies_to: {modalities: [mri], regions: [lumbar], in_force: {from: 2007-06-15, to: 2017-11-30}}
    when:
      any:
        - {fact: red_flag_cancer, is: [present, suspected]}
        - {fact: age, gte: 70}
    effect: supports_certification
    reasons: [red_flag_present]
    reasons_unmet: [no_red_flag]
    citation: {source: MTUS, document: Doc, section: Sec, edition: "2004", confidence: uncertain}
    rationale: r
    documentation: d
    tests:
      - {text: "History of cancer.", request: "MRI of the lumbar spine", expect: met}
      - {text: "No cancer.", request: "MRI of the lumbar spine", expect: not met}
"""


def as_denial(text: str) -> str:
    """GOOD_RULE turned into a denial rule (its reasons become denial codes)."""
    return (text.replace("supports_certification", "supports_denial")
            .replace("    reasons: [red_flag_present]\n    reasons_unmet: [no_red_flag]\n", "    reasons: [no_red_flag]\n"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_catalog_loads_and_lints_clean():
    rules = load_rules()
    assert len(rules) >= 10
    assert lint() == []
    for r in rules:
        assert r.citation.source and r.citation.document and r.citation.edition and r.citation.confidence


def test_good_rule_file_loads(tmp_path):
    rules = load_file(write(tmp_path, "a.yaml", GOOD_RULE))
    assert [r.id for r in rules] == ["test.mri.red-flag"]
    assert rules[0].line == 3


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    p = write(tmp_path, "bad.yaml", "rules:\n  - id: x\n    title: [unclosed\n")
    with pytest.raises(RuleError) as ei:
        load_file(p)
    assert "bad.yaml:" in str(ei.value) and ei.value.line is not None


def test_unknown_fact_is_refused_with_line(tmp_path):
    p = write(tmp_path, "f.yaml", GOOD_RULE.replace("red_flag_cancer", "red_flag_dragons"))
    with pytest.raises(RuleError) as ei:
        load_file(p)
    assert "red_flag_dragons" in str(ei.value)
    assert ei.value.line == 8  # the line of the offending condition


def test_unknown_key_is_refused(tmp_path):
    p = write(tmp_path, "k.yaml", GOOD_RULE.replace("    effect: supports_certification", "    effect: supports_certification\n    colour: red"))
    with pytest.raises(RuleError) as ei:
        load_file(p)
    assert "colour" in str(ei.value) and "k.yaml:" in str(ei.value)


def test_flag_fact_with_bad_state(tmp_path):
    p = write(tmp_path, "s.yaml", GOOD_RULE.replace("is: [present, suspected]", "is: maybe"))
    with pytest.raises(RuleError, match="maybe"):
        load_file(p)


def test_duplicate_ids_refused_and_nothing_half_loaded(tmp_path):
    write(tmp_path, "a.yaml", GOOD_RULE)
    write(tmp_path, "b.yaml", GOOD_RULE)
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_rules(tmp_path)
    problems = lint(tmp_path)
    assert any("duplicate rule id" in p for p in problems)


def test_lint_reports_conflicts_without_precedence(tmp_path):
    write(tmp_path, "a.yaml", GOOD_RULE)
    deny = as_denial(GOOD_RULE.replace("test.mri.red-flag", "test.mri.deny"))
    write(tmp_path, "b.yaml", deny)
    problems = lint(tmp_path)
    assert any("can both be met" in p for p in problems)


def test_unconditional_rules_show_their_boundary_with_a_not_applicable_example(tmp_path):
    always = as_denial(GOOD_RULE.replace("""    when:
      any:
        - {fact: red_flag_cancer, is: [present, suspected]}
        - {fact: age, gte: 70}
""", "    when: always\n"))
    # "not met" cannot happen to a rule with no condition: it must show a request it does not apply to
    assert any("one that is not applicable" in p for p in lint(write(tmp_path / "a", "a.yaml", always).parent))
    fixed = always.replace('{text: "No cancer.", request: "MRI of the lumbar spine", expect: not met}',
                           '{text: "No cancer.", request: "MRI of the right knee", expect: not applicable}')
    assert lint(write(tmp_path / "b", "b.yaml", fixed).parent) == []
    # a rule with conditions still needs a case that does not meet them
    conditional = GOOD_RULE.replace('{text: "No cancer.", request: "MRI of the lumbar spine", expect: not met}',
                                    '{text: "No cancer.", request: "MRI of the right knee", expect: not applicable}')
    assert any("one that is not met or unknown" in p for p in lint(write(tmp_path / "c", "c.yaml", conditional).parent))


def test_unknown_reason_code_is_refused_with_line(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD_RULE.replace("reasons: [red_flag_present]", "reasons: [red_flag_dragons]"))
    with pytest.raises(RuleError) as ei:
        load_file(p)
    assert "red_flag_dragons" in str(ei.value) and "r.yaml:" in str(ei.value)
    assert ei.value.line == 11  # the `reasons:` line


def test_reason_codes_must_be_on_the_rule_s_side(tmp_path):
    # a certification rule's own reasons are certification codes; what its failure stands for is a denial code
    with pytest.raises(RuleError, match="denial reason"):
        load_file(write(tmp_path, "a.yaml", GOOD_RULE.replace("reasons: [red_flag_present]", "reasons: [no_red_flag]")))
    with pytest.raises(RuleError, match="certification reason"):
        load_file(write(tmp_path, "b.yaml", GOOD_RULE.replace("reasons_unmet: [no_red_flag]", "reasons_unmet: [red_flag_present]")))
    # only a certification rule has reasons for not being met
    deny = as_denial(GOOD_RULE).replace("    reasons: [no_red_flag]\n", "    reasons: [no_red_flag]\n    reasons_unmet: [no_red_flag]\n")
    with pytest.raises(RuleError, match="only a supports_certification rule"):
        load_file(write(tmp_path, "c.yaml", deny))


def test_lint_requires_reasons_and_reasons_unmet(tmp_path):
    assert lint(write(tmp_path / "ok", "a.yaml", GOOD_RULE).parent) == []
    no_unmet = GOOD_RULE.replace("    reasons_unmet: [no_red_flag]\n", "")
    assert any("needs `reasons_unmet`" in p for p in lint(write(tmp_path / "u", "a.yaml", no_unmet).parent))
    none = no_unmet.replace("    reasons: [red_flag_present]\n", "")
    assert any("no `reasons`" in p for p in lint(write(tmp_path / "n", "a.yaml", none).parent))


def test_lint_refuses_an_era_a_mtus_rule_left_open(tmp_path):
    """A rule of the MTUS before 12/1/2017 ends on 11/30/2017 unless it says why its section was kept."""
    ended = GOOD_RULE
    assert lint(write(tmp_path / "b", "a.yaml", ended).parent) == []
    open_ = GOOD_RULE.replace("{from: 2007-06-15, to: 2017-11-30}", "{from: 2007-06-15}")
    assert any("2017-11-30" in p for p in lint(write(tmp_path / "a", "a.yaml", open_).parent))
    kept = GOOD_RULE.replace("{from: 2007-06-15, to: 2017-11-30}", '{from: 2007-06-15, kept: "section kept"}')
    assert lint(write(tmp_path / "c", "a.yaml", kept).parent) == []
    odg = open_.replace("source: MTUS", "source: ODG")
    assert lint(write(tmp_path / "d", "a.yaml", odg).parent) == []


def test_every_catalog_rule_maps_to_reason_codes_of_its_side():
    from checker.rules import load_reasons

    taxonomy = load_reasons()
    assert 20 <= len(taxonomy) <= 150 and load_reasons() is taxonomy  # cached (the main file and the categories' parts)
    for r in load_rules():
        side = "certification" if r.effect == "supports_certification" else "denial"
        assert r.reasons and all(taxonomy[c]["side"] == side for c in r.reasons), r.id
        assert all(taxonomy[c]["side"] == "denial" for c in r.reasons_unmet), r.id
        assert bool(r.reasons_unmet) == (r.effect == "supports_certification"), r.id
        assert r.decisive_reasons(met=r.effect != "documentation_required") == r.reasons
        # no rule of a superseded MTUS guideline stays in force for ever without saying why
        f = r.applies_to.in_force
        if r.citation.source == "MTUS" and f.from_ < date(2017, 12, 1) and f.to.year == 2999:
            assert f.kept, r.id


def test_at_least_that_can_never_fire_is_refused(tmp_path):
    bad = GOOD_RULE.replace("      any:\n", "      at_least:\n        n: 3\n        of:\n").replace(
        "        - {fact: red_flag_cancer", "          - {fact: red_flag_cancer").replace("        - {fact: age", "          - {fact: age")
    with pytest.raises(RuleError, match="never fire"):
        load_file(write(tmp_path, "n.yaml", bad))


def test_schema_export_is_json_schema():
    schema = RuleFile.model_json_schema(by_alias=True)
    assert schema["type"] == "object" and "rules" in schema["properties"]
    json.dumps(schema)


# ---------------------------------------------------------------------------------------------- compiling

def test_compile_none_negates_each_condition():
    from checker.rules import Group

    g = Group.model_validate({"none": [{"fact": "red_flag_cancer", "is": "present"}, {"fact": "age", "gte": 70}]})
    expr = compile_node(g)
    assert eval_expr(expr, {"f_red_flag_cancer": "absent", "f_age": 40})
    assert not eval_expr(expr, {"f_red_flag_cancer": "present", "f_age": 40})
    assert not eval_expr(expr, {"f_red_flag_cancer": "absent", "f_age": 80})


def test_compile_at_least_and_unknown_numbers():
    from checker.rules import Group

    g = Group.model_validate({"at_least": {"n": 2, "of": [
        {"fact": "motor_weakness", "is": "present"}, {"fact": "reflex_change", "is": "present"},
        {"request": "sessions", "lte": 10}]}})
    expr = compile_node(g)
    base = {"f_motor_weakness": "present", "f_reflex_change": "absent", "q_sessions": -1}
    assert not eval_expr(expr, base)  # an unknown number does not satisfy lte
    assert eval_expr(expr, {**base, "q_sessions": 8})
    assert eval_expr(expr, {**base, "f_reflex_change": "present"})


def test_engine_evaluates_many_cases_and_releases_state(tmp_path):
    rules = load_file(write(tmp_path, "a.yaml", GOOD_RULE))
    eng = Engine(rules)
    req = Request(text="MRI lumbar", category="imaging", modality="mri", regions=["lumbar"], in_scope=True)
    feats = build_features([], req, date(2016, 1, 1))
    for i in range(5000):  # without delete_state the engine's session table fills up
        feats["f_age"] = 75 if i % 2 else 40
        in_play, met = eng.evaluate(feats)
        assert in_play == ["test.mri.red-flag"]
        assert met == (["test.mri.red-flag"] if i % 2 else [])
    other = build_features([], Request(text="MRI knee", category="imaging", modality="mri", regions=["knee"], in_scope=True), date(2016, 1, 1))
    assert eng.evaluate(other) == ([], [])
    # a second Engine over the same rules reuses the registered ruleset
    assert Engine(rules).evaluate(feats)[0] == ["test.mri.red-flag"]


# ---------------------------------------------------------------------------------------------- the rules' own tests

def _rule_ids():
    return [r.id for r in load_rules()]


@pytest.mark.parametrize("rule_id", _rule_ids())
def test_rule_examples(rule_id):
    """Each rule's example cases (written beside it in YAML) through the extractor and the engine."""
    from checker.lint import rule_state
    from checker.predict import default_checker

    rule = next(r for r in load_rules() if r.id == rule_id)
    assert example_problems(rule) == []
    for t in rule.tests:
        got = rule_state(default_checker(), rule.id, t.text, t.request, t.as_of)
        assert got == t.expect, f"{rule.file}:{rule.line}: {t.text!r} with {t.request!r}"


def test_committed_rule_docs_are_up_to_date():
    """docs/rules/ is generated from the YAML; regenerate with `imrcheck rules docs` after editing a rule."""
    from checker.ruledocs import render

    docs = Path(__file__).resolve().parents[1] / "docs" / "rules"
    pages = render()
    committed = {p.name: p.read_text(encoding="utf-8") for p in docs.glob("*.md")}
    assert set(committed) == set(pages), "pages added or removed: run `imrcheck rules docs`"
    stale = [name for name, text in pages.items() if committed[name] != text]
    assert not stale, f"stale pages (run `imrcheck rules docs`): {stale[:5]}"


def test_weeks_since_prior_imaging_from_the_timeline():
    from checker.facts import extract_facts

    text = "A lumbar MRI of June 2, 2015 showed a disc protrusion. Pain persists."
    req = Request(text="MRI lumbar", category="imaging", modality="mri", regions=["lumbar"], in_scope=True)
    feats = build_features(extract_facts(text), req, date(2016, 6, 1))
    assert feats["f_weeks_since_prior_imaging"] == 52.1  # 365 days
    assert build_features(extract_facts("Pain persists."), req, date(2016, 6, 1))["f_weeks_since_prior_imaging"] == -1


def test_visits_total_counts_the_visits_already_done():
    from checker.facts import extract_facts
    from checker.requests import normalize_request

    day = date(2016, 5, 1)

    def total(text, request):
        return build_features(extract_facts(text, as_of=day), normalize_request(request, as_of=day), day)["q_visits_total"]

    assert total("She completed 6 sessions of physical therapy.", "Physical therapy 2 times a week for 3 weeks") == 12
    assert total("No prior physical therapy.", "Physical therapy 2 times a week for 3 weeks") == 6  # a first course
    assert total("Chronic neck pain.", "Physical therapy 2 times a week for 3 weeks") == -1  # done unknown
    assert total("No prior physical therapy.", "Additional physical therapy 2 times a week for 3 weeks") == -1
    assert total("She completed 6 sessions of physical therapy.", "MRI of the lumbar spine") == -1


def test_a_modality_with_many_criteria_is_split_across_rulesets(tmp_path):
    """durable_rules walks a ruleset's alpha network on a 64-node stack (error 303 past it; with 80 such criteria in one
    ruleset the C engine even corrupts memory): a modality's criteria are split into small rulesets so a case
    matching many of them is still evaluated."""
    import checker.engine as eng

    assert eng._RULES_PER_RULESET <= 20
    def catalog(prefix: str) -> list:
        body = textwrap.dedent(GOOD_RULE).split("rules:\n", 1)[1]
        text = "rules:\n" + "".join(body.replace("test.mri.red-flag", f"test.{prefix}.r{i}").replace("gte: 70", f"gte: {i}")
                                     for i in range(80))
        return load_file(write(tmp_path, f"{prefix}.yaml", text))

    feats = build_features([], Request(text="MRI lumbar", category="imaging", modality="mri", regions=["lumbar"], in_scope=True),
                           date(2016, 6, 1))
    feats["f_age"] = 99.0
    in_play, met = Engine(catalog("split")).evaluate(feats)
    assert len(in_play) == 80 and len(met) == 80
    feats["f_age"] = 10.0  # the ones whose threshold is passed, in catalog order
    assert Engine(catalog("split")).evaluate(feats)[1] == [f"test.split.r{i}" for i in range(11)]


def test_coverage_table_names_every_rule_and_only_real_ones():
    """docs/coverage.md maps each guideline section's criteria to rules: every catalog rule appears there, and every
    rule id it names exists (`prefix.*` and `{a,b}` stand for several)."""
    import re

    docs = Path(__file__).resolve().parents[1] / "docs"
    # docs/coverage.md and one part per category of items (docs/coverage/<category>.md)
    text = "\n".join(p.read_text(encoding="utf-8") for p in [docs / "coverage.md", *sorted(docs.glob("coverage/*.md"))])
    ids = {r.id for r in load_rules()}
    named: set[str] = set()
    for token in re.findall(r"`((?:mtus|odg|acr|labor-code)\.[a-z0-9.\-{},*]+)`", text):
        brace = re.search(r"\{([^}]*)\}", token)
        variants = [token.replace(brace.group(0), alt) for alt in brace.group(1).split(",")] if brace else [token]
        for v in variants:
            if v.endswith("*"):
                hits = {i for i in ids if i.startswith(v[:-1])}
                assert hits, f"{token} matches no rule"
                named |= hits
            else:
                assert v in ids, f"docs/coverage.md names {v}, which is not a rule"
                named.add(v)
    assert ids - named == set(), f"rules missing from docs/coverage.md: {sorted(ids - named)}"
