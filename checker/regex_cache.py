"""Compiled regular expressions that survive a pickle without being compiled again.

Unpickling an ``re.Pattern`` calls ``re.compile`` - the pure-Python parser and code generator - again, which for
the lexicon's several hundred large alternations costs most of a cold start. :func:`compile_keep` compiles the
way ``re.compile`` does but keeps the generated code, so a :class:`KeptPattern` unpickles by handing that code
straight to ``_sre.compile`` (microseconds).

The code format is private to the interpreter: the on-disk cache keys on the exact Python version
(``checker.cache``), and any failure along this path falls back to ``re.compile``.
"""
from __future__ import annotations

import re
from array import array
from typing import Optional

_CODE_TYPE = "I" if array("I").itemsize == 4 else "L"  # SRE code words are 32-bit


def _parts(pattern: str, flags: int) -> Optional[tuple]:
    """The arguments ``re._compiler.compile`` gives ``_sre.compile``; None where the internals differ."""
    try:
        from re import _compiler, _parser

        p = _parser.parse(pattern, flags)
        code = _compiler._code(p, flags)
        groupindex = dict(p.state.groupdict)
        indexgroup = [None] * p.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        # opcodes are int subclasses that do not pickle; the code is kept as bytes (a pickle reads bytes at
        # memory speed, a list of ints one object at a time)
        return (pattern, int(flags | p.state.flags), array(_CODE_TYPE, code).tobytes(), p.state.groups - 1, groupindex,
                tuple(indexgroup))
    except Exception:  # noqa: BLE001 - another interpreter's internals: plain re.compile
        return None


def _from_parts(pattern: str, flags: int, parts: Optional[tuple]) -> re.Pattern:
    if parts is not None:
        try:
            import _sre

            pattern, flags, code, groups, groupindex, indexgroup = parts
            return _sre.compile(pattern, flags, array(_CODE_TYPE, code).tolist(), groups, groupindex, indexgroup)
        except Exception:  # noqa: BLE001
            pass
    return re.compile(pattern, flags)


class KeptPattern:
    """A compiled pattern (``.rx``) that pickles as its generated code; unpickled, it is rebuilt on first use."""

    __slots__ = ("_rx", "_pattern", "_flags", "_parts")

    def __init__(self, pattern: str, flags: int = 0):
        self._pattern, self._flags = pattern, int(flags)
        self._parts = _parts(pattern, flags)
        self._rx = _from_parts(pattern, flags, self._parts)

    @property
    def rx(self) -> re.Pattern:
        if self._rx is None:
            self._rx = _from_parts(self._pattern, self._flags, self._parts)
        return self._rx

    def __getstate__(self):
        return (self._pattern, self._flags, self._parts)

    def __setstate__(self, state):
        self._pattern, self._flags, self._parts = state
        self._rx = None


def compile_keep(pattern: str, flags: int = 0) -> KeptPattern:
    return KeptPattern(pattern, flags)


def restore_pattern(pattern: str, flags: int, parts: Optional[tuple]) -> re.Pattern:
    """Unpickling side of :func:`reduce_pattern`."""
    return _from_parts(pattern, flags, parts)


def reduce_pattern(rx: re.Pattern) -> tuple:
    """A pickle reduction of a compiled pattern that carries its generated code (for ``Pickler.reducer_override``)."""
    return restore_pattern, (rx.pattern, int(rx.flags), _parts(rx.pattern, rx.flags))


# ----------------------------------------------------------------------------------------------------------------
# module-level patterns: one store per interpreter version in the cache folder

_STORE: Optional[dict] = None
_USED: set = set()
_NEW = False


def _store_path():
    from .cache import cache_dir

    import _sre
    import sys

    folder = cache_dir()
    if folder is None:
        return None
    return folder / f"regex-{sys.implementation.cache_tag}-{sys.hexversion:x}-{getattr(_sre, 'MAGIC', 0)}.pickle"


def _load_store() -> dict:
    global _STORE
    if _STORE is None:
        _STORE = {}
        try:
            path = _store_path()
            if path is not None:
                import pickle

                with open(path, "rb") as fh:
                    data = pickle.load(fh)
                if isinstance(data, dict):
                    _STORE = data
        except Exception:  # noqa: BLE001 - missing, corrupt or unreadable: compile as usual
            _STORE = {}
    return _STORE


def compile_stored(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile`` for patterns compiled at import: the generated code is kept in the cache folder, so
    the next process skips the parser and code generator. Falls back to ``re.compile`` in every doubt."""
    global _NEW
    key = (pattern, int(flags))
    store = _load_store()
    parts = store.get(key)
    if parts is None:
        parts = _parts(pattern, flags)
        if parts is None:
            return re.compile(pattern, flags)
        store[key] = parts
        if not _NEW:
            _NEW = True
            import atexit

            atexit.register(_save_store)
    _USED.add(key)
    return _from_parts(pattern, flags, parts)


_MAX_STORED = 2000


def _save_store() -> None:
    """At exit, when new patterns were compiled: merge with what is on disk and write atomically."""
    try:
        import os
        import pickle
        import tempfile

        path = _store_path()
        if path is None:
            return
        merged = {}
        try:
            with open(path, "rb") as fh:
                old = pickle.load(fh)
            if isinstance(old, dict) and len(old) + len(_STORE) <= _MAX_STORED:
                merged.update(old)
        except Exception:  # noqa: BLE001
            pass
        merged.update({k: v for k, v in _STORE.items() if k in _USED or len(merged) < _MAX_STORED})
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".regex-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(merged, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:  # noqa: BLE001 - the store is only an accelerator
        pass
