r"""Fact extractor: clinical case summary -> list of :class:`checker.models.Fact`.

Design (decided by measurement, see ``benchmarks/bench_facts.py``)
------------------------------------------------------------------
The extractor is a ConText-style (Harkema et al. 2009, the algorithm behind
medspaCy's ``ConTextComponent``) rule system written directly over regular
expressions; the lexicon, the trigger lists and all options are data in
``checker/lexicon/lexicon.yaml``, loaded and compiled once per process.

Why not the medspaCy pipeline itself?  Measured on this machine, pinned to one
core, on 60 case summaries of the 2016 corpus (mean 1.5 KB; script in the
report, numbers per summary):

* ``spacy.blank("en")`` tokenizer alone: 1.4 ms;
* ``medspacy.load()`` default pipeline (PyRuSH sentences + empty TargetMatcher
  + default ConText): 32.7 ms;
* blank pipeline + sentencizer + TargetMatcher with this lexicon's 352 regex
  target rules + ConText with its 197 trigger/termination rules: 63.9 ms;
* this module (same lexicon): ~1.9 ms, lexicon load + compile ~0.3-0.5 s
  (``benchmarks/bench_facts.py``: ~530 summaries/s on the 125 letters).

So medspaCy misses the 6.7 ms budget by 5-10x (its regex rules are matched one
by one over the whole text) and the tokenizer alone eats a fifth of it.

The default medspaCy ConText rules are also wrong for UR/IMR prose ("the
claims administrator denied a request for ..." negates whatever follows), so
the domain rules had to be written anyway.  What we keep from ConText is its
semantics: trigger phrases per category (negation, hypothetical, historical,
other experiencer, plus a domain ``request`` category for "request for",
"ordering", "was recommended"), forward and backward scopes bounded by the
sentence, termination phrases ("but", "however", ";", a new clause with its
own subject) and a word limit, and pseudo-triggers that cancel a trigger
("denied a request", "failed to approve", "non-certified").

Pipeline for one summary:

1. Normalise a copy of the text: every whitespace run -> one space, and a
   hyphen at a line end is joined to the next word; keep a segment map so
   every match maps back to exact offsets of the original text
   (``Evidence.quote == text[start:end]`` always holds).
2. Split sentences with one regex (full stop + space + capital/digit, not after
   an abbreviation).
3. Scan once (``_Scanner``): every pattern of every channel (each fact's
   targets and excludes, each trigger category and direction, pseudo and
   termination phrases, attribution cues) is indexed by the first two
   characters it can start with (computed from the parsed regex); the scanner
   visits only token starts and punctuation and tries only the patterns whose
   prefix fits.  Same matches as ``finditer`` over ``(?<!\w)(?:p1|p2|..)(?!\w)``,
   ~10x faster than letting ``re`` try every alternative at every position.
4. For every target match decide negated / hypothetical / historical /
   experiencer / request from the triggers whose scope reaches it, then apply
   the fact's options (``request: drop|require|...``, ``invert``, fixed
   flags) and compute its value (grade, sessions, age, pain, dates, weeks,
   purpose text, ...).
5. ``asserted_by`` is per sentence: ``claims_administrator`` when the sentence
   reports what UR / the claims administrator did, ``reviewer`` for the
   reviewer's own comments, else ``provider``.
"""
from __future__ import annotations

import datetime as _dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from checker.models import Evidence, Fact
from checker.regex_cache import KeptPattern, compile_keep, compile_stored

LEXICON_PATH = Path(__file__).resolve().parent / "lexicon" / "lexicon.yaml"
VOCABULARY_PATH = Path(__file__).resolve().parent / "lexicon" / "vocabulary.yaml"

__all__ = ["extract_facts", "load_lexicon", "LEXICON_PATH"]

_FLAGS = re.IGNORECASE
_CATEGORIES = ("negation", "hypothetical", "historical", "experiencer_other", "request")

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}


# =========================================================================== lexicon
@dataclass
class _Pattern:
    regex: str
    negated: bool = False
    hypothetical: bool = False
    value: Any = None
    has_value: bool = False
    standalone: bool = False
    invert: bool = False
    fallback: bool = False


