"""`imrcheck why`: explain each disputed item of a letter criterion by criterion.

Quotes point into the letter's text as imrcheck extracts it (``Letter.text``): the predictor reads the
summary, and its offsets are shifted by ``Letter.summary_start``.
"""
from __future__ import annotations

import re
from typing import Optional

from pydantic import BaseModel, Field

from .evaluate import guideline_families, letter_as_of
from .models import CriterionResult, Evidence, Letter, Result, SetAside

# Words a reviewer uses when a criterion decides an item; used to compare our reasons with the letter's.
REASON_CUES: dict[str, tuple[str, ...]] = {
    "red_flag": ("red flag", "red-flag", "tumor", "infection", "fracture", "cancer", "cauda equina"),
    "neuro": ("neurologic", "neurological", "radicul", "nerve", "deficit", "reflex", "weakness", "sensory", "dermatom"),
    "surgery": ("surg", "invasive procedure", "operative", "injection"),
    "conservative": ("conservative", "failed", "trial of"),
    "functional": ("functional improvement", "functional gains", "objective improvement", "functional benefit"),
    "visits": ("exceed", "sessions", "visits", "modification", "home exercise"),
    "repeat": ("prior mri", "previous mri", "repeat", "significant change", "new symptoms"),
    "purpose": ("pain generator", "degenerat", "facet arthropathy", "endorsed indication", "rationale for", "how the results"),
    "bone_density": ("bone density", "osteopor", "risk factor", "bone mass"),
}
_FACT_GROUP = {
    "red_flag_cancer": "red_flag", "red_flag_infection": "red_flag", "red_flag_fracture": "red_flag",
    "red_flag_cauda_equina": "red_flag", "red_flags_any": "red_flag", "weight_loss": "red_flag", "myelopathy": "red_flag",
    "progressive_neuro_deficit": "neuro", "motor_weakness": "neuro", "reflex_change": "neuro", "sensory_deficit": "neuro",
    "positive_slr": "neuro", "positive_spurling": "neuro", "neuro_exam_normal": "neuro", "radicular_symptoms": "neuro",
    "radiculopathy_confirmed": "neuro", "peripheral_neuropathy": "neuro",
    "surgery_planned": "surgery", "injection_planned": "surgery", "conservative_care_failed": "conservative",
    "functional_improvement": "functional", "physical_therapy": "functional", "chiropractic": "functional", "acupuncture": "functional",
    "prior_mri": "repeat", "new_or_changed_symptoms": "repeat", "prior_imaging": "repeat",
    "purpose_pain_generator": "purpose", "request_purpose": "purpose", "treatment_decision_depends": "purpose",
    "menopause": "bone_density", "glucocorticoid_use": "bone_density", "endocrine_disorder": "bone_density",
    "malabsorption": "bone_density", "fragility_fracture": "bone_density", "osteoporosis": "bone_density",
}


class ItemExplanation(BaseModel):
    item: int
    request: str
    actual: str
    predicted: Optional[str]
    status: str
    agrees: Optional[bool]
    criteria: list[CriterionResult] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    would_change_if: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    set_aside: list[SetAside] = Field(default_factory=list)
    reviewer_guideline: list[str] = Field(default_factory=list)
    our_guideline: list[str] = Field(default_factory=list)
    reasons_shared: list[str] = Field(default_factory=list)
    reasons_ours_only: list[str] = Field(default_factory=list)
    reasons_reviewer_only: list[str] = Field(default_factory=list)
    rationale: str = ""


def request_span(letter: Letter, text: str, after: int = 0) -> Optional[Evidence]:
    """Where the request's own words stand in the letter (wrapped lines allowed)."""
    words = text.split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = rx.search(letter.text, after) or rx.search(letter.text)
    return Evidence(quote=m.group(0), start=m.start(), end=m.end()) if m else None


def _shift(e: Evidence, offset: int) -> Evidence:
    return Evidence(quote=e.quote, start=e.start + offset, end=e.end + offset)


