"""A built wheel installed into a fresh virtual environment works from any folder: the rules, the vocabulary
and the lexicon ship as package data.

Slow (a venv and an install; about a minute with a warm pip cache): ``pytest -m "not slow"`` leaves it out.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LETTER = Path(__file__).parent / "fixtures" / "letters" / "letter_2016.txt"
NOTE = "45-year-old with low back pain radiating to the left leg for eight weeks, no red flags, failed physical therapy.\n"

pytestmark = pytest.mark.slow


def _sh(cmd: list[str], cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))}\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
    return res


def test_wheel_installs_and_runs_from_another_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("IMRCHECK_RULES", "PYTHONPATH", "VIRTUAL_ENV")}
    env["IMRCHECK_CACHE_DIR"] = str(tmp_path / "cache")
    src = tmp_path / "src"  # build from a clean copy: nothing written into the working tree
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info",
                                                              "__pycache__", ".pytest_cache", ".hypothesis"))
    wheels = tmp_path / "wheels"
    _sh([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)], tmp_path, env)
    (wheel,) = wheels.glob("imrcheck-*.whl")
    venv = tmp_path / "venv"
    _sh([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    pip = venv / "bin" / "pip"
    _sh([str(pip), "install", "-q", str(wheel)], tmp_path, env)
    exe = venv / "bin" / "imrcheck"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    note = elsewhere / "note.txt"
    note.write_text(NOTE, encoding="utf-8")

    from checker import __version__

    assert _sh([str(exe), "--version"], elsewhere, env).stdout.strip() == f"imrcheck {__version__}"
    out = json.loads(_sh([str(exe), "check", str(note), "--request", "MRI of the lumbar spine", "--as-of",
                          "2016-06-01", "--json"], elsewhere, env).stdout)
    assert out["results"][0]["imr_outcome"] in ("Upheld", "Overturned")
    assert out["results"][0]["criteria"], "no criterion was read: the packaged rules are missing"
    why = json.loads(_sh([str(exe), "why", str(LETTER), "--json"], elsewhere, env).stdout)
    assert any(i["predicted"] for i in why["items"])
    lines = _sh([str(exe), "evaluate", "--jsonl", str(LETTER)], elsewhere, env).stdout.splitlines()
    summary = json.loads(lines[-1])
    assert summary["type"] == "summary" and summary["scored"] >= 1
    # the installed package, not this source tree, answered
    where = _sh([str(venv / "bin" / "python"), "-c", "import checker; print(checker.__file__)"], elsewhere, env).stdout
    assert str(venv) in where
