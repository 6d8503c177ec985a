"""Redaction of personal identifiers from outputs (``imrcheck --redact ...``).

Letters published by the DWC are already redacted, but summaries still carry provider names, and letters from
other sources carry more. ``--redact`` masks, in everything a command prints:

- personal names after a title or a label (Dr. Jane Roe, Mr. Roe, Patient: Jane Roe, Applicant name: ...),
- dates of birth (DOB 01/02/1960, date of birth: January 2, 1960, born on ...),
- claim, policy, social security and medical record numbers.

Masks are bracketed labels (``[NAME]``, ``[DOB]``, ``[CLAIM NO]``, ``[SSN]``), so a redacted quote no longer
equals ``text[start:end]`` of the source; offsets are kept so the source can still be located by whoever holds it.
IMR case numbers (CM16-...) are public review identifiers and are kept.
"""
from __future__ import annotations

import re

_NAME = r"[A-Z][a-zA-Z'\-]+(?:\s+[A-Z]\.?(?=\s))?(?:\s+[A-Z][a-zA-Z'\-]+){0,2}"
_DATE = r"(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},?\s+\d{4})"
_PATTERNS = [
    (re.compile(rf"\b(?:DOB|D\.O\.B\.|date of birth|birth ?date|born on)\s*[:#]?\s*{_DATE}", re.I), "[DOB]"),
    (re.compile(r"\b(?:claim|policy|member|medical record|MRN|account)\s*(?:number|no\.?|#|num\.?)?\s*[:#]?\s*(?=[A-Z0-9\-]*\d)[A-Z0-9][A-Z0-9\-]{4,}", re.I), "[CLAIM NO]"),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[SSN]"),
    (re.compile(rf"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx)\.?\s+{_NAME}"), "[NAME]"),
    (re.compile(rf"\b(?:patient|applicant|employee|injured worker|claimant)(?:'s)?\s+name\s*[:\-]?\s*{_NAME}", re.I), "[NAME]"),
    (re.compile(rf"(?m)^(?:Patient|Applicant|Employee|Claimant|Name)\s*:\s*{_NAME}"), "[NAME]"),
]


def redact(text: str, keep_width: bool = False) -> str:
    """Mask identifiers; ``keep_width`` pads each mask to the masked length (for laid-out terminal output)."""
    for rx, mask in _PATTERNS:
        if keep_width:
            text = rx.sub(lambda m, mask=mask: (mask + " " * len(m.group(0)))[: max(len(mask), len(m.group(0)))], text)
        else:
            text = rx.sub(mask, text)
    return text
