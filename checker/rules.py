"""The criteria catalog: YAML rule files, their pydantic schema, loading and linting.

A rule file holds the rules of one guideline section::

    source: MTUS
    rules:
      - id: mtus.acoem04.ch08.imaging-red-flag
        title: ...
        applies_to: {modalities: [mri, ct], regions: [cervical], in_force: {from: 2004-01-01, to: 2017-11-30}}
        when: {any: [{fact: red_flag_cancer, is: [present, suspected]}, ...]}
        unless: [...]
        effect: supports_certification
        citation: {source: MTUS, document: ..., section: ..., table: ..., page: ..., edition: ..., confidence: ...}
        rationale: ...
        documentation: ...
        tests: [{text: ..., request: ..., expect: met}, ...]

Conditions are trees: ``{all: [...]}``, ``{any: [...]}``, ``{none: [...]}``,
``{at_least: {n: 2, of: [...]}}`` or a leaf ``{fact: NAME, is: present}`` /
``{fact: age, gte: 65}`` / ``{request: sessions, gt: 10}``.
"""
from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from .datafiles import merged_section, part_files  # noqa: F401  (re-exported)
from .models import Citation

PACKAGED_RULES_DIR = Path(__file__).resolve().parent / "criteria"
RULES_DIR = Path(os.environ.get("IMRCHECK_RULES") or PACKAGED_RULES_DIR)  # at import; see current_rules_dir()
VOCABULARY_FILE = Path(__file__).resolve().parent / "lexicon" / "vocabulary.yaml"
REASONS_FILE = Path(__file__).resolve().parent / "lexicon" / "reasons.yaml"
# libyaml's parser where PyYAML was built with it (about 10x faster), else the pure-Python one
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def current_rules_dir() -> Path:
    """The rules folder in use: ``IMRCHECK_RULES`` (``--rules DIR`` sets it) when set, else the packaged criteria."""
    return Path(os.environ.get("IMRCHECK_RULES") or PACKAGED_RULES_DIR)

FLAG_STATES = ("present", "suspected", "absent", "unknown")
REQUEST_FIELDS = {
    "modality": "category",
    "category": "category",
    "contrast": "category",
    "laterality": "category",
    "sessions": "number",
    "weeks": "number",
    "frequency_per_week": "number",
    "quantity": "number",
    "postsurgical": "bool",
    "preoperative": "bool",
    "repeat": "bool",
    # derived: the visits this request would bring the course to (requested + already completed of therapy);
    # unknown when either is unknown
    "visits_total": "number",
}
MODALITIES = (
    "mri", "ct", "bone_scan", "spect", "dexa", "xray", "ultrasound", "arthrogram", "myelogram", "pet",
    "emg_ncs", "emg", "ncs", "pt", "ot", "aquatic", "chiro", "acupuncture", "massage", "work_conditioning",
    "e_stim", "ultrasound_therapy", "infrared", "shockwave", "traction", "laser", "heat_cold",
)


def known_modalities() -> tuple[str, ...]:
    """The modalities a rule may name: imaging, electrodiagnostic and therapy ones, and each category module's."""
    from .requests.kinds import category_modalities

    return MODALITIES + category_modalities()


def request_fields() -> dict[str, object]:
    """The request attributes a rule may test: the common fields and each category module's ``ATTRIBUTES``."""
    from .requests.kinds import category_attributes

    return {**REQUEST_FIELDS, **category_attributes()}


REGIONS = (
    "cervical", "thoracic", "lumbar", "sacroiliac", "spine", "shoulder", "elbow", "hand_wrist", "hip", "pelvis",
    "knee", "ankle_foot", "head", "chest", "abdomen", "upper_extremity", "lower_extremity", "unspecified", "any",
)
# The evidence search sequence of 8 CCR 9792.21.1: MTUS first, then ODG/ACOEM, then other national guidelines.
SOURCE_TIER = {"MTUS": 1, "Labor Code": 1, "CCR": 1, "ODG": 2, "ACOEM": 2, "ACR": 3, "ISCD": 3, "USPSTF": 3, "AAOS": 3}


ALWAYS = "always"  # a `when` with no condition: the guideline entry is unconditional


class RuleError(Exception):
    """A rule file that cannot be loaded; names the file and line."""

    def __init__(self, path: str, line: Optional[int], message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@functools.lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict]:
    from .cache import cached

    return cached("vocabulary", part_files(VOCABULARY_FILE), lambda: merged_section(VOCABULARY_FILE, "facts"))


@functools.lru_cache(maxsize=1)
def load_reasons() -> dict[str, dict]:
    """The decisive-reason taxonomy (checker/lexicon/reasons.yaml): code -> {side, title, description}."""
    return merged_section(REASONS_FILE, "reasons")


