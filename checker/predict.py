"""Predict an IMR outcome for one request from the case summary, the request and its date.

The predictor sees only what a reviewer sees before deciding: the clinical case summary,
the request text and the date. It never reads a letter's decision, rationale or guideline lines.
"""
from __future__ import annotations

import functools
import re
from datetime import date, timedelta
from typing import Any, Optional, Sequence

from .engine import (Engine, build_features, facts_for_request, known, names_requested_region, rule_is_unknown,
                     subject_leaves)
from .models import CriterionResult, Evidence, Fact, Request, Result, SetAside
from .requests import PASSIVE_MODALITIES, normalize_request
from .rules import ALWAYS, Rule, default_rules, leaves, rule_leaves

_MAX_EVIDENCE_PER_RULE = 3


MTUS_2017 = date(2017, 12, 1)  # the MTUS adopted ACOEM's current guidelines for services from this date
ERA_FALLBACK_NOTE = ("No criterion of the MTUS as amended on 12/1/2017 (the ACOEM guidelines it adopted) is encoded for "
                     "this request; it was judged against the MTUS as it stood on 11/30/2017 (ACOEM 2004 chapters, "
                     "Chronic Pain guidelines), whose criteria may differ from those in force on the request date.")
EARLIER_CRITERIA_NOTE = ("Judged by criteria of the MTUS as it stood before 12/1/2017 ({docs}); on 12/1/2017 the MTUS "
                         "adopted ACOEM's current guidelines in their place, whose criteria may differ from those in force "
                         "on the request date.")
# MTUS guidelines that stayed in force on 12/1/2017 (not replaced by the ACOEM guidelines it adopted)
_STILL_IN_FORCE = ("Acupuncture Medical Treatment Guidelines", "Postsurgical Treatment Guidelines")


def earlier_era(rule: Rule) -> bool:
    """A rule of the MTUS as it stood before 12/1/2017 whose guideline was replaced then (ACOEM 2004 chapters,
    the Chronic Pain Medical Treatment Guidelines 2009/2016); the Acupuncture and Postsurgical guidelines stayed."""
    c = rule.citation
    return (c.source == "MTUS" and rule.applies_to.in_force.from_ < MTUS_2017
            and not any(k in c.document for k in _STILL_IN_FORCE))


_EVALUATION = re.compile(r"\b(?:eval(?:uation)?|assessment|consult(?:ation)?)\b", re.I)


def request_warnings(req: Request) -> list[str]:
    """What the criteria need from a therapy request that could not be read from its words."""
    if req.category != "therapy" or req.modality in PASSIVE_MODALITIES or req.sessions is not None:
        return []
    if _EVALUATION.search(req.text) and not re.search(r"\d|\btreatment|\bsessions?\b|\bvisits?\b", req.text, re.I):
        return []  # "Physical therapy evaluation": one visit, not a course
    if req.weeks is not None and req.frequency_per_week is None:
        what = "how many visits a week are requested could not be read"
    elif req.frequency_per_week is not None and req.weeks is None:
        what = "for how many weeks the visits are requested could not be read"
    else:
        what = "the number of visits requested could not be read"
    return [f'{what}: "{req.text.strip()}"; the visit limits were judged without it (write e.g. "8 visits" or "2x/week x 4 weeks").']


def judgement_day(req: Request, as_of: Optional[date]) -> date:
    """The date a request is judged as of: a retrospective request's date of service (the guidelines in force, the
    weeks since injury and the early windows are those of the day the service was given), else the request date."""
    day = as_of or date.today()
    if req.retrospective_date and req.retrospective_date <= day:
        return req.retrospective_date
    return day


