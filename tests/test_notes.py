"""The clinic-note suite: short notes written for this project the way physicians' offices write them
(eval/notes/*.yaml), each with its request, date, expected outcome by the guideline criteria and reasons.

Every note must come out as expected; together they must show the criteria both met and not met.
"""
from __future__ import annotations

from datetime import date

import pytest

from checker.predict import default_checker
from checker.reasons import NOTES_DIR, load_notes, result_reasons

NOTES = load_notes(NOTES_DIR)


@pytest.fixture(scope="module")
def results():
    ch = default_checker()
    return {n.id: ch.check(n.text, n.request, as_of=n.as_of) for n in NOTES}


def test_suite_size():
    assert len(NOTES) >= 80
    assert sum(n.expect == "Overturned" for n in NOTES) >= 20
    assert sum(n.expect == "Upheld" for n in NOTES) >= 40


@pytest.mark.parametrize("note", NOTES, ids=[n.id for n in NOTES])
def test_note_outcome(note, results):
    r = results[note.id]
    assert r.status != "no rule applies", f"{note.file}: {note.request!r} is not read as an in-scope request"
    assert r.imr_outcome == note.expect, (
        f"{note.file} {note.id}: expected {note.expect} ({', '.join(note.reasons)}), got {r.imr_outcome} by "
        f"{r.rules} ({', '.join(result_reasons(r, default_checker().engine.by_id))}); evidence "
        f"{[e.quote for e in r.evidence]}")
    for e in r.evidence:  # offsets index the note as given
        assert note.text[e.start:e.end] == e.quote


def test_every_criterion_shown_met_and_not_met(results):
    """Each criterion in force before 12/1/2017 for imaging, electrodiagnostics and therapy is met in some note and
    in play but not met in another."""
    ch = default_checker()
    seen: dict[str, set[str]] = {}
    for r in results.values():
        for c in r.criteria:
            seen.setdefault(c.rule, set()).add(c.state)
    wanted = [rule for rule in ch.rules if rule.applies_to.in_force.from_ < date(2017, 12, 1)]
    missing = [f"{rule.id}: {sorted({'met', 'not met'} - seen.get(rule.id, set()))}" for rule in wanted
               if not {"met", "not met"} <= seen.get(rule.id, set())]
    share = 1 - len(missing) / len(wanted)
    assert share >= 0.9, f"{len(missing)} of {len(wanted)} criteria not shown both ways:\n" + "\n".join(missing)
