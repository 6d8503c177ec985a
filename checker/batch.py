"""Batch processing of letters: a process pool across the cores, models loaded once per worker,
results streamed in input order (so output is identical whatever the worker count), and a time
limit per letter so nothing hangs.
"""
from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")

DEFAULT_TIME_LIMIT = 30.0  # seconds per letter


class LetterTimeout(Exception):
    pass


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise LetterTimeout()


def _warm() -> None:
    """Load rules, engine and lexicon once per worker process."""
    from .facts import extract_facts
    from .predict import default_checker

    default_checker()
    extract_facts("warm up", as_of=None)


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
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
    (they are pickled to the workers).
    """
    from collections import deque

    task = _Task(fn, on_timeout, time_limit)
    workers = default_workers() if workers is None else max(1, workers)
    names = (str(p) for p in paths)
    if workers == 1:
        _warm()
        for p in names:
            yield task(p)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        pending: deque = deque()
        for chunk in _chunks(names, chunksize):
            pending.append(pool.submit(_run_chunk, task, chunk))
            if len(pending) >= 4 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


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
