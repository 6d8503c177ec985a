"""Predict an IMR outcome for one request from the case summary, the request and its date.

The predictor sees only what a reviewer sees before deciding: the clinical case summary,
the request text and the date. It never reads a letter's decision, rationale or guideline lines.
"""
from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any, Optional, Sequence

from .engine import Engine, build_features, facts_for_request, known, names_requested_region, rule_is_unknown
from .models import CriterionResult, Evidence, Fact, Request, Result, SetAside
from .requests import normalize_request
from .rules import ALWAYS, Rule, default_rules, rule_leaves

_MAX_EVIDENCE_PER_RULE = 3


MTUS_2017 = date(2017, 12, 1)  # the MTUS adopted ACOEM's current guidelines for services from this date
ERA_FALLBACK_NOTE = ("No criterion of the MTUS as amended on 12/1/2017 (the ACOEM guidelines it adopted) is encoded for "
                     "this request; it was judged against the MTUS as it stood on 11/30/2017 (ACOEM 2004 chapters, "
                     "Chronic Pain guidelines), whose criteria may differ from those in force on the request date.")


class Checker:
    """Rules and engine loaded once; ``check`` per case."""

    def __init__(self, rules: Optional[Sequence[Rule]] = None):
        self.rules = list(rules) if rules is not None else list(default_rules())
        self.engine = Engine(self.rules)

    # ------------------------------------------------------------------------------------------------
    def check(self, summary: str, request: str | Request, as_of: Optional[date] = None,
              facts: Optional[list[Fact]] = None) -> Result:
        from .facts import extract_facts, regions_named

        req = request if isinstance(request, Request) else normalize_request(request, as_of=as_of)
        if not req.in_scope:
            return Result(request=req.text, normalized=req, status="no rule applies",
                          rationale="Out of scope: the criteria catalog covers imaging, electrodiagnostic and therapy requests only.")
        as_of = as_of or date.today()
        if facts is None:
            facts = extract_facts(summary, as_of=as_of)
        kept = facts_for_request(facts, req)
        feats = build_features(kept, req, as_of)
        in_play, met = self.engine.evaluate(feats)
        notes = []

        def mtus(ids) -> bool:
            return any(self.engine.by_id[i].citation.source == "MTUS" for i in ids)

        if as_of >= MTUS_2017 and not mtus(in_play):
            # The catalog encodes few criteria of the MTUS as amended 12/1/2017 (ACOEM's current guidelines). Where
            # none applies but the MTUS of the day before had criteria, judge by those and say so.
            earlier = dict(feats, asof=(MTUS_2017 - timedelta(days=1)).toordinal())
            in_play2, met2 = self.engine.evaluate(earlier)
            if mtus(in_play2):
                in_play, met, feats = in_play2, met2, earlier
                notes.append(ERA_FALLBACK_NOTE)
        result = decide(req, [self.engine.by_id[i] for i in in_play], set(met), feats, kept)
        # musculoskeletal regions only: a chest film or head CT is asked for by symptoms ("cough", "headaches")
        specific = [r for r in req.regions if r not in ("unspecified", "any", "head", "chest", "abdomen")]
        if specific and summary.strip() and not names_requested_region(regions_named(summary), specific):
            notes.append(f"The case summary never names the {' or '.join(r.replace('_', '/') for r in specific)}: "
                         "describe the symptoms, examination and treatment of the body part the request is for.")
        result.notes = notes
        if len(kept) < len(facts):
            # tell the reader which findings the criteria in play would have read, and why they did not count
            read = {lf.fact for c in result.criteria for lf in rule_leaves(self.engine.by_id[c.rule]) if lf.fact}
            ids = {id(f) for f in kept}
            result.set_aside = [SetAside(fact=f.name, regions=list(f.regions), evidence=f.evidence) for f in facts
                                if id(f) not in ids and f.name in read and not f.negated and f.experiencer == "patient"]
        return result


def _evidence_for(rule: Rule, feats: dict[str, Any], facts: list[Fact]) -> list[Evidence]:
    from .engine import fact_state
    from .rules import vocabulary

    names = {lf.fact for lf in rule_leaves(rule) if lf.fact and known(lf, feats)}
    # the states a flag's conditions test for ("present", "suspected", ...): a denied "fever" is no evidence
    # for a rule that looks for fever, and a present one none for a rule that looks for its absence
    wanted: dict[str, set] = {}
    for lf in rule_leaves(rule):
        if lf.fact and lf.is_ is not None and not isinstance(lf.is_, bool):
            wanted.setdefault(lf.fact, set()).update([lf.is_] if isinstance(lf.is_, str) else lf.is_)
    voc = vocabulary()
    out: list[Evidence] = []
    for f in facts:
        if f.name in names and f.experiencer == "patient":
            spec = voc.get(f.name, {})
            if spec.get("kind") == "flag" and f.name in wanted and fact_state([f], spec) not in wanted[f.name]:
                continue
            out.append(f.evidence)
            if len(out) >= _MAX_EVIDENCE_PER_RULE:
                break
    return out


