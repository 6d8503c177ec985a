"""Sample notes and CDS Hooks payloads, shared by the tests, the benchmark and docs/ehr-integration.md."""
from __future__ import annotations

import base64
import copy
from typing import Any, Optional

NOTE = ("Primary treating physician's progress report, 11/28/2016. The patient is a 45-year-old warehouse worker "
        "injured lifting boxes on 3/2/2016. He reports low back pain radiating to the left leg with numbness in the "
        "left foot for 8 weeks. On examination, straight leg raise is positive on the left at 40 degrees, with "
        "decreased sensation in the L5 dermatome and 4/5 extensor hallucis longus weakness. He completed 12 sessions "
        "of physical therapy and a course of NSAIDs without improvement. No red flags. Plan: MRI of the lumbar spine "
        "to evaluate for disc herniation before an epidural steroid injection; continue home exercise.")

RED_FLAG_NOTE = ("Progress report. The patient reports low back pain for 3 weeks after lifting at work. He has a "
                 "history of prostate cancer treated in 2014 and reports unexplained weight loss of 15 pounds. "
                 "Straight leg raise is negative. Plan: chiropractic care.")

CPT = "http://www.ama-assn.org/go/cpt"


def service_request(order_id: str, cpt: Optional[str] = None, display: str = "", text: Optional[str] = None,
                    body_site: Optional[str] = None, visits: Optional[int] = None,
                    authored_on: str = "2016-12-01", note: Optional[str] = None) -> dict[str, Any]:
    code: dict[str, Any] = {}
    if cpt:
        code["coding"] = [{"system": CPT, "code": cpt, "display": display}]
    if text:
        code["text"] = text
    sr: dict[str, Any] = {"resourceType": "ServiceRequest", "id": order_id, "status": "draft", "intent": "order",
                          "subject": {"reference": "Patient/example"}, "authoredOn": authored_on, "code": code}
    if body_site:
        sr["bodySite"] = [{"text": body_site}]
    if visits is not None:
        sr["quantityQuantity"] = {"value": visits, "unit": "visits"}
    if note:
        sr["note"] = [{"text": note}]
    return sr


def document_reference(text: str) -> dict[str, Any]:
    return {"resourceType": "DocumentReference", "id": "note-1", "status": "current",
            "subject": {"reference": "Patient/example"},
            "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3", "display": "Progress note"}]},
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                        "data": base64.b64encode(text.encode("utf-8")).decode("ascii")}}]}


def order_sign(orders: list[dict[str, Any]], note: Optional[str] = NOTE, as_bundle: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "order-sign",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": "example", "encounterId": "enc-1",
                    "draftOrders": {"resourceType": "Bundle", "type": "collection",
                                    "entry": [{"resource": o} for o in orders]}},
    }
    if note is not None:
        doc = document_reference(note)
        body["prefetch"] = {"patient": {"resourceType": "Patient", "id": "example"},
                            "note": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": doc}]}
                            if as_bundle else doc}
    return body


def sample_request() -> dict[str, Any]:
    """The request shown in docs/ehr-integration.md: an MRI and a course of physical therapy, with the note."""
    return order_sign([
        service_request("order-mri", "72148", "MRI lumbar spine w/o contrast"),
        service_request("order-pt", "97110", "Therapeutic exercises", body_site="lumbar spine", visits=12),
    ])


def normalized_response(answer: dict[str, Any]) -> dict[str, Any]:
    """A response with its random parts (card uuids, result ids) replaced, for comparison and the docs."""
    out = copy.deepcopy(answer)
    for i, c in enumerate(out["cards"]):
        c["uuid"] = f"<uuid-{i + 1}>"
        for link in c.get("links", []):
            link["url"] = link["url"].rsplit("/", 1)[0] + f"/<result-id-{i + 1}>"
    return out
