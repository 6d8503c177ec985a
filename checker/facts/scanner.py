"""The prefix-indexed multi-pattern scanner (one pass over a text for every channel of the lexicon)."""
from __future__ import annotations

import re
from typing import Any, Optional

from checker.regex_cache import KeptPattern, compile_keep

_FLAGS = re.IGNORECASE

# Python's `re` tries every alternative of an alternation at every position, so
# ~1,000 patterns over a 1.5 KB text cost ~17 ms.  The scanner instead visits
# only token starts and, keyed by the first two (lower-cased) characters there,
# runs only the patterns that can start with them (their possible prefixes are
# computed from the parsed regex).  Same matches as ``finditer`` over a wrapped
# alternation, about 10x faster.
try:  # Python >= 3.11
    import re._constants as _sc
    import re._parser as _sp
except ImportError:  # pragma: no cover
    import sre_constants as _sc  # type: ignore
    import sre_parse as _sp  # type: ignore

_K = 2
_MAXPREF = 4000


class _Unbounded(Exception):
    pass


def _in_chars(av) -> set[str]:
    out: set[str] = set()
    for op, a in av:
        if op is _sc.LITERAL:
            out.add(chr(a).lower())
        elif op is _sc.RANGE:
            if a[1] - a[0] > 200:
                raise _Unbounded
            out.update(chr(c).lower() for c in range(a[0], a[1] + 1))
        elif op is _sc.CATEGORY:
            if a is _sc.CATEGORY_DIGIT:
                out.update("0123456789")
            elif a is _sc.CATEGORY_SPACE:
                out.add(" ")
            else:
                raise _Unbounded
        else:  # NEGATE and others
            raise _Unbounded
    return out


def _extend(items, prefs: set[tuple[str, bool]]) -> set[tuple[str, bool]]:
    """Prefixes (string, still_open) after consuming ``items`` of a parsed regex."""
    for op, av in items:
        if not any(o for _, o in prefs):
            return prefs
        if op is _sc.LITERAL or op is _sc.IN:
            try:
                chars = {chr(av).lower()} if op is _sc.LITERAL else _in_chars(av)
            except _Unbounded:
                prefs = {(s, False) for s, _ in prefs}
                continue
            new = set()
            for s, o in prefs:
                if not o:
                    new.add((s, o))
                else:
                    for c in chars:
                        t = s + c
                        new.add((t, len(t) < _K))
            prefs = new
        elif op is _sc.BRANCH:
            new = set()
            for alt in av[1]:
                new |= _extend(alt, prefs)
            prefs = new
        elif op is _sc.SUBPATTERN:
            prefs = _extend(av[-1], prefs)
        elif op is getattr(_sc, "ATOMIC_GROUP", None):
            prefs = _extend(av, prefs)
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT, getattr(_sc, "POSSESSIVE_REPEAT", _sc.MAX_REPEAT)):
            lo, hi, sub = av
            acc = set(prefs) if lo == 0 else set()
            cur = prefs
            for i in range(1, _K + 2):
                if hi is not _sc.MAXREPEAT and i > hi:
                    break
                cur = _extend(sub, cur)
                if i >= lo:
                    acc |= cur
                if i >= lo and not any(o for _, o in cur):
                    break
            else:
                acc |= {(s, False) for s, _ in cur}
            if lo > _K + 1:
                acc |= {(s, False) for s, _ in cur}
            prefs = acc
        elif op in (_sc.AT, _sc.ASSERT, _sc.ASSERT_NOT):
            continue
        else:  # ANY, NOT_LITERAL, GROUPREF, ...
            prefs = {(s, False) for s, _ in prefs}
        if len(prefs) > _MAXPREF:
            prefs = {(s[:1], False) for s, _ in prefs}
    return prefs


def _prefixes(regex: str) -> set[str]:
    """Possible lower-cased prefixes (<= 2 chars) of a match; '' means any."""
    try:
        parsed = _sp.parse(regex, _FLAGS)
        prefs = _extend(list(parsed), {("", True)})
    except Exception:  # noqa: BLE001 - be safe: try everywhere
        return {""}
    return {s for s, _ in prefs}


_POS = re.compile(r"(?<!\w)\S|[^\w\s]")


def _literal_runs(items) -> tuple[str, ...]:
    """The runs of literal characters (lower-cased, 2 or more) in a parsed regex sequence: all of them are in
    every match. Only top-level literals count; anything else ends a run."""
    runs, cur = [], []
    for op, av in list(items) + [(None, None)]:
        if op is _sc.LITERAL and av < 128:
            cur.append(chr(av).lower())
            continue
        if len(cur) >= 2:
            runs.append("".join(cur))
        cur = []
    return tuple(runs)


def _needed_literals(patterns: list[str]) -> Optional[tuple[tuple[str, ...], ...]]:
    """For an alternation of ``patterns``: alternatives of literal runs such that every match contains all the
    runs of at least one alternative; None when some pattern has none (it can match anywhere)."""
    alts = []
    for p in patterns:
        try:
            parsed = list(_sp.parse(p, _FLAGS))
        except Exception:  # noqa: BLE001 - be safe: try everywhere
            return None
        branches = parsed[0][1][1] if len(parsed) == 1 and parsed[0][0] is _sc.BRANCH else [parsed]
        for b in branches:
            runs = _literal_runs(b)
            if not runs:
                return None
            alts.append(runs)
    return tuple(alts)


class _Channel:
    """One named alternation (a fact's targets, a trigger list, ...)."""

    __slots__ = ("name", "patterns", "prefixes")

    def __init__(self, name: str, patterns: list[str]):
        self.name = name
        self.patterns = patterns
        self.prefixes = [_prefixes(p) for p in patterns]


