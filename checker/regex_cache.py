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
from typing import Optional


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
        # opcodes are int subclasses that do not pickle: plain ints
        return (pattern, int(flags | p.state.flags), [int(c) for c in code], p.state.groups - 1, groupindex,
                tuple(indexgroup))
    except Exception:  # noqa: BLE001 - another interpreter's internals: plain re.compile
        return None


def _from_parts(pattern: str, flags: int, parts: Optional[tuple]) -> re.Pattern:
    if parts is not None:
        try:
            import _sre

            return _sre.compile(*parts)
        except Exception:  # noqa: BLE001
            pass
    return re.compile(pattern, flags)


class KeptPattern:
    """A compiled pattern (``.rx``) that pickles as its generated code."""

    __slots__ = ("rx", "_parts")

    def __init__(self, pattern: str, flags: int = 0):
        self._parts = _parts(pattern, flags)
        self.rx = _from_parts(pattern, flags, self._parts)

    def __getstate__(self):
        return (self.rx.pattern, self.rx.flags, self._parts)

    def __setstate__(self, state):
        pattern, flags, self._parts = state
        self.rx = _from_parts(pattern, flags, self._parts)


def compile_keep(pattern: str, flags: int = 0) -> KeptPattern:
    return KeptPattern(pattern, flags)
