"""Loading and compiling ``lexicon.yaml`` into the extractor's channels and fact specs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from checker.datafiles import part_files

from .scanner import _Channel, _Scanner

LEXICON_PATH = Path(__file__).resolve().parents[1] / "lexicon" / "lexicon.yaml"
VOCABULARY_PATH = Path(__file__).resolve().parents[1] / "lexicon" / "vocabulary.yaml"

_FLAGS = re.IGNORECASE
# ConText categories; "resolved": the finding was present and is no longer ("numbness has resolved"); "reported":
# the patient is the speaker ("the patient reports", "c/o", "denies")
_CATEGORIES = ("negation", "hypothetical", "historical", "experiencer_other", "request", "resolved", "reported",
               "preoperative")


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
    # a before -> after measure ("Oswestry 48% -> 26%", "grip 20 -> 45 lb"): "up" = a rise is the improvement,
    # "down" = a fall is; the last two numbers of the match are before and after ("now_first": after, before -
    # "flexion 80 deg (was 45)").  No improvement in the stated direction makes the mention negated.
    trend: Optional[str] = None
    now_first: bool = False


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
    speaker: frozenset = frozenset()  # emit only when the sentence's speaker is one of these (empty: anyone)
    exclude_facts: tuple = ()  # a match overlapping a mention of one of these facts is dropped
    tense_present: bool = False  # vocabulary `tense: present`: a present-tense finding
    prior: bool = False  # vocabulary `prior: true`: prior care or a prior study
    finding: bool = False  # vocabulary `finding: true` or `tense: present`: a sign, symptom or diagnosis
    negated_patterns: bool = False  # some pattern says the finding is absent by itself ("5/5 strength")


@dataclass
class _Lexicon:
    facts: list[_FactSpec]
    scanner: "_Scanner"
    fact_ch: list[tuple[int, Optional[int]]]  # per fact: (target channel, exclude channel)
    trig_ch: dict[tuple[str, str], int]
    trig_limits: dict[int, tuple]  # trigger channel -> per-pattern word limit (None: the category's setting)
    pseudo_ch: dict[str, int]
    term_ch: int
    attr_ch: dict[str, int]
    modalities: list[tuple[str, re.Pattern]]
    numbers: dict[str, Optional[int]]
    abbreviations: frozenset
    date_regex: re.Pattern
    settings: dict[str, Any]
    lists: dict[str, Any] = field(default_factory=dict)  # coordinated lists: separator, max_item_words, not_an_item
    sections: Any = None  # compiled note-section headers (checker.facts.sections.compile_sections)
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
                    trend=item.get("trend"),
                    now_first=bool(item.get("now_first", False)),
                )
            )
    for n, p in enumerate(pats, 1):
        if p.trend not in (None, "up", "down"):
            raise LexiconError(f"fact {name!r}, pattern {n}: trend {p.trend!r} is not up or down")
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
        # resolution is a kind of history: a fact that ignores the one ignores the other
        ignore=frozenset(src.get("ignore") or ()) | ({"resolved"} if "historical" in (src.get("ignore") or ()) else set()),
        ignore_backward=re.compile(src["ignore_backward"], _FLAGS) if src.get("ignore_backward") else None,
        sentence=re.compile(src["sentence"], _FLAGS) if src.get("sentence") else None,
        purpose_filter=re.compile(src["purpose_filter"], _FLAGS) if src.get("purpose_filter") else None,
        region_mode=_region_mode(name, src.get("region")),
        region_default=src.get("region_default"),
        speaker=frozenset(src.get("speaker") or ()),
        exclude_facts=tuple(src.get("exclude_facts") or ()),
    )


_SPEAKERS = ("patient", "provider", "claims_administrator", "reviewer")
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")


def _expand(node: Any, macros: dict, where: str) -> Any:
    """Every ``{NAME}`` in the strings of ``node`` replaced by the lexicon's macro NAME (office shorthand)."""
    if isinstance(node, str):
        def sub(m: re.Match) -> str:
            if m.group(1) not in macros:
                raise LexiconError(f"{where}: pattern {node!r} uses an undefined macro {{{m.group(1)}}}")
            return str(macros[m.group(1)])
        return _MACRO.sub(sub, node) if "{" in node else node
    if isinstance(node, list):
        return [_expand(x, macros, where) for x in node]
    if isinstance(node, dict):
        return {k: _expand(v, macros, f"{where}.{k}") for k, v in node.items()}
    return node


def _sections(raw: dict) -> Any:
    from .sections import compile_sections

    for cat in raw:
        if cat != "any_header" and cat not in _CATEGORIES:
            raise LexiconError(f"sections: {cat!r} is not one of {', '.join(_CATEGORIES)} (or any_header)")
    try:
        return compile_sections(raw, _FLAGS)
    except re.error as exc:
        raise LexiconError(f"sections: {exc}") from None


def _lists(raw: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"max_item_words": int(raw.get("max_item_words", 5)), "categories": tuple(raw.get("categories") or ())}
    for cat in out["categories"]:
        if cat not in _CATEGORIES:
            raise LexiconError(f"lists.categories: {cat!r} is not one of {', '.join(_CATEGORIES)}")
    for key in ("separator", "not_an_item"):
        if raw.get(key):
            try:
                out[key] = re.compile(raw[key], _FLAGS)
            except re.error as exc:
                raise LexiconError(f"lists.{key} ({raw[key]!r}): {exc}") from None
    return out