class _Scanner:
    def __init__(self, channels: list[_Channel]):
        self.channels = channels
        # key -> list of (channel index, tuple of pattern indices)
        keys2: set[str] = set()
        keys1: set[str] = set()
        for ch in channels:
            for ps in ch.prefixes:
                for s in ps:
                    if len(s) == 2:
                        keys2.add(s)
                        keys1.add(s[0])
                    elif len(s) == 1:
                        keys1.add(s)
        self.t2: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
        self.t1: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
        self.t0: list[tuple[int, tuple[int, ...]]] = []
        for k in keys2:
            self.t2[k] = self._select(lambda s, k=k: s == k or s == k[0] or s == "")
        for k in keys1:
            self.t1[k] = self._select(lambda s, k=k: s == k or s == "")
        self.t0 = self._select(lambda s: s == "")
        self._cache: dict[tuple[int, tuple[int, ...]], tuple[re.Pattern, dict[int, int]]] = {}
        self._kept: dict[tuple[int, tuple[int, ...]], tuple[KeptPattern, dict[int, int]]] = {}
        self._res: dict[str, list] = {}  # 2-character key -> resolved alternations (see _resolve)
        # The alternations tried at every word (patterns with no known prefix, e.g. "(?:\w+ )?years? ago"), with
        # the literal runs one of their patterns needs: a text without them skips those alternations everywhere.
        self.t0_literals = [((ci, idx), _needed_literals([channels[ci].patterns[i] for i in idx])) for ci, idx in self.t0]
        self._res_by_dead: dict[frozenset, dict[str, list]] = {}

    def _select(self, ok) -> list[tuple[int, tuple[int, ...]]]:
        out = []
        for ci, ch in enumerate(self.channels):
            idx = tuple(i for i, ps in enumerate(ch.prefixes) if any(ok(s) for s in ps))
            if idx:
                out.append((ci, idx))
        return out

    def _regex(self, ci: int, idx: tuple[int, ...]) -> tuple[re.Pattern, dict[int, int]]:
        key = (ci, idx)
        r = self._cache.get(key)
        if r is None and key in self._kept:
            kept, gmap = self._kept[key]
            r = self._cache[key] = (kept.rx, gmap)
        if r is None:
            parts, gmap, g = [], {}, 1
            pats = self.channels[ci].patterns
            for i in idx:
                parts.append("(" + pats[i] + r")(?!\w)")
                gmap[g] = i
                g += 1 + re.compile(pats[i], _FLAGS).groups
            kept = compile_keep("|".join(parts), _FLAGS)
            self._kept[key] = (kept, gmap)
            r = self._cache[key] = (kept.rx, gmap)
        return r

    def compile_all(self) -> "_Scanner":
        """Compile every alternation a scan can need (once, before the lexicon is cached or workers fork)."""
        for lst in (*self.t2.values(), *self.t1.values(), self.t0):
            for ci, idx in lst:
                self._regex(ci, idx)
        return self

    # pickled with the generated code of its compiled alternations (checker.regex_cache): no recompiling
    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = {}
        state["_res"] = {}
        state["_res_by_dead"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._cache = {}  # filled from _kept on first use of each alternation
        self._res = {}
        self._res_by_dead = {}

    def scan(self, t: str) -> list[list[tuple[int, int, int, re.Match]]]:
        """Per channel, non-overlapping matches (start, end, pattern index, match) in order."""
        n = len(self.channels)
        out: list[list] = [[] for _ in range(n)]
        nxt = [0] * n
        tl = t.lower()
        if len(tl) != len(t):  # a few Unicode letters lower-case to two characters
            tl = "".join(c.lower()[:1] or c for c in t)
        dead = self._dead_everywhere(t, tl)
        res = self._res if not dead else self._res_by_dead.setdefault(dead, {})
        for m in _POS.finditer(t):
            i = m.start()
            k = tl[i:i + 2]
            lst = res.get(k)
            if lst is None:
                lst = self._resolve(k, dead)
            for ci, match, gmap in lst:
                if i < nxt[ci]:
                    continue
                mm = match(t, i)
                if mm is not None and mm.end() > i:
                    out[ci].append((i, mm.end(), gmap[mm.lastindex], mm))
                    nxt[ci] = mm.end()
        return out

    def _dead_everywhere(self, t: str, tl: str) -> frozenset:
        """The every-word alternations that cannot match anywhere in this text: one of their literal runs is
        missing (ASCII texts only, where lower-casing is exactly what the case-insensitive match compares)."""
        if not t.isascii():
            return frozenset()
        return frozenset(entry for entry, alts in getattr(self, "t0_literals", ())
                         if alts is not None and not any(all(run in tl for run in alt) for alt in alts))

    def _resolve(self, k: str, dead: frozenset = frozenset()) -> list[tuple[int, Any, dict[int, int]]]:
        """The alternations to try where the text starts with ``k``, as (channel, bound match, group map),
        cached per key (and per set of dead every-word alternations): the scan loop then does no tuple hashing
        or cache lookups per attempt."""
        lst = self.t2.get(k)
        if lst is None:
            lst = self.t1.get(k[:1], self.t0)
        out = []
        for ci, idx in lst:
            if (ci, idx) in dead:
                continue
            rx, gmap = self._cache.get((ci, idx)) or self._regex(ci, idx)
            out.append((ci, rx.match, gmap))
        (self._res_by_dead.setdefault(dead, {}) if dead else self._res)[k] = out
        return out
