"""`imrcheck why`: explain each disputed item of a letter criterion by criterion.

Offsets in an explanation (``Evidence.start``/``end``) index the letter's *source text*: for a text letter the
file's text as given (decoded; character offsets, blank lines included), for a PDF the text pypdfium2 extracts,
which ``imrcheck parse --json`` prints as ``text``. The parser works on a normalised copy (``Letter.text``); the
map :func:`checker.letters.source_offsets` carries its offsets back, so ``source[start:end] == quote``.

The reviewer's rationale is shown beside ours (``reviewer_rationale``); it is never given to the predictor.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Optional

from datetime import date

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


class ReasonCode(BaseModel):
    """A decisive-reason code (``checker/lexicon/reasons.yaml``) and its title."""

    code: str
    title: str = ""


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
    rationale: str = ""  # ours
    reviewer_rationale: str = ""  # the reviewer's "Decision rationale", as the letter words it
    reviewer_reasons: list[ReasonCode] = Field(default_factory=list)  # labelled decisive reasons, when a label exists
    our_reasons: list[ReasonCode] = Field(default_factory=list)  # the decisive reason codes of our result
    as_of: Optional[date] = None  # the date judged for (evaluate.letter_as_of: UR denial date, else ...)
    as_of_defaulted: bool = False
    notes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def request_span(letter: Letter, text: str, after: int = 0) -> Optional[Evidence]:
    """Where the request's own words stand in the letter's normalised text (wrapped lines allowed)."""
    words = text.split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = rx.search(letter.text, after) or rx.search(letter.text)
    return Evidence(quote=m.group(0), start=m.start(), end=m.end()) if m else None


class SourceMap:
    """Carries spans of a letter's normalised text (``Letter.text``) to its source text (``Letter.source``)."""

    def __init__(self, letter: Letter):
        from .letters import source_offsets

        self.source = letter.source or letter.text
        self.map = source_offsets(letter.source) if letter.source else list(range(len(letter.text) + 1))

    def span(self, start: int, end: int) -> Evidence:
        a, b = self.map[start], self.map[end]
        if end > start:  # the end is just after the span's last character, not after what was removed behind it
            b = self.map[end - 1] + 1
        return Evidence(quote=self.source[a:b], start=a, end=b)

    def shift(self, e: Evidence, offset: int = 0) -> Evidence:
        return self.span(e.start + offset, e.end + offset)


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
    """The smallest change that would flip the outcome, in plain words: what the record would need to show."""
    if result.imr_outcome is None:
        return []
    if result.certify:
        denials = [c for c in result.criteria if c.effect == "supports_denial" and c.state != "met"]
        return [f"it would not be certified if this were documented: {c.title.lower()}" for c in denials[:2]]
    out: list[str] = []
    met_denials = [c for c in result.criteria if c.effect == "supports_denial" and c.state == "met"]
    for c in met_denials:
        out.append(f"the record shows this, which weighs against the request: {c.title.lower()}")
    docs = [c for c in result.criteria if c.effect == "documentation_required" and c.state != "met"]
    for c in docs:
        out.append(f"the record would need to document: {c.documentation}")
    certs = [c for c in result.criteria if c.effect == "supports_certification" and c.state != "met"
             and c.documentation in result.missing]  # only criteria that documentation could still meet
    if certs:
        out.append(f"it could be certified if the record showed: {certs[0].documentation}")
    return out


# ----------------------------------------------------------------------------------------------------------------
# The reviewer's decisive reasons, where a person has labelled them (eval/reasons/letters.csv: case,item,codes)

def load_reason_titles() -> dict[str, str]:
    """Code -> title of the reason taxonomy ({} when it cannot be read)."""
    from .reasons import ReasonsError, load_taxonomy

    try:
        return {c: v.get("title", c) for c, v in load_taxonomy().items()}
    except (OSError, ReasonsError):
        return {}


