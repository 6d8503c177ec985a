"""Batch processing of letters: a process pool across the cores, models loaded once per worker,
results streamed in input order (so output is identical whatever the worker count), and a time
limit per letter so nothing hangs.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")

DEFAULT_TIME_LIMIT = 30.0  # seconds per letter


class LetterTimeout(Exception):
    pass


def available_cpus() -> int:
    """Processors this process may run on (its affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    return max(1, min(available_cpus(), 8))


def worker_count(requested: Optional[int], inputs: Optional[int] = None) -> int:
    """Workers to start: the request (default: all processors, at most 8), capped at the processors and at the
    number of inputs when known. Raises ValueError for a request below 1."""
    if requested is not None and requested < 1:
        raise ValueError(f"workers must be at least 1 (got {requested})")
    n = default_workers() if requested is None else min(requested, available_cpus())
    if inputs is not None:
        n = min(n, max(1, inputs))
    return max(1, n)


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise LetterTimeout()


def _warm() -> None:
    """Load rules, engine and lexicon: in the parent before the workers fork (they start from this state),
    and again in each worker, where it then costs nothing."""
    from .facts import extract_facts, load_lexicon
    from .predict import default_checker

    default_checker().engine.prepare()  # every modality's ruleset registered before the fork
    load_lexicon().scanner.compile_all()
    extract_facts("warm up", as_of=None)


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this worker when its parent dies (Linux), so no worker outlives the command."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _warm()


def with_time_limit(fn: Callable[[str], T], path: str, seconds: float, on_timeout: Callable[[str, str], T]) -> T:
    """Run ``fn(path)``; past ``seconds`` return ``on_timeout(path, message)`` instead."""
    if seconds and hasattr(signal, "setitimer"):
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return fn(path)
        except LetterTimeout:
            return on_timeout(path, f"{path}: time limit of {seconds:g} s exceeded")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    return fn(path)


class _Task:
    """Picklable per-letter task: ``fn`` under the time limit."""

    def __init__(self, fn, on_timeout, seconds: float):
        self.fn, self.on_timeout, self.seconds = fn, on_timeout, seconds

    def __call__(self, path: str):
        return with_time_limit(self.fn, path, self.seconds, self.on_timeout)


def _chunks(it: Iterable[str], size: int) -> Iterator[list[str]]:
    buf: list[str] = []
    for x in it:
        buf.append(x)
        if len(buf) == size:
            yield buf
            buf = []
    if buf:
        yield buf


def _run_chunk(task: "_Task", chunk: list[str]) -> list:
    return [task(p) for p in chunk]


def map_paths(fn: Callable[[str], T], paths: Iterable[str | Path], *, workers: Optional[int] = None,
              on_timeout: Callable[[str, str], T], time_limit: float = DEFAULT_TIME_LIMIT,
              chunksize: int = 8) -> Iterator[T]:
    """``fn`` over every path, in input order, on ``workers`` processes (1: in this process).

    Inputs are consumed lazily and at most ``4 * workers`` chunks are in flight, so memory stays flat
    however many letters stream through. ``fn`` and ``on_timeout`` must be module-level functions
    (they are pickled to the workers). The worker count is capped at the processors and at the number of
    inputs (found by reading ahead at most ``workers`` of them). Rules, lexicon and engine are loaded here
    before the workers fork, so a broken rule file is an error in this process and workers start loaded.
    Workers die with this process (Linux) and are stopped when it is interrupted or terminated.
    """
    import itertools
    from collections import deque

    task = _Task(fn, on_timeout, time_limit)
    names = (str(p) for p in paths)
    wanted = worker_count(workers)
    head = list(itertools.islice(names, wanted))
    workers = worker_count(wanted, len(head) if len(head) < wanted else None)
    names = itertools.chain(head, names)
    _warm()
    import gc

    if not gc.isenabled():  # the command line loads with the collector off (checker.cli_options.run)
        gc.freeze()  # what is loaded now is never scanned again, nor its pages touched in forked workers
        gc.enable()
    if workers == 1:
        for p in names:
            yield task(p)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    from concurrent.futures import ProcessPoolExecutor  # not imported for a one-note check

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(os.getpid(),), mp_context=ctx)
    restore = _stop_on_sigterm()
    try:
        pending: deque = deque()
        for chunk in _chunks(names, chunksize):
            pending.append(pool.submit(_run_chunk, task, chunk))
            if len(pending) >= 4 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BaseException:  # Ctrl-C, SIGTERM, a consumer that stops early (GeneratorExit): stop the workers now
        _kill(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        restore()


def _stop_on_sigterm() -> Callable[[], None]:
    """While the pool runs, SIGTERM unwinds this process (so its workers are stopped) instead of killing it."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    old = signal.signal(signal.SIGTERM, on_term)
    return lambda: signal.signal(signal.SIGTERM, old)


def _kill(pool) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass
    for p in procs:
        try:
            p.join(timeout=5)
        except Exception:  # noqa: BLE001
            pass


def check_record(item: str) -> dict:
    """One `check --batch` line, given as "FILE:LINE<tab>JSON": ``{id, results, error}``."""
    import json
    from datetime import date

    from .inputs import check_note_text
    from .predict import default_checker

    where, _, line = item.partition("\t")
    rec_id = None
    try:
        rec = json.loads(line)
        if not isinstance(rec, dict):
            raise ValueError("a line must be a JSON object")
        rec_id = rec.get("id")
        summary, reqs = rec["summary"], rec["requests"]
        if not isinstance(summary, str) or not isinstance(reqs, list) or not all(isinstance(x, str) for x in reqs):
            raise ValueError("`summary` must be a string and `requests` a list of strings")
        check_note_text(summary, "summary")  # empty, binary or too long: an error, not an outcome
        day = date.fromisoformat(rec["as_of"]) if rec.get("as_of") else None
        results = [default_checker().check(summary, r, as_of=day).model_dump(mode="json") for r in reqs]
        return {"id": rec_id, "results": results, "error": None}
    except (ValueError, KeyError, TypeError) as exc:
        msg = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        return {"id": rec_id, "results": [], "error": f"{where}: {msg}"}


def check_timeout(item: str, message: str) -> dict:
    where = item.partition("\t")[0]
    return {"id": None, "results": [], "error": f"{where}: time limit exceeded"}