@dataclass
class _FactSpec:
    name: str
    patterns: list[_Pattern]
    excludes: list[str]
    value: Optional[str]
    request: str
    on_hypothetical: str
    ignore: frozenset
    ignore_backward: Optional[re.Pattern]
    sentence: Optional[re.Pattern]
    purpose_filter: Optional[re.Pattern]
    region_mode: Optional[str] = None  # "quadrant" | "site" | "spine_as_one": tag mentions with body regions
    region_default: Optional[str] = None


@dataclass
class _Lexicon:
    facts: list[_FactSpec]
    scanner: "_Scanner"
    fact_ch: list[tuple[int, Optional[int]]]  # per fact: (target channel, exclude channel)
    trig_ch: dict[tuple[str, str], int]
    pseudo_ch: dict[str, int]
    term_ch: int
    attr_ch: dict[str, int]
    modalities: list[tuple[str, re.Pattern]]
    numbers: dict[str, Optional[int]]
    abbreviations: frozenset
    date_regex: re.Pattern
    settings: dict[str, Any]
    declared: frozenset = field(default_factory=frozenset)
    region_ch: Optional[int] = None  # the scanner channel of the body-region patterns
    region_tags: tuple = ()  # pattern index in that channel -> body region


def _compile_fact(name: str, spec: dict, all_specs: dict, date_rx: str) -> _FactSpec:
    src = spec
    if "same_as" in spec:
        src = dict(all_specs[spec["same_as"]])
        src.update({k: v for k, v in spec.items() if k != "same_as"})
        src.setdefault("patterns", all_specs[spec["same_as"]]["patterns"])
    pats: list[_Pattern] = []
    for n, item in enumerate(src.get("patterns") or [], 1):
        if isinstance(item, str):
            pats.append(_Pattern(item))
        elif not isinstance(item, dict) or "p" not in item:
            raise LexiconError(f"fact {name!r}, pattern {n}: {item!r} is not a pattern string nor a mapping with `p` "
                               "(quote a pattern that contains ': ')")
        else:
            pats.append(
                _Pattern(
                    item["p"],
                    negated=bool(item.get("negated", False)),
                    hypothetical=bool(item.get("hypothetical", False)),
                    value=item.get("value"),
                    has_value="value" in item,
                    standalone=bool(item.get("standalone", False)),
                    invert=bool(item.get("invert", False)),
                    fallback=bool(item.get("fallback", False)),
                )
            )
    for n, p in enumerate(pats, 1):
        p.regex = p.regex.replace("DATE", date_rx)
        try:
            re.compile(p.regex, _FLAGS)  # fail early on a bad pattern
        except re.error as exc:
            raise LexiconError(f"fact {name!r}, pattern {n} ({p.regex!r}): {exc}") from None
    return _FactSpec(
        name=name,
        patterns=pats,
        excludes=list(src.get("exclude") or []),
        value=src.get("value"),
        request=src.get("request", "keep"),
        on_hypothetical=src.get("on_hypothetical", "keep"),
        ignore=frozenset(src.get("ignore") or ()),
        ignore_backward=re.compile(src["ignore_backward"], _FLAGS) if src.get("ignore_backward") else None,
        sentence=re.compile(src["sentence"], _FLAGS) if src.get("sentence") else None,
        purpose_filter=re.compile(src["purpose_filter"], _FLAGS) if src.get("purpose_filter") else None,
        region_mode=_region_mode(name, src.get("region")),
        region_default=src.get("region_default"),
    )


def _region_mode(name: str, mode: Any) -> Optional[str]:
    if mode not in (None, "quadrant", "site", "spine_as_one"):
        raise LexiconError(f"fact {name!r}: region {mode!r} is not quadrant, site or spine_as_one")
    return mode


_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where available, else pure Python


def _declared_names() -> frozenset:
    try:
        with open(VOCABULARY_PATH, encoding="utf-8") as fh:
            return frozenset((yaml.load(fh, Loader=_YamlLoader) or {}).get("facts", {}))
    except OSError:  # pragma: no cover
        return frozenset()


