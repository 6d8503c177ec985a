"""Results kept in memory so a CDS Hooks card or a form submission can link to its page (bounded).

With one worker the store lives in the worker. With ``--workers N`` a link made by one worker may be opened on
another, so ``serve`` starts one small store process (a multiprocessing manager on a loopback port with a random
key, both passed to the workers in the environment) and every worker uses it. Nothing is written to disk.
Ids are 128-bit random tokens: a link is the only way to a result, so treat links as confidential.
"""
from __future__ import annotations

import os
import secrets
import threading
from multiprocessing.managers import BaseManager
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ..models import Result


@dataclass
class Entry:
    summary: str
    results: list[Result]
    as_of: list[Optional[date]]  # per result: the date given (None: today was used)
    source: str = "web"  # web, api, cds
    labels: list[str] = field(default_factory=list)  # per result, e.g. the order's CPT code


class ResultStore:
    def __init__(self, maxsize: int = 500):
        self.maxsize = maxsize
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, entry: Entry) -> str:
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._items[key] = entry
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Optional[Entry]:
        with self._lock:
            return self._items.get(key)

    def size(self) -> int:
        return len(self._items)

    def __len__(self) -> int:
        return self.size()


# ------------------------------------------------------------------------------------------------ shared across workers
ENV_ADDRESS = "IMRCHECK_STORE_ADDRESS"
ENV_KEY = "IMRCHECK_STORE_KEY"
_SERVED: Optional[ResultStore] = None


def _init_served(maxsize: int) -> None:
    global _SERVED
    _SERVED = ResultStore(maxsize)


def _served() -> ResultStore:
    assert _SERVED is not None
    return _SERVED


class _Manager(BaseManager):
    pass


_Manager.register("store", callable=_served, exposed=("put", "get", "size"))


class SharedStore:
    """A worker's handle on the store process (same interface as ResultStore)."""

    def __init__(self, address: tuple[str, int], key: bytes):
        self._manager = _Manager(address=address, authkey=key)
        self._manager.connect()
        self._proxy = self._manager.store()

    def put(self, entry: Entry) -> str:
        return self._proxy.put(entry)

    def get(self, key: str) -> Optional[Entry]:
        return self._proxy.get(key)

    def __len__(self) -> int:
        return self._proxy.size()


def start_shared_store(maxsize: int) -> BaseManager:
    """Start the store process and publish its address and key in this process's environment (for the workers)."""
    key = secrets.token_bytes(32)
    manager = _Manager(address=("127.0.0.1", 0), authkey=key)
    manager.start(initializer=_init_served, initargs=(maxsize,))
    host, port = manager.address
    os.environ[ENV_ADDRESS] = f"{host}:{port}"
    os.environ[ENV_KEY] = key.hex()
    return manager


def store_for_worker(maxsize: int):
    """The shared store when ``serve`` started one, else a store of this process."""
    address = os.environ.get(ENV_ADDRESS)
    if address and os.environ.get(ENV_KEY):
        host, _, port = address.rpartition(":")
        return SharedStore((host, int(port)), bytes.fromhex(os.environ[ENV_KEY]))
    return ResultStore(maxsize)
