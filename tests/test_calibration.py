"""The measured probability: fitting, cross-validation by letter, and the installed table."""
from datetime import date

from checker import check
from checker.calibration import cross_validate, fit, load_table


def test_fit_shrinks_small_cells_towards_the_base_rate():
    pairs = [("Upheld/firm", False)] * 50 + [("Overturned/firm", True)] * 3 + [("Overturned/firm", False)]
    t = fit(pairs)
    assert 0 < t["Upheld/firm"] < t["*"] < t["Overturned/firm"] < 0.75
    assert t["Overturned/firm"] != 0.75  # shrunk, not the raw 3/4


def test_cross_validation_leaves_each_letter_out():
    rows = [(f"L{i}", "Upheld/firm", False) for i in range(20)] + [("L20", "Overturned/firm", True)]
    cv = cross_validate(rows)
    # the only Overturned/firm letter is scored by a table that never saw that cell: it gets the base rate
    assert cv["items"] == 21 and cv["letters"] == 21
    assert cv["brier"] > 0.5 * cv["brier_base_rate"]
    assert sum(b["items"] for b in cv["bins"]) == 21


def test_results_carry_the_installed_probability():
    table = load_table()
    assert table and "*" in table
    r = check("Chronic low back pain for a year. No red flags. Neurologically intact.", "MRI of the lumbar spine",
              as_of=date(2016, 6, 1))
    assert r.probability_certified is not None and r.probability_certified < 0.2