class LexiconError(Exception):
    """The lexicon file cannot be loaded; the message names the file and the fact or line."""


def load_lexicon(path: str | Path | None = None) -> _Lexicon:
    """Load and compile ``lexicon.yaml`` (cached: call it as often as you like).

    ``load_lexicon()``, ``load_lexicon(LEXICON_PATH)`` and ``load_lexicon(str(LEXICON_PATH))`` are one cache
    entry; the compiled lexicon is also kept on disk (``checker.cache``), keyed by the lexicon's and the
    vocabulary's content. Raises :class:`LexiconError` naming the file and the place for a YAML error, a
    malformed pattern, an undeclared fact or a regular expression that does not compile.
    """
    return _cached_lexicon(str(Path(path).resolve()) if path is not None else str(LEXICON_PATH))


@lru_cache(maxsize=4)
def _cached_lexicon(path: str) -> _Lexicon:
    from .cache import cached

    try:
        if not Path(path).is_file():
            return _load_lexicon(path)  # the loader's own "cannot read" error
        return cached("lexicon", [Path(path), VOCABULARY_PATH], lambda: _compiled(_load_lexicon(path)))
    except LexiconError as exc:
        raise LexiconError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise LexiconError(f"{path}{where}: YAML error: {getattr(exc, 'problem', exc)}") from None
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise LexiconError(f"{path}: {type(exc).__name__}: {exc}") from None


def _compiled(lex: _Lexicon) -> _Lexicon:
    """The lexicon with every scanner alternation compiled: what the disk cache stores."""
    lex.scanner.compile_all()
    return lex


def _load_lexicon(path: str | Path) -> _Lexicon:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YamlLoader)
    declared = _declared_names()
    date_rx = raw["date_regex"]
    facts_raw = raw["facts"]
    facts = []
    for name, spec in facts_raw.items():
        if declared and name not in declared:
            raise ValueError(f"lexicon fact {name!r} is not declared in vocabulary.yaml")
        facts.append(_compile_fact(name, spec, facts_raw, date_rx))
    mods = raw["modifiers"]
    channels: list[_Channel] = []

    def add(name: str, pats: list[str]) -> int:
        for n, p in enumerate(pats, 1):
            if not isinstance(p, str):
                raise LexiconError(f"{name}, pattern {n}: {p!r} is not a pattern string (quote a pattern that contains ': ')")
            try:
                re.compile(p, _FLAGS)
            except re.error as exc:
                raise LexiconError(f"{name}, pattern {n} ({p!r}): {exc}") from None
        channels.append(_Channel(name, list(pats)))
        return len(channels) - 1

    fact_ch = []
    for f in facts:
        fact_ch.append((add(f.name, [p.regex for p in f.patterns]), add(f.name + ":exclude", f.excludes) if f.excludes else None))
    trig_ch = {}
    for cat in _CATEGORIES + ("request_sentence",):
        for direction in ("forward", "backward"):
            lst = (mods.get(cat) or {}).get(direction) or []
            if lst:
                trig_ch[(cat, direction)] = add(f"{cat}:{direction}", lst)
    pseudo_ch = {cat: add(f"pseudo:{cat}", lst) for cat, lst in (mods.get("pseudo") or {}).items() if lst}
    term_ch = add("termination", mods["termination"])
    attr_ch = {k: add(f"attribution:{k}", v) for k, v in raw.get("attribution", {}).items()}
    # all body regions in one channel (one regex call per position, not one per region); pattern index -> region
    region_pats = [(k, p) for k, v in (raw.get("body_regions") or {}).items() for p in v]
    region_ch = add("body_regions", [p for _, p in region_pats]) if region_pats else None
    region_tags = tuple(k for k, _ in region_pats)
    for f in facts:
        if f.region_default is not None and f.region_default not in region_tags:
            raise LexiconError(f"fact {f.name!r}: region_default {f.region_default!r} is not a body region")
    return _Lexicon(
        facts=facts,
        scanner=_Scanner(channels),
        fact_ch=fact_ch,
        trig_ch=trig_ch,
        pseudo_ch=pseudo_ch,
        term_ch=term_ch,
        attr_ch=attr_ch,
        modalities=[(k, re.compile(v, _FLAGS)) for k, v in raw["modalities"].items()],
        numbers={str(k).lower(): v for k, v in raw.get("numbers", {}).items()},
        abbreviations=frozenset(a.lower() for a in raw.get("abbreviations", [])),
        date_regex=re.compile(date_rx, _FLAGS),
        settings=raw.get("settings", {}),
        declared=declared,
        region_ch=region_ch,
        region_tags=region_tags,
    )


