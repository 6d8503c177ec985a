"""Reading an uploaded note (text or PDF bytes) into text: the same reader as the command line
(``checker.inputs.note_from_bytes``: byte-order marks, UTF-8, charset-normalizer with Windows-1252, PDF through
pypdfium2, size and emptiness limits), with its errors turned into messages for the page."""
from __future__ import annotations

from .checks import InputError


def read_note_bytes(data: bytes, name: str = "upload") -> str:
    """The text of an uploaded note (line ends as ``\n``); InputError with a message for the user when it cannot
    be read."""
    from .. import inputs

    try:
        note = inputs.note_from_bytes(data, name)
    except inputs.InputError as exc:
        raise InputError(str(exc)) from None
    return note.text.replace("\r\n", "\n").replace("\r", "\n")
