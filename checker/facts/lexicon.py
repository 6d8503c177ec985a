"""Loading and compiling ``lexicon.yaml`` into the extractor's channels and fact specs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from .scanner import _Channel, _Scanner

LEXICON_PATH = Path(__file__).resolve().parents[1] / "lexicon" / "lexicon.yaml"
VOCABULARY_PATH = Path(__file__).resolve().parents[1] / "lexicon" / "vocabulary.yaml"

_FLAGS = re.IGNORECASE
_CATEGORIES = ("negation", "hypothetical", "historical", "experiencer_other", "request")


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


def _declared_names() -> frozenset:
    try:
        with open(VOCABULARY_PATH, encoding="utf-8") as fh:
            return frozenset((yaml.safe_load(fh) or {}).get("facts", {}))
    except OSError:  # pragma: no cover
        return frozenset()


class LexiconError(Exception):
    """The lexicon file cannot be loaded; the message names the file and the fact or line."""


@lru_cache(maxsize=4)
def load_lexicon(path: str | Path = LEXICON_PATH) -> _Lexicon:
    """Load and compile ``lexicon.yaml`` (cached: call it as often as you like).

    Raises :class:`LexiconError` naming the file and the place for a YAML error, a malformed pattern,
    an undeclared fact or a regular expression that does not compile.
    """
    try:
        return _load_lexicon(path)
    except LexiconError as exc:
        raise LexiconError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise LexiconError(f"{path}{where}: YAML error: {getattr(exc, 'problem', exc)}") from None
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise LexiconError(f"{path}: {type(exc).__name__}: {exc}") from None


def _load_lexicon(path: str | Path) -> _Lexicon:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
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
