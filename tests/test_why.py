"""`imrcheck why`: the reviewer's reason beside ours, readable text, offsets into the file as given."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from checker.cli import app
from checker.explain import explain_letter, load_reviewer_reasons
from checker.letters import normalize_layout, parse_letter, parse_text, source_offsets
from checker.why_text import render_item, sentences_of

runner = CliRunner()

# A synthetic 2013-layout letter (no case number), written for this test.
_LINES = """HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer. The expert
reviewer is Board Certified in Orthopedic Surgery and is licensed to practice in California.

CLINICAL CASE SUMMARY
The expert reviewer developed the following clinical case summary based on a review of the
case file, including all medical records:

The applicant is a 41-year-old warehouse worker who hurt his low back lifting boxes on
January 4, 2013. He has had low back pain for four months. He now has a progressive left
foot drop, worse than last week, with 3/5 ankle dorsiflexion. Physical therapy and anti-
inflammatory medication did not help. The provider asked for an MRI on May 2, 2013.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

MRI of the lumbar spine
without contrast:  Overturned
Claims Administrator guideline: Decision based on MTUS ACOEM Chapter 12 Low Back Complaints.
MAXIMUS guideline: Decision based on MTUS ACOEM Chapter 12 Low Back Complaints.
Decision rationale: Imaging is supported when there is a progressive neurologic deficit. The
foot drop is worsening. The request is medically necessary.
""".splitlines()
LETTER_2013 = "".join(line + " \r\n\r\n" for line in _LINES)  # double spaced, CRLF, trailing blanks


def _write(tmp_path, name="why_2013.txt", text=LETTER_2013):
    f = tmp_path / name
    f.write_bytes(text.encode("utf-8"))
    return f


def test_source_offsets_map_the_normalised_text_back():
    norm = normalize_layout(LETTER_2013)
    m = source_offsets(LETTER_2013)
    assert len(m) == len(norm) + 1
    for i, ch in enumerate(norm):
        assert LETTER_2013[m[i]] == ch or (ch == "\n" and LETTER_2013[m[i]] in "\r\n")


def test_why_json_offsets_index_the_file_as_given(tmp_path):
    f = _write(tmp_path)
    res = runner.invoke(app, ["why", str(f), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    raw = f.read_bytes().decode("utf-8")
    quotes = [ev for it in doc["items"] for ev in it["evidence"] + [e for c in it["criteria"] for e in c["evidence"]]]
    assert quotes
    assert any("\r\n\r\n" in ev["quote"] for ev in quotes)  # a quote across the blank lines of the 2013 layout
    for ev in quotes:
        assert raw[ev["start"]:ev["end"]] == ev["quote"]
    item = doc["items"][0]
    assert item["reviewer_rationale"].startswith("Imaging is supported when there is a progressive neurologic deficit.")
    assert item["rationale"] and item["as_of"] and item["as_of_defaulted"] is False


def test_why_text_is_readable(tmp_path):
    f = _write(tmp_path)
    res = runner.invoke(app, ["why", str(f)])
    assert res.exit_code == 0, res.output
    text = res.output
    assert "item 1: MRI of the lumbar spine without contrast" in text
    assert "Reviewer's outcome: Overturned" in text and "imrcheck's outcome:" in text
    assert "The reviewer's reason:" in text and "progressive neurologic deficit" in text
    assert "imrcheck's reason:" in text
    flat = " ".join(text.split())
    # evidence as a whole sentence (joined across the double spacing), not an offset
    assert '"He now has a progressive left foot drop, worse than last week, with 3/5 ankle dorsiflexion."' in flat
    assert "@" not in text and "resolve:" not in text and "->" not in text
    # every criterion is listed, met or not
    doc = json.loads(runner.invoke(app, ["why", str(f), "--json"]).stdout)
    for c in doc["items"][0]["criteria"]:
        assert c["title"][:40] in flat


def test_reviewer_reasons_shown_when_labelled(tmp_path):
    f = _write(tmp_path)
    letter = parse_letter(f)
    labels = {(f.stem, 1): ["progressive_deficit"]}
    expl = explain_letter(letter, labels=labels, titles={"progressive_deficit": "Progressive neurological deficit"})
    assert [r.code for r in expl[0].reviewer_reasons] == ["progressive_deficit"]
    text = render_item(expl[0], letter, sentences_of(letter))
    assert "Reviewer's decisive reasons: Progressive neurological deficit." in text
    plain = render_item(explain_letter(letter)[0], letter)
    assert "Reviewer's decisive reasons" not in plain


def test_missing_labels_file_is_no_labels(tmp_path):
    assert load_reviewer_reasons(tmp_path / "nope.csv") == {}
    csv = tmp_path / "letters.csv"
    csv.write_text("case,item,codes\nCM16-0000001,2,no_red_flag; no_neuro_deficit\n", encoding="utf-8")
    assert load_reviewer_reasons(csv) == {("CM16-0000001", 2): ["no_red_flag", "no_neuro_deficit"]}


def test_parse_json_prints_the_text_why_offsets_index(tmp_path):
    f = _write(tmp_path)
    doc = json.loads(runner.invoke(app, ["parse", str(f), "--json"]).stdout)
    assert doc["letters"][0]["text"] == f.read_bytes().decode("utf-8")
    assert parse_text(LETTER_2013).source == LETTER_2013
