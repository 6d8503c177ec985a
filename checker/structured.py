"""Structured pre-submission requests (YAML or JSON), for offices that fill a form instead of sending a note.

The form is rendered into a short case summary in plain sentences, and that summary goes through the same
extractor and criteria as a free-text note, so the result's evidence quotes point into ``summary``.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class PriorCare(BaseModel):
    model_config = ConfigDict(extra="forbid")
    treatment: str = Field(description="e.g. 'physical therapy', 'chiropractic', 'epidural steroid injection', 'NSAIDs'")
    sessions: Optional[int] = Field(None, ge=0, description="visits or sessions completed")
    effect: Optional[str] = Field(None, description="what changed, in objective terms, e.g. 'returned to full duty'; or 'no improvement'")


class PreSubmission(BaseModel):
    """A request to pre-check, with the findings a reviewer would look for."""

    model_config = ConfigDict(extra="forbid")
    requests: list[str] = Field(min_length=1, description="the items exactly as they will be requested")
    request_date: Optional[date] = Field(None, description="date of the request (picks the guideline edition)")
    age: Optional[int] = Field(None, ge=0, le=120)
    sex: Optional[Literal["male", "female"]] = None
    date_of_injury: Optional[date] = None
    complaint: Optional[str] = Field(None, description="e.g. 'low back pain radiating to the left leg for 3 weeks'")
    findings: list[str] = Field(default_factory=list, description="exam findings, e.g. 'positive straight leg raise on the left', 'no red flags'")
    red_flags: list[str] = Field(default_factory=list, description="red flags present or suspected, e.g. 'history of breast cancer'")
    prior_care: list[PriorCare] = Field(default_factory=list)
    prior_imaging: list[str] = Field(default_factory=list, description="e.g. 'lumbar MRI of March 2016 showed an L5-S1 protrusion'")
    plan: list[str] = Field(default_factory=list, description="e.g. 'epidural steroid injection if the MRI confirms the level'")
    purpose: Optional[str] = Field(None, description="why the study or therapy is requested")
    work_status: Optional[str] = None
    notes: Optional[str] = Field(None, description="anything else, as free text")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def render_summary(form: PreSubmission) -> str:
    """The form as a case summary in plain sentences (deterministic)."""
    parts: list[str] = []
    who = "The patient is a"
    if form.age is not None:
        who += f" {form.age}-year-old"
    who += f" {form.sex or 'worker'}"
    if form.date_of_injury:
        who += f" with an industrial injury of {form.date_of_injury.strftime('%B')} {form.date_of_injury.day}, {form.date_of_injury.year}"
    parts.append(who + ".")
    if form.complaint:
        parts.append(_sentence(f"The patient reports {form.complaint}"))
    for f in form.findings:
        parts.append(_sentence(f"On examination, {f}"))
    for r in form.red_flags:
        parts.append(_sentence(r[0].upper() + r[1:]))
    for c in form.prior_care:
        s = f"The patient completed {c.sessions} sessions of {c.treatment}" if c.sessions is not None else f"Treatment has included {c.treatment}"
        if c.effect:
            s += f"; with that care, {c.effect}"
        parts.append(_sentence(s))
    for p in form.prior_imaging:
        parts.append(_sentence(f"Prior imaging: {p}"))
    for p in form.plan:
        parts.append(_sentence(f"The plan is {p}"))
    if form.purpose:
        parts.append(_sentence(f"The request is made to {form.purpose}"))
    if form.work_status:
        parts.append(_sentence(f"Work status: {form.work_status}"))
    if form.notes:
        parts.append(_sentence(form.notes))
    return " ".join(parts)
