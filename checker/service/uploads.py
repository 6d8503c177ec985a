"""Reading an uploaded note (text or PDF bytes) into text.

Uses ``checker.inputs.read_note`` when the package has it (it reads a path); otherwise reads the bytes here:
PDF through pypdfium2, text as UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252.
"""
from __future__ import annotations

import os
import tempfile

from .checks import InputError

MAX_PDF_PAGES = 200


def _pdf_text(data: bytes, name: str) -> str:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError(f"{name}: the PDF cannot be opened ({exc}).") from None
    try:
        if len(pdf) > MAX_PDF_PAGES:
            raise InputError(f"{name}: the PDF has {len(pdf)} pages; at most {MAX_PDF_PAGES} are read.")
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            pages.append(tp.get_text_range())
            tp.close()
            page.close()
    finally:
        pdf.close()
    text = "\n".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in pages)
    if not text.strip():
        raise InputError(f"{name}: the PDF has no text layer (a scan?): paste the note's text instead.")
    return text


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(f"{name}: not a text file (neither UTF-8 nor Windows-1252) and not a PDF.") from None
    if "\x00" in text:
        raise InputError(f"{name}: binary data, not a text file or PDF.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_with_inputs_module(data: bytes, name: str):
    try:
        from ..inputs import read_note  # type: ignore[attr-defined]
    except ImportError:
        return None
    suffix = os.path.splitext(name)[1].lower() or (".pdf" if data.startswith(b"%PDF") else ".txt")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "note" + suffix)
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            text = read_note(path)
        except Exception as exc:  # the reader's own errors carry a message for the user
            raise InputError(f"{name}: {exc}".replace(path, name)) from None
    return text if isinstance(text, str) else getattr(text, "text", str(text))


def read_note_bytes(data: bytes, name: str = "upload") -> str:
    """The text of an uploaded note; InputError with a message for the user when it cannot be read."""
    if not data:
        raise InputError(f"{name}: the file is empty.")
    text = _read_with_inputs_module(data, name)
    if text is None:
        text = _pdf_text(data, name) if data.lstrip()[:5] == b"%PDF-" else _decode(data, name)
    if not text.strip():
        raise InputError(f"{name}: the file has no text.")
    return text
