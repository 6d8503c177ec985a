"""The web page's routes: the form at /, POST /check, the result at /result/{id} and its printable checklist."""
from __future__ import annotations

from datetime import date
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from . import pages
from .checks import InputError, run_checks
from .store import Entry
from .uploads import read_note_bytes

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index() -> HTMLResponse:
    return HTMLResponse(pages.form())


def _date(value: str) -> Optional[date]:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD).") from None


@router.post("/check")
async def submit(request: Request):
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception:  # malformed multipart bodies: a message, not a trace
        return HTMLResponse(pages.form(error="The form could not be read; please submit it again."), status_code=400)
    values = {k: str(form.get(k) or "") for k in ("note", "requests", "as_of")}
    try:
        note = values["note"]
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            if note.strip():
                raise InputError("Paste the note or upload it, not both.")
            note = read_note_bytes(data, upload.filename)
        if not note.strip():
            raise InputError("The note is empty: paste the clinical note or upload it as a text or PDF file.")
        day = _date(values["as_of"])
        results = await run_in_threadpool(run_checks, note, values["requests"].splitlines(), day)
    except InputError as exc:
        return HTMLResponse(pages.form(values, error=str(exc)), status_code=400)
    key = request.app.state.store.put(Entry(summary=note, results=results, as_of=[day] * len(results)))
    return RedirectResponse(f"/result/{key}", status_code=303)


@router.get("/result/{key}", response_class=HTMLResponse)
async def result(key: str, request: Request) -> HTMLResponse:
    entry = request.app.state.store.get(key)
    if entry is None:
        return HTMLResponse(pages.error_page("This result is no longer kept (results are held in memory for a "
                                             "limited time). Run the check again."), status_code=404)
    return HTMLResponse(pages.result_page(key, entry))


@router.get("/result/{key}/print", response_class=HTMLResponse)
async def print_view(key: str, request: Request) -> HTMLResponse:
    entry = request.app.state.store.get(key)
    if entry is None:
        return HTMLResponse(pages.error_page("This result is no longer kept. Run the check again."), status_code=404)
    return HTMLResponse(pages.print_page(key, entry))
