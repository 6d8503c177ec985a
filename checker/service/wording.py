"""Plain-words reading of a Result, shared by the web page and the CDS Hooks cards.

Indicator for CDS Hooks cards:

* ``critical`` - a red-flag workup is missing: the note documents a red flag for the patient (cancer, infection,
  fracture, cauda equina signs, progressive neurological deficit, myelopathy or unexplained weight loss; not
  negated, not about someone else, not hypothetical) and the order is not imaging, i.e. not a red-flag workup
  (therapy, chiropractic, acupuncture, electrodiagnostics). The card says which red flag and where.
* ``warning`` - likely not certified (or no criterion applies to the order);
* ``info`` - likely certified.
"""
from __future__ import annotations

from typing import Any, Optional

from ..models import Citation, Fact, Result

RED_FLAGS = {
    "red_flag_cancer": "history of cancer",
    "red_flag_infection": "possible infection",
    "red_flag_fracture": "possible fracture",
    "red_flag_cauda_equina": "cauda equina signs",
    "progressive_neuro_deficit": "progressive neurological deficit",
    "myelopathy": "signs of myelopathy",
    "weight_loss": "unexplained weight loss",
}

# the fields every front end already shows; anything else a Result carries is shown generically
KNOWN_FIELDS = {"request", "normalized", "imr_outcome", "certify", "status", "citations", "rules", "rationale",
                "evidence", "missing", "criteria", "set_aside", "notes", "firmness", "firmness_reason",
                "probability_certified", "reasons"}


def outcome_label(r: Result) -> str:
    if r.imr_outcome is None:
        if r.normalized is not None and not r.normalized.in_scope:
            kind = f" ({r.normalized.kind})" if r.normalized.kind else ""
            return f"Not checked - outside the criteria catalog{kind}"
        return "Not checked - no criterion applies"
    if r.certify:
        return "Likely certified"
    if r.status == "insufficient" or (r.missing and not any(c.state == "met" and c.effect == "supports_denial"
                                                             for c in r.criteria)):
        return "Likely not certified - documentation missing"
    return "Likely not certified - criteria not met"


def outcome_kind(r: Result) -> str:
    """css/indicator class: ok, bad or none."""
    if r.imr_outcome is None:
        return "none"
    return "ok" if r.certify else "bad"


def confidence(r: Result) -> Optional[str]:
    """How firmly the record decides the result (``Result.firmness`` and its reason), with the measured
    probability of certification when a calibration table is installed."""
    if r.imr_outcome is None or r.firmness is None:
        return None
    text = f"{r.firmness} - {r.firmness_reason}" if r.firmness_reason else r.firmness
    if r.probability_certified is not None:
        text += f" Results like this were certified {r.probability_certified:.0%} of the time on real letters."
    return text


def cite(c: Citation) -> str:
    doc = c.document or ""
    text = doc if doc.startswith(c.source) else " ".join(p for p in (c.source, doc) if p)
    if c.section:
        text += f", {c.section}"
    if c.edition:
        text += f" ({c.edition})"
    return text


def governing(r: Result) -> Optional[Citation]:
    if r.citations:
        return r.citations[0]
    return r.criteria[0].citation if r.criteria else None


def extra_fields(r: Result) -> dict[str, Any]:
    """Fields of the Result beyond those every front end shows (e.g. as_of, warnings), for generic display."""
    data = r.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in KNOWN_FIELDS
            and v not in (None, [], {}, "")}


def red_flags_unworked(r: Result, facts: list[Fact]) -> list[Fact]:
    """Red flags documented for the patient when the order is not imaging (see the module docstring)."""
    req = r.normalized
    # treating (therapy) or testing nerves (EMG/NCS) past a red flag that was not worked up; a study (imaging) is
    # the work-up itself, and the other categories are judged by their own criteria
    if req is None or not req.in_scope or req.category not in ("therapy", "electrodiagnostic"):
        return []
    return [f for f in facts if f.name in RED_FLAGS and f.value not in (False, None) and not f.negated
            and not f.hypothetical and f.experiencer == "patient"]


def indicator(r: Result, facts: list[Fact]) -> str:
    if red_flags_unworked(r, facts):
        return "critical"
    return "info" if r.certify else "warning"