def reason_side(code: str) -> str:
    return load_reasons()[code]["side"]


class _Strict(BaseModel):
    # defer_build: validators are built on first validation; a process that unpickles the cached catalog never needs them
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Leaf(_Strict):
    fact: Optional[str] = None
    request: Optional[str] = None
    is_: Optional[Union[str, bool, list[str]]] = Field(default=None, alias="is")
    gte: Optional[float] = None
    gt: Optional[float] = None
    lte: Optional[float] = None
    lt: Optional[float] = None

    @model_validator(mode="after")
    def _check(self) -> "Leaf":
        if (self.fact is None) == (self.request is None):
            raise ValueError("a condition names exactly one of `fact` or `request`")
        tests = [k for k in ("is_", "gte", "gt", "lte", "lt") if getattr(self, k) is not None]
        if not tests:
            raise ValueError("a condition needs a test: is, gte, gt, lte or lt")
        if (self.lt is not None and self.lt <= 0) or (self.lte is not None and self.lte < 0):
            # the engine joins `>= 0` to every upper bound, so an unknown number (-1) never meets one
            raise ValueError("an upper bound at or below 0 never holds: an unknown number is -1 and upper bounds "
                             "require a known number; test 'not stated' with none: [{..., gte: 0}]")
        if self.fact is not None:
            vocab = vocabulary()
            if self.fact not in vocab:
                raise ValueError(f"unknown fact {self.fact!r}: the extractor declares no such fact (checker/lexicon/vocabulary.yaml)")
            kind = vocab[self.fact]["kind"]
            if kind == "flag":
                if tests != ["is_"]:
                    raise ValueError(f"flag fact {self.fact!r} is tested with `is` ({', '.join(FLAG_STATES)})")
                for v in self.values():
                    if v not in FLAG_STATES:
                        raise ValueError(f"flag fact {self.fact!r}: state {v!r} is not one of {FLAG_STATES}")
            elif kind == "number" and "is_" in tests:
                raise ValueError(f"number fact {self.fact!r} is tested with gte/gt/lte/lt")
            elif kind == "category":
                allowed = vocab[self.fact].get("values")
                for v in self.values():
                    if allowed and v not in allowed and v != "unknown":
                        raise ValueError(f"category fact {self.fact!r}: value {v!r} is not one of {allowed}")
        else:
            fields = request_fields()
            if self.request not in fields:
                raise ValueError(f"unknown request field {self.request!r}; known: {sorted(fields)}")
            kind = fields[self.request]
            if isinstance(kind, tuple):  # ("set", values): `is` names values of the set, any of which holds
                if tests != ["is_"]:
                    raise ValueError(f"request field {self.request!r} is a set: test it with `is` (any of)")
                bad = [v for v in self.values() if v not in kind[1]]
                if bad:
                    raise ValueError(f"request field {self.request!r}: {bad} not among its values {list(kind[1])}")
            elif kind == "number" and "is_" in tests:
                raise ValueError(f"request field {self.request!r} is a number: use gte/gt/lte/lt")
            if kind in ("category", "bool") and tests != ["is_"]:
                raise ValueError(f"request field {self.request!r} is tested with `is`")
        return self

    def values(self) -> list:
        if self.is_ is None:
            return []
        return list(self.is_) if isinstance(self.is_, list) else [self.is_]

    @property
    def key(self) -> str:
        return f"f_{self.fact}" if self.fact else f"q_{self.request}"

    @property
    def is_set(self) -> bool:
        """A test of a set-valued request attribute (each value is its own engine attribute ``q_NAME__VALUE``)."""
        return self.request is not None and isinstance(request_fields().get(self.request), tuple)


class AtLeast(_Strict):
    n: int = Field(ge=1)
    of: list["Node"]

    @model_validator(mode="after")
    def _check(self) -> "AtLeast":
        if self.n > len(self.of):
            raise ValueError(f"at_least n={self.n} but only {len(self.of)} conditions: it can never fire")
        return self


