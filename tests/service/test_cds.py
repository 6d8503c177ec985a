"""CDS Hooks 2.0 order-sign service: discovery, cards, errors and JWT authentication."""
from __future__ import annotations

import base64
import time

import pytest

from .conftest import ISSUER, SERVICE_URL, make_token
from .samples import NOTE, RED_FLAG_NOTE, order_sign, sample_request, service_request

URL = "/cds-services/imrcheck-order-sign"


def test_discovery_lists_an_order_sign_service_with_prefetch(open_client):
    r = open_client.get("/cds-services")
    assert r.status_code == 200
    (svc,) = [s for s in r.json()["services"] if s["hook"] == "order-sign"]
    assert svc["id"] == "imrcheck-order-sign" and svc["title"] and svc["description"]
    assert "{{context.patientId}}" in svc["prefetch"]["note"]
    assert svc["prefetch"]["note"].startswith("DocumentReference?")


def test_one_card_per_order_with_summary_indicator_source_and_link(open_client):
    r = open_client.post(URL, json=sample_request())
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    assert len(cards) == 2
    mri, pt = cards
    for c in cards:
        assert 0 < len(c["summary"]) < 140
        assert c["source"]["label"].startswith("imrcheck - MTUS")
        assert c["links"][0]["type"] == "absolute"
        assert "**Criteria**" in c["detail"]
    assert mri["indicator"] == "info" and mri["summary"].startswith("Likely certified: MRI of the lumbar spine")
    assert pt["indicator"] == "warning" and pt["summary"].startswith("Likely not certified")
    assert "12 visits" in pt["summary"]
    assert "- [ ] " in pt["detail"]  # the checklist
    page = open_client.get(pt["links"][0]["url"].replace("http://testserver", ""))
    assert page.status_code == 200
    assert "Likely not certified" in page.text and "CPT 97110" in page.text and "<mark" in page.text


def test_the_card_matches_the_api_result_for_the_same_note_and_request(open_client):
    (card,) = open_client.post(URL, json=order_sign([service_request("o", "72148")])).json()["cards"]
    api = open_client.post("/api/check", json={"summary": NOTE, "requests": ["MRI of the lumbar spine without contrast"],
                                               "as_of": "2016-12-01"}).json()["results"][0]
    assert card["indicator"] == ("info" if api["certify"] else "warning")
    for c in api["criteria"]:
        assert c["title"].split(" (")[0][:30] in card["detail"].replace("\\", "")


def test_red_flag_with_a_therapy_order_is_critical_but_imaging_is_not(open_client):
    body = order_sign([service_request("chiro", "98940", body_site="lumbar spine", visits=6),
                       service_request("mri", "72148")], note=RED_FLAG_NOTE)
    chiro, mri = open_client.post(URL, json=body).json()["cards"]
    assert chiro["indicator"] == "critical"
    assert "Red flag" in chiro["summary"] and "cancer" in chiro["summary"]
    assert '**Red flag documented** (history of cancer, unexplained weight loss): "cancer"' in chiro["detail"]
    assert mri["indicator"] != "critical"


def test_no_red_flag_card_when_red_flags_are_denied(open_client):
    body = order_sign([service_request("pt", "97110", body_site="lumbar spine", visits=6)])
    (card,) = open_client.post(URL, json=body).json()["cards"]
    assert card["indicator"] != "critical"  # NOTE says "No red flags."


def test_authored_on_is_the_date_of_the_check(open_client):
    body = order_sign([service_request("mri", "72148", authored_on="2018-03-01T10:00:00Z")])
    (card,) = open_client.post(URL, json=body).json()["cards"]
    assert "MTUS as amended on 12/1/2017" in card["detail"]  # the era note only appears after 12/1/2017
    page = open_client.get(card["links"][0]["url"].replace("http://testserver", ""))
    assert "Judged as of 2018-03-01" in page.text


def test_request_text_from_code_text_or_display_and_cpt_fallback(open_client):
    body = order_sign([service_request("a", text="Acupuncture, lumbar spine, 6 sessions"),
                       service_request("b", "97810", display="Acupuncture 1+ needles", body_site="low back"),
                       service_request("c", "99999", display="Cholesterol panel")])
    a, b, c = open_client.post(URL, json=body).json()["cards"]
    assert "Acupuncture, lumbar spine" in a["summary"]
    assert "Acupuncture" in b["summary"] and "low back" in b["summary"]
    assert c["summary"].startswith("Not checked - outside the criteria catalog") and c["indicator"] == "warning"