def load_reviewer_reasons(path: Optional[Path] = None) -> dict[tuple[str, int], list[str]]:
    """``(case number or file stem, item) -> codes`` from the labels file; {} when there is none or it is unreadable."""
    from .reasons import ReasonsError, load_labels

    try:
        return load_labels(path)
    except (OSError, ReasonsError):
        return {}


def reviewer_reasons_for(letter: Letter, item: int, labels: Mapping[tuple[str, int], list[str]],
                         titles: Mapping[str, str]) -> list[ReasonCode]:
    for key in (letter.case_number, Path(letter.path).stem):
        if key and (key, item) in labels:
            return [ReasonCode(code=c, title=titles.get(c, "")) for c in labels[(key, item)]]
    return []


# ----------------------------------------------------------------------------------------------------------------

def explain_letter(letter: Letter, item: Optional[int] = None, checker=None,
                   labels: Optional[Mapping[tuple[str, int], list[str]]] = None,
                   titles: Optional[Mapping[str, str]] = None) -> list[ItemExplanation]:
    """Explain each item (or item ``item``). ``labels`` (``(case or file stem, item) -> reason codes``) and
    ``titles`` (code -> title) are optional: with them each item carries the reviewer's labelled decisive reasons."""
    from .facts import extract_facts
    from .predict import default_checker
    from .requests import normalize_request

    checker = checker or default_checker()
    labels, titles = labels or {}, titles or {}
    as_of = letter_as_of(letter)
    facts = extract_facts(letter.summary, as_of=as_of)
    off = letter.summary_start
    src = SourceMap(letter)
    out = []
    cursor = off + len(letter.summary)
    for it in letter.items:
        span = request_span(letter, it.text, cursor)
        if span is not None:
            cursor = span.end
        if item is not None and it.index != item:
            continue
        req = normalize_request(it.text, as_of=as_of)
        res = checker.check(letter.summary, req, as_of=as_of, facts=facts)  # the summary and request only
        req_span = src.shift(span) if span is not None else None
        criteria = []
        for c in res.criteria:
            ev = [src.shift(e, off) for e in c.evidence]
            if req_span is not None and _reads_request(checker.engine.by_id[c.rule]):
                ev.append(req_span)  # the criterion reads the request itself (sessions, repeat study...)
            criteria.append(c.model_copy(update={"evidence": ev}))
        labelled = reviewer_reasons_for(letter, it.index, labels, titles)
        if labelled:  # a person labelled the reviewer's decisive reasons: compare codes
            ours, theirs = set(res.reasons), {r.code for r in labelled}
        else:  # no label: keyword groups guessed from the rationale (an audit of unlabelled letters)
            ours = reason_groups_of_result(res, checker.engine.by_id)
            theirs = reason_groups_of_rationale(it.rationale)
        out.append(ItemExplanation(
            item=it.index, request=it.text, actual=it.decision, predicted=res.imr_outcome, status=res.status,
            agrees=(res.imr_outcome == it.decision) if res.imr_outcome else None,
            criteria=criteria,
            # the decisive quotes, then where the request itself stands in the letter
            evidence=[src.shift(e, off) for e in res.evidence] + ([req_span] if req_span is not None else []),
            would_change_if=would_change(res), missing=res.missing,
            set_aside=[a.model_copy(update={"evidence": src.shift(a.evidence, off)}) for a in res.set_aside],
            reviewer_guideline=guideline_families(it.maximus_guideline),
            our_guideline=[c.source for c in res.citations],
            reasons_shared=sorted(ours & theirs), reasons_ours_only=sorted(ours - theirs),
            reasons_reviewer_only=sorted(theirs - ours), rationale=res.rationale,
            reviewer_rationale=it.rationale, reviewer_reasons=labelled,
            our_reasons=[ReasonCode(code=c, title=titles.get(c, "")) for c in res.reasons],
            as_of=res.as_of, as_of_defaulted=res.as_of_defaulted, notes=res.notes, warnings=res.warnings,
        ))
    return out