# =========================================================================== scanner
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


# =========================================================================== text
_WS = re.compile(r"(?<=\w)-[ \t]*\r?\n\s*|\s+")


class _Norm:
    """Whitespace-normalised copy of a text with a map back to original offsets."""

    __slots__ = ("text", "seg_n", "seg_o", "seg_lit")

    def __init__(self, text: str):
        pieces: list[str] = []
        seg_n: list[int] = []
        seg_o: list[int] = []
        seg_lit: list[bool] = []
        pos = npos = 0
        for m in _WS.finditer(text):
            s, e = m.span()
            if s > pos:
                pieces.append(text[pos:s])
                seg_n.append(npos)
                seg_o.append(pos)
                seg_lit.append(True)
                npos += s - pos
            if text[s] == " " and e - s == 1:
                # a single space stays a literal character
                pieces.append(" ")
                seg_n.append(npos)
                seg_o.append(s)
                seg_lit.append(True)
            else:
                pieces.append("-" if text[s] == "-" else " ")
                seg_n.append(npos)
                seg_o.append(s)
                seg_lit.append(False)
            npos += 1
            pos = e
        if pos < len(text):
            pieces.append(text[pos:])
            seg_n.append(npos)
            seg_o.append(pos)
            seg_lit.append(True)
        self.text = "".join(pieces)
        self.seg_n, self.seg_o, self.seg_lit = seg_n, seg_o, seg_lit

    def start(self, n: int) -> int:
        i = bisect_right(self.seg_n, n) - 1
        if i < 0:
            return 0
        if self.seg_lit[i]:
            return self.seg_o[i] + (n - self.seg_n[i])
        return self.seg_o[i]

    def end(self, n: int) -> int:
        """Original offset for an exclusive normalised end offset."""
        if n <= 0:
            return 0
        i = bisect_right(self.seg_n, n - 1) - 1
        if self.seg_lit[i]:
            return self.seg_o[i] + (n - 1 - self.seg_n[i]) + 1
        return self.seg_o[i] + 1


_SENT_END = re.compile(r"[.!?][\"')\]]* (?=[\"'(\[]?[A-Z0-9])")


def _sentences(t: str, abbrev: frozenset) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in _SENT_END.finditer(t):
        dot = m.start()
        if t[dot] == ".":
            j = dot
            while j > start and not t[j - 1].isspace():
                j -= 1
            word = t[j:dot].lower().lstrip("(\"'")
            if word in abbrev or (len(word) == 1 and word.isalpha()):
                continue
        out.append((start, m.end() - 1))
        start = m.end()
    if start < len(t):
        out.append((start, len(t)))
    return out or [(0, len(t))]


# =========================================================================== values
def _num(tok: str, numbers: dict) -> Optional[float]:
    tok = tok.lower().strip()
    if not tok:
        return None
    try:
        return float(tok)
    except ValueError:
        return numbers.get(tok)


_NUM_TOKEN = (
    r"\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|eighteen|twenty-four|twenty|thirty-six|thirty|several|a few"
)
_NUM_RX = re.compile(r"(?<![\w/])(" + _NUM_TOKEN + r")(?![\w/])", _FLAGS)
_GRADE_RX = re.compile(r"([0-5][+-]?)\s?/\s?5")
_GRADE_WORDS_RX = re.compile(r"([0-5][+-]?) out of 5")
_INT_RX = re.compile(r"\d+")
_PAIN_DENOM = re.compile(r"(?: ?/ ?10| out of 10| on a scale of .*)$|^\D+", _FLAGS)
_PAIN_SLASH10 = re.compile(r" ?/ ?10\b")
_PAIN_NUM = re.compile(r"\d{1,2}(?:\.\d)?")
_RANGE_RX = re.compile(
    r"(" + _NUM_TOKEN + r")(?: ?(?:-|to) ?(" + _NUM_TOKEN + r"))?[- ](days?|weeks?|months?|years?)", _FLAGS
)
_PURPOSE_LEAD = re.compile(r"^(?:in order to|so as to|to|for)\s+", _FLAGS)
_UNIT_WEEKS = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}


