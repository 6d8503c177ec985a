"""Therapy quantities read from the request, what cannot be read is said, and the date judged for is shown."""
from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from checker import check
from checker.cli import app
from checker.predict import ERA_FALLBACK_NOTE
from checker.requests import normalize_request

runner = CliRunner()
NOTE = "Low back pain for 6 months after lifting at work. Prior physical therapy helped; she still has stiffness."


@pytest.mark.parametrize("text, sessions, freq, weeks", [
    ("PT 2x4 weeks", 8, 2, 4),
    ("PT 2 x 4 weeks", 8, 2, 4),
    ("Physical therapy 2x/wk x 4 wks", 8, 2, 4),
    ("PT 3x week x 4 weeks", 12, 3, 4),
    ("PT 2x 4wks", 8, 2, 4),
    ("Chiropractic x6", 6, None, None),
    ("Acupuncture #12", 12, None, None),
    ("Physical therapy 2 times 6 weeks", 12, 2, 6),
])
def test_therapy_quantities_are_read(text, sessions, freq, weeks):
    r = normalize_request(text)
    assert (r.sessions, r.frequency_per_week, r.weeks) == (sessions, freq, weeks)


@pytest.mark.parametrize("text, words", [
    ("Physical therapy for the lumbar spine", "number of visits"),
    ("Physical therapy x 4 weeks", "visits a week"),
    ("Chiropractic twice weekly", "how many weeks"),
])
def test_unread_therapy_quantity_is_a_warning(text, words):
    r = check(NOTE, text, as_of=date(2016, 5, 1))
    assert r.warnings and words in r.warnings[0] and text in r.warnings[0]


def test_read_quantity_has_no_warning():
    assert check(NOTE, "PT 2x4 weeks lumbar", as_of=date(2016, 5, 1)).warnings == []
    assert check(NOTE, "Physical therapy evaluation, lumbar spine", as_of=date(2016, 5, 1)).warnings == []  # one visit


def test_as_of_defaults_to_today_and_says_so():
    r = check(NOTE, "PT 2x4 weeks lumbar")
    assert r.as_of == date.today() and r.as_of_defaulted is True
    r = check(NOTE, "PT 2x4 weeks lumbar", as_of=date(2016, 5, 1))
    assert r.as_of == date(2016, 5, 1) and r.as_of_defaulted is False


@pytest.mark.parametrize("req", ["Physical therapy 2x4 weeks lumbar", "Chiropractic 6 visits lumbar", "Aquatic therapy x8"])
def test_therapy_today_judged_by_chronic_pain_guideline_says_so(req):
    r = check(NOTE, req)
    assert any("Chronic Pain" in c.document for c in r.citations)
    assert any("before 12/1/2017" in n or n == ERA_FALLBACK_NOTE for n in r.notes), r.notes


def test_therapy_before_2017_has_no_era_note():
    r = check(NOTE, "Physical therapy 2x4 weeks lumbar", as_of=date(2016, 5, 1))
    assert not any("12/1/2017" in n for n in r.notes)


def test_cli_text_shows_date_and_warning(tmp_path):
    f = tmp_path / "note.txt"
    f.write_text(NOTE, encoding="utf-8")
    res = runner.invoke(app, ["check", str(f), "-r", "Physical therapy for the lumbar spine"])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert f"judged as of {date.today().isoformat()} (today; give --as-of for the request date)" in flat
    assert "number of visits requested could not be read" in flat
    res = runner.invoke(app, ["check", str(f), "-r", "PT 2x4 weeks", "--as-of", "2016-05-01", "--json"])
    r = json.loads(res.stdout)["results"][0]
    assert r["as_of"] == "2016-05-01" and r["as_of_defaulted"] is False and r["normalized"]["sessions"] == 8


def test_empty_summary_through_the_api_is_a_warning():
    r = check("  \n", "MRI of the lumbar spine", as_of=date(2016, 5, 1))
    assert r.warnings and "summary is empty" in r.warnings[0]
