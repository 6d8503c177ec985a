"""Compile YAML criteria to a durable_rules ruleset and evaluate cases on it.

One case = one (case summary, request) pair. Its features go into the engine as a single
fact with ``assert_fact``; every rule whose applicability, ``when`` and ``unless`` hold fires
and records its id. Each case has its own session id, deleted after evaluation so the C
engine's session table does not fill up.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from datetime import date
from typing import Any, Iterable, Optional

from .models import Fact, Request
from .rules import ALWAYS, REGIONS, AppliesTo, AtLeast, Group, Leaf, Rule, leaves, vocabulary

UNKNOWN_NUMBER = -1
# When the general fact is denied, its unknown specifics are taken as absent too.
IMPLIED_ABSENT = {
    "red_flags_any": ("red_flag_cancer", "red_flag_infection", "red_flag_fracture", "red_flag_cauda_equina",
                      "progressive_neuro_deficit", "myelopathy", "weight_loss"),
    "prior_imaging": ("prior_mri",),
}
_MAX_COMBINATIONS = 64
_RULES_PER_RULESET = 16

# Body regions of fact mentions against the request's regions (see `body_regions` in lexicon.yaml).
_UPPER = frozenset({"cervical", "shoulder", "elbow", "hand_wrist", "upper_extremity", "head"})
_LOWER = frozenset({"lumbar", "sacroiliac", "pelvis", "hip", "knee", "ankle_foot", "lower_extremity"})
_SPINE = frozenset({"cervical", "thoracic", "lumbar", "sacroiliac", "spine"})
_SITE = {  # request region -> mention regions that concern the same site
    "cervical": {"cervical", "thoracic", "spine"},
    "thoracic": {"thoracic", "cervical", "lumbar", "spine", "chest"},
    "lumbar": {"lumbar", "sacroiliac", "thoracic", "spine", "pelvis"},
    "sacroiliac": {"sacroiliac", "lumbar", "pelvis", "spine"},
    "spine": set(_SPINE),
    "shoulder": {"shoulder", "upper_extremity"},
    "elbow": {"elbow", "upper_extremity"},
    "hand_wrist": {"hand_wrist", "upper_extremity"},
    "upper_extremity": set(_UPPER) - {"head"},
    "hip": {"hip", "pelvis", "lower_extremity"},
    "pelvis": {"pelvis", "hip", "sacroiliac"},
    "knee": {"knee", "lower_extremity"},
    "ankle_foot": {"ankle_foot", "lower_extremity"},
    "lower_extremity": set(_LOWER),
    "head": {"head", "cervical"},
    "chest": {"chest", "thoracic"},
}


def _quadrants(regions) -> set[str]:
    q = set()
    for r in regions:
        q.add("upper" if r in _UPPER else "lower" if r in _LOWER else "trunk")
    return q


def mention_fits(mode: Optional[str], mention_regions: list[str], request_regions: list[str]) -> bool:
    """Whether a regional fact mention concerns the requested region(s).

    A mention with no region, a request with no specific region, and non-regional facts always fit.
    ``quadrant`` facts (neurological findings) are only set aside across the upper/lower divide: arm
    findings do not support a lumbar study, leg findings not a cervical one. ``site`` facts (prior imaging,
    derangement, instability, fracture) must concern the same joint or spinal segment; ``spine_as_one`` facts
    (prior surgery, hardware) the same joint, or any part of the spine for a spinal request.
    """
    req = [r for r in request_regions if r not in ("unspecified", "any")]
    if not mode or not mention_regions or not req:
        return True
    if mode == "quadrant":
        rq, mq = _quadrants(req), _quadrants(mention_regions)
        return "trunk" in rq or "trunk" in mq or bool(rq & mq)
    if mode == "spine_as_one" and any(r in _SPINE for r in req) and any(m in _SPINE for m in mention_regions):
        return True
    return any(m in _SITE.get(r, {r}) for r in req for m in mention_regions)


def names_requested_region(named: set[str], request_regions: list[str]) -> bool:
    """Whether a text that names ``named`` body regions names (one of) the requested ones: the joint or spinal
    segment itself; for a whole limb (EMG) the limb, its joints or its spinal segment; for "spine" any segment."""
    for r in request_regions:
        if r in named or (r == "spine" and named & _SPINE):
            return True
        if r in ("upper_extremity", "lower_extremity") and named & _SITE[r]:
            return True
        if r in ("lumbar", "sacroiliac") and named & {"lumbar", "sacroiliac"}:
            return True
        if r == "pelvis" and named & {"hip", "sacroiliac"}:
            return True
    return False


@functools.lru_cache(maxsize=1)
def _region_modes() -> dict[str, str]:
    from .facts import load_lexicon
    return {f.name: f.region_mode for f in load_lexicon().facts if f.region_mode}


# ----------------------------------------------------------------------------------------------------------------
# features

def fact_state(mentions: list[Fact], spec: Optional[dict] = None) -> str:
    """Collapse the mentions of one flag fact into present / suspected / absent / unknown.

    ``spec`` is the fact's vocabulary entry: for a present-tense finding (``tense: present``) a resolved
    mention ("the numbness has resolved") counts as absent; for prior care or a prior study (``prior: true``)
    a planned mention (a request, a plan) is not one at all.
    """
    spec = spec or {}
    own = [f for f in mentions if f.experiencer == "patient"]
    if spec.get("prior"):
        own = [f for f in own if f.time != "planned"]
    if spec.get("tense") == "present" and any(f.time == "resolved" for f in own):
        own = [f.model_copy(update={"negated": True}) if f.time == "resolved" else f for f in own]
    if any(not f.negated and not f.hypothetical for f in own):
        return "present"
    if any(f.hypothetical and not f.negated for f in own):
        return "suspected"
    if any(f.negated for f in own):
        return "absent"
    return "unknown"


_NOT_NOW = ("past", "resolved", "planned")  # Fact.time values (when the extractor gives them) that are not "now"


def ongoing_state(mentions: list[Fact]) -> str:
    """Whether a course of care is under way now: present for a mention of current care; absent when the record
    speaks only of care that is over (historical or past/resolved), denied, or only planned; unknown otherwise."""
    own = [f for f in mentions if f.experiencer == "patient"]
    if any(not f.negated and not f.hypothetical and not f.historical and getattr(f, "time", None) not in _NOT_NOW
           for f in own):
        return "present"
    return "absent" if own else "unknown"


_EDX_TEST_WORDS = {"emg": re.compile(r"\bEMG|electromyo|electro-?diagnos", re.I),
                   "ncs": re.compile(r"\bNC[SV]|nerve conduction|electro-?diagnos", re.I)}
_EDX_REQUEST_TEST = {"emg": "emg", "emg_ncs": "emg", "ncs": "ncs"}  # EMG/NCS: the needle EMG is the study's core


def same_test_state(mentions: list[Fact], request: Request) -> str:
    """The state of a prior study of the requested electrodiagnostic test (the mentions are already those of the
    requested limb quadrant): a prior nerve conduction study alone does not make a first needle EMG a repeat."""
    test = _EDX_REQUEST_TEST.get(request.modality or "")
    if test is None:
        return fact_state(mentions)
    same = [f for f in mentions if _EDX_TEST_WORDS[test].search(f.evidence.quote)]
    state = fact_state(same)
    if state == "unknown" and fact_state(mentions) == "present":
        return "absent"  # only the other test was done
    return state


def _number(v: Any) -> Optional[float]:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).split("/")[0].split("-")[-1])
    except (TypeError, ValueError):
        return None


def facts_for_request(facts: list[Fact], request: Request) -> list[Fact]:
    """The mentions that concern the requested region(s): findings about another part of the body are set aside."""
    modes = _region_modes()
    return [f for f in facts if not f.regions or mention_fits(modes.get(f.name), f.regions, request.regions)]


_PRIOR_COURSE_FACT = {"pt": "physical_therapy", "ot": "physical_therapy", "aquatic": "physical_therapy",
                      "work_conditioning": "physical_therapy", "chiro": "chiropractic", "acupuncture": "acupuncture"}


def _no_prior_course(feats: dict[str, Any], request: Request) -> bool:
    """The record says no course of this kind of therapy was given (a denied fact, not a silent record)."""
    name = _PRIOR_COURSE_FACT.get(request.modality or "")
    return name is not None and feats.get(f"f_{name}") == "absent"


def _visits_total(feats: dict[str, Any], request: Request) -> float:
    """Therapy visits the request would bring the course to: requested + already completed; the requested alone when
    the record says no such course was given; unknown otherwise."""
    if request.category != "therapy" or request.sessions is None:
        return UNKNOWN_NUMBER
    done = feats.get("f_therapy_sessions_completed", UNKNOWN_NUMBER)
    if 0 <= done <= 200:  # a year misread as a count ("2016 sessions") is no count
        return float(request.sessions) + done
    if not request.repeat and _no_prior_course(feats, request):
        return float(request.sessions)  # a first course: nothing done yet
    return UNKNOWN_NUMBER


def build_features(facts: list[Fact], request: Request, as_of: Optional[date]) -> dict[str, Any]:
    """The flat feature record the engine sees: every attribute a rule can test is present."""
    by_name: dict[str, list[Fact]] = {}
    for f in facts_for_request(facts, request):
        by_name.setdefault(f.name, []).append(f)
    feats: dict[str, Any] = {"case": 1}
    for name, spec in vocabulary().items():
        mentions = by_name.get(name, [])
        kind = spec["kind"]
        if kind == "flag":
            feats[f"f_{name}"] = fact_state(mentions, spec)
        elif kind == "number":
            nums = [n for n in (_number(f.value) for f in mentions
                                if not f.negated and not (spec.get("prior") and f.time == "planned")) if n is not None]
            if name == "pain_score" or name == "therapy_sessions_completed":
                val = max(nums) if nums else None
            else:
                val = nums[0] if nums else None
            feats[f"f_{name}"] = val if val is not None else UNKNOWN_NUMBER
        else:
            vals = [str(f.value) for f in mentions if not f.negated and f.value not in (None, True, False)]
            feats[f"f_{name}"] = vals[0] if vals else "unknown"
    feats["f_physical_therapy_ongoing"] = ongoing_state(by_name.get("physical_therapy", []))
    feats["f_prior_electrodiagnostic_same_test"] = same_test_state(by_name.get("prior_electrodiagnostic", []), request)
    # a general statement covers the specific facts it implies ("no red flags", "no prior imaging")
    for general, specifics in IMPLIED_ABSENT.items():
        if feats.get(f"f_{general}") == "absent":
            for name in specifics:
                if feats.get(f"f_{name}") == "unknown":
                    feats[f"f_{name}"] = "absent"
    # derived numbers
    if feats.get("f_weeks_since_injury", UNKNOWN_NUMBER) == UNKNOWN_NUMBER and as_of and feats.get("f_date_of_injury", "unknown") != "unknown":
        try:
            doi = date.fromisoformat(feats["f_date_of_injury"])
            if doi <= as_of:
                feats["f_weeks_since_injury"] = round((as_of - doi).days / 7, 1)
        except ValueError:
            pass
    if as_of and feats.get("f_weeks_since_prior_imaging", UNKNOWN_NUMBER) == UNKNOWN_NUMBER:
        dated = [f.date for name in ("prior_mri", "prior_imaging") for f in by_name.get(name, [])
                 if f.date and not f.negated and not f.hypothetical and f.date <= as_of]
        if dated:
            feats["f_weeks_since_prior_imaging"] = round((as_of - max(dated)).days / 7, 1)
    if feats.get("f_therapy_sessions_completed", UNKNOWN_NUMBER) == UNKNOWN_NUMBER:
        counts = [n for name in ("physical_therapy", "chiropractic", "acupuncture") for f in by_name.get(name, [])
                  if not f.negated and not f.hypothetical and f.time != "planned" and (n := _number(f.value)) is not None]
        if counts:
            feats["f_therapy_sessions_completed"] = max(counts)
    # the request
    feats["q_modality"] = request.modality or "unknown"
    feats["q_category"] = request.category
    feats["q_contrast"] = request.contrast or "unknown"
    feats["q_laterality"] = request.laterality or "unknown"
    for k in ("sessions", "weeks", "frequency_per_week", "quantity"):
        v = getattr(request, k)
        feats[f"q_{k}"] = float(v) if v is not None else UNKNOWN_NUMBER
    feats["q_postsurgical"] = bool(request.postsurgical)
    feats["q_preoperative"] = bool(request.preoperative)
    feats["q_repeat"] = bool(request.repeat)
    feats["q_visits_total"] = _visits_total(feats, request)
    add_request_attributes(feats, request)
    regions = set(request.regions)  # "spine" stays the whole or unspecified spine; it is not implied by a segment
    if not regions:
        regions.add("unspecified")
    for r in REGIONS:
        feats[f"r_{r}"] = r in regions or r == "any"
    feats["asof"] = (as_of or date.today()).toordinal()
    return feats


def add_request_attributes(feats: dict[str, Any], request: Request) -> None:
    """The category modules' request attributes (checker/requests/kinds.py): every declared one is present, an
    unread number is -1, an unread category "unknown", an unread bool False; a set gives ``q_NAME__VALUE``."""
    from .requests.kinds import category_attributes

    attrs = request.attributes
    for name, kind in category_attributes().items():
        v = attrs.get(name)
        key = f"q_{name}"
        if isinstance(kind, tuple):
            present = set(v) if isinstance(v, (list, tuple, set)) else set()
            for value in kind[1]:
                feats[f"{key}__{value}"] = value in present
            feats[key] = "known" if v is not None else "unknown"
        elif kind == "number":
            feats[key] = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else UNKNOWN_NUMBER
        elif kind == "bool":
            feats[key] = bool(v)
        else:
            feats[key] = str(v) if v is not None else "unknown"


# ----------------------------------------------------------------------------------------------------------------
# compiling conditions to durable_rules expressions

def _negate(expr: dict) -> dict:
    (op, arg), = expr.items()
    if op == "$and":
        return {"$or": [_negate(e) for e in arg]}
    if op == "$or":
        return {"$and": [_negate(e) for e in arg]}
    flip = {"$neq": None, "$gte": "$lt", "$lt": "$gte", "$gt": "$lte", "$lte": "$gt"}
    if op == "$neq":
        return dict(arg)
    if op in flip:
        return {flip[op]: dict(arg)}
    return {"$neq": {op: arg}}  # plain equality {key: value}


def _join(op: str, parts: list[dict]) -> dict:
    return parts[0] if len(parts) == 1 else {op: parts}


def compile_node(node: Any) -> dict:
    if node == ALWAYS:
        return {"case": 1}  # every case record carries case=1
    if isinstance(node, Leaf):
        key = node.key
        parts: list[dict] = []
        if node.is_ is not None:
            if node.is_set:
                return _join("$or", [{f"{key}__{v}": True} for v in node.values()])
            return _join("$or", [{key: v} for v in node.values()])
        for op in ("gte", "gt", "lte", "lt"):
            v = getattr(node, op)
            if v is not None:
                parts.append({f"${op}": {key: v}})
                if op in ("lte", "lt"):
                    parts.append({"$gte": {key: 0}})  # an unknown number (-1) never satisfies an upper bound
        return _join("$and", parts)
    if isinstance(node, Group):
        if node.all is not None:
            return _join("$and", [compile_node(c) for c in node.all])
        if node.any is not None:
            return _join("$or", [compile_node(c) for c in node.any])
        if node.none is not None:
            return _join("$and", [_negate(compile_node(c)) for c in node.none])
        return compile_at_least(node.at_least)
    raise TypeError(f"not a condition: {node!r}")


def eval_expr(expr: dict, feats: dict[str, Any]) -> bool:
    """Evaluate a compiled expression in Python, for lint sampling and the checklist; cases go through durable_rules."""
    (op, arg), = expr.items()
    if op == "$and":
        return all(eval_expr(e, feats) for e in arg)
    if op == "$or":
        return any(eval_expr(e, feats) for e in arg)
    if op == "$ex":
        return all(k in feats for k in arg)
    if op in ("$neq", "$gte", "$gt", "$lte", "$lt"):
        (k, v), = arg.items()
        x = feats.get(k)
        if op == "$neq":
            return x != v
        if x is None:
            return False
        return {"$gte": x >= v, "$gt": x > v, "$lte": x <= v, "$lt": x < v}[op]
    return feats.get(op) == arg


def compile_at_least(al: AtLeast) -> dict:
    kids = [compile_node(c) for c in al.of]
    combos = list(itertools.combinations(kids, al.n))
    if len(combos) > _MAX_COMBINATIONS:
        raise ValueError(f"at_least {al.n} of {len(kids)} expands to {len(combos)} combinations (max {_MAX_COMBINATIONS})")
    return _join("$or", [_join("$and", list(c)) for c in combos])


def compile_applies(a: AppliesTo) -> list[dict]:
    parts = [_join("$or", [{"q_modality": m} for m in a.modalities])]
    if "any" not in a.regions:
        parts.append(_join("$or", [{f"r_{r}": True} for r in a.regions]))
    parts.append({"$gte": {"asof": a.in_force.from_.toordinal()}})
    parts.append({"$lte": {"asof": a.in_force.to.toordinal()}})
    if a.postsurgical is not None:
        parts.append({"q_postsurgical": a.postsurgical})
    return parts


APPLIES = "#applies"


def compile_rule(rule: Rule) -> dict[str, dict]:
    """Two engine rules per criterion: ``ID#applies`` (it is in play) and ``ID`` (it is met)."""
    applies = compile_applies(rule.applies_to)
    if rule.applies_if is not None:
        applies.append(compile_node(rule.applies_if))
    met = applies + [compile_node(rule.when)] + [_negate(compile_node(u)) for u in rule.unless]
    return {rule.id + APPLIES: {"all": [{"m": _join("$and", applies)}]},
            rule.id: {"all": [{"m": _join("$and", met)}]}}