class Group(_Strict):
    all: Optional[list["Node"]] = None
    any: Optional[list["Node"]] = None
    none: Optional[list["Node"]] = None
    at_least: Optional[AtLeast] = None

    @model_validator(mode="after")
    def _check(self) -> "Group":
        given = [k for k in ("all", "any", "none", "at_least") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a group has exactly one of all, any, none, at_least")
        lst = getattr(self, given[0])
        if isinstance(lst, list) and not lst:
            raise ValueError(f"`{given[0]}` is empty")
        return self


def _node_kind(v: Any) -> str:
    if isinstance(v, dict):
        return "group" if any(k in v for k in ("all", "any", "none", "at_least")) else "leaf"
    return "group" if isinstance(v, Group) else "leaf"


Node = Annotated[Union[Annotated[Group, Tag("group")], Annotated[Leaf, Tag("leaf")]], Discriminator(_node_kind)]
# a rule's `when`: a condition, or "always" (the guideline entry has no condition)
When = Annotated[Union[Annotated[Literal["always"], Tag("always")], Annotated[Group, Tag("group")],
                       Annotated[Leaf, Tag("leaf")]],
                 Discriminator(lambda v: "always" if isinstance(v, str) else _node_kind(v))]
AtLeast.model_rebuild()
Group.model_rebuild()


class InForce(_Strict):
    from_: date = Field(default=date(1900, 1, 1), alias="from")
    to: date = date(2999, 12, 31)
    # Why an MTUS rule written for the guidelines in force before 12/1/2017 stays in force after that date (the
    # amended MTUS kept its section); lint refuses such a rule without it.
    kept: str = ""


class AppliesTo(_Strict):
    modalities: list[str]
    regions: list[str] = Field(default_factory=lambda: ["any"])
    in_force: InForce = Field(default_factory=InForce)
    postsurgical: Optional[bool] = None  # None: either; True: only post-surgical requests; False: only non post-surgical

    @field_validator("modalities", "regions")
    @classmethod
    def _known_names(cls, v: list[str], info) -> list[str]:
        known = known_modalities() if info.field_name == "modalities" else REGIONS
        bad = [m for m in v if m not in known]
        if bad:
            raise ValueError(f"unknown {info.field_name} {bad}; known: {list(known)}")
        return v


class RuleCitation(_Strict):
    source: Literal["MTUS", "ODG", "ACOEM", "ACR", "ISCD", "USPSTF", "AAOS", "Labor Code", "CCR"]
    document: str
    section: str
    table: str = ""
    page: str = ""
    edition: str
    confidence: Literal["verified", "commonly quoted", "uncertain", "corpus"]
    confirmed_in: str = ""  # where the criterion was confirmed (public source or corpus letters)

    def to_citation(self) -> Citation:
        where = ", ".join(x for x in (self.section, self.table, f"p. {self.page}" if self.page else "") if x)
        return Citation(source=self.source, document=self.document, section=where, edition=self.edition,
                        confidence=self.confidence)


class RuleTest(_Strict):
    text: str
    request: str
    as_of: Optional[date] = None
    # "not applicable": the rule is not in play for this request (another region, era or modality) - the
    # boundary case of a rule whose guideline entry is unconditional ("not recommended")
    expect: Literal["met", "not met", "unknown", "not applicable"]


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    title: str
    applies_to: AppliesTo
    applies_if: Optional[Node] = None  # a further precondition, e.g. "prior therapy was given"
    when: When
    unless: list[Node] = Field(default_factory=list)
    effect: Literal["supports_certification", "supports_denial", "documentation_required"]
    precedence: int = 0  # higher wins where effects conflict
    citation: RuleCitation
    rationale: str
    documentation: str
    tests: list[RuleTest] = Field(default_factory=list)
    # Decisive-reason codes (checker/lexicon/reasons.yaml). `reasons`: what the rule speaks to when it decides in its
    # own direction (a met certification or denial rule; a documentation_required rule that is missing -> the
    # denial code). `reasons_unmet`: for a certification rule, the denial code(s) its NOT being met stands for.
    reasons: list[str] = Field(default_factory=list)
    reasons_unmet: list[str] = Field(default_factory=list)
    # filled by the loader
    file: str = ""
    line: int = 0

    @field_validator("reasons", "reasons_unmet")
    @classmethod
    def _known_reasons(cls, codes: list[str], info) -> list[str]:
        taxonomy = load_reasons()
        field, effect = info.field_name, info.data.get("effect")
        if len(set(codes)) != len(codes):
            raise ValueError(f"{field}: a code is listed twice")
        if field == "reasons_unmet" and codes and effect != "supports_certification":
            raise ValueError("reasons_unmet: only a supports_certification rule has reasons for not being met")
        side = "certification" if field == "reasons" and effect == "supports_certification" else "denial"
        for code in codes:
            if code not in taxonomy:
                raise ValueError(f"{field}: unknown reason code {code!r}; known: see checker/lexicon/reasons.yaml")
            if taxonomy[code]["side"] != side:
                raise ValueError(f"{field}: {code!r} is a {taxonomy[code]['side']} reason; a {effect} rule's "
                                 f"{field} are {side} reasons")
        return codes

    @property
    def tier(self) -> int:
        return SOURCE_TIER[self.citation.source]

    def decisive_reasons(self, met: bool) -> list[str]:
        """The reason codes this rule stands for when it decides an item: met -> `reasons` (certification and denial
        rules); not met -> `reasons_unmet` (certification rules) or `reasons` (a missing documentation_required rule)."""
        if self.effect == "documentation_required":
            return [] if met else list(self.reasons)
        if self.effect == "supports_denial":
            return list(self.reasons) if met else []
        return list(self.reasons) if met else list(self.reasons_unmet)


class RuleFile(_Strict):
    rules: list[Rule]


# ----------------------------------------------------------------------------------------------------------------
# loading with file:line errors

def _line_of(root: yaml.Node, loc: tuple) -> Optional[int]:
    """Line (1-based) of the YAML node at a pydantic error location."""
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == part or (part == "is_" and k.value == "is") or (part == "from_" and k.value == "from"):
                    nxt = v
                    line = k.start_mark.line + 1
                    break
            if nxt is None:
                continue  # union branch names (Group, Leaf) are not in the YAML
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
    return line


def load_file(path: Path) -> list[Rule]:
    text = path.read_text(encoding="utf-8")
    try:
        loader = YamlLoader(text)  # one parse: the node tree gives the lines, the data is built from it
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(str(path), mark.line + 1 if mark else None, f"YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict) or root is None:
        raise RuleError(str(path), 1, "a rule file is a mapping with a `rules:` list")
    try:
        rf = RuleFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if p not in ("group", "leaf"))
        line = _line_of(root, loc)
        where = ".".join(str(p) for p in loc)
        raise RuleError(str(path), line, f"{where}: {err['msg']}") from None
    rules_node = dict((k.value, v) for k, v in root.value).get("rules")
    for i, rule in enumerate(rf.rules):
        rule.file = str(path)
        rule.line = rules_node.value[i].start_mark.line + 1 if rules_node is not None else 0
    return rf.rules


def load_rules(rules_dir: Path | str | None = None) -> list[Rule]:
    """Load every rule file below ``rules_dir``; all or nothing."""
    base = Path(rules_dir) if rules_dir else current_rules_dir()
    if not base.is_dir():
        raise RuleError(str(base), None, "rules folder not found")
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for path in sorted(base.rglob("*.yaml")):
        for rule in load_file(path):
            if rule.id in seen:
                raise RuleError(str(path), rule.line, f"duplicate rule id {rule.id!r} (first at {seen[rule.id].file}:{seen[rule.id].line})")
            seen[rule.id] = rule
            rules.append(rule)
    if not rules:
        raise RuleError(str(base), None, "no rules found")
    return rules


def default_rules(rules_dir: str | Path | None = None) -> tuple[Rule, ...]:
    """The catalog of ``rules_dir`` (default: :func:`current_rules_dir`), loaded once per process and cached on disk."""
    return _catalog(str(Path(rules_dir) if rules_dir else current_rules_dir()))


def catalog_inputs(base: Path) -> list[Path]:
    """Every file the catalog is built from: the rule files, the fact vocabulary and the reasons, if present."""
    files = sorted(base.rglob("*.yaml")) if base.is_dir() else []
    return files + [f for main in (VOCABULARY_FILE, REASONS_FILE) if main.is_file() for f in part_files(main)]


@functools.lru_cache(maxsize=4)
def _catalog(base: str) -> tuple[Rule, ...]:
    from .cache import cached

    path = Path(base)
    return cached("rules", catalog_inputs(path), lambda: tuple(load_rules(path)), base=path.resolve())


# Conditions are never changed after loading, so their leaves are worked out once per node (keyed by the node's
# identity; the node is kept with the entry, so an id is never reused while it is cached).
_LEAVES: dict[int, tuple[Any, tuple[Leaf, ...]]] = {}


def leaves(node: Any) -> list[Leaf]:
    if isinstance(node, Leaf):
        return [node]
    if node == ALWAYS or node is None:
        return []
    hit = _LEAVES.get(id(node))
    if hit is not None and hit[0] is node:
        return list(hit[1])
    out: list[Leaf] = []
    for k in ("all", "any", "none"):
        for child in getattr(node, k) or []:
            out.extend(leaves(child))
    if getattr(node, "at_least", None):
        for child in node.at_least.of:
            out.extend(leaves(child))
    _LEAVES[id(node)] = (node, tuple(out))
    return out


def rule_leaves(rule: Rule) -> list[Leaf]:
    """Every condition leaf a rule reads: applies_if, when and unless."""
    out = leaves(rule.applies_if) if rule.applies_if is not None else []
    out += leaves(rule.when)
    for u in rule.unless:
        out += leaves(u)
    return out

