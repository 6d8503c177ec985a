"""Tests for checker.letters: synthetic fixtures, error handling, and the real letters in ../shared."""
from __future__ import annotations

import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.letters import LetterError, extract_text, normalize_layout, parse_letter, parse_text
from checker.models import Letter

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "letters"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SKIP_SHARED = "../shared not found: real-letter tests need the shared data beside the repo"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def make_text_pdf(lines: list[str], per_page: int = 50) -> bytes:
    """A minimal PDF whose pages show ``lines`` in Helvetica, one text line each."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    kids, n = [], 4
    for page_lines in pages:
        body = "BT /F1 9 Tf 12 TL 40 760 Td\n" + "".join(f"({esc(x)}) Tj T*\n" for x in page_lines) + "ET"
        data = body.encode("cp1252")
        objs[n] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
        objs[n + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % n
        )
        kids.append(n + 1)
        n += 2
    objs[2] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % n
    for i in range(1, n):
        out += b"%010d 00000 n \n" % offsets[i]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n, xref)
    return bytes(out)


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def raises_for(path: Path, where: str | None = None) -> LetterError:
    """parse_letter(path) raises a LetterError naming the file (and ``where``)."""
    with pytest.raises(LetterError) as info:
        parse_letter(path)
    err = info.value
    assert path.name in str(err)
    assert err.path == str(path)
    if where is not None:
        assert err.where == where
    return err


def assert_offsets(letter: Letter) -> None:
    s = letter.summary_start
    assert letter.summary == letter.text[s:s + len(letter.summary)]


# ---------------------------------------------------------------------------
# synthetic letters
# ---------------------------------------------------------------------------

def test_2013_layout_fixture():
    letter = parse_letter(FIXTURES / "letter_2013.txt")
    assert letter.layout == "2013"
    assert letter.case_number is None and letter.decision_date is None
    assert letter.reviewer_specialty == "Family Practice, Sports Medicine"
    assert letter.reviewer_licensure == "California"
    assert_offsets(letter)
    assert letter.summary.startswith("The claimant is a 52-year-old warehouse clerk")
    assert letter.summary.endswith("planned repair.")
    assert "\n\n" not in letter.summary  # double spacing removed
    assert "mild-to-moderate tendinosis" in letter.summary  # hyphen break rejoined
    assert "rated 6-7/10 at the last visit" in letter.summary
    assert "4 -\n5/10" in letter.summary  # a spaced dash is not a broken word
    assert "CLINICAL CASE SUMMARY" not in letter.summary
    assert "expert reviewer developed" not in letter.summary
    assert [(i.index, i.text, i.decision) for i in letter.items] == [
        (1, "Repeat MRI of the right shoulder without contrast between 6/1/2013 and 8/1/2013", "Upheld"),
        (2, "Twelve sessions of postoperative physical therapy for the right shoulder", "Overturned"),
    ]
    first, second = letter.items
    assert first.claims_administrator_guideline == (
        "Decision based on MTUS ACOEM Chapter 9 Shoulder Complaints Page(s): 207-209."
    )
    assert first.maximus_guideline == "Decision based on MTUS ACOEM Chapter 9 Shoulder Complaints."
    assert first.rationale == (
        "The guidelines support repeat imaging only after a significant change in symptoms or a red flag. "
        "No such change is described, and the earlier study already answered the clinical question. "
        "The request therefore remains non-certified."
    )
    assert second.claims_administrator_guideline == "Decision based on MTUS Chronic Pain Treatment Guidelines."
    assert second.maximus_guideline == "Decision based on MTUS Postsurgical Treatment Guidelines."
    assert second.rationale == (
        "The repair has been approved and the postsurgical guidelines allow twenty-four visits over fourteen "
        "weeks; twelve sessions fall within that allowance. The request is medically necessary."
    )


EXPECTED_2016_ITEMS = [
    (1, "Chiropractic manipulation for the lumbar spine, two times a week for four weeks", "Upheld"),
    (2, "Electromyography and nerve conduction studies of both lower extremities", "Overturned"),
    (3, "Six sessions of aquatic therapy for the low back", "Upheld"),
    (4, "Lumbar support brace", "Upheld"),
]


def test_2016_layout_fixture():
    letter = parse_letter(FIXTURES / "letter_2016.txt")
    assert letter.layout == "2016"
    assert letter.path == str(FIXTURES / "letter_2016.txt")
    assert letter.case_number == "CM16-0000001"
    assert letter.date_assigned == date(2016, 2, 3)
    assert letter.date_of_injury == date(2014, 7, 14)
    assert letter.decision_date == date(2016, 3, 1)
    assert letter.ur_denial_date == date(2016, 1, 22)
    assert letter.reviewer_licensure == "Oregon, Washington, California"
    assert letter.reviewer_specialty == (
        "Preventive Medicine, Occupational Medicine, Public Health & General Preventive Medicine"
    )
    assert_offsets(letter)
    assert letter.summary.startswith("The injured worker is a 41-year-old bus driver")
    assert letter.summary.endswith("Utilization Review non-certified or modified the requests.")
    assert "IMR ISSUES" not in letter.summary
    assert [(i.index, i.text, i.decision) for i in letter.items] == EXPECTED_2016_ITEMS
    chiro, emg, aquatic, brace = letter.items
    assert chiro.claims_administrator_guideline == (
        "Decision based on MTUS Chronic Pain Medical Treatment Guidelines, Manual therapy and manipulation."
    )
    assert chiro.maximus_guideline == (
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Manual therapy & manipulation."
    )
    assert chiro.rationale.endswith("Therefore, the request is not medically necessary.")
    assert emg.claims_administrator_guideline == (
        "The Claims Administrator did not cite any medical evidence for its decision."
    )
    assert emg.rationale.startswith("The worker has radiating pain")
    assert emg.rationale.endswith("Therefore, the request is medically necessary.")
    # the modified-request heading does not leak into the previous rationale
    assert "original request" not in emg.rationale
    assert aquatic.rationale.endswith(
        "The remaining IMR eligible portion of the original request, six sessions of aquatic therapy for the "
        "low back is not medically necessary."
    )
    # ... and a rationale echoing the heading wording does not leak into the next heading
    assert brace.rationale == (
        "Lumbar supports have not been shown to give lasting benefit beyond the acute phase of symptom relief. "
        "The injury is well past that phase. The request is not medically necessary."
    )
    assert brace.maximus_guideline == "Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods."


def test_crlf_and_pdfium_hyphen_marker_give_the_same_letter():
    text = fixture_text("letter_2016.txt")
    base = parse_text(text)
    variant = text.replace("A follow-up visit", "A follow\ufffeup visit").replace("\n", "\r\n")
    letter = parse_text(variant)
    assert letter.items == base.items
    assert letter.summary == base.summary
    assert "\r" not in letter.text


def test_original_request_variants():
    text = fixture_text("letter_2016.txt")
    # "leaving the original request IMR eligible. The original request, X is:" with the decision alone
    old = (
        "Twelve sessions of aquatic therapy for the low back was the original request.\n"
        "Six sessions of aquatic therapy for the low back were authorized by the Claims Administrator.\n"
        "The remaining IMR eligible portion of the original request, Six sessions of aquatic therapy for \n"
        "the low back is: Upheld\n"
    )
    assert old in text
    new = (
        "Twelve sessions of aquatic therapy for the low back was the original request. The Claims\n"
        "Administrator authorized six sessions of aquatic therapy, leaving the original request\n"
        "IMR eligible. The original request, Twelve sessions of aquatic therapy for the low back is:\n"
        "Upheld\n"
    )
    letter = parse_text(text.replace(old, new))
    assert letter.items[2].text == "Twelve sessions of aquatic therapy for the low back"
    assert letter.items[2].decision == "Upheld"
    assert letter.items[1].rationale.endswith("Therefore, the request is medically necessary.")
    # without "is": "... original request, Y: Upheld"
    letter = parse_text(text.replace("the low back is: Upheld", "the low back: Upheld"))
    assert letter.items[2].text == "Six sessions of aquatic therapy for the low back"


def test_pdf_with_text_layer(tmp_path):
    text = fixture_text("letter_2016.txt")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(make_text_pdf(text.splitlines()))
    extracted = extract_text(pdf)
    assert "CLINICAL CASE SUMMARY" in extracted
    letter = parse_letter(pdf)
    assert letter.path == str(pdf)
    assert [(i.index, i.text, i.decision) for i in letter.items] == EXPECTED_2016_ITEMS
    assert letter.items == parse_text(text).items
    assert letter.summary.split() == parse_text(text).summary.split()


def test_text_file_not_utf8_is_refused_with_the_byte(tmp_path):
    text = fixture_text("letter_2016.txt").replace("bus driver", "bus driver \u2013 caf\u00e9 owner")
    path = tmp_path / "letter.txt"
    path.write_bytes(text.encode("cp1252"))
    err = raises_for(path, None)
    assert "not UTF-8" in str(err) and "letter.txt" in str(err) and err.where.startswith("byte ")
    path.write_bytes(text.encode("utf-8"))
    assert "caf\u00e9" in extract_text(path)


# ---------------------------------------------------------------------------
# normalize_layout
# ---------------------------------------------------------------------------

def test_normalize_double_spacing_and_hyphens():
    raw = (
        "First line of a paragraph with moderate-to-\n\nsevere pain \n\n"
        "rated 9-\n\n10/10 today and 7 -\n\n8 yesterday. \n\n \n\n"
        "New paragraph: non-\n\ncertified. Heading text:  \nUpheld \n\n \n\n"
        "Claims Administrator guideline: x \n\n"
    )
    assert normalize_layout(raw) == (
        "First line of a paragraph with moderate-to-severe pain\n"
        "rated 9-10/10 today and 7 -\n8 yesterday.\n"
        "\n"
        "New paragraph: non-certified. Heading text:\nUpheld\n"
        "\n"
        "Claims Administrator guideline: x\n"
    )


def test_normalize_does_not_join_into_markers():
    text = "something ends with dash-\nClaims Administrator guideline: y\nx-\nUpheld\nword--\nnext"
    assert normalize_layout(text) == text


def test_normalize_single_spaced_text_keeps_blank_lines():
    text = "one\ntwo\n\nthree\nfour\nfive\nsix\n"
    assert normalize_layout(text) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    list("ab -:.\n\r\t\ufffe\x0c") + ["Upheld", "Claims Administrator guideline:", "CLINICAL CASE SUMMARY", "\n\n"]
)).map("".join))
def test_normalize_is_deterministic_and_clean(text):
    out = normalize_layout(text)
    assert out == normalize_layout(text)
    assert "\r" not in out and "\ufffe" not in out
    assert all(line == line.rstrip(" \t") for line in out.split("\n"))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "CLINICAL CASE SUMMARY", "IMR ISSUES, DECISIONS AND RATIONALES", "MRI of the knee: Upheld", "Overturned",
    "Claims Administrator guideline: x", "MAXIMUS guideline: y", "Decision rationale: z.", "Some text.",
    "more text", "", "original request, X is: Upheld", "Case Number: CM16-0000009",
]), max_size=25))
def test_parse_text_fails_only_with_letter_error(lines):
    try:
        letter = parse_text("\n".join(lines), "fuzz.txt")
    except LetterError as err:
        assert "fuzz.txt" in str(err)
    else:
        assert letter.items and all(i.decision in ("Upheld", "Overturned") for i in letter.items)
        assert_offsets(letter)


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------

def test_missing_file(tmp_path):
    raises_for(tmp_path / "nowhere.pdf", "file")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in str(raises_for(path, "file"))


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n \n")
    raises_for(path, "file")


def test_binary_garbage(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes(range(256)) * 20)
    assert "binary" in str(raises_for(path, "file"))
    path2 = tmp_path / "garbage2.dat"
    path2.write_bytes(bytes(range(1, 256)) * 20)  # no NUL bytes
    assert "binary" in str(raises_for(path2, "file"))


def test_non_pdf_with_pdf_suffix(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text(fixture_text("letter_2016.txt"))
    assert "not a PDF" in str(raises_for(path, "file"))


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    assert "corrupt" in str(raises_for(path, "file"))


def test_pdf_without_text_layer(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument.new()
    doc.new_page(612, 792)
    doc.new_page(612, 792)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    path = tmp_path / "scan.pdf"
    path.write_bytes(buf.getvalue())
    assert "text layer" in str(raises_for(path, "file"))


def test_encrypted_pdf(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    path = tmp_path / "locked.pdf"
    path.write_bytes(buf.getvalue())
    assert "password" in str(raises_for(path, "file"))


def test_size_and_page_limits(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(fixture_text("letter_2016.txt"))
    with pytest.raises(LetterError, match="big.txt.*over the limit"):
        extract_text(path, max_bytes=100)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(make_text_pdf(fixture_text("letter_2016.txt").splitlines(), per_page=10))
    with pytest.raises(LetterError, match="long.pdf.*pages, over the limit"):
        extract_text(pdf, max_pages=3)


def test_no_items():
    err = raises_for(FIXTURES / "no_items.txt", "IMR ISSUES section")
    assert "no disputed item" in str(err)


def test_truncated_letter():
    err = raises_for(FIXTURES / "truncated.txt", "IMR ISSUES section")
    assert "truncated" in str(err)


def test_truncated_inside_items(tmp_path):
    text = fixture_text("letter_2016.txt")
    cut = text[: text.index("Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.")]
    path = tmp_path / "cut.txt"
    path.write_text(cut)
    err = raises_for(path, "item 4 heading")
    assert "truncated" in str(err)
    cut2 = text[: text.index("Decision rationale: Lumbar supports")]
    path.write_text(cut2)
    raises_for(path, "item 4")


def test_item_without_decision(tmp_path):
    path = tmp_path / "nodecision.txt"
    path.write_text(fixture_text("letter_2016.txt").replace("Lumbar support brace: Upheld", "Lumbar support brace:"))
    err = raises_for(path, "item 4 heading")
    assert "Upheld" in str(err) and "line" in str(err)


def test_unknown_layout(tmp_path):
    path = tmp_path / "other.txt"
    path.write_text("Dear claimant,\nYour request was reviewed.\nUpheld\n")
    raises_for(path, "CLINICAL CASE SUMMARY")
    with pytest.raises(LetterError, match="<text>"):
        parse_text("")


# ---------------------------------------------------------------------------
# real letters (../shared)
# ---------------------------------------------------------------------------

SEED_EXPECTED = {
    "000": [("Upheld", "bone scan/SPECT"), ("Upheld", "CT study of the thoracic region")],
    "001": [("Upheld", "BONE SCAN")],
    "002": [("Overturned", "DEXA")],
    "003": [("Upheld", "physical therapy"), ("Upheld", "bone scan")],
    "004": [("Overturned", "CT scan")],
}


def test_seed_letters():
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip(SKIP_SHARED)
    found = {}
    for path in seeds:
        letter = parse_letter(path)
        assert letter.layout == "2013"
        assert letter.reviewer_specialty and letter.reviewer_licensure
        assert letter.summary and "Decision rationale" not in letter.summary
        assert "\n\n" not in letter.summary
        assert_offsets(letter)
        for item in letter.items:
            assert item.claims_administrator_guideline and item.maximus_guideline and item.rationale
        found[path.name[:3]] = [(i.decision, i.text) for i in letter.items]
    assert set(found) == set(SEED_EXPECTED)
    for key, expected in SEED_EXPECTED.items():
        got = found[key]
        assert [d for d, _ in got] == [d for d, _ in expected], key
        assert all(word in text for (_, text), (_, word) in zip(got, expected)), key
    decisions = Counter(d for items in found.values() for d, _ in items)
    assert decisions == {"Upheld": 5, "Overturned": 2}
    assert sum(decisions.values()) == 7


@pytest.fixture(scope="module")
def corpus() -> list[Letter]:
    pdfs = sorted((SHARED / "corpus" / "dwc-2016").glob("*.pdf"))
    if not pdfs:
        pytest.skip(SKIP_SHARED)
    return [parse_letter(p) for p in pdfs]


def test_corpus_letters(corpus):
    assert len(corpus) == 120
    items = [i for letter in corpus for i in letter.items]
    assert len(items) == 255
    for letter in corpus:
        assert letter.layout == "2016"
        assert letter.case_number and Path(letter.path).stem == letter.case_number
        assert all([letter.date_assigned, letter.date_of_injury, letter.decision_date, letter.ur_denial_date])
        assert letter.reviewer_specialty and letter.reviewer_licensure
        assert letter.summary
        assert "Decision rationale" not in letter.summary and "MAXIMUS guideline" not in letter.summary
        assert "IMR ISSUES" not in letter.summary and "expert reviewer developed" not in letter.summary
        assert_offsets(letter)
        assert [i.index for i in letter.items] == list(range(1, len(letter.items) + 1))
    for item in items:
        assert item.decision in ("Upheld", "Overturned")
        assert item.text and item.claims_administrator_guideline and item.maximus_guideline and item.rationale
        assert not item.text.endswith(":")
        assert "Decision rationale" not in item.text and "medically necessary" not in item.text
        assert "original request" not in item.text
        assert "Claims Administrator guideline" not in item.rationale
    decisions = Counter(i.decision for i in items)
    assert decisions == {"Upheld": 232, "Overturned": 23}


def test_corpus_spot_checks(corpus):
    by_case = {letter.case_number: letter for letter in corpus}
    first = by_case["CM16-0219557"]
    assert first.date_assigned == date(2016, 11, 18) and first.decision_date == date(2016, 12, 19)
    assert first.reviewer_specialty == "Preventive Medicine, Occupational Medicine"
    assert first.reviewer_licensure == "Texas, New York, California"
    assert [(i.text, i.decision) for i in first.items] == [("Facet joint injections L4-5, L5-S1", "Upheld")]
    # modified request with "leaving the original request IMR eligible"
    assert [(i.text, i.decision) for i in by_case["CM16-0229336"].items] == [(
        "Acute inpatient rehabilitation physical therapy and occupational therapy 7-10 days for left foot fracture",
        "Overturned",
    )]
    # seven items, one upheld among six overturned
    assert [i.decision for i in by_case["CM17-0010420"].items] == ["Overturned"] * 3 + ["Upheld"] + ["Overturned"] * 3
    # a rationale repeating the modified-request wording before a plain heading
    assert [i.text for i in by_case["CM17-0016761"].items] == [
        "Two physical therapy visits for the left hand/finger", "Gym membership",
    ]