def test_note_from_the_order_without_prefetch_and_412_without_any_note(open_client):
    body = order_sign([service_request("mri", "72148", note=NOTE)], note=None)
    (card,) = open_client.post(URL, json=body).json()["cards"]
    assert card["indicator"] == "info"
    r = open_client.post(URL, json=order_sign([service_request("mri", "72148")], note=None))
    assert r.status_code == 412 and r.json()["error"] == "prefetch_missing"


def test_a_single_document_reference_and_a_pdf_attachment_are_read(open_client):
    body = order_sign([service_request("mri", "72148")], as_bundle=False)
    assert open_client.post(URL, json=body).json()["cards"][0]["indicator"] == "info"
    from .test_uploads import pdf_with_text

    body["prefetch"]["note"]["content"][0]["attachment"] = {
        "contentType": "application/pdf", "data": base64.b64encode(pdf_with_text(NOTE[:200])).decode()}
    assert open_client.post(URL, json=body).status_code == 200


def test_orders_other_than_service_and_medication_requests_get_no_card(open_client):
    body = order_sign([{"resourceType": "DeviceRequest", "id": "d", "status": "draft", "intent": "order"}])
    r = open_client.post(URL, json=body)
    assert r.status_code == 200 and r.json() == {"cards": []}


def test_a_medication_request_is_one_order_written_as_an_office_writes_it(open_client):
    from checker.service.cds import parse_orders

    mr = {"resourceType": "MedicationRequest", "id": "m1", "status": "draft", "intent": "order",
          "authoredOn": "2016-12-01",
          "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                    "code": "856999", "display": "Norco 10/325"}]},
          "dosageInstruction": [{"text": "1 tab PO q6h prn pain"}],
          "dispenseRequest": {"quantity": {"value": 90, "unit": "tablet"}, "numberOfRepeatsAllowed": 2,
                              "expectedSupplyDuration": {"value": 30, "unit": "days"}}}
    (order,) = parse_orders(order_sign([mr]))
    assert order.text == "Norco 10/325, 1 tab PO q6h prn pain, #90, with 2 refills, 30 day supply"
    assert order.as_of.isoformat() == "2016-12-01" and order.id == "m1"
    r = open_client.post(URL, json=order_sign([mr]))
    assert r.status_code == 200, r.text
    (card,) = r.json()["cards"]
    assert "Norco" in card["summary"]
    bad = dict(mr, medicationCodeableConcept={"coding": [{"code": "1"}]})
    r = open_client.post(URL, json=order_sign([bad]))
    assert r.status_code == 400 and "medicationCodeableConcept" in r.json()["message"]


@pytest.mark.parametrize("mangle, fragment", [
    (lambda b: "not json", "not JSON"),
    (lambda b: [], "JSON object"),
    (lambda b: {**b, "hook": "patient-view"}, "order-sign"),
    (lambda b: {k: v for k, v in b.items() if k != "hookInstance"}, "hookInstance"),
    (lambda b: {**b, "context": {"patientId": "x"}}, "draftOrders"),
    (lambda b: {**b, "context": {"draftOrders": {"resourceType": "Patient"}}}, "Bundle"),
    (lambda b: {**b, "context": {"draftOrders": {"resourceType": "Bundle", "entry": [{"x": 1}]}}}, "no resource"),
])
def test_malformed_requests_get_400_with_an_error_body(open_client, mangle, fragment):
    body = mangle(order_sign([service_request("mri", "72148")]))
    r = (open_client.post(URL, content=body, headers={"content-type": "application/json"}) if isinstance(body, str)
         else open_client.post(URL, json=body))
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request" and fragment in r.json()["message"]


