"""JSON API: ``POST /api/check`` answers the document ``imrcheck check --json`` prints."""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .auth import AuthError, check_api_token
from .checks import InputError, results_document, run_checks

router = APIRouter(prefix="/api", tags=["check"])


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "summary": "Low back pain radiating to the left leg for 8 weeks; straight leg raise positive on the left; "
                   "12 sessions of physical therapy without improvement; no red flags.",
        "requests": ["MRI of the lumbar spine", "Physical therapy 2 times a week for 4 weeks"],
        "as_of": "2016-12-01"}]})
    summary: str = Field(description="the clinical note or case summary (plain text)")
    requests: list[str] = Field(min_length=1, max_length=50, description="requested items, as they will be requested")
    as_of: Optional[date] = Field(None, description="date of the request (default: today)")

    @field_validator("summary")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the summary is empty")
        return v


class CheckResponse(BaseModel):
    results: list[dict[str, Any]] = Field(description="one Result per request (see checker.models.Result)")


@router.post("/check", response_model=CheckResponse, summary="Check requests against a note",
             responses={400: {"description": "bad input"}, 401: {"description": "missing or wrong API token"},
                        413: {"description": "body too large"}})
def api_check(body: CheckRequest, request: Request, authorization: Optional[str] = Header(None)) -> dict[str, Any]:
    """The same result objects as `imrcheck check --json`: outcome, status, citations, criteria, evidence with
    offsets into `summary`, the documentation checklist (`missing`) and notes."""
    try:
        check_api_token(authorization, request.app.state.settings)
    except AuthError as exc:
        raise HTTPException(401, detail=str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    try:
        return results_document(run_checks(body.summary, body.requests, body.as_of))
    except InputError as exc:
        raise HTTPException(400, detail=str(exc)) from None
