"""Shared pydantic models: the contract between parser, extractor, engine and CLI."""
from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Decision = Literal["Upheld", "Overturned"]
Status = Literal["met", "not met", "insufficient", "no rule applies"]


class Evidence(BaseModel):
    """A quoted span: ``quote == text[start:end]`` of the text that was given."""

    model_config = ConfigDict(frozen=True)
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Fact(BaseModel):
    """One clinical fact read from a case summary.

    ``name`` is declared in ``checker/lexicon/vocabulary.yaml``.
    """

    name: str
    value: Union[bool, int, float, str, None] = True
    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    experiencer: Literal["patient", "other"] = "patient"
    asserted_by: Literal["provider", "claims_administrator", "reviewer", "patient"] = "provider"
    # when the mention holds: now, in the past, in the past and no longer ("numbness has resolved"), or only in a
    # request or plan ("Plan: PT 2x4", "surgery is scheduled").  ``historical`` is True exactly for past/resolved.
    time: Literal["current", "past", "resolved", "planned"] = "current"
    date: Optional[dt.date] = None  # `dt.date`: the field name shadows `date` inside the class
    evidence: Evidence
    regions: list[str] = Field(default_factory=list)  # body regions the mention concerns (regional facts only)

    @model_validator(mode="after")
    def _time_and_historical_agree(self) -> "Fact":
        if self.time in ("past", "resolved"):
            self.historical = True
        elif self.historical:
            self.time = "past"
        return self


class Request(BaseModel):
    """A disputed item's text normalised into what the criteria need."""

    text: str
    # imaging, electrodiagnostic and therapy, the categories of checker/requests/kinds.py, or "other" (unrecognised)
    category: Literal["imaging", "electrodiagnostic", "therapy", "medication", "injection", "equipment", "test",
                      "consultation", "program", "surgery", "other"] = "other"
    modality: Optional[str] = None  # mri, ct, bone_scan, spect, dexa, xray, ultrasound, arthrogram, emg_ncs, emg, ncs, pt, ot, aquatic, chiro, acupuncture, massage, work_conditioning, and passive: e_stim, ultrasound_therapy, infrared, shockwave, traction, laser, heat_cold
    regions: list[str] = Field(default_factory=list)  # cervical, thoracic, lumbar, shoulder, elbow, hand_wrist, hip, knee, ankle_foot, pelvis, ...
    laterality: Optional[Literal["left", "right", "bilateral"]] = None
    contrast: Optional[Literal["with", "without", "with_and_without"]] = None
    quantity: Optional[int] = None  # number of studies/units
    sessions: Optional[int] = None  # total therapy visits requested
    frequency_per_week: Optional[float] = None
    weeks: Optional[float] = None
    postsurgical: bool = False
    preoperative: bool = False  # asked for before a surgery ("pre-op chest x-ray", "prior to surgery")
    repeat: bool = False
    retrospective_date: Optional[date] = None
    in_scope: bool = False  # True when the catalog covers this kind of request
    kind: str = ""  # what the item is, for a reader ("surgery: shoulder arthroscopy"); said when it is out of scope
    # attributes a category module reads (checker/requests/<category>.py ATTRIBUTES): drug, strength, levels...
    attributes: dict[str, Union[bool, int, float, str, list[str]]] = Field(default_factory=dict)


class Item(BaseModel):
    """One disputed item of a letter, with the reviewer's outcome."""

    model_config = ConfigDict(defer_build=True)  # built on first use: a one-note check never reads a letter

    index: int
    text: str  # the request as the letter words it (the original request where modified)
    decision: Decision
    claims_administrator_guideline: str = ""
    maximus_guideline: str = ""
    rationale: str = ""


class Letter(BaseModel):
    """A parsed IMR final determination letter."""

    model_config = ConfigDict(defer_build=True)  # built on first use: a one-note check never reads a letter

    path: str
    layout: Literal["2013", "2016"]
    case_number: Optional[str] = None
    date_assigned: Optional[date] = None
    date_of_injury: Optional[date] = None
    decision_date: Optional[date] = None
    ur_denial_date: Optional[date] = None
    reviewer_specialty: Optional[str] = None
    reviewer_licensure: Optional[str] = None
    summary: str
    summary_start: int = 0  # offset of the summary in ``text``
    items: list[Item]
    text: str = Field(default="", exclude=True, repr=False)  # the full extracted text, normalised (normalize_layout)
    source: str = Field(default="", exclude=True, repr=False)  # the text as given (a text file's, or pdfium's for a PDF)


class Citation(BaseModel):
    source: str  # MTUS, ODG, ACR, ISCD, USPSTF, Labor Code, CCR
    document: str
    section: str = ""
    edition: str = ""
    confidence: Literal["verified", "commonly quoted", "uncertain", "corpus"] = "commonly quoted"


class CriterionResult(BaseModel):
    rule: str
    title: str
    effect: Literal["supports_certification", "supports_denial", "documentation_required"]
    state: Literal["met", "not met", "unknown"]
    citation: Citation
    evidence: list[Evidence] = Field(default_factory=list)
    documentation: str = ""


class SetAside(BaseModel):
    """A finding the criteria would read, set aside because it concerns another part of the body."""

    model_config = ConfigDict(defer_build=True)

    fact: str
    regions: list[str]
    evidence: Evidence


class Result(BaseModel):
    request: str
    normalized: Optional[Request] = None
    imr_outcome: Optional[Decision] = None
    certify: Optional[bool] = None
    status: Status
    citations: list[Citation] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)  # decisive reason codes (checker/lexicon/reasons.yaml) of `rules`
    rationale: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    criteria: list[CriterionResult] = Field(default_factory=list)
    set_aside: list[SetAside] = Field(default_factory=list)  # findings about another part of the body
    notes: list[str] = Field(default_factory=list)  # caveats the reader must see (e.g. criteria of an earlier MTUS)
    # how firmly the record decides it: "firm" (every deciding criterion rests on documented facts, none near its
    # threshold), "borderline" (documented facts, but a number near its threshold, a suspected finding, or criteria
    # on both sides met), "missing facts" (documenting facts the record does not mention could change the outcome)
    firmness: Optional[Literal["firm", "borderline", "missing facts"]] = None
    firmness_reason: str = ""
    # how often results like this one (same predicted outcome and firmness) were certified on the labelled real
    # letters, cross-validated by letter (checker/calibration.py); None when no table is installed
    probability_certified: Optional[float] = None
    warnings: list[str] = Field(default_factory=list)  # what could not be read (e.g. the number of visits requested)
    as_of: Optional[date] = None  # the date the request was judged for
    as_of_defaulted: bool = False  # True when no date was given and today was used
