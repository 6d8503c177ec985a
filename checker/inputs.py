"""Read a clinical note (a case summary) from a file, for every command that reads one.

``read_note(path) -> NoteText`` and :class:`InputError` are the public API (the CLI's ``check`` and ``facts``,
``check --batch`` and, later, the web service use them).

* Text: a byte-order mark decides first (UTF-8, UTF-16, UTF-32); then strict UTF-8; then the charset
  detector (charset-normalizer). A single-byte Western code page it proposes is read as Windows-1252 when the
  bytes decode in it (the encoding Windows editors in the US save in: one curly apostrophe is byte 0x92).
* PDF (``.pdf`` or a ``%PDF-`` header): pypdfium2, opened with an empty password, through the letter
  parser's PDF text path; pages are joined with a newline.
* A file that is missing, binary, not decodable, a PDF without text, over :data:`MAX_NOTE_BYTES` (text) or
  :data:`MAX_NOTE_CHARS` (extracted), or empty / whitespace-only is an :class:`InputError` naming the file.
  An empty note is an error, never a confident outcome: the criteria would all read "unknown".
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Union

__all__ = ["InputError", "NoteText", "read_note", "note_from_bytes", "decode_note", "check_note_text", "MAX_NOTE_BYTES",
           "MAX_NOTE_CHARS", "MAX_PDF_BYTES", "open_lines"]

#: A note's text is read in full by the fact extractor, whose time grows with the text (a 1 MB note took
#: 125 s). Case summaries in IMR letters run to a few thousand characters; 200,000 is far above any of them.
MAX_NOTE_CHARS = 200_000
MAX_NOTE_BYTES = 4 * MAX_NOTE_CHARS  # a text file (UTF-16/32 take 2-4 bytes a character)
MAX_PDF_BYTES = 20_000_000  # as for letters
MAX_PDF_PAGES = 200

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_WESTERN = {"cp1252", "cp1250", "cp1257", "latin_1", "iso8859_15", "iso8859_2", "iso8859_9", "cp1254", "mac_roman"}

PathLike = Union[str, Path]


class InputError(ValueError):
    """A note that cannot be used: ``str(error)`` is ``"PATH: message"``."""

    def __init__(self, path: PathLike, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class NoteText:
    """A note's text as the checker reads it (evidence offsets index ``text``)."""

    path: str
    text: str
    encoding: str  # "utf-8", "utf-16", "cp1252", ... or "pdf"

    def __str__(self) -> str:
        return self.text


def _normalise_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name


def decode_note(data: bytes, path: PathLike = "<note>") -> tuple[str, str]:
    """``(text, encoding)`` of a text note's bytes; :class:`InputError` when they are not text."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                raise InputError(path, f"starts with a {enc} byte-order mark but is not valid {enc} text") from None
    if b"\x00" in data:
        raise InputError(path, "binary file, not text (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(path, "binary file or unknown text encoding: save the note as UTF-8")
    enc = _normalise_codec(best.encoding)
    # Offices here write English: a mostly-ASCII note whose few other bytes decode as Windows-1252 is Windows-1252,
    # whatever the detector guesses from a handful of bytes (one "é" and one dash read as Cyrillic, say).
    mostly_ascii = sum(b < 128 for b in data) >= 0.75 * len(data)
    if enc in _WESTERN or mostly_ascii:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    text = str(best)
    if not any("a" <= c.lower() <= "z" for c in text):  # a clinic note has Latin letters; this is not one
        raise InputError(path, "binary file or unknown text encoding: save the note as UTF-8")
    return text, enc


def check_note_text(text: str, path: PathLike = "<note>") -> str:
    """The note's text when it is usable; :class:`InputError` when empty, too long or binary."""
    if not text.strip():
        raise InputError(path, "the note is empty (no text to read)")
    if len(text) > MAX_NOTE_CHARS:
        raise InputError(path, f"the note has {len(text):,} characters, over the limit of {MAX_NOTE_CHARS:,}: "
                               "give the case summary, not the whole record")
    n_control = len(_CONTROL.findall(text))
    if n_control > max(2, len(text) // 200):
        raise InputError(path, f"binary file, not text ({n_control} control characters)")
    return text


def read_note(path: PathLike) -> NoteText:
    """Read a note file (text in any common encoding, or PDF); see the module docstring."""
    p = Path(path)
    try:
        if not p.is_file():
            raise InputError(p, "file not found" if not p.exists() else "not a regular file")
        size = p.stat().st_size
        limit = MAX_PDF_BYTES if p.suffix.lower() == ".pdf" else MAX_NOTE_BYTES
        if size > limit:
            raise InputError(p, f"file is {size:,} bytes, over the limit of {limit:,} bytes for a "
                                f"{'PDF' if limit == MAX_PDF_BYTES else 'text'} note")
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    return note_from_bytes(data, p)


def note_from_bytes(data: bytes, name: PathLike = "<note>") -> NoteText:
    """A note from its bytes (an upload: ``name`` is its file name, used for the ``.pdf`` suffix and in errors)."""
    p = Path(name)
    is_pdf_name = p.suffix.lower() == ".pdf"
    if len(data) > (MAX_PDF_BYTES if is_pdf_name or data.startswith(b"%PDF-") else MAX_NOTE_BYTES):
        raise InputError(name, f"{len(data):,} bytes, over the limit for a note")
    if not data:
        raise InputError(name, "the note is empty (file of 0 bytes)")
    if data.startswith(b"%PDF-") or (is_pdf_name and b"%PDF-" in data[:1024]):
        text, enc = _pdf_text(p, data), "pdf"
    elif is_pdf_name:
        raise InputError(name, "named .pdf but is not a PDF file (no %PDF- header)")
    else:
        text, enc = decode_note(data, name)
    return NoteText(path=str(name), text=check_note_text(text, name), encoding=enc)


def _pdf_text(p: Path, data: bytes) -> str:
    from .letters import LetterError, pdf_text

    try:
        return pdf_text(p, data, MAX_PDF_PAGES, min_chars=1)
    except LetterError as exc:
        raise InputError(p, exc.message if exc.where == "file" else f"{exc.where}: {exc.message}") from None


def open_lines(path: PathLike, sniff: int = 1 << 20):
    """Open a text file (a ``check --batch`` JSON Lines file) for reading line by line in its encoding:
    a byte-order mark, else UTF-8 when its first MiB is UTF-8, else what :func:`decode_note` finds there."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(sniff)
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    enc = "utf-8"
    if head.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif any(head.startswith(b) for b, e in _BOMS):
        enc = next(e for b, e in _BOMS if head.startswith(b))
    else:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sniffed bytes
                enc = decode_note(head, p)[1]
    return open(p, encoding=enc, errors="strict")