def out_of_scope_rationale(req: Request) -> str:
    """Why no prediction is made: the kind of item, said plainly, never a guess."""
    kind = req.kind or req.category
    return (f"Out of scope ({kind}): the criteria catalog has no rule for this kind of item, so no outcome is "
            "predicted.")


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
        defaulted = as_of is None
        as_of = as_of or date.today()
        if not req.in_scope:
            return Result(request=req.text, normalized=req, status="no rule applies", as_of=as_of, as_of_defaulted=defaulted,
                          rationale=out_of_scope_rationale(req))
        if facts is None:
            facts = extract_facts(summary, as_of=as_of)  # the summary's own dates read against the request date
        kept = facts_for_request(facts, req)
        day = judgement_day(req, as_of)
        feats = build_features(kept, req, day)
        in_play, met = self.engine.evaluate(feats)
        notes = []
        if day != as_of:
            notes.append(f"A retrospective request: judged by the criteria in force on its date of service, {day.isoformat()}.")

        def mtus(ids) -> bool:
            return any(self.engine.by_id[i].citation.source == "MTUS" for i in ids)

        if day >= MTUS_2017 and not mtus(in_play):
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
        if as_of >= MTUS_2017 and ERA_FALLBACK_NOTE not in notes:
            # an open-ended rule of a guideline the MTUS replaced on 12/1/2017 (Chronic Pain 2009/2016) decided or is cited
            cited = [self.engine.by_id[i] for i in result.rules] + [self.engine.by_id[c.rule] for c in result.criteria]
            old = list(dict.fromkeys(r.citation.document for r in cited if earlier_era(r)))
            if old:
                notes.append(EARLIER_CRITERIA_NOTE.format(docs="; ".join(old)))
        result.notes = notes
        from .calibration import probability
        result.probability_certified = probability(result)
        result.warnings = request_warnings(req)
        if not summary.strip():  # the CLI refuses an empty note; through the API it is said, not hidden
            result.warnings.insert(0, "the case summary is empty: every criterion that reads it is unknown, so this "
                                      "outcome says nothing about the patient")
        result.as_of, result.as_of_defaulted = as_of, defaulted
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
    # what the rule is about first, the basis that qualifies a suspicion (age, a recent injury) after it
    subject = {lf.fact for node in [rule.when, *rule.unless] for lf in subject_leaves(node) if lf.fact} & names
    out: list[Evidence] = []
    for group in (subject, names - subject):
        if not group:
            continue
        for f in facts:
            if f.name not in group or f.experiencer != "patient" or len(out) >= _MAX_EVIDENCE_PER_RULE:
                continue
            if f.name in wanted:
                spec = voc.get(f.name, {})
                if spec.get("kind") == "flag" and fact_state([f], spec) not in wanted[f.name]:
                    continue
            out.append(f.evidence)
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


def node_state(node: Any, feats: dict[str, Any]) -> Optional[bool]:
    """Three-valued truth of a condition for this case: True, False, or None when it turns on facts the record
    does not mention (a leaf that accepts "unknown" is decided as written)."""
    from .engine import compile_node, eval_expr
    from .rules import Group, Leaf

    if node == ALWAYS:
        return True
    if isinstance(node, Leaf):
        if node.fact and not known(node, feats) and "unknown" not in node.values():
            return None
        return eval_expr(compile_node(node), feats)
    assert isinstance(node, Group)
    kids = [node_state(c, feats) for c in (node.all or node.any or node.none or node.at_least.of)]
    if node.all is not None:
        return False if False in kids else (None if None in kids else True)
    if node.any is not None:
        return True if True in kids else (None if None in kids else False)
    if node.none is not None:
        return False if True in kids else (None if None in kids else True)
    yes, maybe = kids.count(True), kids.count(None)
    return True if yes >= node.at_least.n else (False if yes + maybe < node.at_least.n else None)


@functools.lru_cache(maxsize=1)
def _reason_of_input() -> dict[tuple[str, str], str]:
    """(request category, fact or request field) -> the denial reason about it (`facts` / `requests` /
    `categories` of reasons.yaml; category "*" when a code applies to every category; "modality:<m>" when
    `modalities` limits the code to requests of those modalities, which come before their category)."""
    from .rules import load_reasons

    out: dict[tuple[str, str], str] = {}
    for code, spec in load_reasons().items():
        cats = [f"modality:{m}" for m in spec.get("modalities") or []] or spec.get("categories") or ["*"]
        keys = [f"f_{n}" for n in spec.get("facts") or []] + [f"q_{n}" for n in spec.get("requests") or []]
        for cat in cats:
            for key in keys:
                out.setdefault((cat, key), code)
    return out


def failing_reasons(rule: Rule, feats: dict[str, Any]) -> list[str]:
    """For a certification criterion that is not met: the denial reasons of the conditions that fail, those the
    record contradicts before those it is silent on; the rule's `reasons_unmet` when none maps to a reason."""
    when = rule.when
    parts = list(when.all) if getattr(when, "all", None) is not None else [when]
    by_input = _reason_of_input()
    category = feats.get("q_category", "*")
    modality = f"modality:{feats.get('q_modality')}"
    found: list[tuple[bool, str]] = []
    for part in parts:
        st = node_state(part, feats)
        if st is True:
            continue
        # a grounded suspicion speaks through what is suspected, not through its basis (engine.subject_leaves)
        for lf in subject_leaves(part):
            code = (by_input.get((modality, lf.key)) or by_input.get((category, lf.key))
                    or by_input.get(("*", lf.key)))
            if code:
                found.append((st is None, code))
    codes = [c for _, c in sorted(found, key=lambda x: x[0])]
    return list(dict.fromkeys(codes)) or list(rule.reasons_unmet)


