"""Every command reports a broken rules folder as file:line and exits 1 without a traceback; usage errors exit 2."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker import __version__, rules
from checker.batch import available_cpus, worker_count
from checker.cli import app

ROOT = Path(__file__).resolve().parents[1]
LETTER = Path(__file__).parent / "fixtures" / "letters" / "letter_2016.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def broken_rules(tmp_path_factory):
    """A copy of the catalog with one bad `effect:`; returns (folder, 'path:line')."""
    d = tmp_path_factory.mktemp("rules") / "criteria"
    shutil.copytree(Path(rules.__file__).parent / "criteria", d)
    path = d / "acr" / "dexa.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.strip().startswith("effect:"))
    lines[n] = lines[n].split("effect:")[0] + "effect: bogus\n"
    path.write_text("".join(lines), encoding="utf-8")
    return d, f"{path}:{n + 1}"


def _run(args: list[str], env_extra: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("IMRCHECK_RULES", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=300)


def _commands(tmp: Path) -> dict[str, list[str]]:
    note = tmp / "note.txt"
    note.write_text("Low back pain for six weeks, no red flags.\n", encoding="utf-8")
    batch = tmp / "in.jsonl"
    batch.write_text('{"id": 1, "summary": "Low back pain.", "requests": ["MRI lumbar spine"]}\n', encoding="utf-8")
    return {
        "check": ["check", str(note), "--request", "MRI of the lumbar spine"],
        "check --batch": ["check", "--batch", str(batch), "-j", "1"],
        "evaluate": ["evaluate", str(LETTER)],
        "evaluate --jsonl": ["evaluate", "--jsonl", str(LETTER)],
        "why": ["why", str(LETTER)],
        "audit": ["audit", str(LETTER)],
        "rules list": ["rules", "list"],
        "rules show": ["rules", "show", "no.such.rule"],
        "rules test": ["rules", "test"],
        "rules lint": ["rules", "lint"],
        "rules docs": ["rules", "docs", "--out", str(tmp / "docs")],
    }


COMMANDS = ["check", "check --batch", "evaluate", "evaluate --jsonl", "why", "audit", "rules list", "rules show",
            "rules test", "rules lint", "rules docs"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_reports_a_broken_rule_file_with_file_and_line(command, broken_rules, tmp_path):
    folder, where = broken_rules
    args = _commands(tmp_path)[command]
    res = _run([*args, "--rules", str(folder)])
    assert res.returncode == 1, res.stderr
    assert where in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


@pytest.mark.parametrize("command", ["why", "rules list", "check"])
def test_imrcheck_rules_env_works_too(command, broken_rules, tmp_path):
    folder, where = broken_rules
    res = _run(_commands(tmp_path)[command], env_extra={"IMRCHECK_RULES": str(folder)})
    assert res.returncode == 1 and where in res.stderr and "Traceback" not in res.stderr


def test_rules_before_the_command_and_a_good_folder(tmp_path):
    good = tmp_path / "criteria"
    shutil.copytree(Path(rules.__file__).parent / "criteria", good)
    res = _run(["--rules", str(good), "rules", "list", "--json"])
    assert res.returncode == 0, res.stderr
    assert str(good) in res.stdout  # the rules were read from that folder


@pytest.mark.parametrize("args", [
    ["evaluate", str(LETTER), "-j", "0"],
    ["evaluate", str(LETTER), "--workers", "-2"],
    ["audit", str(LETTER), "-j", "0"],
    ["check", "--batch", "x.jsonl", "-j", "0"],
    ["evaluate", str(LETTER), "--time-limit", "0"],
    ["evaluate", str(LETTER), "--time-limit", "-5"],
    ["audit", str(LETTER), "--time-limit", "0"],
])
def test_bad_worker_count_or_time_limit_is_a_usage_error(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"imrcheck {__version__}"


def test_worker_count_is_capped_at_processors_and_inputs():
    cpus = available_cpus()
    assert worker_count(1000) == cpus
    assert worker_count(1000, inputs=1) == 1
    assert worker_count(None, inputs=3) == min(3, cpus, 8)
    assert worker_count(2, inputs=0) == 1
    with pytest.raises(ValueError):
        worker_count(0)
