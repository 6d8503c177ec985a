"""CDS Hooks 2.0 service for the ``order-sign`` hook.

* ``GET /cds-services`` - discovery: one service, ``imrcheck-order-sign``, with prefetch templates for the patient
  and the latest current DocumentReference (the clinical note).
* ``POST /cds-services/imrcheck-order-sign`` - reads ``context.draftOrders`` (a FHIR R4 Bundle); every
  ServiceRequest is one order: the request text is ``code.text``, else the text of its CPT code (``cpt.py``; body
  site from ``bodySite``; also when ``code.text`` is not a request the checker reads), else a coding's ``display``; its date from ``authoredOn``. The note is the prefetched
  DocumentReference(s) (``content[].attachment.data``, base64 text or PDF) or, without one, the order's
  ``note[].text`` and ``reasonCode`` text. A MedicationRequest is one order too, written as an office writes it
  (drug, sig, ``#quantity``, refills, days' supply; see ``_medication_order``). One card per order; indicator as in
  ``wording.py``; an order outside the catalog gets a card saying so.
* Errors: 400 for a malformed request, 401 for a missing/invalid JWT when authentication is configured, 404 for an
  unknown service, 412 when no note is in the prefetch nor in any order (the service does not query the FHIR
  server). Error bodies are ``{"error": code, "message": text}``.
"""
from __future__ import annotations

import base64
import binascii
import logging
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from . import wording
from .auth import AuthError
from .checks import InputError, note_facts, run_checks
from .cpt import CPT_SYSTEMS, text_for
from .store import Entry
from .uploads import read_note_bytes

log = logging.getLogger("imrcheck.service")
router = APIRouter(include_in_schema=False)

SERVICE_ID = "imrcheck-order-sign"
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "note": "DocumentReference?patient={{context.patientId}}&status=current&_sort=-date&_count=1",
}
SUMMARY_MAX = 139  # CDS Hooks: "<140-character summary"


def discovery() -> dict[str, Any]:
    return {"services": [{
        "hook": "order-sign",
        "id": SERVICE_ID,
        "title": "IMR criteria pre-check",
        "description": ("Checks imaging, electrodiagnostic and therapy orders against California workers' compensation "
                        "IMR criteria (MTUS, ODG, ACR) using the clinical note: likely outcome, criteria, guideline, "
                        "and what to document before the request is sent."),
        "prefetch": PREFETCH,
        "usageRequirements": ("Prefetch the clinical note as a DocumentReference with the text (or a PDF) in "
                              "content.attachment.data; without it, the order's note or reasonCode text is read."),
    }]}


class CdsError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str, headers: Optional[dict] = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


# ------------------------------------------------------------------------------------------------- parsing
@dataclass
class Order:
    index: int
    id: Optional[str]
    text: str
    code: Optional[str]  # the CPT code, when there is one
    as_of: Optional[date]
    note: str  # the order's own note / reason text


def _texts(items: Any, displays: bool = False) -> list[str]:
    """The ``text`` of each CodeableConcept/Annotation in ``items``; with ``displays``, codings' displays otherwise."""
    out = []
    for it in items if isinstance(items, list) else []:
        if not isinstance(it, dict):
            continue
        if isinstance(it.get("text"), str) and it["text"].strip():
            out.append(it["text"].strip())
        elif displays:
            out += [c["display"].strip() for c in it.get("coding") or [] if isinstance(c, dict)
                    and isinstance(c.get("display"), str) and c["display"].strip()]
    return out


