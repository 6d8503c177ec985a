"""Latency of the CDS Hooks order-sign service over loopback.

    python benchmarks/bench_cds_hooks.py [--calls 200] [--workers 1] [--url http://127.0.0.1:PORT]

Starts `imrcheck serve` on a free loopback port (unless --url names a running server), waits for /health,
makes 5 warm-up calls (reported, not counted), then --calls sequential order-sign calls from one httpx client.
Each call carries two orders (a lumbar MRI by CPT 72148 and physical therapy by CPT 97110 with a body site and a
visit count) and the note as a prefetched DocumentReference; the note varies from call to call (age, weeks) so no
per-text cache answers for it. Prints p50, p95, max and the error count (non-200 answers or not two cards).
Target: p95 < 100 ms after start-up.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.service.samples import NOTE, order_sign, service_request  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _body(i: int) -> dict:
    note = NOTE.replace("45-year-old", f"{30 + i % 40}-year-old").replace("for 8 weeks", f"for {6 + i % 9} weeks")
    return order_sign([service_request("mri", "72148", "MRI lumbar spine w/o contrast"),
                       service_request("pt", "97110", "Therapeutic exercises", body_site="lumbar spine", visits=8 + i % 8)],
                      note=note)


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def main() -> int:
    import httpx

    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--url", help="a running server's base URL (loopback); default: start one")
    args = ap.parse_args()
    proc = None
    base = args.url
    started = time.perf_counter()
    if base is None:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMRCHECK_")}  # no auth configured
        proc = subprocess.Popen([sys.executable, "-m", "checker", "serve", "--port", str(port), "--workers",
                                 str(args.workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc is not None and proc.poll() is not None:
                    print("the server exited during start-up", file=sys.stderr)
                    return 2
                time.sleep(0.2)
            ready = time.perf_counter() - started
            url = "/cds-services/imrcheck-order-sign"
            warm = []
            for i in range(5):
                t = time.perf_counter()
                client.post(url, json=_body(10_000 + i))
                warm.append((time.perf_counter() - t) * 1000)
            times, errors = [], 0
            for i in range(args.calls):
                body = _body(i)
                t = time.perf_counter()
                try:
                    r = client.post(url, json=body)
                    ok = r.status_code == 200 and len(r.json().get("cards", [])) == 2
                except httpx.HTTPError:
                    ok = False
                times.append((time.perf_counter() - t) * 1000)
                errors += not ok
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"server ready in {ready:.1f} s (rules loaded and warmed); warm-up calls: "
          + ", ".join(f"{w:.1f}" for w in warm) + " ms")
    print(f"{args.calls} CDS Hooks order-sign calls (2 orders each), {args.workers} worker(s), loopback: "
          f"p50 {statistics.median(times):.1f} ms, p95 {_pct(times, 95):.1f} ms, max {max(times):.1f} ms, "
          f"errors {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
