"""Reading uploaded notes: text encodings and PDF."""
from __future__ import annotations

import pytest

from checker.service.checks import InputError
from checker.service.uploads import read_note_bytes


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF with ``text`` on it (written by hand; offsets in the xref table are exact)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    lines = [safe[i:i + 90] for i in range(0, len(safe), 90)] or [""]
    stream = "BT /F1 10 Tf 40 800 Td 12 TL " + " ".join(f"({ln}) '" for ln in lines) + " ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_utf8_with_and_without_bom_and_crlf():
    assert read_note_bytes("Straight leg raise positive.\r\nNo red flags.".encode()) == "Straight leg raise positive.\nNo red flags."
    assert read_note_bytes(b"\xef\xbb\xbfPain 7/10") == "Pain 7/10"


def test_utf16_and_windows_1252():
    assert read_note_bytes("Schmerz – 7/10".encode("utf-16")) == "Schmerz – 7/10"
    assert read_note_bytes("caf\xe9 \u2013 pain".encode("cp1252")) == "café – pain"


def test_pdf_text_is_extracted():
    text = read_note_bytes(pdf_with_text("Low back pain radiating to the left leg. Straight leg raise positive."), "note.pdf")
    assert "Straight leg raise positive" in " ".join(text.split())


@pytest.mark.parametrize("data, fragment", [
    (b"", "empty"),
    (b"   \n  ", "no text"),
    (b"\x00\x01\x02binary\x00", "binary"),
    (b"%PDF-1.4\ngarbage that is no pdf", "corrupt or unreadable PDF"),
    (b"\x81\x8d\x8f\x90", "unknown text encoding"),
])
def test_unreadable_files_give_a_message(data, fragment):
    with pytest.raises(InputError, match=fragment):
        read_note_bytes(data, "upload.bin")


def test_pdf_without_text_layer():
    with pytest.raises(InputError, match="no usable text layer"):
        read_note_bytes(pdf_with_text(""), "scan.pdf")