def _order(i: int, sr: dict[str, Any]) -> Order:
    code = sr.get("code")
    if not isinstance(code, dict):
        raise CdsError(400, "invalid_request", f"draftOrders entry {i}: ServiceRequest has no code")
    codings = [c for c in code.get("coding") or [] if isinstance(c, dict)]
    site = ", ".join(_texts(sr.get("bodySite"), displays=True))
    cpt = next((str(c.get("code")) for c in codings if c.get("system") in CPT_SYSTEMS and c.get("code")), None)
    from_cpt = text_for(cpt, site) if cpt else None
    display = next((c["display"] for c in codings if isinstance(c.get("display"), str) and c["display"].strip()), None)
    # the clinician's words first (they may carry visits, side, contrast); then the CPT table; then a display name
    text = code.get("text") if isinstance(code.get("text"), str) and code["text"].strip() else None
    if text and from_cpt:
        from ..requests import normalize_request

        if not normalize_request(text).in_scope:
            text = from_cpt  # the code says what the free text does not
    text = text or from_cpt or display
    if not text:
        raise CdsError(400, "invalid_request", f"draftOrders entry {i}: ServiceRequest code has no text, display "
                                               "or known CPT code")
    if site and from_cpt is None and site.lower() not in text.lower():
        text = f"{text} of the {site}"
    qty = sr.get("quantityQuantity")
    if isinstance(qty, dict) and isinstance(qty.get("value"), (int, float)) and not re.search(r"visit|session", text, re.I):
        text = f"{text}, {int(qty['value'])} visits" if _is_therapy(text) else text
    as_of = _authored_on(i, sr)
    note = "\n".join(_texts(sr.get("note")) + _texts(sr.get("reasonCode"), displays=True))
    return Order(index=i, id=sr.get("id") if isinstance(sr.get("id"), str) else None, text=text.strip(), code=cpt,
                 as_of=as_of, note=note)


def _authored_on(i: int, res: dict[str, Any]) -> Optional[date]:
    """The order's ``authoredOn`` date (the date it is judged for); a value that is not a date is a 400."""
    raw = res.get("authoredOn")
    if raw is None:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise CdsError(400, "invalid_request", f"draftOrders entry {i}: authoredOn {raw!r} is not a date") from None


def _medication_order(i: int, mr: dict[str, Any]) -> Order:
    """A MedicationRequest as an office writes the order: "<drug>, <sig>, #<quantity>, <n> refills, <d> day supply"
    from ``medicationCodeableConcept`` (its text, else a coding's display), ``dosageInstruction[].text``,
    ``dispenseRequest`` (``quantity``, ``numberOfRepeatsAllowed``, ``expectedSupplyDuration`` in days)."""
    med = mr.get("medicationCodeableConcept")
    names = _texts([med], displays=True) if isinstance(med, dict) else []
    if not names:
        raise CdsError(400, "invalid_request", f"draftOrders entry {i}: MedicationRequest has no "
                                               "medicationCodeableConcept text or display")
    parts = [names[0]]
    parts += [d["text"].strip() for d in mr.get("dosageInstruction") or []
              if isinstance(d, dict) and isinstance(d.get("text"), str) and d["text"].strip()][:1]
    disp = mr.get("dispenseRequest") if isinstance(mr.get("dispenseRequest"), dict) else {}
    qty = disp.get("quantity")
    if isinstance(qty, dict) and isinstance(qty.get("value"), (int, float)) and qty["value"] > 0:
        parts.append(f"#{int(qty['value'])}")
    refills = disp.get("numberOfRepeatsAllowed")
    if isinstance(refills, int) and not isinstance(refills, bool) and refills > 0:
        parts.append(f"with {refills} refill{'s' if refills > 1 else ''}")
    supply = disp.get("expectedSupplyDuration")
    if isinstance(supply, dict) and isinstance(supply.get("value"), (int, float)) and supply["value"] > 0 \
            and str(supply.get("unit", supply.get("code", "d"))).lower() in ("d", "day", "days"):
        parts.append(f"{int(supply['value'])} day supply")
    as_of = _authored_on(i, mr)
    note = "\n".join(_texts(mr.get("note")) + _texts(mr.get("reasonCode"), displays=True))
    return Order(index=i, id=mr.get("id") if isinstance(mr.get("id"), str) else None, text=", ".join(parts),
                 code=None, as_of=as_of, note=note)


def _is_therapy(text: str) -> bool:
    from ..requests import normalize_request

    return normalize_request(text).category == "therapy"