def _as_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 1)


def _parse_date(s: str) -> tuple[Optional[str], Optional[_dt.date]]:
    """Return (ISO value, date for arithmetic) for a matched date string."""
    s = s.strip().rstrip(".,")
    m = re.match(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})$", s)
    if m:
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000 if y <= (_dt.date.today().year % 100) + 1 else 1900
        try:
            d0 = _dt.date(y, mo, d)
            return d0.isoformat(), d0
        except ValueError:
            return None, None
    m = re.match(r"([A-Za-z]+)\.? (?:(\d{1,2})(?:st|nd|rd|th)?,? )?(\d{4})$", s)
    if m:
        mo = _MONTHS.get(m.group(1)[:3].lower())
        if not mo:
            return None, None
        y = int(m.group(3))
        if m.group(2):
            try:
                d0 = _dt.date(y, mo, int(m.group(2)))
                return d0.isoformat(), d0
            except ValueError:
                return None, None
        return f"{y:04d}-{mo:02d}", _dt.date(y, mo, 15)
    m = re.match(r"((?:19|20)\d\d)$", s)
    if m:
        y = int(m.group(1))
        return f"{y:04d}", _dt.date(y, 7, 1)
    return None, None


def _value(spec: _FactSpec, pat: _Pattern, q: str, lex: _Lexicon):
    """(value, date) for a match text ``q`` (normalised)."""
    kind = spec.value
    if pat.has_value and pat.value is not None:
        return pat.value, None
    if kind is None:
        return True, None
    if kind == "grade":
        m = _GRADE_RX.search(q) or _GRADE_WORDS_RX.search(q)
        return (m.group(1) + "/5") if m else True, None
    if kind == "sessions":
        m = re.search(
            r"(" + _NUM_TOKEN + r")(?= (?:\w+ ){0,3}(?:sessions?|visits?|treatments?)|\)| (?:prior |previous |completed )?(?:sessions?|visits?))",
            q,
            _FLAGS,
        ) or re.search(r"(?:x|times|totaling|totalling|of) (" + _NUM_TOKEN + r")", q, _FLAGS) or _NUM_RX.search(q)
        if m:
            n = _num(m.group(1), lex.numbers)
            if n is not None:
                return int(n), None
        return True, None
    if kind == "int":
        m = _INT_RX.search(q)
        return (int(m.group(0)) if m else True), None
    if kind == "modality":
        for key, rx in lex.modalities:
            if rx.search(q):
                return key, None
        return "unspecified", None
    if kind == "purpose":
        return _PURPOSE_LEAD.sub("", q).strip(" ,"), None
    if kind == "pain":
        nums = [float(x) for x in _PAIN_NUM.findall(_PAIN_SLASH10.sub(" ", _PAIN_DENOM.sub("", q)))]
        nums = [x for x in nums if 0 <= x <= 10]
        return (_as_number(max(nums)) if nums else True), None
    if kind == "date":
        m = None
        for m in lex.date_regex.finditer(q):
            pass
        if m:
            iso, d0 = _parse_date(m.group(0))
            if iso:
                return iso, d0
        return True, None
    if kind == "weeks":
        m = _RANGE_RX.search(q)
        if m:
            lo = _num(m.group(1), lex.numbers)
            hi = _num(m.group(2), lex.numbers) if m.group(2) else None
            n = hi if hi is not None else lo
            unit = m.group(3).lower().rstrip("s")
            if n is not None:
                return _as_number(round(n * _UNIT_WEEKS[unit], 1)), None
        return True, None
    if kind == "category":
        ql = q.lower()
        if "female" in ql or "woman" in ql or "lady" in ql:
            return "female", None
        if "male" in ql or ql in ("man", "gentleman"):
            return "male", None
        return q, None
    return True, None


