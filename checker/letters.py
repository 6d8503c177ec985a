"""Read California DWC IMR final determination letters into :class:`~checker.models.Letter`.

Two layouts are understood:

``2016``
    Text extracted with pdfium from the 2016-2017 letters: a header with
    ``Case Number`` and four dates, the reviewer's licensure/specialty, then the
    clinical case summary and the disputed items.
``2013``
    The 2013-2015 letters as plain text: no case-number header, the reviewer's
    specialty stated in a sentence ("... is Board Certified in X ... licensed to
    practice in California"), and often double spaced (every line followed by a
    blank line) with hyphenated words broken across lines.

Each disputed item is anchored on its ``Claims Administrator guideline:`` line.
The item heading (the request and the ``Upheld``/``Overturned`` decision) is
the text between the end of the previous item's rationale and that anchor.

Public API: :func:`extract_text`, :func:`normalize_layout`, :func:`parse_text`,
:func:`parse_letter` and :class:`LetterError`.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Optional, Union

from .models import Item, Letter

__all__ = ["LetterError", "extract_text", "normalize_layout", "parse_text", "parse_letter"]

PathLike = Union[str, Path]


class LetterError(Exception):
    """A letter that cannot be read or is not in a known layout.

    ``path`` is the file (or ``"<text>"``), ``where`` says where in the letter
    the problem is (``"file"``, ``"page 2"``, ``"IMR ISSUES section"``,
    ``"item 3 heading"``, ``"line 57"`` ...). ``str(error)`` names both.
    """

    def __init__(self, path: PathLike, where: str, message: str):
        self.path = str(path)
        self.where = where
        self.message = message
        super().__init__(f"{self.path}: {where}: {message}")


# ---------------------------------------------------------------------------
# Text extraction
# ---------------------------------------------------------------------------

#: A PDF with fewer non-blank characters than this (in total, or per page on
#: average) is taken to be a scan without a text layer.
_MIN_TEXT_CHARS = 100
_MIN_TEXT_CHARS_PER_PAGE = 20

# Control characters that do not occur in text (C0 except tab/newlines/form feed, DEL, C1).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def extract_text(path: PathLike, *, max_bytes: int = 20_000_000, max_pages: int = 200) -> str:
    """Return the text of a letter file.

    ``.pdf`` files (and any file starting with ``%PDF-``) are read with pypdfium2,
    pages joined with ``"\\n"``; anything else must be UTF-8 (or UTF-16 with a
    byte-order mark). Raises :class:`LetterError` (naming the file)
    when the file is missing, empty, too large, binary, not a PDF although
    named ``.pdf``, not UTF-8, encrypted, corrupt, or a PDF without a text layer.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise LetterError(p, "file", "file not found") from None
    except OSError as exc:
        raise LetterError(p, "file", f"cannot read file ({exc.strerror or exc})") from None
    if not p.is_file():
        raise LetterError(p, "file", "not a regular file")
    if size == 0:
        raise LetterError(p, "file", "file is empty")
    if size > max_bytes:
        raise LetterError(p, "file", f"file is {size} bytes, over the limit of {max_bytes} bytes")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LetterError(p, "file", f"cannot read file ({exc.strerror or exc})") from None

    is_pdf_name = p.suffix.lower() == ".pdf"
    # Readers tolerate some junk before the header of a .pdf; look at its first KiB.
    has_pdf_magic = data.startswith(b"%PDF-") or (is_pdf_name and b"%PDF-" in data[:1024])
    if is_pdf_name and not has_pdf_magic:
        raise LetterError(p, "file", "named .pdf but is not a PDF file (no %PDF- header)")
    if has_pdf_magic:
        return _pdf_text(p, data, max_pages)
    return _decode_text(p, data)


