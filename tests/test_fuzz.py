"""Property tests and the 10,000-letter fuzz job: only declared errors, offsets inside the text."""
from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.letters import LetterError, parse_text
from checker.predict import default_checker

FIXTURE = (Path(__file__).parent / "fixtures" / "letters" / "letter_2016.txt").read_text(encoding="utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_parser_raises_only_letter_errors_on_any_text(text):
    try:
        parse_text(text, path="any.txt")
    except LetterError as exc:
        assert "any.txt" in str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(FIXTURE)), st.integers(0, len(FIXTURE)), st.text(max_size=200))
def test_parser_on_spliced_letters(a, b, junk):
    a, b = min(a, b), max(a, b)
    text = FIXTURE[:a] + junk + FIXTURE[b:]
    try:
        letter = parse_text(text, path="spliced.txt")
    except LetterError:
        return
    assert letter.items
    assert letter.text[letter.summary_start:letter.summary_start + len(letter.summary)] == letter.summary


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=1500), st.text(max_size=80))
def test_check_on_any_summary_and_request(summary, request):
    res = default_checker().check(summary, request)
    assert res.imr_outcome in (None, "Upheld", "Overturned")
    for e in res.evidence:
        assert 0 <= e.start <= e.end <= len(summary) and summary[e.start:e.end] == e.quote


def test_fuzz_job_runs_ten_thousand_mutated_letters_cleanly():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import fuzz  # benchmarks/fuzz.py: importable by name so the worker processes can unpickle its functions

    report = fuzz.run(10_000, seed=1, workers=2)
    assert report["failures"] == 0, report["first_failures"]
    assert report["parsed"] > 1000 and report["letter_errors"] > 1000