# =========================================================================== context
@dataclass
class _Trig:
    cat: str
    fwd: bool
    s: int
    e: int
    unbounded: bool = False  # scope = rest of the sentence (request_sentence)


class _Context:
    """Trigger matches of one text with scope queries."""

    def __init__(self, t: str, sents: list[tuple[int, int]], lex: _Lexicon, scan: list):
        self.t = t
        self.lex = lex
        pseudo_spans = {cat: [(a, b) for a, b, _, _ in scan[ch]] for cat, ch in lex.pseudo_ch.items()}
        self.trigs: list[_Trig] = []
        for (cat, direction), ch in lex.trig_ch.items():
            ps = pseudo_spans.get(cat, ())
            unbounded = cat == "request_sentence"
            if unbounded:
                cat = "request"
            for s, e, _, _ in scan[ch]:
                if ps and any(a < e and s < b for a, b in ps):
                    continue
                self.trigs.append(_Trig(cat, direction == "forward", s, e, unbounded))
        self.trigs.sort(key=lambda x: x.s)
        self.trig_starts = [x.s for x in self.trigs]
        self.terms = [(a, b) for a, b, _, _ in scan[lex.term_ch]]
        self.soft_term = [t[a:b] in (";", ":") for a, b in self.terms]
        self.attr = {k: [a for a, _, _, _ in scan[ch]] for k, ch in lex.attr_ch.items()}
        self.term_starts = [s for s, _ in self.terms]
        self.sents = sents
        self.sent_starts = [s for s, _ in sents]
        st = lex.settings
        self.maxf = int(st.get("max_words_forward", 14))
        self.maxb = int(st.get("max_words_backward", 6))
        self.maxf_cat = {c: int(st.get(f"max_words_forward_{c}", self.maxf)) for c in _CATEGORIES}
        self._attr: dict[int, str] = {}

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect_right(self.sent_starts, pos) - 1)

    def _terminated(self, a: int, b: int, soft_ok: bool = False) -> bool:
        """A termination trigger inside [a, b)?  ``soft_ok``: ';' and ':' do not count."""
        i = bisect_left(self.term_starts, a)
        while i < len(self.terms) and self.terms[i][0] < b:
            if self.terms[i][1] <= b and not (soft_ok and self.soft_term[i]):
                return True
            i += 1
        return False

    def modifiers(
        self, ts: int, te: int, si: int, ignore: frozenset, ignore_backward: Optional[re.Pattern] = None
    ) -> dict[str, tuple[int, int] | None]:
        """For each category, the span of the trigger whose scope reaches [ts, te)."""
        ss, se = self.sents[si]
        out: dict[str, tuple[int, int] | None] = {}
        t = self.t
        lo = bisect_left(self.trig_starts, ss)
        hi = bisect_left(self.trig_starts, se)
        for k in range(lo, hi):
            tr = self.trigs[k]
            if tr.cat in ignore or tr.cat in out:
                continue
            if tr.s < te and ts < tr.e:  # overlaps the target itself
                continue
            if tr.unbounded:
                # no word limit; ';' and ':' do not stop it, other terminations do
                if tr.fwd and tr.e <= ts and not self._terminated(tr.e, ts, True):
                    out[tr.cat] = (tr.s, tr.e)
                elif not tr.fwd and tr.s >= te and not self._terminated(te, tr.s, True):
                    out[tr.cat] = (tr.s, tr.e)
                continue
            if tr.fwd:
                if tr.e > ts:
                    continue
                limit = self.maxf_cat[tr.cat]
                if t.count(" ", tr.e, ts) > limit:
                    continue
                if self._terminated(tr.e, ts, tr.cat == "request"):
                    continue
                out[tr.cat] = (tr.s, tr.e)
            else:
                if tr.s < te or tr.e > se:
                    continue
                if ignore_backward is not None and tr.cat == "negation" and ignore_backward.search(t, tr.s, tr.e):
                    continue
                if t.count(" ", te, tr.s) > self.maxb:
                    continue
                if self._terminated(te, tr.s):
                    continue
                out[tr.cat] = (tr.s, tr.e)
        return out

    def asserted_by(self, si: int) -> str:
        if si not in self._attr:
            ss, se = self.sents[si]
            who = "provider"
            for kind in ("claims_administrator", "reviewer"):
                starts = self.attr.get(kind, ())
                i = bisect_left(starts, ss)
                if i < len(starts) and starts[i] < se:
                    who = kind
                    break
            self._attr[si] = who
        return self._attr[si]