def could_be_met(node: Any, feats: dict[str, Any]) -> bool:
    """Could this condition hold if the missing (unknown) facts were documented? Known facts stay as they are.

    Used to keep the checklist to what documentation can change: a criterion that needs "no prior therapy"
    when the record shows prior therapy is not something to document.
    """
    from .engine import compile_node, eval_expr
    from .rules import Group, Leaf

    if node == ALWAYS:
        return True
    if isinstance(node, Leaf):
        if node.fact and not known(node, feats):
            return True
        return eval_expr(compile_node(node), feats)
    assert isinstance(node, Group)
    if node.all is not None:
        return all(could_be_met(c, feats) for c in node.all)
    if node.any is not None:
        return any(could_be_met(c, feats) for c in node.any)
    if node.none is not None:  # each child must be able to be false: unknown facts can be documented as absent
        return all(not (isinstance(c, Leaf) and known(c, feats) and eval_expr(compile_node(c), feats)) for c in node.none)
    return sum(could_be_met(c, feats) for c in node.at_least.of) >= node.at_least.n


def _criterion(rule: Rule, met: bool, feats: dict[str, Any], facts: list[Fact]) -> CriterionResult:
    state = "met" if met else ("unknown" if rule_is_unknown(rule, feats) else "not met")
    return CriterionResult(rule=rule.id, title=rule.title, effect=rule.effect, state=state,
                           citation=rule.citation.to_citation(), evidence=_evidence_for(rule, feats, facts),
                           documentation=rule.documentation)


def decide(req: Request, in_play: list[Rule], met: set[str], feats: dict[str, Any], facts: list[Fact]) -> Result:
    """Combine the criteria in play into an outcome, following the MTUS-first search sequence.

    * The governing source is the first tier (MTUS, then ODG/ACOEM, then ACR/ISCD/USPSTF) that has
      criteria in play for this request; statute rules (Labor Code) always count.
    * Overturned (certify) when a certification criterion of the governing tier is met, no denial
      criterion of equal or higher precedence is met, and every required documentation is present.
    * Otherwise Upheld: "not met" when the summary speaks to the criteria, "insufficient" when every
      fact they read is unknown.
    """
    if not in_play:
        return Result(request=req.text, normalized=req, status="no rule applies",
                      rationale=f"No criterion in the catalog covers {req.modality} of {', '.join(req.regions) or 'this region'}.")
    statute = [r for r in in_play if r.citation.source in ("Labor Code", "CCR")]
    guideline = [r for r in in_play if r not in statute]
    tier = min((r.tier for r in guideline), default=1)
    governing = [r for r in guideline if r.tier == tier] + statute
    criteria = [_criterion(r, r.id in met, feats, facts) for r in governing]

    cert = [r for r in governing if r.effect == "supports_certification" and r.id in met]
    denial = [r for r in governing if r.effect == "supports_denial" and r.id in met]
    docs_missing = [r for r in governing if r.effect == "documentation_required" and r.id not in met]
    best_cert = max((r.precedence for r in cert), default=None)
    best_denial = max((r.precedence for r in denial), default=None)
    certify = bool(cert) and not docs_missing and (best_denial is None or best_cert > best_denial)

    if certify:
        decisive = [r for r in cert if r.precedence == best_cert]
        status = "met"
    else:
        winning_denial = [r for r in denial if best_cert is None or r.precedence >= best_cert]
        decisive = (winning_denial or docs_missing or [r for r in governing if r.effect == "supports_certification"]
                    or governing)
        known_any = any(c.state != "unknown" for c in criteria if c.effect != "supports_denial") or bool(denial)
        status = "not met" if known_any else "insufficient"

    by_id = {c.rule: c for c in criteria}
    evidence: list[Evidence] = []
    for r in decisive:
        for e in by_id[r.id].evidence:
            if e not in evidence:
                evidence.append(e)
    citations = []
    for r in sorted(decisive, key=lambda r: r.tier):
        c = r.citation.to_citation()
        if c not in citations:
            citations.append(c)
    missing: list[str] = []
    if not certify:
        reachable = [r for r in governing if r.effect == "supports_certification" and r.id not in met
                     and could_be_met(r.when, feats)]
        for r in (winning_denial if denial else []) + docs_missing + sorted(reachable, key=lambda r: -r.precedence):
            if r.documentation and r.documentation not in missing:
                missing.append(r.documentation)
    rationale = " ".join(dict.fromkeys(r.rationale.strip() for r in decisive))
    if evidence:
        rationale += " Evidence: " + "; ".join(f'"{e.quote}"' for e in evidence[:3]) + "."
    return Result(request=req.text, normalized=req, imr_outcome="Overturned" if certify else "Upheld",
                  certify=certify, status=status, citations=citations, rules=[r.id for r in decisive],
                  rationale=rationale, evidence=evidence, missing=missing, criteria=criteria)


@functools.lru_cache(maxsize=1)
def default_checker() -> Checker:
    return Checker()


def check(summary: str, request: str | Request, as_of: Optional[date] = None) -> Result:
    """Public API: ``from checker import check``."""
    return default_checker().check(summary, request, as_of=as_of)
