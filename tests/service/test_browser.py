"""The web page in headless Chromium: `imrcheck serve` in a subprocess, driven with Playwright.

Needs Debian's chromium (apt-get install -y chromium) and the playwright package (no browser download).
Set IMRCHECK_SCREENSHOTS=docs/img to refresh the committed screenshot.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .samples import NOTE

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not on PATH (apt-get install -y chromium): browser test skipped"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright not installed (pip install -e '.[test]'): browser test skipped"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    import httpx

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMRCHECK_")}
    proc = subprocess.Popen([sys.executable, "-m", "checker", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read() if proc.poll() is not None else ""
                pytest.fail(f"imrcheck serve did not start: {out[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_paste_a_note_check_two_requests_and_read_the_result(server, tmp_path):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1000})
            page.goto(server + "/")
            page.fill("#note", NOTE)
            page.fill("#requests", "MRI of the lumbar spine\nPhysical therapy 2 times a week for 6 weeks")
            page.fill("#as_of", "2016-12-01")
            page.click("button[type=submit]")
            page.wait_for_url("**/result/*")
            cards = page.locator("section.card")
            assert cards.count() == 2
            assert cards.nth(0).locator(".outcome").inner_text() == "Likely certified"
            assert cards.nth(1).locator(".outcome").inner_text().startswith("Likely not certified")
            marks = cards.nth(0).locator(".note mark")
            assert marks.count() >= 2 and "straight leg raise is positive" in marks.all_inner_texts()
            boxes = cards.nth(1).locator("ul.checklist input[type=checkbox]")
            assert boxes.count() >= 1
            boxes.first.check()
            assert boxes.first.is_checked()
            # usable at 900 px: nothing wider than the window
            assert page.evaluate("document.documentElement.scrollWidth") <= 900
            shot = tmp_path / "web-result.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            if os.environ.get("IMRCHECK_SCREENSHOTS"):
                shutil.copy(shot, Path(os.environ["IMRCHECK_SCREENSHOTS"]) / "web-result.png")
            # the print view of the checklist
            page.emulate_media(media="print")
            assert not page.locator(".toolbar").is_visible()
            assert page.locator("ul.checklist").first.is_visible()
            page.emulate_media(media="screen")
            page.click("text=Printable checklist")
            assert "Documentation checklist" in page.locator("h1").inner_text()
            # bad input: a message on the page, no trace
            page.goto(server + "/")
            page.fill("#requests", "MRI of the lumbar spine")
            page.click("button[type=submit]")
            assert "The note is empty" in page.locator(".error").inner_text()
            # /docs renders the OpenAPI description with the Swagger UI the app serves itself
            page.goto(server + "/docs")
            page.wait_for_selector("[data-path=\"/api/check\"]", timeout=20_000)
            assert "Unable to render" not in page.content()
        finally:
            browser.close()