def parse_orders(body: Any) -> list[Order]:
    if not isinstance(body, dict):
        raise CdsError(400, "invalid_request", "the request body must be a JSON object")
    if body.get("hook") != "order-sign":
        raise CdsError(400, "invalid_request", f"this service answers the order-sign hook, not {body.get('hook')!r}")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        raise CdsError(400, "invalid_request", "hookInstance is required")
    ctx = body.get("context")
    if not isinstance(ctx, dict):
        raise CdsError(400, "invalid_request", "context is required")
    bundle = ctx.get("draftOrders")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise CdsError(400, "invalid_request", "context.draftOrders must be a FHIR Bundle")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise CdsError(400, "invalid_request", "context.draftOrders.entry must be a list")
    orders = []
    for i, e in enumerate(entries):
        res = e.get("resource") if isinstance(e, dict) else None
        if not isinstance(res, dict):
            raise CdsError(400, "invalid_request", f"draftOrders entry {i} has no resource")
        if res.get("resourceType") == "ServiceRequest":
            orders.append(_order(i, res))
        elif res.get("resourceType") == "MedicationRequest":
            orders.append(_medication_order(i, res))
    return orders


def _documents(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") == "DocumentReference":
        return [value]
    if value.get("resourceType") == "Bundle":
        return [e["resource"] for e in value.get("entry") or [] if isinstance(e, dict)
                and isinstance(e.get("resource"), dict) and e["resource"].get("resourceType") == "DocumentReference"]
    return []


def prefetch_note(prefetch: Any) -> Optional[str]:
    """The text of the prefetched DocumentReference(s), in the order given; None when there is none."""
    if prefetch is None:
        return None
    if not isinstance(prefetch, dict):
        raise CdsError(400, "invalid_request", "prefetch must be an object")
    texts = []
    for key, value in prefetch.items():
        for doc in _documents(value):
            for k, content in enumerate(doc.get("content") or []):
                att = content.get("attachment") if isinstance(content, dict) else None
                if not isinstance(att, dict) or not att.get("data"):
                    continue
                try:
                    data = base64.b64decode(att["data"], validate=True)
                except (binascii.Error, ValueError, TypeError):
                    raise CdsError(400, "invalid_request", f"prefetch {key}: attachment.data is not base64") from None
                ctype = str(att.get("contentType") or "")
                name = f"prefetch {key} attachment" + (".pdf" if "pdf" in ctype else "")
                try:
                    texts.append(read_note_bytes(data, name))
                except InputError as exc:
                    raise CdsError(400, "invalid_request", str(exc)) from None
    return "\n\n".join(texts) if texts else None


# ------------------------------------------------------------------------------------------------- cards
_MD = re.compile(r"([\\`*_\[\]<>#|])")


def md(text: str) -> str:
    return _MD.sub(r"\\\1", text)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1].rstrip() + "…"


STATE_MARK = {"met": "met", "not met": "not met", "unknown": "unknown"}


def card(r, facts, link: Optional[str]) -> dict[str, Any]:
    flags = wording.red_flags_unworked(r, facts)
    ind = "critical" if flags else ("info" if r.certify else "warning")
    label = wording.outcome_label(r)
    names = list(dict.fromkeys(wording.RED_FLAGS[f.name] for f in flags))
    summary = (f"Red flag ({', '.join(names)}) without a workup: {r.request}" if flags else f"{label}: {r.request}")
    lines = [f"**{md(label)}**"]
    conf = wording.confidence(r)
    if conf:
        lines[0] += f" (confidence: {md(conf)})"
    gov = wording.governing(r)
    if gov:
        lines.append(f"Governing guideline: {md(wording.cite(gov))}")
    if r.imr_outcome is None and r.rationale:
        lines.append(md(r.rationale))
    if flags:
        quotes = "; ".join(f'"{md(f.evidence.quote)}"' for f in flags[:3])
        lines.append(f"**Red flag documented** ({md(', '.join(names))}): {quotes}. This order is not a red-flag "
                     "workup: rule out the serious condition (imaging, laboratory tests or referral) before therapy.")
    if r.criteria:
        lines.append("**Criteria**\n\n" + "\n".join(
            f"- {STATE_MARK[c.state]}: {md(c.title)} ({md(c.citation.source)}{', ' + md(c.citation.section) if c.citation.section else ''})"
            + ("".join(f' "{md(e.quote)}"' for e in c.evidence[:2])) for c in r.criteria))
    if r.missing:
        lines.append("**Documentation checklist**\n\n" + "\n".join(f"- [ ] {md(m)}" for m in r.missing))
    for n in r.notes:
        lines.append(f"Note: {md(n)}")
    for name, value in wording.extra_fields(r).items():  # fields a newer Result carries (e.g. warnings)
        shown = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{md(name.replace('_', ' ').capitalize())}: {md(shown)}")
    out: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": _short(summary),
        "indicator": ind,
        "detail": "\n\n".join(lines),
        "source": {"label": _short(f"imrcheck - {wording.cite(gov)}" if gov else "imrcheck criteria catalog")},
    }
    if link:
        out["links"] = [{"label": "Open the full check: criteria, evidence in the note, checklist", "url": link,
                         "type": "absolute"}]
    return out