def _reads_request(rule) -> bool:
    from .rules import rule_leaves

    return any(leaf.request for leaf in rule_leaves(rule))


def reason_groups_of_rationale(rationale: str) -> set[str]:
    t = rationale.lower()
    return {g for g, cues in REASON_CUES.items() if any(c in t for c in cues)}


def reason_groups_of_result(result: Result, rules_by_id) -> set[str]:
    from .rules import rule_leaves

    groups: set[str] = set()
    for rid in result.rules:
        for leaf in rule_leaves(rules_by_id[rid]):
            if leaf.fact in _FACT_GROUP:
                groups.add(_FACT_GROUP[leaf.fact])
            elif leaf.request in ("sessions", "weeks"):
                groups.add("visits")
            elif leaf.request == "repeat":
                groups.add("repeat")
    return groups


def would_change(result: Result) -> list[str]:
    """The smallest change that would flip the outcome, as documentation to add or facts to establish."""
    if result.imr_outcome is None:
        return []
    if result.certify:
        denials = [c for c in result.criteria if c.effect == "supports_denial" and c.state != "met"]
        return [f"would be upheld if: {c.title.lower()}" for c in denials[:2]]
    out: list[str] = []
    met_denials = [c for c in result.criteria if c.effect == "supports_denial" and c.state == "met"]
    for c in met_denials:
        out.append(f"resolve: {c.title}")
    docs = [c for c in result.criteria if c.effect == "documentation_required" and c.state != "met"]
    for c in docs:
        out.append(f"document: {c.documentation}")
    certs = [c for c in result.criteria if c.effect == "supports_certification" and c.state != "met"
             and c.documentation in result.missing]  # only criteria that documentation could still meet
    if certs:
        out.append(f"would be certified if: {certs[0].documentation}")
    return out


def explain_letter(letter: Letter, item: Optional[int] = None, checker=None) -> list[ItemExplanation]:
    from .facts import extract_facts
    from .predict import default_checker
    from .requests import normalize_request

    checker = checker or default_checker()
    as_of = letter_as_of(letter)
    facts = extract_facts(letter.summary, as_of=as_of)
    off = letter.summary_start
    out = []
    cursor = off + len(letter.summary)
    for it in letter.items:
        span = request_span(letter, it.text, cursor)
        if span is not None:
            cursor = span.end
        if item is not None and it.index != item:
            continue
        req = normalize_request(it.text, as_of=as_of)
        res = checker.check(letter.summary, req, as_of=as_of, facts=facts)
        criteria = []
        for c in res.criteria:
            ev = [_shift(e, off) for e in c.evidence]
            if span is not None and _reads_request(checker.engine.by_id[c.rule]):
                ev.append(span)  # the criterion reads the request itself (sessions, repeat study...)
            criteria.append(c.model_copy(update={"evidence": ev}))
        ours = reason_groups_of_result(res, checker.engine.by_id)
        theirs = reason_groups_of_rationale(it.rationale)
        out.append(ItemExplanation(
            item=it.index, request=it.text, actual=it.decision, predicted=res.imr_outcome, status=res.status,
            agrees=(res.imr_outcome == it.decision) if res.imr_outcome else None,
            criteria=criteria,
            # the decisive quotes, then where the request itself stands in the letter
            evidence=[_shift(e, off) for e in res.evidence] + ([span] if span is not None else []),
            would_change_if=would_change(res), missing=res.missing,
            set_aside=[a.model_copy(update={"evidence": _shift(a.evidence, off)}) for a in res.set_aside],
            reviewer_guideline=guideline_families(it.maximus_guideline),
            our_guideline=[c.source for c in res.citations],
            reasons_shared=sorted(ours & theirs), reasons_ours_only=sorted(ours - theirs),
            reasons_reviewer_only=sorted(theirs - ours), rationale=res.rationale,
        ))
    return out