# ----------------------------------------------------------------------------------------------------------------
# the engine

_HOST = None


def _host():
    """The one durable_rules host of this process, without durable's background dispatch threads.

    ``durable.lang.get_host()`` starts two timer threads that walk every ruleset several times a second to
    run queued actions and timers. This engine has neither (each case is asserted and its actions run
    synchronously in ``assert_fact``), and those threads raced with the main thread on the C engine's
    session state: a case deleted while the dispatcher looked at it printed ``Could not start action, error
    code: 307`` on stderr. They also cost CPU in every worker and are unsafe to fork with. Hence a host that
    never starts them.
    """
    global _HOST
    if _HOST is None:
        from durable.engine import Host  # imported lazily: the C extension is heavy

        class _SyncHost(Host):
            def _run(self):  # no dispatch or timer threads
                pass

        _HOST = _SyncHost()
    return _HOST


class Engine:
    """durable_rules rulesets built from the catalog, one per modality; ``evaluate`` per case.

    A case only meets the rules of its own modality, so each modality gets its own ruleset: the engine
    then matches a case against a dozen rules instead of the whole catalog. A modality's ruleset is
    registered with the C engine the first time a case of that modality comes (``prepare()`` registers them
    all, e.g. before worker processes fork).
    """

    _registered: dict[str, "Engine"] = {}

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)
        self.by_id = {r.id: r for r in self.rules}
        spec: dict[str, dict] = {}
        for r in self.rules:
            spec.update(compile_rule(r))
        digest = hashlib.sha1(repr(sorted(spec.items(), key=lambda kv: kv[0])).encode()).hexdigest()[:12]
        self.name = f"imrcheck_{digest}"
        self.host = _host()
        if self.name in Engine._registered:  # a ruleset name can be registered once per process
            prev = Engine._registered[self.name]
            self._counter, self.rulesets, self._pending, self._handles = prev._counter, prev.rulesets, prev._pending, prev._handles
            self._order = prev._order
            return
        self._counter = itertools.count()
        self._handles: dict[str, int] = {}  # ruleset name -> the C engine's handle
        self._order: dict[str, list[tuple[str, str]]] = {}  # ruleset name -> its rules' (id, id#applies), catalog order
        # modality -> [(ruleset name, attributes it tests)]: a modality's criteria are split into rulesets of at most
        # _RULES_PER_RULESET, because durable_rules walks a ruleset's alpha network on a fixed stack of 64 nodes and
        # refuses a fact (error 303) that matches more pending nodes than that
        self.rulesets: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        # modality -> its rules, until its ruleset is registered (shared with later Engines of the same catalog)
        self._pending: dict[str, list[Rule]] = {}
        for r in self.rules:
            for m in r.applies_to.modalities:
                self._pending.setdefault(m, []).append(r)
        Engine._registered[self.name] = self

    def _register(self, m: str) -> Optional[list[tuple[str, tuple[str, ...]]]]:
        rules = self._pending.pop(m, None)
        if rules is None:
            return self.rulesets.get(m)
        self.rulesets[m] = []
        for n, start in enumerate(range(0, len(rules), _RULES_PER_RULESET)):
            chunk = rules[start:start + _RULES_PER_RULESET]
            ruleset: dict[str, dict] = {}
            keys: set[str] = {"case"}
            for r in chunk:
                for rid, body in compile_rule(r).items():  # a fresh dict: registering deletes its `run`
                    keys |= _attributes(body)
                    body["run"] = _no_action
                    ruleset[rid] = body
            ruleset["__case__"] = {"all": [{"m": {"$ex": {"case": 1}}}], "run": _no_action}
            name = f"{self.name}_{m}_{n}"
            self.host.set_rulesets({name: ruleset})
            self._handles[name] = self.host.get_ruleset(name)._handle
            self._order[name] = [(r.id, r.id + APPLIES) for r in chunk]
            self.rulesets[m].append((name, tuple(sorted(keys))))
        return self.rulesets[m]

    def prepare(self) -> "Engine":
        """Register every modality's ruleset now."""
        for m in list(self._pending):
            self._register(m)
        return self

    def evaluate(self, features: dict[str, Any]) -> tuple[list[str], list[str]]:
        """(ids of rules in play, ids of rules met) for one case, in catalog order."""
        m = features.get("q_modality")
        entries = self.rulesets.get(m) or (self._register(m) if m in self._pending else None)
        if not entries:
            return [], []
        applies: set[str] = set()
        met: set[str] = set()
        for ruleset, keys in entries:
            sid = f"c{next(self._counter)}"
            # only what this ruleset tests (every such attribute is present): a smaller fact is faster to match
            fact = {k: features[k] for k in keys}
            fact["sid"] = sid
            fired = _fire(self._handles[ruleset], sid, fact)
            for rid, ap in self._order[ruleset]:
                if ap in fired:
                    applies.add(rid)
                if rid in fired:
                    met.add(rid)
        order = [rid for ruleset, _ in entries for rid, _ in self._order[ruleset]]
        return [rid for rid in order if rid in applies], [rid for rid in order if rid in met]


