"""Reading notes: encodings, PDF, binary, empty and oversized files; the CLI's errors (synthetic notes only)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.inputs import MAX_NOTE_CHARS, InputError, read_note
from test_letters import make_text_pdf

runner = CliRunner()

NOTE = ("The applicant is a 44-year-old clerk with low back pain for 4 months radiating to the left leg. "
        "The patient\u2019s straight leg raise is positive on the left. She has completed physical therapy.\n")


@pytest.mark.parametrize("encoding, expect", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("utf-16", "utf-16"),
                                              ("utf-16-be", None), ("cp1252", "cp1252")])
def test_encodings_read_the_same_text(tmp_path, encoding, expect):
    f = tmp_path / "note.txt"
    data = NOTE.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # big-endian with its BOM
        expect = "utf-16"
    f.write_bytes(data)
    note = read_note(f)
    assert note.text == NOTE
    assert note.encoding == expect


def test_cp1252_apostrophe_is_a_curly_apostrophe(tmp_path):
    f = tmp_path / "w.txt"
    f.write_bytes("Patient\u2019s knee hurts after a fall at work; swelling and effusion.".encode("cp1252"))
    assert "\u2019" in read_note(f).text


def test_pdf_note_is_read(tmp_path):
    f = tmp_path / "note.pdf"
    f.write_bytes(make_text_pdf(["Low back pain radiating to the left leg.", "Positive straight leg raise."]))
    note = read_note(f)
    assert note.encoding == "pdf"
    assert "straight leg raise" in note.text


def test_pdf_without_text_is_an_error(tmp_path):
    f = tmp_path / "scan.pdf"
    f.write_bytes(make_text_pdf([]))
    with pytest.raises(InputError) as info:
        read_note(f)
    assert "scan.pdf" in str(info.value) and "text" in str(info.value)


@pytest.mark.parametrize("name, data, words", [
    ("bin.txt", bytes(range(256)) * 20, "binary"),
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\n  ", "empty"),
    ("bom_only.txt", b"\xef\xbb\xbf\n", "empty"),
    ("fake.pdf", b"just text", "not a PDF"),
])
def test_unusable_notes_are_errors_naming_the_file(tmp_path, name, data, words):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_note(f)
    assert str(info.value).startswith(str(f)) and words in str(info.value)


def test_oversized_note_is_an_error(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("x" * (MAX_NOTE_CHARS + 1), encoding="utf-8")
    with pytest.raises(InputError, match="over the limit"):
        read_note(f)


def test_missing_note_is_an_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_note(tmp_path / "nope.txt")


def test_cli_check_reads_utf16_and_cp1252(tmp_path):
    outs = []
    for enc in ("utf-16", "cp1252", "utf-8"):
        f = tmp_path / f"{enc}.txt"
        f.write_bytes(NOTE.encode(enc))
        res = runner.invoke(app, ["check", str(f), "-r", "MRI of the lumbar spine", "--as-of", "2016-05-01", "--json"])
        assert res.exit_code == 0, res.output
        outs.append(json.loads(res.stdout)["results"][0]["imr_outcome"])
    assert outs[0] == outs[1] == outs[2]


def test_cli_check_empty_note_is_exit_1_naming_the_file(tmp_path):
    f = tmp_path / "blank.txt"
    f.write_text("   \n", encoding="utf-8")
    res = runner.invoke(app, ["check", str(f), "-r", "MRI of the lumbar spine", "--as-of", "2016-05-01"])
    assert res.exit_code == 1
    assert "blank.txt" in res.output and "empty" in res.output
    assert "Upheld" not in res.output


def test_cli_facts_reads_pdf(tmp_path):
    f = tmp_path / "note.pdf"
    f.write_bytes(make_text_pdf(["Positive straight leg raise on the left."]))
    res = runner.invoke(app, ["facts", str(f), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["facts"]


def test_cli_check_time_limit_is_an_error(tmp_path):
    f = tmp_path / "long.txt"
    f.write_text(NOTE * 500, encoding="utf-8")
    res = runner.invoke(app, ["check", str(f), "-r", "MRI of the lumbar spine", "--as-of", "2016-05-01",
                              "--time-limit", "0.01"])
    assert res.exit_code == 1 and "time limit" in res.output


def test_batch_empty_summary_is_an_error_line(tmp_path):
    f = tmp_path / "in.jsonl"
    lines = [{"id": "a", "summary": "  ", "requests": ["MRI lumbar spine"]},
             {"id": "b", "summary": NOTE, "requests": ["MRI lumbar spine"], "as_of": "2016-05-01"}]
    f.write_bytes("\n".join(json.dumps(x) for x in lines).encode("utf-16"))
    res = runner.invoke(app, ["check", "--batch", str(f), "--workers", "1"])
    out = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert res.exit_code == 1
    assert out[0]["id"] == "a" and "empty" in out[0]["error"] and out[0]["results"] == []
    assert out[1]["error"] is None and out[1]["results"]


def test_cli_facts_empty_note_is_exit_1(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"\xff\xfe")  # a UTF-16 byte-order mark and nothing else
    res = runner.invoke(app, ["facts", str(f)])
    assert res.exit_code == 1 and "empty.txt" in res.output and "empty" in res.output


def test_batch_oversized_summary_is_an_error_line(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "big", "summary": "pain. " * (MAX_NOTE_CHARS // 5), "requests": ["MRI lumbar spine"]})
                 + "\n", encoding="utf-8")
    res = runner.invoke(app, ["check", "--batch", str(f), "--workers", "1"])
    rec = json.loads(res.stdout.splitlines()[0])
    assert res.exit_code == 1 and "over the limit" in rec["error"] and rec["results"] == []


def test_note_from_bytes_for_uploads():
    from checker.inputs import note_from_bytes

    assert note_from_bytes(NOTE.encode("cp1252"), "upload.txt").text == NOTE
    assert "knee" in note_from_bytes(make_text_pdf(["Right knee effusion."]), "upload.pdf").text
    with pytest.raises(InputError, match="upload.txt"):
        note_from_bytes(b" \n", "upload.txt")


def test_batch_bad_bytes_further_on_is_an_error_not_a_crash(tmp_path):
    f = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "a", "summary": NOTE, "requests": ["MRI lumbar spine"], "as_of": "2016-05-01"})
    f.write_bytes((good + "\n").encode() + b" " * (1 << 20) + b"\n" + b'{"id": "b", "summary": "caf\xe9", "requests": []}\n')
    res = runner.invoke(app, ["check", "--batch", str(f), "--workers", "1"])
    assert res.exit_code == 1 and "mixed.jsonl" in res.output and "not utf-8 text" in res.output
