"""End-to-end throughput and memory of `imrcheck evaluate`-style batches.

    python benchmarks/bench_pipeline.py [--sizes 300,1200] [--workers 2] [--input text,pdf] [--engine-cases 100000]

Builds a corpus in a temporary folder from the real letters in ../shared (replicated under new names) plus
generated variants of their text (ages, dates and sentence order changed), then streams it through the same
code path as `imrcheck evaluate --jsonl` (process pool forked after loading, results in order, each result
serialised as the --jsonl writer does). Each run size is measured in a fresh process, and reports:

* whole-run rate: letters / wall seconds of the whole run, start-up and pool start included;
* marginal rate: the slope between the two run sizes, (N2 - N1) / (t2 - t1): the steady-state rate once
  loaded and started;
* CPU seconds of the main process and of the workers (summed), and the CPU per letter at the margin: on a
  shared, busy machine the wall figures drift and the CPU figures are the steadier ones;
* peak RSS of the main process and of the largest worker.

`--engine-cases` evaluates that many cases on one durable_rules engine (features built once, only the engine
call timed) and reports microseconds per case and RSS along the way. Nothing is written into the repository;
the temporary corpus is deleted afterwards.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def variant(text: str, rng: random.Random) -> str:
    """A generated variant: new age, shifted day numbers, summary sentences reordered."""
    text = re.sub(r"\b(\d{2})-year-old", lambda m: f"{rng.randint(22, 70)}-year-old", text)
    text = re.sub(r"\b(January|March|May|July|October|December) (\d{1,2}),", lambda m: f"{m.group(1)} {rng.randint(1, 28)},", text)
    head, sep, rest = text.partition("including all medical records:")
    if sep:
        summary, sep2, tail = rest.partition("IMR ISSUES, DECISIONS AND RATIONALES")
        sents = re.split(r"(?<=\.)\s+(?=[A-Z])", summary.strip())
        if len(sents) > 3:
            first, body = sents[0], sents[1:]
            rng.shuffle(body)
            summary = "\n" + " ".join([first] + body) + "\n"
        text = head + sep + summary + sep2 + tail
    return text


def build_corpus(folder: Path, n: int, kind: str, seed: int = 0) -> int:
    from checker.letters import extract_text

    rng = random.Random(seed)
    pdfs = sorted((SHARED / "corpus" / "dwc-2016").glob("*.pdf"))
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if kind == "pdf":
        for i in range(n):
            src = pdfs[i % len(pdfs)]
            dst = folder / f"L{i:07d}.pdf"
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
        return n
    texts = [extract_text(p) for p in pdfs + seeds]
    for i in range(n):
        t = texts[i % len(texts)]
        if i >= len(texts) and i % 2:
            t = variant(t, rng)
        (folder / f"L{i:07d}.txt").write_text(t, encoding="utf-8")
    return n


def run_once(folder: Path, workers: int) -> dict:
    """Stream every letter of the folder through the pipeline; called in a fresh process."""
    from checker.evaluate import Scorer, iter_evaluations

    paths = sorted(folder.iterdir())
    t0 = time.perf_counter()
    letters = items = errors = 0
    scorer = Scorer()
    for o in iter_evaluations(paths, workers=workers):
        letters += 1
        errors += o.error is not None
        for i in o.items:
            items += 1
            scorer.add(i)
            # the --jsonl writer's cost, without keeping anything
            json.dumps({"type": "item", **i.model_dump()}, ensure_ascii=False, default=str)
    dt = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"letters": letters, "items": items, "errors": errors, "seconds": round(dt, 3),
            "letters_per_s": round(letters / dt, 1),
            "cpu_main_s": round(me.ru_utime + me.ru_stime, 2), "cpu_workers_s": round(kids.ru_utime + kids.ru_stime, 2),
            "peak_rss_main_mb": round(me.ru_maxrss / 1024, 1), "peak_rss_worker_mb": round(kids.ru_maxrss / 1024, 1),
            "scored": scorer.report()["scored"]}


def engine_memory(cases: int) -> dict:
    from datetime import date

    from checker.engine import build_features
    from checker.predict import default_checker
    from checker.requests import normalize_request

    chk = default_checker()
    reqs = [normalize_request(t) for t in ("MRI of the lumbar spine", "physical therapy 12 sessions for the knee",
                                           "EMG/NCS of the bilateral upper extremities", "x-ray of the left shoulder")]
    feats = [build_features([], r, date(2016, 12, 1)) for r in reqs]
    for f in feats:  # register every ruleset before timing
        chk.engine.evaluate(f)
    marks = {}
    t0 = time.perf_counter()
    for i in range(1, cases + 1):
        f = feats[i % len(feats)]
        f["f_age"] = 20 + i % 60
        chk.engine.evaluate(f)
        if i in (1_000, cases // 10, cases):
            marks[i] = round(_rss_mb(), 1)
    dt = time.perf_counter() - t0
    return {"cases": cases, "us_per_case": round(dt / cases * 1e6, 1), "rss_mb_at": marks}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="300,1200", help="two run sizes: the whole-run rate is taken at the larger, "
                    "the marginal rate between them")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--input", default="text")
    ap.add_argument("--engine-cases", type=int, default=100_000)
    ap.add_argument("--run", help=argparse.SUPPRESS)  # internal: measure one folder in this process
    a = ap.parse_args()
    if a.run:
        print(json.dumps(run_once(Path(a.run), a.workers)))
        return 0
    if not (SHARED / "corpus" / "dwc-2016").is_dir():
        print("../shared not found: the benchmark replicates the real letters there; nothing measured.")
        return 0
    sizes = sorted({int(x) for x in a.sizes.split(",")})
    report = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                          "load_average": os.getloadavg()},
              "workers": a.workers, "runs": [], "rates": []}
    for kind in a.input.split(","):
        runs = []
        for n in sizes:
            with tempfile.TemporaryDirectory(prefix=f"imrbench-{kind}-") as tmp:
                build_corpus(Path(tmp), n, kind)
                proc = subprocess.run([sys.executable, __file__, "--run", tmp, "--workers", str(a.workers)],
                                      capture_output=True, text=True, check=True)
                run = json.loads(proc.stdout.strip().splitlines()[-1])
                run.update({"input": kind, "corpus": n})
                runs.append(run)
                report["runs"].append(run)
                print(json.dumps(run), file=sys.stderr)
        lo, hi = runs[0], runs[-1]
        rate = {"input": kind, "whole_run_letters_per_s": hi["letters_per_s"], "whole_run_letters": hi["letters"]}
        if len(runs) > 1 and hi["seconds"] > lo["seconds"]:
            dn = hi["letters"] - lo["letters"]
            cpu = (hi["cpu_main_s"] + hi["cpu_workers_s"]) - (lo["cpu_main_s"] + lo["cpu_workers_s"])
            rate.update({"marginal_letters_per_s": round(dn / (hi["seconds"] - lo["seconds"]), 1),
                         "marginal_cpu_ms_per_letter": round(cpu / dn * 1000, 2),
                         "between": [lo["letters"], hi["letters"]]})
        report["rates"].append(rate)
    if a.engine_cases:
        report["engine"] = engine_memory(a.engine_cases)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
