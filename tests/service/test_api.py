"""JSON API, /health, offline /docs, size limit and error containment."""
from __future__ import annotations

import json
import os

import pytest
from fastapi.testclient import TestClient

from checker.service.app import create_app
from checker.service.settings import Settings

from .samples import NOTE

BODY = {"summary": NOTE, "requests": ["MRI of the lumbar spine", "Physical therapy 2 times a week for 6 weeks", "cholesterol panel"],
        "as_of": "2016-12-01"}


def test_api_answers_exactly_what_the_cli_prints(open_client, tmp_path):
    from typer.testing import CliRunner

    from checker.cli import app as cli

    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    args = ["check", str(note), "--as-of", "2016-12-01", "--json"] + sum((["--request", r] for r in BODY["requests"]), [])
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    r = open_client.post("/api/check", json=BODY)
    assert r.status_code == 200
    assert r.json() == json.loads(run.stdout)
    results = r.json()["results"]
    assert [x["imr_outcome"] for x in results] == ["Overturned", "Upheld", None]
    for ev in results[0]["evidence"]:
        assert NOTE[ev["start"]:ev["end"]] == ev["quote"]


def test_without_a_date_today_is_used(open_client):
    r = open_client.post("/api/check", json={"summary": NOTE, "requests": ["MRI of the lumbar spine"]})
    assert r.status_code == 200 and r.json()["results"][0]["status"]


@pytest.mark.parametrize("body", [
    {"summary": "   ", "requests": ["MRI of the lumbar spine"]},
    {"summary": NOTE, "requests": []},
    {"summary": NOTE},
    {"summary": NOTE, "requests": ["MRI"], "as_of": "yesterday"},
    {"summary": NOTE, "requests": ["MRI"], "unexpected": 1},
])
def test_bad_bodies_are_422_and_do_not_echo_the_note(open_client, body):
    r = open_client.post("/api/check", json=body)
    assert r.status_code == 422
    assert "warehouse worker" not in r.text and "input" not in r.json()["detail"][0]


def test_blank_request_lines_only_is_400(open_client):
    r = open_client.post("/api/check", json={"summary": NOTE, "requests": ["  "]})
    assert r.status_code == 400 and "at least one request" in r.json()["detail"]


def test_api_token(secured_client):
    assert secured_client.post("/api/check", json=BODY).status_code == 401
    assert secured_client.post("/api/check", json=BODY, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert secured_client.post("/api/check", json=BODY, headers={"Authorization": "Basic s3cret-token"}).status_code == 401
    r = secured_client.post("/api/check", json=BODY, headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200 and len(r.json()["results"]) == 3


def test_health_and_rules_warm_at_startup(open_client):
    h = open_client.get("/health").json()
    assert h["status"] == "ok" and h["rules"] > 50


def test_docs_are_served_without_a_cdn(open_client):
    page = open_client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "/static/swagger/swagger-ui-bundle.js" in page.text
    for asset in ("/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"):
        assert open_client.get(asset).status_code == 200
    spec = open_client.get("/openapi.json").json()
    assert "/api/check" in spec["paths"]


def test_bodies_over_the_limit_get_413():
    with TestClient(create_app(Settings(max_body_bytes=2000))) as c:
        r = c.post("/api/check", json={"summary": "pain " * 1000, "requests": ["MRI of the lumbar spine"]})
        assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
        r = c.post("/check", data={"note": "pain " * 1000, "requests": "MRI"}, headers={"Accept": "text/html"})
        assert r.status_code == 413 and "too large" in r.text and r.headers["content-type"].startswith("text/html")

        def chunks():  # no Content-Length: counted while streaming
            for _ in range(10):
                yield b"x" * 500

        r = c.post("/cds-services/imrcheck-order-sign", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_an_internal_error_is_a_plain_500_and_the_log_has_no_note(monkeypatch, caplog):
    import checker.service.checks as checks

    def boom(*a, **k):
        raise RuntimeError("leaked: " + NOTE)

    with TestClient(create_app(Settings()), raise_server_exceptions=False) as c:
        monkeypatch.setattr(checks, "clean_requests", boom)
        with caplog.at_level("INFO"):
            r = c.post("/api/check", json=BODY)
            page = c.post("/check", data={"note": NOTE, "requests": "MRI"}, headers={"Accept": "text/html"})
    assert r.status_code == 500 and r.json() == {"error": "internal_error", "message": "the check could not be run"}
    assert page.status_code == 500 and "Traceback" not in page.text and "went wrong" in page.text
    assert "warehouse" not in caplog.text and "RuntimeError" in caplog.text


def test_a_result_made_by_one_worker_opens_on_another():
    """--workers N: the store process is shared, so a card's link works whichever worker answers it."""
    from checker.service import store

    manager = store.start_shared_store(10)
    try:
        with TestClient(create_app(Settings())) as worker1, TestClient(create_app(Settings())) as worker2:
            assert isinstance(worker1.app.state.store, store.SharedStore)
            r = worker1.post("/check", data={"note": NOTE, "requests": "MRI of the lumbar spine"}, follow_redirects=False)
            page = worker2.get(r.headers["location"])
            assert page.status_code == 200 and "Likely certified" in page.text
            assert worker2.get("/health").json()["results_kept"] == 1
    finally:
        manager.shutdown()
        os.environ.pop(store.ENV_ADDRESS, None)
        os.environ.pop(store.ENV_KEY, None)