def test_bad_fields_inside_orders_and_prefetch_get_400(open_client):
    bad_date = order_sign([service_request("mri", "72148", authored_on="last tuesday")])
    assert "authoredOn" in open_client.post(URL, json=bad_date).json()["message"]
    no_code = order_sign([{"resourceType": "ServiceRequest", "id": "x", "code": {}}])
    assert open_client.post(URL, json=no_code).status_code == 400
    bad_b64 = order_sign([service_request("mri", "72148")], as_bundle=False)
    bad_b64["prefetch"]["note"]["content"][0]["attachment"]["data"] = "@@not base64@@"
    r = open_client.post(URL, json=bad_b64)
    assert r.status_code == 400 and "base64" in r.json()["message"]


def test_unknown_service_is_404(open_client):
    r = open_client.post("/cds-services/nope", json=sample_request())
    assert r.status_code == 404 and r.json()["error"] == "unknown_service"


# ------------------------------------------------------------------------------------------------- authentication
def _post(client, token=None, path=URL):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(path, json=sample_request(), headers=headers)


def test_a_signed_token_is_accepted_rsa_and_ec(secured_client, rsa_key, ec_key):
    assert _post(secured_client, make_token(rsa_key)).status_code == 200
    assert _post(secured_client, make_token(ec_key, kid="ec-1", alg="ES384")).status_code == 200
    r = secured_client.get("/cds-services", headers={
        "Authorization": f"Bearer {make_token(rsa_key, aud='http://testserver/cds-services')}"})
    assert r.status_code == 200


def test_missing_token_is_401_on_service_and_discovery(secured_client):
    for r in (_post(secured_client), secured_client.get("/cds-services")):
        assert r.status_code == 401
        assert r.json()["error"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"


def _unsigned(claims):
    import jwt

    return jwt.encode(claims, key=None, algorithm="none")


@pytest.mark.parametrize("case", ["unsigned", "expired", "wrong_issuer", "wrong_audience", "no_jti", "no_exp",
                                  "foreign_key", "hmac_with_public_key", "garbage"])
def test_bad_tokens_are_401(secured_client, rsa_key, case):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = int(time.time())
    token = {
        "unsigned": lambda: _unsigned({"iss": ISSUER, "aud": SERVICE_URL, "exp": now + 300, "iat": now, "jti": "u"}),
        "expired": lambda: make_token(rsa_key, exp_in=-120),
        "wrong_issuer": lambda: make_token(rsa_key, iss="https://evil.example.org"),
        "wrong_audience": lambda: make_token(rsa_key, aud="https://other.example.org/cds-services/imrcheck-order-sign"),
        "no_jti": lambda: make_token(rsa_key, jti=None),
        "no_exp": lambda: make_token(rsa_key, drop=("exp",)),
        "foreign_key": lambda: make_token(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "hmac_with_public_key": lambda: jwt.encode({"iss": ISSUER, "aud": SERVICE_URL, "exp": now + 300, "iat": now,
                                                    "jti": "h"}, "an-hmac-secret-of-32-bytes-or-more!", algorithm="HS256", headers={"kid": "rsa-1"}),
        "garbage": lambda: "not.a.jwt",
    }[case]()
    r = _post(secured_client, token)
    assert r.status_code == 401, (case, r.text)


def test_a_replayed_token_is_refused(secured_client, rsa_key):
    token = make_token(rsa_key)
    assert _post(secured_client, token).status_code == 200
    r = _post(secured_client, token)
    assert r.status_code == 401 and "replay" in r.json()["message"]


def test_public_url_sets_the_expected_audience_and_the_links(secured_settings, rsa_key):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from checker.service.app import create_app

    settings = replace(secured_settings, public_url="https://imrcheck.example.org")
    with TestClient(create_app(settings)) as c:
        assert _post(c, make_token(rsa_key)).status_code == 401  # aud is the testserver URL
        r = _post(c, make_token(rsa_key, aud="https://imrcheck.example.org/cds-services/imrcheck-order-sign"))
        assert r.status_code == 200
        assert r.json()["cards"][0]["links"][0]["url"].startswith("https://imrcheck.example.org/result/")


def test_fields_a_newer_result_carries_appear_in_the_detail():
    from checker.models import Result
    from checker.service.cds import card

    class Later(Result):
        warnings: list[str] = ["the note is dated after the request"]

    c = card(Later(request="MRI", status="met", imr_outcome="Overturned", certify=True, firmness="firm"), [], None)
    assert "(confidence: firm)" in c["detail"] and "Warnings: the note is dated after the request" in c["detail"]
    assert "links" not in c