# =========================================================================== extraction
@lru_cache(maxsize=4)
def _regions_regex(path: str | Path | None = None) -> tuple[re.Pattern, tuple]:
    lex = load_lexicon(path)
    pats = lex.scanner.channels[lex.region_ch].patterns if lex.region_ch is not None else []
    rx = "|".join(f"(?P<r{i}>{p})" for i, p in enumerate(pats)) or "(?!)"
    return compile_stored(r"(?<!\w)(?:" + rx + r")(?!\w)", _FLAGS), lex.region_tags


@lru_cache(maxsize=64)  # a letter's items share one summary
def regions_named(text: str) -> frozenset[str]:
    """The body regions a text names anywhere (the `body_regions` of the lexicon)."""
    rx, tags = _regions_regex()
    return frozenset(tags[int(m.lastgroup[1:])] for m in rx.finditer(" ".join(text.split())))


_COORD = re.compile(r"(?:\s*(?:,|/|&|\band\b|\bor\b|\bspines?\b|\bregions?\b|\bthe\b|\bleft\b|\bright\b|"
                    r"\bbilateral\b|\bboth\b)\s*)+", re.I)


def extract_facts(text: str, as_of: _dt.date | None = None) -> list[Fact]:
    """Extract the facts of a clinical case summary.

    One :class:`Fact` per mention, sorted by start offset (then name).  With
    ``as_of``, each date of injury also yields a ``weeks_since_injury`` fact
    (same evidence).  ``evidence.quote == text[start:end]`` always.
    """
    if not text or not text.strip():
        return []
    lex = load_lexicon()
    norm = _Norm(text)
    t = norm.text
    sents = _sentences(t, lex.abbreviations)
    scan = lex.scanner.scan(t)
    ctx = _Context(t, sents, lex, scan)
    out: list[Fact] = []
    sentence_dates: dict[int, Optional[_dt.date]] = {}
    region_spans = (sorted((a, b, lex.region_tags[pi]) for a, b, pi, _ in scan[lex.region_ch])
                    if lex.region_ch is not None else [])
    # a region inside a longer one is part of it ("head" in "radial head")
    region_spans = [r for r in region_spans
                    if not any(o[0] <= r[0] and r[1] <= o[1] and (o[1] - o[0]) > (r[1] - r[0]) for o in region_spans)]

    def regions_of(ts: int, te: int, si: int, spec: _FactSpec) -> list[str]:
        """The body regions a mention concerns: named inside it, else the nearest in its clause."""
        ss, se = sents[si]
        cs = t.rfind(";", ss, ts) + 1 or ss
        ce = t.find(";", te, se)
        ce = se if ce < 0 else ce
        near = [(a, b, tag) for a, b, tag in region_spans if (a >= cs and b <= ce) or (a < te and ts < b)]
        if not near:
            return [spec.region_default] if spec.region_default else []
        base = [i for i, (a, b, _) in enumerate(near) if a < te and ts < b]  # named inside the mention
        if not base:
            # within the mention's own phrase (between commas) a region after it wins ("decreased sensation to
            # the lateral foot", "tenderness of the cervical spine"), then one before it ("lumbar spine
            # tenderness"); otherwise the nearest in the clause
            ps = max(t.rfind(",", cs, ts) + 1, cs)
            pe = t.find(",", te, ce)
            pe = ce if pe < 0 else pe
            after = [i for i, (a, b, _) in enumerate(near) if a >= te and b <= pe]
            before = [i for i, (a, b, _) in enumerate(near) if b <= ts and a >= ps]
            if after:
                k = after[0]
            elif before:
                k = before[-1]
            else:
                k = min(range(len(near)), key=lambda i: (near[i][0] - te) if near[i][0] >= te else (ts - near[i][1]))
            base = [k]
        tags = [near[i][2] for i in base]
        # regions coordinated with those: "the cervical and lumbar spine", "the right upper and right lower extremity"
        for step, j in ((-1, base[0]), (1, base[-1])):
            while 0 <= j + step < len(near):
                lo, hi = (near[j + step], near[j]) if step < 0 else (near[j], near[j + step])
                if not _COORD.fullmatch(t, lo[1], hi[0]):
                    break
                j += step
                tags.append(near[j][2])
        return list(dict.fromkeys(tags))

    def sentence_date(si: int) -> Optional[_dt.date]:
        """The first date written in a sentence: the timeline position of what the sentence reports."""
        if si not in sentence_dates:
            ss, se = sents[si]
            m = lex.date_regex.search(t, ss, se)
            sentence_dates[si] = _parse_date(m.group(0))[1] if m else None
        return sentence_dates[si]

    for spec, (tch, xch) in zip(lex.facts, lex.fact_ch):
        excl = [(a, b) for a, b, _, _ in scan[xch]] if xch is not None else ()
        fallback_done = False
        for ts, te, pi, m in scan[tch]:
            if excl and any(a < te and ts < b for a, b in excl):
                continue
            pat = spec.patterns[pi]
            si = ctx.sentence_of(ts)
            if pat.fallback:
                # e.g. a sentence-initial "She ..." stands for the sex only when
                # nothing explicit was found and only once
                if fallback_done or ts != sents[si][0] or any(
                    not spec.patterns[p2].fallback for _, _, p2, _ in scan[tch]
                ):
                    continue
                fallback_done = True
            if spec.sentence is not None:
                ss, se = sents[si]
                if not spec.sentence.search(t, ss, se):
                    continue
            q = m.group(0)
            if spec.purpose_filter is not None and not spec.purpose_filter.search(q):
                continue
            mods = ctx.modifiers(ts, te, si, spec.ignore, spec.ignore_backward)
            neg_ctx = "negation" in mods
            hyp_ctx = "hypothetical" in mods
            req_ctx = "request" in mods
            # request / plan cues
            if spec.request == "drop" and req_ctx:
                continue
            if spec.request == "require" and not (req_ctx or hyp_ctx or pat.standalone):
                continue
            hypothetical = pat.hypothetical or hyp_ctx
            if spec.request == "hypothetical" and req_ctx:
                hypothetical = True
            if hypothetical and spec.on_hypothetical == "drop":
                continue
            if pat.invert:
                negated = not neg_ctx
            else:
                negated = pat.negated or neg_ctx
            value, d0 = _value(spec, pat, q, lex)
            if spec.value == "category" and value is None:
                continue
            os_, oe = norm.start(ts), norm.end(te)
            ev = Evidence(quote=text[os_:oe], start=os_, end=oe)
            fact = Fact(
                name=spec.name,
                value=value,
                negated=negated,
                historical="historical" in mods,
                hypothetical=hypothetical,
                experiencer="other" if "experiencer_other" in mods else "patient",
                asserted_by=ctx.asserted_by(si),
                # the timeline: a date fact's own date, else the date its sentence gives
                date=d0 if (spec.value == "date" and d0 is not None) else sentence_date(si),
                evidence=ev,
                regions=regions_of(ts, te, si, spec) if spec.region_mode else [],
            )
            out.append(fact)
            if (
                spec.value == "sessions"
                and isinstance(value, int)
                and not isinstance(value, bool)
                and not negated
                and not hypothetical
                and "therapy_sessions_completed" in (lex.declared or {"therapy_sessions_completed"})
            ):
                out.append(fact.model_copy(update={"name": "therapy_sessions_completed"}))
            if spec.value == "date" and d0 is not None and as_of is not None:
                out.append(
                    fact.model_copy(
                        update={
                            "name": "weeks_since_injury",
                            "value": _as_number(round((as_of - d0).days / 7, 1)),
                        }
                    )
                )
    out.sort(key=lambda f: (f.evidence.start, f.evidence.end, f.name))
    return out