def _decode_text(p: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise LetterError(p, "file", "not a text file (invalid UTF-16)") from None
    else:
        if b"\x00" in data:
            raise LetterError(p, "file", "binary file, not text (contains NUL bytes)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            n_control = len(_CONTROL_CHARS.findall(data.decode("latin-1")))
            if n_control > max(2, len(data) // 200):
                raise LetterError(p, "file", f"binary file, not text ({n_control} control characters)") from None
            # A guessed legacy encoding could silently change the evidence quotes: refuse, and say where.
            raise LetterError(p, f"byte {exc.start}", f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the letter as UTF-8") from None
    if not text.strip():
        raise LetterError(p, "file", "file contains only whitespace")
    n_control = len(_CONTROL_CHARS.findall(text))
    if n_control > max(2, len(text) // 200):
        raise LetterError(p, "file", f"binary file, not text ({n_control} control characters)")
    return text


def _pdf_text(p: Path, data: bytes, max_pages: int) -> str:
    return pdf_text(p, data, max_pages)


def pdf_text(p: Path, data: bytes, max_pages: int = 200, min_chars: int = _MIN_TEXT_CHARS) -> str:
    """The text of a PDF's bytes (pages joined with ``"\\n"``), opened with an empty password.

    Raises :class:`LetterError` for an encrypted, corrupt or empty PDF, one over ``max_pages``, or one with
    fewer than ``min_chars`` non-blank characters (or ``_MIN_TEXT_CHARS_PER_PAGE`` a page): a scan.
    Also used for clinical notes (:mod:`checker.inputs`).
    """
    import pypdfium2 as pdfium  # imported lazily: plain-text users need no pdfium

    try:
        doc = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if getattr(exc, "err_code", None) == 4 or "password" in msg.lower():  # FPDF_ERR_PASSWORD
            raise LetterError(p, "file", "PDF is encrypted with a password that is not known") from None
        raise LetterError(p, "file", f"corrupt or unreadable PDF ({msg})") from None
    try:
        n_pages = len(doc)
        if n_pages == 0:
            raise LetterError(p, "file", "PDF has no pages")
        if n_pages > max_pages:
            raise LetterError(p, "file", f"PDF has {n_pages} pages, over the limit of {max_pages}")
        pages: list[str] = []
        for i in range(n_pages):
            try:
                page = doc[i]
                try:
                    textpage = page.get_textpage()
                    try:
                        pages.append(textpage.get_text_range())
                    finally:
                        textpage.close()
                finally:
                    page.close()
            except pdfium.PdfiumError as exc:
                raise LetterError(p, f"page {i + 1}", f"cannot read page text ({exc})") from None
    finally:
        doc.close()
    text = "\n".join(pages)
    n_chars = len(text) - sum(text.count(c) for c in " \t\r\n\x0c")
    if n_chars < min_chars or (min_chars >= _MIN_TEXT_CHARS and n_chars < _MIN_TEXT_CHARS_PER_PAGE * n_pages):
        raise LetterError(
            p, "file",
            f"PDF has no usable text layer ({n_chars} characters on {n_pages} page(s)); "
            "a scanned letter needs OCR first",
        )
    return text


# ---------------------------------------------------------------------------
# Layout normalisation
# ---------------------------------------------------------------------------

# pdfium marks a hyphen at a line end with U+FFFE (or U+0002) and joins the two
# lines; these were visible hyphens ("x-ray", "follow-up"). The line break is
# restored so that the same rejoining rule as for plain text decides.
_PDFIUM_HYPHEN = re.compile("[\ufffe\x02]")
_FORM_FEED = re.compile(r"\n?\x0c")
_TRAILING_WS = re.compile(r"[ \t\u00a0]+$", re.M)
_PAGE_FOOTER = re.compile(r"^[ \t]*Page[ \t]+\d+[ \t]+of[ \t]+\d+[ \t]*\n", re.M | re.I)
_STRUCTURE_WORDS = (
    r"(?:Claims\s+Administrator\s+guideline|MAXIMUS\s+guideline|Decision\s+rationale)\s*:"
    r"|(?:Upheld|Overturned)\s*$"
    r"|(?:CLINICAL\s+CASE\s+SUMMARY|IMR\s+ISSUES|HOW\s+THE\s+IMR)\b"
)
# A word broken after a hyphen at a line end: "moderate-to-\nsevere", "9-\n10/10",
# "non-\ncertified". The hyphen is kept (these letters have no soft hyphenation).
# Not joined: a spaced dash ("7 -\n8"), a double dash, a next line that starts
# with a space or punctuation, or a next line that is a section/item marker.
_HYPHEN_BREAK = re.compile(
    r"(?<=[A-Za-z0-9%][-\u2010\u2011])\n(?=[A-Za-z0-9])(?!" + _STRUCTURE_WORDS + ")",
    re.M,
)


_LINE_BEFORE_EMPTY = re.compile(r"[^\n]\n\n")
_NONEMPTY_LINE = re.compile(r"[^\n]\n|[^\n]\Z")


def _is_double_spaced(text: str) -> bool:
    """True when (nearly) every non-empty line is followed by an empty line."""
    n_lines = len(_NONEMPTY_LINE.findall(text))
    if n_lines < 4:
        return False
    return len(_LINE_BEFORE_EMPTY.findall(text)) >= 0.75 * n_lines


def normalize_layout(text: str) -> str:
    """Return ``text`` with its line structure made uniform (deterministic).

    * line ends become ``"\\n"``; trailing blanks on lines are dropped;
    * double-spaced text (every line followed by an empty line, as in the 2013
      letters) loses one empty line after each line, so a paragraph break
      (an empty line) survives as a single empty line;
    * pdfium's line-end hyphen marker (U+FFFE) becomes a hyphen and a line break;
    * a word broken after a hyphen at a line end is rejoined, keeping the
      hyphen ("moderate-to-\\nsevere" -> "moderate-to-severe"), only when both
      sides are letters/digits (or "%" before the hyphen) and the next line is not an item/section marker;
    * "Page N of M" footer lines are removed.
    """
    return _normalize(text, None)[0]


def source_offsets(text: str) -> list[int]:
    """For each offset ``i`` of ``normalize_layout(text)`` (and its end), the offset in ``text`` it came from.

    A span ``[a, b)`` of the normalised text is ``text[m[a]:m[b]]`` in the text as given (with the blank lines,
    line-end hyphens and page footers the normalisation removed).
    """
    return _normalize(text, list(range(len(text) + 1)))[1]  # type: ignore[return-value]


def _sub(rx: "re.Pattern[str]", repl: str, text: str, pos: Optional[list[int]]) -> tuple[str, Optional[list[int]]]:
    """``rx.sub(repl, text)`` (``repl`` literal); with ``pos`` also the new text's offsets into the original."""
    if pos is None:
        return rx.sub(repl, text), None
    parts: list[str] = []
    new_pos: list[int] = []
    last = 0
    for m in rx.finditer(text):
        a, b = m.span()
        parts.append(text[last:a])
        new_pos.extend(pos[last:a])
        parts.append(repl)
        new_pos.extend([pos[a]] * len(repl))
        last = b
    if not parts:
        return text, pos
    parts.append(text[last:])
    new_pos.extend(pos[last:])  # with the end sentinel
    return "".join(parts), new_pos


_CRLF = re.compile(r"\r\n?")
_DOUBLE_NL = re.compile(r"\n\n")  # as str.replace("\n\n", "\n"): non-overlapping, left to right


def _normalize(text: str, pos: Optional[list[int]]) -> tuple[str, Optional[list[int]]]:
    text, pos = _sub(_CRLF, "\n", text, pos)
    if "\x0c" in text:  # form feed at page breaks (pdftotext)
        text, pos = _sub(_FORM_FEED, "\n", text, pos)
    if "\ufffe" in text or "\x02" in text:
        text, pos = _sub(_PDFIUM_HYPHEN, "-\n", text, pos)
    if _is_double_spaced(text):
        # Every content line is followed by exactly one extra "\n"; a run of k
        # empty lines becomes k // 2 (paragraph breaks are whitespace-only lines
        # followed by their own empty line, so they survive).
        text, pos = _sub(_DOUBLE_NL, "\n", text, pos)
    text, pos = _sub(_TRAILING_WS, "", text, pos)
    text, pos = _sub(_PAGE_FOOTER, "", text, pos)
    text, pos = _sub(_HYPHEN_BREAK, "", text, pos)
    return text, pos


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_DATE = r"(\d{1,2}[/-]\d{1,2}[/-]\d{2,4})"
_HEADER_RE = {
    "case_number": re.compile(r"Case\s+Number\s*:\s*([A-Z]{2}\d{2}-\d{4,})"),
    "date_assigned": re.compile(r"Date\s+Assigned\s*:\s*" + _DATE),
    "date_of_injury": re.compile(r"Date\s+of\s+Injury\s*:\s*" + _DATE),
    "decision_date": re.compile(r"Decision\s+Date\s*:\s*" + _DATE),
    "ur_denial_date": re.compile(r"UR\s+Denial\s+Date\s*:\s*" + _DATE),
}
_LICENSURE_RE = re.compile(r"State\(s\)\s+of\s+Licensure\s*:[ \t]*(.*(?:\n(?![ \t]*\n|.*:).*)*)")
_SPECIALTY_RE = re.compile(
    r"Certification\(s\)\s*/\s*Specialty\s*:[ \t]*(.*(?:\n(?![ \t]*\n|.*:|[ \t]*CLINICAL\s+CASE\s+SUMMARY).*)*)"
)
_BOARD_RE = re.compile(
    r"\bis\s+Board\s+Certified\s+in\s+(?P<spec>[^.;]+?)"
    r"(?:,\s+(?:has\s+a\s+|with\s+a\s+)?sub-?specialty\s+in\s+(?P<sub>[^.;]+?))?"
    r",?\s+and\s+is\s+licensed\s+to\s+practice\s+in\s+(?P<lic>[^.;]+?)\s*\.",
)
_SUMMARY_HEAD_RE = re.compile(r"^[ \t]*CLINICAL\s+CASE\s+SUMMARY[ \t]*:?[ \t]*$", re.M)
_SUMMARY_BOILERPLATE_RE = re.compile(
    r"\s*The\s+expert\s+reviewer\s+developed\s+the\s+following\s+clinical\s+case\s+summary"
    r"[^:]{0,200}?:"
)
_ISSUES_HEAD_RE = re.compile(r"^[ \t]*IMR\s+ISSUES\s*,?\s+DECISIONS\s*,?\s+AND\s+RATIONALES[ \t]*:?[ \t]*$", re.M)
_ISSUES_BOILERPLATE_RE = re.compile(
    r"\s*The\s+Final\s+Determination\s+was\s+based\s+on\s+decisions\s+for\s+the\s+disputed"
    r"[^:]{0,120}?set\s+forth\s+below\s*:"
)
_CA_RE = re.compile(r"Claims\s+Administrator\s+guideline\s*:")
_MAXIMUS_RE = re.compile(r"MAXIMUS\s+guideline\s*:")
_RATIONALE_RE = re.compile(r"Decision\s+rationale\s*:")
# The decision closing an item heading, matched on the heading's right-stripped tail:
# "X: Upheld" / "X is:\nOverturned" (any case), or "Upheld" alone on the last line.
_DECISION_RE = re.compile(
    r"(?:(?<=:)[ \t\n]*(?i:(upheld|overturned))\.?|(?<=\n)[ \t]*(Upheld|Overturned))\Z"
)
# "... The remaining IMR eligible portion of the original request, Y is: Upheld"
# (used with .match: the greedy prefix finds the last "original request,").
_ORIGINAL_REQUEST_RE = re.compile(
    r".*\boriginal\s+request\s*,\s*(?P<orig>.+?)(?:\s*,?\s+is)?\s*:?\s*\Z", re.S | re.I
)
# Sentences of a modified-request heading ("X was the original request. Z was
# authorized by the Claims Administrator. The remaining IMR eligible portion...")
# as opposed to a rationale's conclusion.
_MODIFIED_LINE_RE = re.compile(r"original\s+request|\bAdministrator\b|IMR\s+eligible|\bauthori[sz]ed\b", re.I)
_RATIONALE_LINE_RE = re.compile(r"medically\s+necessary|not\s+recommended|certif|guideline|appropriate", re.I)
# A line that closes a rationale: sentence end, possibly followed by quotes/brackets.
_SENTENCE_END_RE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*[ \t]*\Z")
_WS_RE = re.compile(r"\s+")
_LIST_SEP_RE = re.compile(r"\s*,\s*")


def _clean(s: str) -> str:
    return _WS_RE.sub(" ", s).strip()


def _to_date(s: Optional[str]) -> Optional[date]:
    if not s:
        return None
    parts = re.split(r"[/-]", s)
    try:
        m, d, y = (int(x) for x in parts)
        if y < 100:
            y += 2000
        return date(y, m, d)
    except ValueError:
        return None


def _list_field(s: str) -> Optional[str]:
    s = _clean(s)
    if not s:
        return None
    return ", ".join(x for x in _LIST_SEP_RE.split(s) if x)


def _line_no(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _heading_start(text: str, lo: int, end: int) -> int:
    """Offset where an item heading ending at ``end`` starts, not before ``lo``.

    Walks back line by line from the heading's last line while the line above
    does not close a sentence (and is not empty): the previous rationale's last
    line ends with "." (or "?", "!", possibly followed by a quote/bracket).
    ``lo`` is kept inside the previous rationale (its first line is never
    taken into the heading).
    """
    start = text.rfind("\n", lo, end) + 1  # start of the heading's last line
    if start <= lo:
        return lo
    while True:
        prev_end = start - 1  # the "\n" ending the line above
        prev_start = text.rfind("\n", lo, prev_end) + 1
        if prev_start <= lo:  # reached the rationale's first line: keep it there
            return start
        line = text[prev_start:prev_end]
        if not line.strip() or _SENTENCE_END_RE.search(line):
            return start
        start = prev_start


def _extend_modified_heading(text: str, lo: int, start: int) -> int:
    """Pull the earlier sentences of a modified-request heading into it.

    ``"X was the original request. Z was authorized by the Claims Administrator.
    The remaining IMR eligible portion of the original request, Y is: Upheld"``
    may have lines ending with "." inside the heading; a line above is taken
    while it reads like such a sentence and not like a rationale's conclusion.
    """
    while start > lo:
        prev_end = start - 1
        prev_start = text.rfind("\n", lo, prev_end) + 1
        if prev_start <= lo:
            return start
        line = text[prev_start:prev_end]
        if not _MODIFIED_LINE_RE.search(line) or _RATIONALE_LINE_RE.search(line):
            return start
        start = _heading_start(text, lo, prev_end)
    return start


def parse_text(text: str, path: str = "<text>") -> Letter:
    """Parse the text of one letter (as returned by :func:`extract_text`).

    The text is first passed through :func:`normalize_layout`; ``Letter.text``
    is the normalised text and ``summary_start`` is an offset into it.
    Raises :class:`LetterError` when the letter is not in a known layout.
    """
    path = str(path)
    if not text or not text.strip():
        raise LetterError(path, "text", "letter text is empty")
    t = normalize_layout(text)

    # --- clinical case summary -------------------------------------------
    m_sum = _SUMMARY_HEAD_RE.search(t)
    if m_sum is None:
        raise LetterError(path, "CLINICAL CASE SUMMARY", "no 'CLINICAL CASE SUMMARY' heading: unknown letter layout")
    head = t[: m_sum.start()]
    sum_from = m_sum.end()
    m_bp = _SUMMARY_BOILERPLATE_RE.match(t, sum_from)
    if m_bp is not None:
        sum_from = m_bp.end()
    m_iss = _ISSUES_HEAD_RE.search(t, sum_from)
    if m_iss is None:
        raise LetterError(
            path, "IMR ISSUES section",
            f"no 'IMR ISSUES, DECISIONS AND RATIONALES' heading after the summary (line {_line_no(t, sum_from)}); "
            "letter truncated or unknown layout",
        )
    raw_summary = t[sum_from: m_iss.start()]
    lead = len(raw_summary) - len(raw_summary.lstrip())
    summary = raw_summary.strip()
    summary_start = sum_from + lead
    if not summary:
        raise LetterError(path, f"line {_line_no(t, sum_from)}", "clinical case summary is empty")

    # --- header -----------------------------------------------------------
    fields: dict[str, object] = {}
    for name, rx in _HEADER_RE.items():
        m = rx.search(head)
        fields[name] = m.group(1) if m else None
    layout = "2016" if fields["case_number"] else "2013"
    for name in ("date_assigned", "date_of_injury", "decision_date", "ur_denial_date"):
        fields[name] = _to_date(fields[name])  # type: ignore[arg-type]
    specialty = licensure = None
    m = _SPECIALTY_RE.search(head)
    if m:
        specialty = _list_field(m.group(1))
    m = _LICENSURE_RE.search(head)
    if m:
        licensure = _list_field(m.group(1))
    if specialty is None or licensure is None:
        m = _BOARD_RE.search(_clean(head))
        if m:
            if specialty is None:
                spec = m.group("spec")
                if m.group("sub"):
                    spec += ", " + m.group("sub")
                specialty = _list_field(spec)
            if licensure is None:
                licensure = _list_field(m.group("lic"))

    # --- disputed items ---------------------------------------------------
    sec_from = m_iss.end()
    m_bp = _ISSUES_BOILERPLATE_RE.match(t, sec_from)
    if m_bp is not None:
        sec_from = m_bp.end()
    anchors = list(_CA_RE.finditer(t, sec_from))
    if not anchors:
        raise LetterError(
            path, "IMR ISSUES section",
            f"no disputed item ('Claims Administrator guideline:') after line {_line_no(t, sec_from)}; "
            "letter truncated or unknown layout",
        )
    items: list[Item] = []
    region_lo = sec_from  # where the current heading may start
    is_first = True
    pending: Optional[dict] = None  # previous item, waiting for its rationale end
    for k, anchor in enumerate(anchors, start=1):
        where = f"item {k} heading"
        head_end = anchor.start()
        tail_from = max(region_lo, head_end - 300)
        tail = t[tail_from:head_end].rstrip()
        m_dec = _DECISION_RE.search(tail)
        if m_dec is None:
            raise LetterError(
                path, where,
                f"no 'Upheld'/'Overturned' decision before 'Claims Administrator guideline:' "
                f"(line {_line_no(t, head_end)})",
            )
        decision = (m_dec.group(1) or m_dec.group(2)).capitalize()
        dec_at = tail_from + m_dec.start()  # heading text ends here
        h_end = dec_at
        while h_end > region_lo and t[h_end - 1] in " \t\n":
            h_end -= 1
        # heading start: item 1 starts right after the section boilerplate;
        # later ones end the previous rationale (see _heading_start)
        if is_first:
            h_start = region_lo
        else:
            h_start = _heading_start(t, region_lo, h_end)
            if _ORIGINAL_REQUEST_RE.match(t, h_start, h_end):
                h_start = _extend_modified_heading(t, region_lo, h_start)
        if pending is not None:
            pending["rationale"] = t[pending["rationale_from"]: h_start]
            items.append(_make_item(path, pending))
        heading = t[h_start:h_end]
        m_orig = _ORIGINAL_REQUEST_RE.match(heading)
        item_text = m_orig.group("orig") if m_orig else heading
        item_text = _clean(item_text).rstrip(" :").rstrip()
        if not item_text:
            raise LetterError(path, where, f"empty item heading (line {_line_no(t, head_end)})")

        # guideline and rationale blocks
        block_to = anchors[k].start() if k < len(anchors) else len(t)
        m_max = _MAXIMUS_RE.search(t, anchor.end(), block_to)
        if m_max is None:
            raise LetterError(path, f"item {k}", f"no 'MAXIMUS guideline:' (line {_line_no(t, anchor.start())})")
        m_rat = _RATIONALE_RE.search(t, m_max.end(), block_to)
        if m_rat is None:
            raise LetterError(path, f"item {k}", f"no 'Decision rationale:' (line {_line_no(t, m_max.start())})")
        pending = {
            "index": k,
            "text": item_text,
            "decision": decision,
            "ca": t[anchor.end(): m_max.start()],
            "maximus": t[m_max.end(): m_rat.start()],
            "rationale_from": m_rat.end(),
        }
        region_lo = m_rat.end()
        is_first = False
    assert pending is not None
    last = t[pending["rationale_from"]:].rstrip()
    if _DECISION_RE.search(last[-300:]):
        # an item heading after the last rationale with nothing following it
        raise LetterError(
            path, f"item {len(anchors) + 1} heading",
            "decision heading without 'Claims Administrator guideline:' at the end "
            f"(line {_line_no(t, pending['rationale_from'] + len(last))}); "
            "letter truncated?",
        )
    pending["rationale"] = last
    items.append(_make_item(path, pending))

    return Letter(
        path=path,
        layout=layout,
        case_number=fields["case_number"],
        date_assigned=fields["date_assigned"],
        date_of_injury=fields["date_of_injury"],
        decision_date=fields["decision_date"],
        ur_denial_date=fields["ur_denial_date"],
        reviewer_specialty=specialty,
        reviewer_licensure=licensure,
        summary=summary,
        summary_start=summary_start,
        items=items,
        text=t,
        source=text,
    )


def _make_item(path: str, p: dict) -> Item:
    rationale = _clean(p["rationale"])
    if not rationale:
        raise LetterError(path, f"item {p['index']}", "empty decision rationale; letter truncated?")
    return Item(
        index=p["index"],
        text=p["text"],
        decision=p["decision"],
        claims_administrator_guideline=_clean(p["ca"]),
        maximus_guideline=_clean(p["maximus"]),
        rationale=rationale,
    )


def parse_letter(path: PathLike) -> Letter:
    """Read and parse one letter file (``.pdf`` or text)."""
    return parse_text(extract_text(path), str(path))