def _region_mode(name: str, mode: Any) -> Optional[str]:
    if mode not in (None, "quadrant", "site", "spine_as_one"):
        raise LexiconError(f"fact {name!r}: region {mode!r} is not quadrant, site or spine_as_one")
    return mode


_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where available, else pure Python


def _vocabulary() -> dict[str, dict]:
    from checker.datafiles import merged_section

    try:
        return merged_section(VOCABULARY_PATH, "facts")
    except OSError:  # pragma: no cover
        return {}


def _declared_names() -> frozenset:
    return frozenset(_vocabulary())


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
    from checker.cache import cached

    try:
        if not Path(path).is_file():
            return _load_lexicon(path)  # the loader's own "cannot read" error
        return cached("lexicon", part_files(Path(path)) + part_files(VOCABULARY_PATH),
                      lambda: _compiled(_load_lexicon(path)))
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
    # a category's facts live in their own part (lexicon.d/*.yaml): its `facts` (and `macros`) join the main file's
    for part in part_files(Path(path))[1:]:
        try:
            with open(part, encoding="utf-8") as fh:
                extra = yaml.load(fh, Loader=_YamlLoader) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise LexiconError(f"{part}{':' + str(mark.line + 1) if mark else ''}: YAML error: "
                               f"{getattr(exc, 'problem', exc)}") from None
        for key in ("facts", "macros"):
            for name, spec in (extra.get(key) or {}).items():
                if name in (raw.get(key) or {}):
                    raise LexiconError(f"{part}: {key[:-1]} {name!r} is already in {path}")
                raw.setdefault(key, {})[name] = spec
    vocab = _vocabulary()
    declared = frozenset(vocab)
    macros = raw.get("macros") or {}
    for key in ("facts", "modifiers", "attribution"):
        if key in raw:
            raw[key] = _expand(raw[key], macros, key)
    date_rx = raw["date_regex"]
    facts_raw = raw["facts"]
    facts = []
    for name, spec in facts_raw.items():
        if declared and name not in declared:
            raise ValueError(f"lexicon fact {name!r} is not declared in vocabulary.yaml")
        f = _compile_fact(name, spec, facts_raw, date_rx)
        v = vocab.get(name) or {}
        f.tense_present = v.get("tense") == "present"
        f.finding = f.tense_present or bool(v.get("finding"))
        f.negated_patterns = any(p.negated for p in f.patterns)
        f.prior = bool(v.get("prior"))
        if f.prior:
            # prior care / prior study: a mention inside a request, a plan or UR's decision on it is never one
            if "request" in spec and spec["request"] != "drop":
                raise LexiconError(f"fact {name!r} is prior care or a prior study (vocabulary `prior: true`): "
                                   f"its `request:` must be drop, not {spec['request']!r}")
            f.request = "drop"
        bad = [s_ for s_ in f.speaker if s_ not in _SPEAKERS]
        if bad:
            raise LexiconError(f"fact {name!r}: speaker {bad[0]!r} is not one of {', '.join(_SPEAKERS)}")
        facts.append(f)
    names = {f.name for f in facts}
    for f in facts:
        for other in f.exclude_facts:
            if other not in names:
                raise LexiconError(f"fact {f.name!r}: exclude_facts names {other!r}, not a lexicon fact")
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
    trig_limits: dict[int, tuple] = {}  # trigger channel -> per-pattern word limit (None: the category's)
    for cat in _CATEGORIES + ("request_sentence",):
        for direction in ("forward", "backward"):
            lst = (mods.get(cat) or {}).get(direction) or []
            if lst:
                # a trigger is a pattern, or {p: pattern, max_words: N} for a marker that only reaches N words
                # (beyond them only over a coordinated list): "Hoffmann neg", "fever, chills (-)"
                pats, limits = [], []
                for n, item in enumerate(lst, 1):
                    if isinstance(item, dict) and "p" in item:
                        pats.append(item["p"])
                        limits.append(int(item.get("max_words", 0)))
                    else:
                        pats.append(item)
                        limits.append(None)
                trig_ch[(cat, direction)] = add(f"{cat}:{direction}", pats)
                trig_limits[trig_ch[(cat, direction)]] = tuple(limits)
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
        trig_limits=trig_limits,
        pseudo_ch=pseudo_ch,
        term_ch=term_ch,
        attr_ch=attr_ch,
        modalities=[(k, re.compile(v, _FLAGS)) for k, v in raw["modalities"].items()],
        numbers={str(k).lower(): v for k, v in raw.get("numbers", {}).items()},
        abbreviations=frozenset(a.lower() for a in raw.get("abbreviations", [])),
        date_regex=re.compile(date_rx, _FLAGS),
        settings=raw.get("settings", {}),
        lists=_lists(raw.get("lists") or {}),
        sections=_sections(raw.get("sections") or {}),
        declared=declared,
        region_ch=region_ch,
        region_tags=region_tags,
    )