def no_note_card(order: Order) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "summary": _short(f"Not checked - no clinical note: {order.text}"),
            "indicator": "warning",
            "detail": "No clinical note came with this order (no prefetched DocumentReference and no order note), so "
                      "the IMR criteria could not be checked.",
            "source": {"label": "imrcheck"}}


# ------------------------------------------------------------------------------------------------- routes
def _base(request: Request) -> str:
    return request.app.state.settings.public_url or str(request.base_url).rstrip("/")


def _authenticate(request: Request) -> Optional[JSONResponse]:
    url = _base(request) + request.url.path
    try:
        request.app.state.cds_verifier.verify(request.headers.get("authorization"), [url, url.rstrip("/")])
    except AuthError as exc:
        return error_response(401, "unauthorized", str(exc), headers={"WWW-Authenticate": "Bearer"})
    return None


@router.get("/cds-services")
def cds_discovery(request: Request):
    return _authenticate(request) or discovery()


def _evaluate(body: Any) -> list[tuple[Order, Optional[str], Any, list]]:
    """(order, note, result, facts) per order; note and result are None for an order without a note. Runs in a thread."""
    orders = parse_orders(body)
    shared = prefetch_note(body.get("prefetch"))
    if orders and shared is None and not any(o.note.strip() for o in orders):
        raise CdsError(412, "prefetch_missing", "no clinical note: prefetch 'note' (a DocumentReference with "
                                                "attachment.data) or give the order a note")
    out: list[tuple[Order, Optional[str], Any, list]] = []
    facts_cache: dict[tuple[str, Optional[date]], list] = {}
    for o in orders:
        note = shared if shared is not None else o.note
        if not note.strip():
            out.append((o, None, None, []))
            continue
        key = (note, o.as_of)
        if key not in facts_cache:
            facts_cache[key] = note_facts(note, o.as_of)
        try:
            (r,) = run_checks(note, [o.text], o.as_of, facts=facts_cache[key])
        except InputError as exc:
            raise CdsError(400, "invalid_request", str(exc)) from None
        out.append((o, note, r, facts_cache[key]))
    return out


def _cards(request: Request, evaluated: list[tuple[Order, Optional[str], Any, list]]) -> dict[str, Any]:
    """Cards, with each result kept for its link (on the event loop's thread: one connection to a shared store)."""
    store, base, cards = request.app.state.store, _base(request), []
    for o, note, r, facts in evaluated:
        if r is None:
            cards.append(no_note_card(o))
            continue
        rid = store.put(Entry(summary=note, results=[r], as_of=[o.as_of], source="cds",
                              labels=[f"CPT {o.code}" if o.code else ""]))
        cards.append(card(r, facts, f"{base}/result/{rid}"))
    return {"cards": cards}


@router.post("/cds-services/{service_id}")
async def cds_call(service_id: str, request: Request):
    denied = _authenticate(request)
    if denied:
        return denied
    if service_id != SERVICE_ID:
        return error_response(404, "unknown_service", f"no CDS service {service_id!r}; see GET /cds-services")
    started = time.perf_counter()
    try:
        import json

        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise CdsError(400, "invalid_request", "the request body is not JSON") from None
        answer = _cards(request, await run_in_threadpool(_evaluate, body))
    except CdsError as exc:
        log.info("cds %s: %d %s", SERVICE_ID, exc.status, exc.code)
        return error_response(exc.status, exc.code, exc.message)
    log.info("cds %s: %d card(s) [%s] in %.0f ms", SERVICE_ID, len(answer["cards"]),
             ",".join(c["indicator"] for c in answer["cards"]), (time.perf_counter() - started) * 1000)
    return answer
