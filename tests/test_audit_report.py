"""Audit display: intervals that cannot be estimated, letter links as given, the findings filter box."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil

from test_audit import _item, _letter, MTUS_LINE  # the synthetic builders of test_audit
from typer.testing import CliRunner

from checker.audit import agreement, write_csv
from checker.cli import app
from checker.report_html import _agreement_table, _Links, kappa_chart

runner = CliRunner()


def _ag_25_of_26():
    # a specialty where the reviewer upheld all 26 and we agree on 25: kappa is 0 by construction
    items = [_item(f"{k:02d}.txt", specialty="Family Practice") for k in range(25)]
    items.append(_item("zz.txt", predicted="Overturned", specialty="Family Practice"))
    # a small run that agrees throughout, both outcomes present: kappa 1 with a standard error of 0
    items += [_item(f"s{k}.txt", specialty="Orthopedic Surgery", decision=d, predicted=d)
              for k, d in enumerate(["Upheld", "Overturned", "Upheld", "Overturned"])]
    return agreement(items)


def test_kappa_interval_not_estimable_in_json_table_chart_and_csv(tmp_path):
    ag = _ag_25_of_26()
    fam = next(r for r in ag["by_specialty"] if r["group"] == "Family Practice")
    assert fam["agree"] == 25 and fam["n"] == 26
    assert fam["kappa"] is None and fam["ci"] is None and "not estimable" in fam["note"]
    ortho = next(r for r in ag["by_specialty"] if r["group"] == "Orthopedic Surgery")
    assert ortho["kappa"] == 1.0 and ortho["ci"] is None and "not estimable" in ortho["note"]
    table = _agreement_table(ag)
    assert "0.00</td><td" not in table.replace('class="num"', "")  # no 0.00 (0.00-0.00)
    assert "1.00</td><td class=\"num\">1.00" not in table
    assert table.count("not estimable") >= 4
    chart = kappa_chart("k", ag["overall"], ag["by_specialty"])
    assert "not estimable" in chart
    report = {"findings": [], "rates": {"overall": {"group": "all", "n": 0, "letters": 0, "upheld": 0,
                                                    "overturned": 0, "overturn_rate": None, "ci": None},
                                        **{d: [] for d in ("modality", "region", "guideline_family", "specialty", "year")}},
              "agreement": ag}
    write_csv(report, tmp_path)
    with open(tmp_path / "agreement.csv", newline="") as fh:
        rows = {r["group"]: r for r in csv.DictReader(fh)}
    assert rows["Family Practice"]["ci_low"] == "not estimable" and rows["Family Practice"]["kappa"] == "not estimable"
    assert rows["Orthopedic Surgery"]["ci_high"] == "not estimable" and rows["Orthopedic Surgery"]["kappa"] == "1.0"


def test_letter_links_keep_the_path_as_given(tmp_path):
    real = tmp_path / "store" / "letters"
    real.mkdir(parents=True)
    (real / "a.txt").write_text("x")
    work = tmp_path / "work"
    work.mkdir()
    os.symlink(real, work / "letters")  # the letters reached through a link beside the report
    links = _Links([str(work / "letters" / "a.txt")], work)
    assert links.href(str(work / "letters" / "a.txt")) == "letters/a.txt"


def test_report_moved_with_its_letters_still_links(tmp_path):
    d = tmp_path / "bundle"
    (d / "letters").mkdir(parents=True)
    (d / "letters" / "a.txt").write_text(_letter("CM16-9000001", "Family Practice", [
        ("MRI of the lumbar spine", "Upheld", "Decision based on MTUS Low Back Complaints 2004.", MTUS_LINE,
         "The MTUS reserves imaging for red flags. The request is not medically necessary.")]))
    res = runner.invoke(app, ["audit", str(d / "letters"), "--html", str(d / "report.html"), "-j", "1", "--json"])
    assert res.exit_code == 0, res.output
    moved = tmp_path / "moved"
    shutil.move(str(d), str(moved))
    page = (moved / "report.html").read_text()
    hrefs = set(re.findall(r'href="([^"#][^"]*)"', page))
    assert hrefs == {"letters/a.txt"}
    assert all((moved / h).is_file() for h in hrefs)


def test_findings_tables_have_a_filter_box(tmp_path):
    d = tmp_path / "l"
    d.mkdir()
    (d / "a.txt").write_text(_letter("CM16-9000001", "Family Practice", [
        ("MRI of the lumbar spine", "Upheld", "Decision based on MTUS Low Back Complaints 2004.", MTUS_LINE,
         "The request is not medically necessary.")]))
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["audit", str(d), "--html", str(out), "-j", "1", "--json"])
    assert res.exit_code == 0, res.output
    page = out.read_text()
    rep = json.loads(res.stdout)
    for t in rep["counts"]:
        assert f'class="row-filter" data-table="{t}-table"' in page
        assert f'id="{t}-table"' in page
    assert "filterRows" in page and "<script src" not in page and "http" not in page.split("<script>")[1]


def test_report_script_is_valid_javascript(tmp_path):
    import subprocess

    import pytest

    from checker.report_html import _JS

    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed")
    f = tmp_path / "report.js"
    f.write_text(_JS, encoding="utf-8")
    assert subprocess.run([node, "--check", str(f)], capture_output=True).returncode == 0


_FILTER_CHECK = """<script>
(function(){
  var input = document.querySelector('input.row-filter[data-table="rationale_cites_nothing-table"]');
  var t = document.getElementById('rationale_cites_nothing-table');
  var n = t.tBodies[0].rows.length;
  function visible(){ return Array.prototype.filter.call(t.tBodies[0].rows, function(r){ return r.style.display !== 'none'; }).length; }
  input.value = 'CM16-9000002'; input.dispatchEvent(new Event('input'));
  var one = visible();
  input.value = 'no-such-text'; input.dispatchEvent(new Event('input'));
  var none = visible();
  input.value = ''; input.dispatchEvent(new Event('input'));
  document.documentElement.setAttribute('data-test-filter', n + ',' + one + ',' + none + ',' + visible());
})();
</script></body>"""


def test_filter_box_filters_rows_in_headless_chromium(tmp_path):
    import pytest
    from test_audit import CHROMIUM, _chromium

    if CHROMIUM is None:
        pytest.skip("chromium not on PATH")
    d = tmp_path / "l"
    d.mkdir()
    for case in ("CM16-9000001", "CM16-9000002"):
        (d / f"{case}.txt").write_text(_letter(case, "Family Practice", [
            ("MRI of the lumbar spine", "Upheld", "Decision based on MTUS Low Back Complaints 2004.", MTUS_LINE,
             "The request is not medically necessary.")]))
    out = tmp_path / "r.html"
    assert runner.invoke(app, ["audit", str(d), "--html", str(out), "-j", "1"]).exit_code == 0
    probe = tmp_path / "probe.html"
    probe.write_text(out.read_text().replace("</body>", _FILTER_CHECK, 1))
    dom = _chromium(["--dump-dom", probe.as_uri()], tmp_path / "profile").stdout
    assert 'data-filter="ready"' in dom
    assert 'data-test-filter="2,1,0,2"' in dom  # two rows; one matches the case number; none; both again
