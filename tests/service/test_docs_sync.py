"""docs/ehr-integration.md shows the payloads of tests/service/samples.py and what the service answers to them.

Refresh after a change: IMRCHECK_WRITE_DOCS=1 python -m pytest tests/service/test_docs_sync.py
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from fastapi.testclient import TestClient

from checker.service.app import create_app
from checker.service.settings import Settings

from .samples import normalized_response, sample_request

DOC = Path(__file__).resolve().parents[2] / "docs" / "ehr-integration.md"


def _blocks() -> dict[str, str]:
    with TestClient(create_app(Settings(public_url="https://imrcheck.example.org"))) as c:
        discovery = c.get("/cds-services").json()
        response = c.post("/cds-services/imrcheck-order-sign", json=sample_request())
        assert response.status_code == 200
    return {"discovery": discovery, "request": sample_request(), "response": normalized_response(response.json())}


def test_docs_show_the_current_payloads():
    text = DOC.read_text(encoding="utf-8")
    for name, value in _blocks().items():
        block = f"<!-- BEGIN {name} -->\n```json\n{json.dumps(value, indent=2, ensure_ascii=False)}\n```\n<!-- END {name} -->"
        pattern = re.compile(rf"<!-- BEGIN {name} -->\n.*?<!-- END {name} -->", re.S)
        assert pattern.search(text), f"docs/ehr-integration.md has no {name} block"
        if os.environ.get("IMRCHECK_WRITE_DOCS"):
            text = pattern.sub(lambda m: block, text)
        else:
            assert block in text, (f"the {name} payload in docs/ehr-integration.md is out of date: "
                                   "IMRCHECK_WRITE_DOCS=1 python -m pytest tests/service/test_docs_sync.py")
    if os.environ.get("IMRCHECK_WRITE_DOCS"):
        DOC.write_text(text, encoding="utf-8")