def _no_action(c) -> None:
    """The action of every engine rule: nothing runs; which rules matched is read from the C engine's queue."""


def _fire(handle: int, sid: str, fact: dict) -> set[str]:
    """Assert one case on a ruleset through the C engine and return the names of the rules it matched.

    This is what durable's ``Host.assert_fact`` does, without its per-action Python machinery (a closure,
    a state object, the state written back and the whole matched fact parsed from JSON for every rule that
    fires): each queued action is only named, then completed. The case's session is always deleted.
    """
    import durable_rules_engine as dre

    names: set[str] = set()
    try:
        code, state = dre.assert_fact(handle, json.dumps(fact))
        if code == 0:
            action = dre.start_action_for_state(handle, state)
            msg = action[1] if action else None
            while msg:
                names.add(msg[2:msg.index('"', 2)])  # '{"RULE NAME":{...}}': rule names have no quotes
                msg = dre.complete_and_start_action(handle, state)
    finally:
        try:
            dre.delete_state(handle, sid)
        except Exception:  # pragma: no cover - nothing to release
            pass
    return names


def _attributes(expr: Any) -> set[str]:
    """The fact attributes a compiled durable_rules expression tests."""
    out: set[str] = set()
    if isinstance(expr, dict):
        for k, v in expr.items():
            if k in ("all", "any"):
                for part in v:
                    out |= _attributes(part)
            elif k == "m":
                out |= _attributes(v)
            elif k in ("$and", "$or"):
                for part in v:
                    out |= _attributes(part)
            elif k.startswith("$"):
                out |= set(v) if isinstance(v, dict) else set()
            else:
                out.add(k)
    return out


