"""The web page, server-side: form, result cards, evidence marks, checklist, print view, bad input."""
from __future__ import annotations

import re

import pytest

from checker.service.pages import highlight

from .samples import NOTE
from .test_uploads import pdf_with_text


def _submit(client, **data):
    files = data.pop("files", None)
    return client.post("/check", data=data, files=files, follow_redirects=False)


def test_submit_redirects_to_a_result_with_cards_marks_and_checklist(open_client):
    r = _submit(open_client, note=NOTE, requests="MRI of the lumbar spine\n\nPhysical therapy 2 times a week for 6 weeks",
                as_of="2016-12-01")
    assert r.status_code == 303 and r.headers["location"].startswith("/result/")
    page = open_client.get(r.headers["location"]).text
    assert page.count('<section class="card') == 2
    assert "Likely certified" in page and "Likely not certified" in page
    assert re.search(r"Confidence: <strong>(firm|borderline|missing facts) - ", page)
    assert "Governing guideline: <cite>MTUS ACOEM" in page
    assert '<mark class="ev decisive"' in page and ">straight leg raise is positive</mark>" in page
    assert re.search(r'<input type="checkbox" name="done-1-0"> Request no more than 10 visits', page)
    assert '<span class="state met">met</span>' in page and '<span class="state notmet">not met</span>' in page
    # every evidence link points to an anchor in the marked note
    for target in re.findall(r'href="#(c\d+-\d+-\d+)"', page):
        assert f'id="{target}"' in page
    key = r.headers["location"].rsplit("/", 1)[1]
    printable = open_client.get(f"/result/{key}/print").text
    assert "Documentation checklist" in printable and "&#9744; Request no more than 10 visits" in printable


def test_era_note_and_extra_fields_are_shown(open_client):
    r = _submit(open_client, note=NOTE, requests="MRI of the lumbar spine", as_of="2018-03-01")
    page = open_client.get(r.headers["location"]).text
    assert '<p class="note-era"><strong>Note:</strong> No criterion of the MTUS as amended on 12/1/2017' in page


def test_result_fields_beyond_the_known_ones_are_rendered_generically():
    from checker.models import Result
    from checker.service.pages import card

    class Later(Result):  # what Result may become: extra fields
        as_of_defaulted: bool = True
        warnings: list[str] = ["the note's date is after the request date"]

    r = Later(request="MRI", status="met", imr_outcome="Overturned", certify=True, firmness="firm")
    html = card(0, r, "note", None)
    assert "Confidence: <strong>firm</strong>" in html
    assert "<dt>as of defaulted</dt><dd>True</dd>" in html
    assert "<li>the note&#x27;s date is after the request date</li>" in html


def test_note_text_is_escaped_and_marks_are_placed():
    note = "<script>alert(1)</script> pain & numbness"
    html = highlight(note, [(26, 30, "pain <b>", True), (26, 41, "outer", False), (40, 45, "out of range", False)], "c0")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'id="c0-26-30"' in html and 'id="c0-26-41"' in html and "out of range" not in html
    assert '<mark class="ev decisive" title="pain &lt;b&gt;; outer">pain</mark>' in html
    assert '<mark class="ev" title="outer"> &amp; numbness</mark>' in html


def test_a_hostile_note_is_escaped_on_the_result_page(open_client):
    note = NOTE + ' <img src=x onerror="alert(1)"> </textarea><script>alert(2)</script>'
    r = _submit(open_client, note=note, requests="MRI of the lumbar spine")
    page = open_client.get(r.headers["location"]).text
    assert "<script>alert" not in page and "<img src=x" not in page


def test_pdf_and_text_uploads(open_client):
    r = _submit(open_client, note="", requests="MRI of the lumbar spine", as_of="2016-12-01",
                files={"file": ("note.pdf", pdf_with_text(NOTE), "application/pdf")})
    assert r.status_code == 303
    assert "Likely certified" in open_client.get(r.headers["location"]).text
    r = _submit(open_client, note="", requests="MRI of the lumbar spine",
                files={"file": ("note.txt", NOTE.encode("cp1252"), "text/plain")})
    assert r.status_code == 303


@pytest.mark.parametrize("data, files, message", [
    ({"note": "", "requests": "MRI of the lumbar spine"}, None, "The note is empty"),
    ({"note": NOTE, "requests": "  \n "}, None, "at least one request"),
    ({"note": NOTE, "requests": "MRI", "as_of": "12/01/2016"}, None, "is not a date"),
    ({"note": "", "requests": "MRI"}, {"file": ("scan.pdf", b"%PDF-1.4 broken", "application/pdf")}, "corrupt or unreadable PDF"),
    ({"note": "", "requests": "MRI"}, {"file": ("x.bin", b"\x00\x01\x02\x00", "application/octet-stream")}, "binary file"),
    ({"note": NOTE, "requests": "MRI"}, {"file": ("n.txt", b"more text", "text/plain")}, "not both"),
])
def test_bad_input_gives_a_message_on_the_form(open_client, data, files, message):
    r = _submit(open_client, files=files, **data)
    assert r.status_code == 400
    assert '<div class="error" role="alert"><strong>Cannot check:</strong>' in r.text and message in r.text
    assert "Traceback" not in r.text
    if data["note"]:
        assert "warehouse worker" in r.text  # the pasted note is kept in the form


def test_out_of_scope_request_gets_a_clear_card(open_client):
    r = _submit(open_client, note=NOTE, requests="cholesterol panel")
    page = open_client.get(r.headers["location"]).text
    assert "Not checked - outside the criteria catalog" in page and "Out of scope" in page


def test_unknown_result_is_a_404_page(open_client):
    r = open_client.get("/result/doesnotexist")
    assert r.status_code == 404 and "no longer kept" in r.text


def test_page_loads_nothing_from_outside(open_client):
    for html in (open_client.get("/").text,):
        assert not re.search(r'(src|href)="(https?:)?//', html)
    assert open_client.get("/static/style.css").status_code == 200
