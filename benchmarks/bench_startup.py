"""Cold start of `imrcheck check` against the import floor, side by side.

    python benchmarks/bench_startup.py [--rounds 15] [--note FILE] [--json]

Runs, as fresh subprocesses taking turns (floor, check, floor, check, ...), so that a drift in the machine's
speed hits both alike:

* the import floor: ``python -c "import pydantic, yaml, typer, rich, durable.lang"``, the libraries every
  command needs;
* a cold check of one note: ``python -m checker check NOTE --request "MRI of the lumbar spine"`` with the
  on-disk cache of the catalog and lexicon filled (as after the first run following an install or a rule edit);
* once, the same check with an empty cache folder (the first run), for reference.

Prints the median wall and CPU seconds of each and the ratio check / floor (the median of the per-round ratios).
Byte-code is written (PYTHONDONTWRITEBYTECODE is removed from the children's environment) and one unmeasured
warm-up round runs first, as on a user's machine after the first command.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = [sys.executable, "-c", "import pydantic, yaml, typer, rich, durable.lang"]
NOTE = ("The injured worker is a 45-year-old male with low back pain radiating to the left leg since a lifting "
        "injury on 01/05/2016. Examination shows decreased sensation in the L5 dermatome and a positive straight "
        "leg raise. He completed 12 sessions of physical therapy without improvement. No red flags. No prior MRI.\n")


def _run(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; the command must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--note", type=Path, help="a case-summary text file (default: a built-in lumbar note)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="imrcheck-startup-") as tmp:
        note = a.note or Path(tmp) / "note.txt"
        if a.note is None:
            note.write_text(NOTE, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env["IMRCHECK_CACHE_DIR"] = str(Path(tmp) / "cache")
        env.pop("IMRCHECK_CACHE", None)
        env.pop("IMRCHECK_RULES", None)
        check = [sys.executable, "-m", "checker", "check", str(note), "--request", "MRI of the lumbar spine",
                 "--as-of", "2016-06-01"]
        first = _run(check, env)  # empty cache: builds and stores the catalog and the lexicon
        _run(FLOOR, env)  # warm-up (byte-code, page cache)
        _run(check, env)
        floor, cold, ratio_wall, ratio_cpu = [], [], [], []
        for _ in range(a.rounds):
            f = _run(FLOOR, env)
            c = _run(check, env)
            floor.append(f)
            cold.append(c)
            ratio_wall.append(c[0] / f[0])
            ratio_cpu.append(c[1] / f[1] if f[1] else float("nan"))
    med = statistics.median
    report = {
        "rounds": a.rounds,
        "floor_wall_s": round(med(x[0] for x in floor), 3), "floor_cpu_s": round(med(x[1] for x in floor), 3),
        "check_wall_s": round(med(x[0] for x in cold), 3), "check_cpu_s": round(med(x[1] for x in cold), 3),
        "ratio_wall": round(med(ratio_wall), 2), "ratio_cpu": round(med(ratio_cpu), 2),
        "first_run_empty_cache_wall_s": round(first[0], 3),
        "python": sys.version.split()[0], "cpus": os.cpu_count(),
    }
    if a.json:
        print(json.dumps(report))
    else:
        print(f"import floor        median {report['floor_wall_s']:.3f} s wall, {report['floor_cpu_s']:.3f} s CPU")
        print(f"cold check          median {report['check_wall_s']:.3f} s wall, {report['check_cpu_s']:.3f} s CPU")
        print(f"check / floor       median {report['ratio_wall']:.2f} (wall), {report['ratio_cpu']:.2f} (CPU) over {a.rounds} rounds")
        print(f"first run (empty cache): {report['first_run_empty_cache_wall_s']:.3f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