def known(leaf: Leaf, feats: dict[str, Any]) -> bool:
    v = feats.get(leaf.key)
    return v not in ("unknown", UNKNOWN_NUMBER, None)


def subject_leaves(node: Any) -> list[Leaf]:
    """The leaves a condition is about. A group that grounds a suspicion (``all: [{fact: X, is: suspected}, <basis>]``,
    e.g. a suspected fracture with a recent injury, age over 50 or osteoporosis) is about X: its basis qualifies the
    suspicion and does not make the record speak to the condition when X itself is not mentioned."""
    if isinstance(node, Leaf):
        return [node]
    if not isinstance(node, Group):
        return []
    kids = list(node.all or node.any or node.none or node.at_least.of)
    if node.all is not None:
        suspicion = [k for k in kids if isinstance(k, Leaf) and k.fact and k.values() == ["suspected"]]
        if suspicion:
            return suspicion
    return [lf for k in kids for lf in subject_leaves(k)]


def rule_is_unknown(rule: Rule, feats: dict[str, Any]) -> bool:
    """True when every fact the rule's `when` and `unless` are about is unknown for this case."""
    fact_leaves = [lf for node in [rule.when, *rule.unless] for lf in subject_leaves(node) if lf.fact]
    return bool(fact_leaves) and not any(known(lf, feats) for lf in fact_leaves)
