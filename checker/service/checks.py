"""Running checks for every front end (web page, JSON API, CDS Hooks) with the rules loaded once per process.

``results_document`` is the JSON shape ``imrcheck check --json`` prints, so the API answers exactly what the CLI prints.
"""
from __future__ import annotations

import threading
from datetime import date
from typing import Any, Optional, Sequence

from ..models import Fact, Result

WARM_NOTE = ("The patient reports low back pain radiating to the left leg for 8 weeks. Straight leg raise is positive on "
             "the left. He completed 12 sessions of physical therapy without improvement. No red flags.")


# durable_rules' C engine is not documented as thread-safe: one check at a time per process (a check takes a few
# milliseconds; run more processes with --workers for parallel calls)
_LOCK = threading.Lock()


class InputError(ValueError):
    """Bad input from a user or a client: shown as a message, never as a stack trace."""


def warm() -> int:
    """Load rules, lexicon and engine, and run one check so the first real call is fast. Returns the rule count."""
    from ..predict import default_checker

    checker = default_checker()
    with _LOCK:
        for request in ("MRI of the lumbar spine", "Physical therapy, 8 visits", "Chiropractic manipulation, 6 visits",
                        "EMG/NCS of the upper extremities", "cholesterol panel"):
            checker.check(WARM_NOTE, request, as_of=date(2016, 12, 1))
    return len(checker.rules)


def clean_requests(requests: Sequence[str]) -> list[str]:
    out = [r.strip() for r in requests if r and r.strip()]
    if not out:
        raise InputError("Give at least one request (for example \"MRI of the lumbar spine\").")
    if len(out) > 50:
        raise InputError(f"At most 50 requests at a time ({len(out)} given).")
    return out


def run_checks(summary: str, requests: Sequence[str], as_of: Optional[date],
               facts: Optional[list[Fact]] = None) -> list[Result]:
    """One Result per request, exactly as ``imrcheck check`` computes them.

    The note's facts are extracted once for all the requests (``Checker.check`` would extract them per request);
    pass ``facts`` from ``note_facts(summary, as_of)`` to reuse them across calls.
    """
    from ..facts import extract_facts
    from ..predict import default_checker

    if not summary or not summary.strip():
        raise InputError("The note is empty: paste the clinical note or upload it as a text or PDF file.")
    checker = default_checker()
    wanted = clean_requests(requests)
    with _LOCK:
        if facts is None:
            facts = extract_facts(summary, as_of=as_of or date.today())  # the date Checker.check would use
        return [checker.check(summary, r, as_of=as_of, facts=facts) for r in wanted]


def results_document(results: Sequence[Result]) -> dict[str, Any]:
    """The ``imrcheck check --json`` document: ``{"results": [...]}``."""
    return {"results": [r.model_dump(mode="json") for r in results]}


def note_facts(summary: str, as_of: Optional[date]) -> list[Fact]:
    from ..facts import extract_facts

    with _LOCK:
        return extract_facts(summary, as_of=as_of or date.today())
