"""Results kept in memory so a CDS Hooks card or a form submission can link to its page (bounded, per process).

Ids are 128-bit random tokens: a link is the only way to a result, so treat links as confidential.
"""
from __future__ import annotations

import secrets
import threading
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

    def __len__(self) -> int:
        return len(self._items)