def decisive_reasons(decisive: list[Rule], met: set[str], by_id: dict[str, CriterionResult],
                     feats: Optional[dict[str, Any]] = None, unmet_cert: Sequence[Rule] = ()) -> list[str]:
    """The reason codes of a decision, the deciding one first.

    A met rule (denial or certification) gives its `reasons`, a missing documentation requirement its `reasons`.
    An Upheld item is also decided by every certification criterion not being met, so the certification criteria
    the record contradicts (state "not met") add the reasons of their failing conditions; when nothing else decides,
    the criteria the record is silent on do. Without ``feats`` a rule's own `reasons_unmet` stand in.
    """
    def unmet_codes(r: Rule) -> list[str]:
        return failing_reasons(r, feats) if feats is not None else r.decisive_reasons(met=False)

    out: list[str] = []
    for r in decisive:
        if r.effect == "supports_certification" and r.id not in met:
            continue
        out += r.decisive_reasons(met=r.id in met)
    cert_unmet = [r for r in list(decisive) + list(unmet_cert)
                  if r.effect == "supports_certification" and r.id not in met]
    cert_unmet = list({r.id: r for r in cert_unmet}.values())
    known_unmet = [r for r in cert_unmet if by_id[r.id].state == "not met"]
    for r in known_unmet + [r for r in cert_unmet if r not in known_unmet]:
        out += unmet_codes(r)
    return list(dict.fromkeys(out))


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

    by_id = {c.rule: c for c in criteria}
    if certify:
        decisive = [r for r in cert if r.precedence == best_cert]
        status = "met"
    else:
        winning_denial = [r for r in denial if best_cert is None or r.precedence >= best_cert]
        unmet_cert = [r for r in governing if r.effect == "supports_certification"]
        # the deciding criterion first: one the record shows is not met before one it is silent on
        unmet_cert.sort(key=lambda r: (by_id[r.id].state == "unknown", -r.precedence))
        decisive = winning_denial or docs_missing or unmet_cert or governing
        known_any = any(c.state != "unknown" for c in criteria if c.effect != "supports_denial") or bool(denial)
        status = "not met" if known_any else "insufficient"

    reasons = decisive_reasons(decisive, met, by_id, feats, [] if certify else unmet_cert)
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
    firmness, why = _firmness(certify, status, decisive, cert, denial, governing, met, by_id, feats)
    return Result(request=req.text, normalized=req, imr_outcome="Overturned" if certify else "Upheld",
                  certify=certify, status=status, citations=citations, rules=[r.id for r in decisive], reasons=reasons,
                  rationale=rationale, evidence=evidence, missing=missing, criteria=criteria,
                  firmness=firmness, firmness_reason=why)


def _near(leaf, feats: dict[str, Any]) -> bool:
    """A documented number within a small margin of the threshold a criterion compares it with."""
    v = feats.get(leaf.key)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
        return False
    for t in (leaf.gte, leaf.gt, leaf.lte, leaf.lt):
        if t is not None and abs(v - t) <= max(1.0, 0.1 * abs(t)):
            return True
    return False


def _firmness(certify: bool, status: str, decisive: list[Rule], cert: list[Rule], denial: list[Rule],
              governing: list[Rule], met: set[str], by_id: dict[str, CriterionResult],
              feats: dict[str, Any]) -> tuple[str, str]:
    """How firmly the record decides the result (see ``Result.firmness``)."""
    if status == "insufficient":
        return "missing facts", "The record says nothing the deciding criteria read."
    if not certify:
        reachable = [r for r in governing if r.effect == "supports_certification" and r.id not in met
                     and by_id[r.id].state == "unknown" and could_be_met(r.when, feats)]
        resting = [r for r in decisive if r.effect == "supports_denial" and any(
            not known(lf, feats) for lf in leaves(r.when) if lf.fact)]
        if reachable:
            return "missing facts", ("Facts the record does not mention could meet: "
                                     + "; ".join(r.title for r in reachable[:3]) + ".")
        if resting:
            return "missing facts", ("The deciding criterion counts facts the record does not mention as absent: "
                                     + "; ".join(r.title for r in resting[:3]) + ".")
    if cert and denial:
        return "borderline", "Criteria on both sides are met; the guideline's order of precedence decided."
    near = [r for r in decisive if any(_near(lf, feats) for lf in rule_leaves(r))]
    if near:
        return "borderline", "A documented number is close to the threshold of: " + "; ".join(r.title for r in near[:3]) + "."
    suspected = [r for r in decisive if r.id in met and any(
        lf.fact and feats.get(lf.key) == "suspected" for lf in rule_leaves(r))]
    if suspected:
        return "borderline", "A deciding finding is only suspected, not confirmed: " + "; ".join(r.title for r in suspected[:3]) + "."
    return "firm", "Every deciding criterion rests on documented facts."


@functools.lru_cache(maxsize=1)
def default_checker() -> Checker:
    return Checker()


def check(summary: str, request: str | Request, as_of: Optional[date] = None) -> Result:
    """Public API: ``from checker import check``."""
    return default_checker().check(summary, request, as_of=as_of)
