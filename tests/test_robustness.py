"""Bad input never loses an item: a batch accounts for every letter and every item, without tracebacks."""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.batch import with_time_limit
from checker.cli import app
from checker.letters import parse_letter

FIXTURES = Path(__file__).parent / "fixtures" / "letters"
runner = CliRunner()


def _blank_pdf_bytes() -> bytes:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    doc.new_page(612, 792)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _encrypted_pdf_bytes() -> bytes:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (a test dependency) makes the encrypted PDF")
    reader = pypdf.PdfReader(io.BytesIO(_blank_pdf_bytes()))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="not-empty", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def build_folder(tmp_path: Path) -> tuple[Path, dict[str, int], list[str]]:
    """20 good letters (from the synthetic fixtures) and one file per kind of bad input."""
    folder = tmp_path / "batch"
    folder.mkdir()
    good: dict[str, int] = {}
    for i in range(20):
        src = "letter_2016.txt" if i % 2 == 0 else "letter_2013.txt"
        text = (FIXTURES / src).read_text(encoding="utf-8").replace("CM16-0000001", f"CM16-{i:07d}")
        p = folder / f"good_{i:02d}.txt"
        p.write_text(text, encoding="utf-8")
        good[p.name] = len(parse_letter(p).items)
    bad = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 40,
        "not_a_pdf.pdf": (FIXTURES / "letter_2016.txt").read_bytes(),
        "scan.pdf": _blank_pdf_bytes(),
        "encrypted.pdf": _encrypted_pdf_bytes(),
        "corrupt.pdf": _blank_pdf_bytes()[:200],
        "truncated.txt": (FIXTURES / "truncated.txt").read_bytes(),
        "unknown_layout.txt": b"Dear claims adjuster,\nPlease find the enclosed invoice for services.\n" * 20,
        "cp1252.txt": (FIXTURES / "letter_2016.txt").read_text(encoding="utf-8").replace("bus driver", "caf\u00e9 owner").encode("cp1252"),
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    big = folder / "huge.txt"
    with open(big, "wb") as fh:  # over the 20 MB limit
        line = b"The applicant reports low back pain. " * 20 + b"\n"
        for _ in range(21_000_000 // len(line) + 1):
            fh.write(line)
    return folder, good, sorted(list(bad) + ["huge.txt"])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_of_good_and_bad_letters_accounts_for_everything(tmp_path, workers):
    folder, good, bad = build_folder(tmp_path)
    res = runner.invoke(app, ["evaluate", str(folder), "--json", "--workers", workers])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    rep = json.loads(res.stdout)
    assert rep["letters"] == len(good) + len(bad)
    assert rep["letters_parsed"] == len(good)
    assert rep["items"] == sum(good.values())
    assert rep["items"] == len(rep["results"])
    errored = sorted(Path(e["path"]).name for e in rep["errors"])
    assert errored == bad
    for e in rep["errors"]:
        assert Path(e["path"]).name in e["error"]  # each error names its file
    in_scope = [r for r in rep["results"] if r["in_scope"]]
    assert in_scope and all(r["predicted"] in ("Upheld", "Overturned") or r["status"] == "no rule applies" for r in in_scope)


def test_jsonl_stream_accounts_for_every_letter_and_item(tmp_path):
    folder, good, bad = build_folder(tmp_path)
    res = runner.invoke(app, ["evaluate", str(folder), "--jsonl", "--workers", "2"])
    assert res.exit_code == 1
    lines = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
    kinds = [l["type"] for l in lines]
    assert kinds.count("error") == len(bad)
    assert kinds.count("item") == sum(good.values())
    summary = lines[-1]
    assert summary["type"] == "summary" and summary["letters"] == len(good) + len(bad)
    assert summary["letters_parsed"] == len(good)


def test_output_is_identical_whatever_the_worker_count_or_order(tmp_path):
    folder, good, bad = build_folder(tmp_path)
    one = runner.invoke(app, ["evaluate", str(folder), "--json", "--workers", "1"]).stdout
    two = runner.invoke(app, ["evaluate", str(folder), "--json", "--workers", "2"]).stdout
    assert one == two
    files = sorted(folder.iterdir())
    fwd = json.loads(runner.invoke(app, ["evaluate", *map(str, files), "--json", "-j", "2"]).stdout)
    rev = json.loads(runner.invoke(app, ["evaluate", *map(str, reversed(files)), "--json", "-j", "2"]).stdout)
    key = lambda r: (r["letter"], r["item"])
    assert sorted(fwd["results"], key=key) == sorted(rev["results"], key=key)
    assert {k: fwd[k] for k in ("accuracy", "balanced_accuracy", "confusion")} == {k: rev[k] for k in ("accuracy", "balanced_accuracy", "confusion")}


def _slow(path: str) -> str:
    time.sleep(5)
    return "done"


def test_time_limit_turns_a_hang_into_an_error():
    t0 = time.monotonic()
    got = with_time_limit(_slow, "slow.txt", 0.3, lambda p, m: f"error: {m}")
    assert got.startswith("error: slow.txt: time limit")
    assert time.monotonic() - t0 < 2


def test_redact_masks_names_birth_dates_and_claim_numbers(tmp_path):
    from checker.redact import redact

    text = ("Dr. Jane Roe examined the applicant (DOB: 01/02/1960; claim number 05-ABC1234, SSN 123-45-6789). "
            "Patient name: John Q Public. Mr. Public reports low back pain. Case CM16-0000001.")
    red = redact(text)
    for secret in ("Jane", "Roe", "01/02/1960", "05-ABC1234", "123-45-6789", "John", "Public"):
        assert secret not in red, secret
    assert "low back pain" in red and "CM16-0000001" in red
    assert len(redact(text, keep_width=True)) == len(text)
    letter = (FIXTURES / "letter_2016.txt").read_text(encoding="utf-8").replace(
        "The injured worker is a 41-year-old", "Dr. Jane Roe notes the injured worker (DOB 3/4/1975) is a 41-year-old")
    p = tmp_path / "named.txt"
    p.write_text(letter, encoding="utf-8")
    plain = runner.invoke(app, ["parse", str(p), "--json"]).stdout
    assert "Jane Roe" in plain and "3/4/1975" in plain
    masked = runner.invoke(app, ["--redact", "parse", str(p), "--json"])
    assert masked.exit_code == 0
    assert "Jane Roe" not in masked.stdout and "3/4/1975" not in masked.stdout and "[NAME]" in masked.stdout
    shown = runner.invoke(app, ["--redact", "parse", str(p)]).stdout
    assert "Jane Roe" not in shown


def test_broken_lexicon_is_one_clear_error(tmp_path, monkeypatch):
    from checker import facts

    bad = tmp_path / "lexicon.yaml"
    src = (Path(facts.LEXICON_PATH)).read_text(encoding="utf-8")
    bad.write_text(src.replace("      - hypertension\n", "      - hyper(tension\n", 1), encoding="utf-8")
    with pytest.raises(facts.LexiconError) as ei:
        facts.load_lexicon(bad)
    assert "lexicon.yaml" in str(ei.value) and "cardiopulmonary_risk" in str(ei.value)
    bad.write_text(src.replace("      - hypertension\n", "      - hyper(?: tension)\n", 1), encoding="utf-8")
    with pytest.raises(facts.LexiconError, match="quote a pattern"):
        facts.load_lexicon(bad)
