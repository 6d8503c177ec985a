"""`imrcheck rules lint` and `imrcheck rules test`."""
from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path
from typing import Optional

from .engine import _join, _negate, compile_applies, compile_node, eval_expr
from .rules import ALWAYS, Leaf, Rule, RuleError, current_rules_dir, load_file, rule_leaves, vocabulary

_SAMPLES = 400
MTUS_ERA_A_END = date(2017, 11, 30)  # the MTUS adopted ACOEM's current guidelines for services from 12/1/2017


def _full_expr(rule: Rule) -> dict:
    parts = compile_applies(rule.applies_to)
    if rule.applies_if is not None:
        parts.append(compile_node(rule.applies_if))
    parts.append(compile_node(rule.when))
    parts += [_negate(compile_node(u)) for u in rule.unless]
    return _join("$and", parts)


def _domain(leaf: Leaf) -> list:
    if leaf.is_ is not None:
        vals = leaf.values()
        if leaf.fact and vocabulary()[leaf.fact]["kind"] == "flag":
            return ["present", "suspected", "absent", "unknown"]
        return list(vals) + ["__other__"] if not isinstance(leaf.is_, bool) else [True, False]
    nums = [getattr(leaf, k) for k in ("gte", "gt", "lte", "lt") if getattr(leaf, k) is not None]
    return sorted({-1.0} | {n for x in nums for n in (x - 1, x, x + 1)})


def _samples(rules: list[Rule], rng: random.Random) -> list[dict]:
    """Random feature records drawn from the values the rules test."""
    domains: dict[str, list] = {}
    mods: set[str] = set()
    regions: set[str] = set()
    for r in rules:
        mods.update(r.applies_to.modalities)
        regions.update(r.applies_to.regions)
        for lf in rule_leaves(r):
            domains.setdefault(lf.key, [])
            domains[lf.key] = list(dict.fromkeys(domains[lf.key] + _domain(lf)))
    dates = [d for r in rules for d in (r.applies_to.in_force.from_.toordinal(), r.applies_to.in_force.to.toordinal())]
    out = []
    for _ in range(_SAMPLES):
        f = {k: rng.choice(v) for k, v in domains.items()}
        f["q_modality"] = rng.choice(sorted(mods))
        reg = rng.choice(sorted(regions))
        for rr in regions:
            f[f"r_{rr}"] = rr == reg or rr == "any"
        f["q_postsurgical"] = rng.choice([True, False])
        f["q_preoperative"] = rng.choice([True, False])
        f["asof"] = rng.randint(min(dates), max(dates)) if dates else 0
        out.append(f)
    return out


def lint(rules_dir: Optional[Path | str] = None) -> list[str]:
    base = Path(rules_dir) if rules_dir else current_rules_dir()
    problems: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for path in sorted(base.rglob("*.yaml")):
        try:
            for r in load_file(path):
                if r.id in seen:
                    problems.append(f"{path}:{r.line}: duplicate rule id {r.id!r} (first at {seen[r.id].file}:{seen[r.id].line})")
                    continue
                seen[r.id] = r
                rules.append(r)
        except RuleError as exc:
            problems.append(str(exc))
    rng = random.Random(0)
    for r in rules:
        where = f"{r.file}:{r.line}"
        a = r.applies_to.in_force
        if a.from_ > a.to:
            problems.append(f"{where}: {r.id}: in_force starts after it ends: it can never fire")
        try:
            compile_node(r.when)
        except ValueError as exc:
            problems.append(f"{where}: {r.id}: {exc}")
            continue
        if not r.reasons:
            problems.append(f"{where}: {r.id}: no `reasons` (the codes of checker/lexicon/reasons.yaml it decides by)")
        if r.effect == "supports_certification" and not r.reasons_unmet:
            problems.append(f"{where}: {r.id}: a certification rule needs `reasons_unmet` (the denial codes its not "
                            "being met stands for)")
        a_to = r.applies_to.in_force.to
        if (r.citation.source == "MTUS" and a_to > MTUS_ERA_A_END and r.applies_to.in_force.from_ <= MTUS_ERA_A_END
                and not r.applies_to.in_force.kept):
            problems.append(f"{where}: {r.id}: an MTUS rule of the guidelines in force before 12/1/2017 stays in force "
                            f"to {a_to.isoformat()}: end it on {MTUS_ERA_A_END.isoformat()} (the amended MTUS replaced "
                            "them), or say in `kept` why its section stayed in the MTUS")
        if not r.tests:
            problems.append(f"{where}: {r.id}: no tests (write one case that meets it and one that does not)")
        else:
            problems += [f"{where}: {r.id}: {p}" for p in example_problems(r)]
    # rules that can never fire, and conflicting effects without a precedence (found by sampling)
    exprs = {r.id: _full_expr(r) for r in rules}
    samples = _samples(rules, rng)
    fires = {r.id: [i for i, s in enumerate(samples) if eval_expr(exprs[r.id], s)] for r in rules}
    for r in rules:
        if not fires[r.id] and not _satisfiable_by_tests(r):
            problems.append(f"{r.file}:{r.line}: {r.id}: no sampled case satisfies it: check that it can fire")
    for a, b in itertools.combinations(rules, 2):
        effects = {a.effect, b.effect}
        if effects != {"supports_certification", "supports_denial"} or a.precedence != b.precedence:
            continue
        if a.tier != b.tier:
            continue
        both = set(fires[a.id]) & set(fires[b.id])
        if both:
            problems.append(f"{b.file}:{b.line}: {b.id} ({b.effect}) and {a.id} ({a.effect}) can both be met "
                            f"with equal precedence {a.precedence}: set `precedence` on the one that should win")
    return problems


def example_problems(rule: Rule) -> list[str]:
    """A rule's examples must show it met and show its boundary: a case that does not meet it, or, for a rule with
    no condition (`when: always`), a request it does not apply to (another region, era or modality)."""
    expects = {t.expect for t in rule.tests}
    boundary = {"not applicable"} if rule.when == ALWAYS else {"not met", "unknown"}
    if "met" not in expects or not expects & boundary:
        return [f"tests need at least one met case and one that is {' or '.join(sorted(boundary))}"]
    return []


def _satisfiable_by_tests(rule: Rule) -> bool:
    return any(t.expect == "met" for t in rule.tests)


def run_rule_tests(rules_dir: Optional[Path | str] = None) -> tuple[list[str], int]:
    """Run every rule's example cases through the full pipeline (extractor, engine)."""
    from .predict import Checker
    from .rules import load_rules

    rules = load_rules(rules_dir)
    checker = Checker(rules)
    failures: list[str] = []
    total = 0
    for r in rules:
        for i, t in enumerate(r.tests, 1):
            total += 1
            got = rule_state(checker, r.id, t.text, t.request, t.as_of)
            if got != t.expect:
                failures.append(f"{r.file}:{r.line}: {r.id} test {i}: expected {t.expect}, got {got} "
                                f"(request {t.request!r}; text {t.text[:80]!r})")
    return failures, total


def rule_state(checker, rule_id: str, text: str, request: str, as_of) -> str:
    from .engine import build_features, rule_is_unknown
    from .facts import extract_facts
    from .predict import judgement_day
    from .requests import normalize_request

    day = as_of or date.today()
    req = normalize_request(request, as_of=day)
    facts = extract_facts(text, as_of=day)
    feats = build_features(facts, req, judgement_day(req, day))
    in_play, met = checker.engine.evaluate(feats)
    if rule_id not in in_play:
        return "not applicable"
    if rule_id in met:
        return "met"
    return "unknown" if rule_is_unknown(checker.engine.by_id[rule_id], feats) else "not met"
