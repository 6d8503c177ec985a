"""`imrcheck audit`: consistency audit of a set of IMR letters.

Streams over letters with :func:`checker.evaluate.iter_evaluations` (a process pool, results in input order)
and turns every disputed item into a compact :class:`AuditItem`; the letter text is not kept. From those:

* **rates** - the share of items overturned, by modality, body region, guideline family on the MAXIMUS line,
  reviewer specialty and year, with 95 % Wilson intervals;
* **findings** - ``rule_contrary``, ``similar_different``, ``citation_mtus_addresses``, ``citation_mtus_silent``,
  ``citation_ca_vs_reviewer`` and ``rationale_cites_nothing`` (``docs/audit.md`` says what each means and where
  it is wrong);
* **agreement** - Cohen's kappa between our prediction and the reviewer, overall and per reviewer specialty,
  with a 95 % interval from the asymptotic standard error of Fleiss, Cohen & Everitt (1969).

Everything is computed from the inputs alone and in a fixed order, so the same letters give byte-identical
JSON whatever the number of workers.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from pydantic import BaseModel, Field

from .evaluate import LetterOutcome, guideline_families, iter_evaluations, letter_as_of
from .stats import NOT_ESTIMABLE, Z95, cohen_kappa, wilson_interval  # noqa: F401 (Z95, wilson_interval re-exported)

FINDING_TYPES = ("rule_contrary", "similar_different", "citation_mtus_addresses", "citation_mtus_silent",
                 "citation_ca_vs_reviewer", "rationale_cites_nothing")
DIMENSIONS = ("modality", "region", "guideline_family", "specialty", "year")
MIN_SIMILARITY = 0.6  # Jaccard over the known decisive facts
MIN_SHARED_FACTS = 2  # known facts two items must share before they count as similar
EXCERPT_CHARS = 420
UNKNOWN = "unknown"


# ----------------------------------------------------------------------------------------------------------------
# statistics

def jaccard(a: set, b: set) -> Optional[float]:
    union = a | b
    return len(a & b) / len(union) if union else None


# ----------------------------------------------------------------------------------------------------------------
# reading the letter's lines

_NO_CITATION_RX = re.compile(r"did not cite any (?:medical )?evidence", re.I)


def line_families(text: str) -> list[str]:
    """Guideline families of a 'MAXIMUS guideline' or 'Claims Administrator guideline' line; ``["none"]`` when
    the line says no evidence was cited."""
    if _NO_CITATION_RX.search(text or ""):
        return ["none"]
    return guideline_families(text or "")


# Named sources a rationale may cite. ACOEM's 2004 chapters are part of the MTUS, so ACOEM is its own label.
_RATIONALE_SOURCES = [
    ("MTUS", re.compile(r"(?<!non-)\bmtus\b|medical treatment utilization schedule|chronic pain (?:medical treatment )?"
                        r"guidelines?|post-?surgical (?:treatment )?guidelines?|acupuncture (?:medical treatment )?"
                        r"guidelines?|opioid treatment guidelines?", re.I)),
    ("ACOEM", re.compile(r"\bacoem\b|american college of occupational", re.I)),
    ("ODG", re.compile(r"official disability guidelines?|\bodg\b", re.I)),
    ("ACR", re.compile(r"american college of radiology|\bacr\b", re.I)),
    ("ISCD", re.compile(r"\biscd\b|international society for clinical densitometry", re.I)),
    ("USPSTF", re.compile(r"uspstf|preventive services task force", re.I)),
    ("other", re.compile(r"uptodate|up to date\b|\bfda\b|food and drug administration|american (?:academy|association|"
                         r"society|heart association|college of (?!occupational|radiology))|national (?:guideline|"
                         r"institute|comprehensive cancer)|\bnice\b|cochrane|pubmed|medline|\bet al\b|journal|"
                         r"labor code|\bccr\b|9792\.|work loss data|\bnccn\b|\bcms\b|medicare|package insert|"
                         r"drugs\.com|medscape|http|www\.", re.I)),
]
_GENERIC_GUIDELINE_RX = re.compile(r"\bguidelines?\b|\brecommendations?\b|\bevidence[- ]based\b", re.I)
_DERIVATIVE_RX = re.compile(r"\bancillary\b|\bassociated (?:surgical )?(?:service|request|procedure)|"
                            r"requested (?:surgical )?(?:intervention|procedure|surgery) (?:is|was) not (?:medically )?"
                            r"necessary|primary (?:procedure|request)|since the (?:surgery|procedure) (?:is|was) not",
                            re.I)


def rationale_sources(text: str) -> list[str]:
    """Named guideline sources in a rationale, in the order of the catalog above."""
    return [name for name, rx in _RATIONALE_SOURCES if rx.search(text or "")]


_SENTENCE_RX = re.compile(r"[^.!?]+(?:[.!?]+(?=\s|$)|$)")
_NEGATIVE_CUES = re.compile(r"\b(?:no|not|lack|lacks|lacking|absence|absent|without|failed|fails|insufficient|"
                            r"unclear|exceeds?|however)\b", re.I)


def rationale_excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The reviewer's stated reason: the sentences that carry the most reason cues, in their order, within
    ``limit`` characters."""
    from .explain import REASON_CUES

    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    sents = [m.group(0).strip() for m in _SENTENCE_RX.finditer(text) if m.group(0).strip()]
    scored = []
    for i, s in enumerate(sents):
        low = s.lower()
        score = sum(1 for cues in REASON_CUES.values() if any(c in low for c in cues))
        score += 2 * bool(_NEGATIVE_CUES.search(s)) + (1 if re.search(r"\b(?:in this case|therefore|as such|thus)\b", low) else 0)
        scored.append((-score, i, s))
    chosen, used = [], 0
    for _, i, s in sorted(scored):
        if used + len(s) + 3 > limit:
            continue
        chosen.append((i, s))
        used += len(s) + 3
    if not chosen:
        return text[: limit - 1] + "\u2026"
    chosen.sort()
    parts, prev = [], -1
    for i, s in chosen:
        if prev >= 0 and i != prev + 1:
            parts.append("\u2026")
        parts.append(s)
        prev = i
    return " ".join(parts)


def primary_specialty(specialty: Optional[str]) -> str:
    """The first specialty of the reviewer's 'Certification(s)/Specialty' line, spelled one way."""
    if not specialty or not specialty.strip():
        return UNKNOWN
    first = specialty.split(",")[0].strip()
    first = re.sub(r"\s+and\s+", " & ", first)
    return " ".join(first.split()) or UNKNOWN


# ----------------------------------------------------------------------------------------------------------------
# the per-item record

class CriterionView(BaseModel):
    rule: str
    title: str
    effect: str
    state: str
    citation: str
    source: str
    evidence: list[str] = Field(default_factory=list)


class AuditItem(BaseModel):
    """What the audit keeps of one disputed item (no letter text beyond short excerpts and quotes)."""

    letter: str  # the path as given or found in a folder
    case_number: Optional[str] = None
    item: int
    request: str
    category: str = "other"
    modality: Optional[str] = None
    regions: list[str] = Field(default_factory=list)
    decision: str  # the reviewer's: Upheld / Overturned
    predicted: Optional[str] = None
    status: Optional[str] = None
    specialty: Optional[str] = None
    year: Optional[int] = None
    reviewer_families: list[str] = Field(default_factory=lambda: ["other"])
    ca_families: list[str] = Field(default_factory=lambda: ["other"])
    maximus_guideline: str = ""
    rationale_sources: list[str] = Field(default_factory=list)
    rationale_generic: bool = False  # says "guidelines" without naming one
    rationale_derivative: bool = False  # decided by another item ("ancillary service")
    rationale_excerpt: str = ""
    reasons_reviewer: list[str] = Field(default_factory=list)
    reasons_ours: list[str] = Field(default_factory=list)
    our_rationale: str = ""
    missing: list[str] = Field(default_factory=list)
    criteria: list[CriterionView] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    catalog_sources: list[str] = Field(default_factory=list)  # guideline sources of the criteria in play
    signature: dict[str, str] = Field(default_factory=dict)  # decisive fact -> state or comparison

    @property
    def modality_group(self) -> str:
        return self.modality or "other"

    @property
    def region_groups(self) -> list[str]:
        return list(self.regions) or ["none"]

    @property
    def specialty_group(self) -> str:
        return primary_specialty(self.specialty)

    @property
    def family(self) -> str:
        return self.reviewer_families[0] if self.reviewer_families else "other"

    @property
    def request_type(self) -> str:
        return f"{self.modality_group} / {'+'.join(sorted(self.regions)) or 'unspecified'}"

    @property
    def scored(self) -> bool:
        return self.predicted is not None

    def ref(self) -> dict:
        return {"letter": self.letter, "item": self.item, "case_number": self.case_number}


def _fmt_threshold(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _bucket(value: float, thresholds: list[float]) -> str:
    """Where ``value`` falls among the thresholds the rules compare it with: two values with the same label
    satisfy exactly the same comparisons."""
    if value in thresholds:
        return f"= {_fmt_threshold(value)}"
    below = [t for t in thresholds if t < value]
    above = [t for t in thresholds if t > value]
    if below and above:
        return f"between {_fmt_threshold(max(below))} and {_fmt_threshold(min(above))}"
    return f"above {_fmt_threshold(max(below))}" if below else f"below {_fmt_threshold(min(above))}"


# Request fields that make the request type itself: the same for every item compared.
_TYPE_KEYS = ("request modality", "request category")


def decisive_signature(rules: Iterable, feats: dict[str, Any]) -> dict[str, str]:
    """The states of the facts the given rules read, as the engine saw them: one entry per fact or request field.

    Flags and categories give their state (``present``, ``absent``, ``unknown`` ...). Numbers give where the
    value falls among the thresholds the rules compare it with (``between 4 and 6``, ``above 24``, ``= 10``), so
    two cases match when every comparison the rules make comes out the same. The request's modality and
    category are left out: they are the request type.
    """
    from .engine import UNKNOWN_NUMBER
    from .rules import rule_leaves

    thresholds: dict[str, set[float]] = defaultdict(set)
    keys: dict[str, str] = {}
    for rule in rules:
        for leaf in rule_leaves(rule):
            name = leaf.fact or f"request {leaf.request}"
            if name in _TYPE_KEYS:
                continue
            keys[name] = leaf.key
            for op in ("gte", "gt", "lte", "lt"):
                if getattr(leaf, op) is not None:
                    thresholds[name].add(float(getattr(leaf, op)))
    sig: dict[str, str] = {}
    for name, key in keys.items():
        value = feats.get(key)
        if isinstance(value, bool):
            sig[name] = "yes" if value else "no"
        elif value is None or value == UNKNOWN_NUMBER or value == UNKNOWN:
            sig[name] = UNKNOWN
        elif thresholds.get(name) and isinstance(value, (int, float)):
            sig[name] = _bucket(float(value), sorted(thresholds[name]))
        else:
            sig[name] = str(value)
    return dict(sorted(sig.items()))


def _squash(text: str) -> str:
    """A quote on one line (the letter's line breaks mean nothing in a table)."""
    return " ".join(text.split())


def _criterion_view(c) -> CriterionView:
    cit = c.citation
    where = ", ".join(x for x in (cit.document, cit.section) if x)
    label = where if where.startswith(cit.source) else f"{cit.source}: {where}" if where else cit.source
    return CriterionView(rule=c.rule, title=c.title, effect=c.effect, state=c.state, source=cit.source,
                         citation=label,
                         evidence=[_squash(e.quote) for e in c.evidence])


class _Context:
    """Catalog lookups the audit needs, loaded once in the parent process."""

    def __init__(self):
        from .rules import default_rules

        self.rules_by_id = {r.id: r for r in default_rules()}


def audit_items(outcome: LetterOutcome, ctx: Optional[_Context] = None) -> list[AuditItem]:
    """The audit records of one evaluated letter (none when it failed)."""
    from .explain import reason_groups_of_rationale, reason_groups_of_result

    if outcome.letter is None:
        return []
    ctx = ctx or _Context()
    letter = outcome.letter
    day = letter.decision_date or letter.ur_denial_date
    as_of = letter_as_of(letter)
    facts = None
    out = []
    for it, ir, pred in zip(letter.items, outcome.items, outcome.predictions):
        rec = AuditItem(
            letter=outcome.path, case_number=letter.case_number, item=it.index, request=it.text,
            category=ir.category, modality=ir.modality, regions=list(ir.regions), decision=it.decision,
            specialty=letter.reviewer_specialty, year=day.year if day else None,
            reviewer_families=line_families(it.maximus_guideline),
            ca_families=line_families(it.claims_administrator_guideline),
            maximus_guideline=" ".join(it.maximus_guideline.split()),
            rationale_sources=rationale_sources(it.rationale),
            rationale_generic=bool(_GENERIC_GUIDELINE_RX.search(it.rationale)),
            rationale_derivative=bool(_DERIVATIVE_RX.search(it.rationale)),
            rationale_excerpt=rationale_excerpt(it.rationale),
            reasons_reviewer=sorted(reason_groups_of_rationale(it.rationale)),
        )
        if pred is not None:
            rec.predicted = pred.imr_outcome
            rec.status = pred.status
            rec.our_rationale = _squash(pred.rationale)
            rec.missing = list(pred.missing)
            rec.criteria = [_criterion_view(c) for c in pred.criteria]
            rec.evidence = list(dict.fromkeys(_squash(e.quote) for e in pred.evidence))
            rec.catalog_sources = sorted({c.citation.source for c in pred.criteria})
            known_rules = [rid for rid in pred.rules if rid in ctx.rules_by_id]
            rec.reasons_ours = sorted(reason_groups_of_result(pred.model_copy(update={"rules": known_rules}), ctx.rules_by_id))
            in_play = [ctx.rules_by_id[c.rule] for c in pred.criteria if c.rule in ctx.rules_by_id]
            if in_play and pred.normalized is not None:
                from .engine import build_features

                if facts is None:
                    facts = outcome.facts
                    if facts is None:  # an outcome built without its facts (older callers)
                        from .facts import extract_facts
                        facts = extract_facts(letter.summary, as_of=as_of)
                # the features the predictor saw (build_features sets aside findings about other parts of the body)
                feats = build_features(facts, pred.normalized, as_of or date.today())
                rec.signature = decisive_signature(in_play, feats)
        out.append(rec)
    return out


# ----------------------------------------------------------------------------------------------------------------
# rates

def _rate_row(group: str, items: list[AuditItem]) -> dict:
    n = len(items)
    k = sum(1 for i in items if i.decision == "Overturned")
    ci = wilson_interval(k, n)
    return {"group": group, "n": n, "letters": len({i.letter for i in items}), "upheld": n - k, "overturned": k,
            "overturn_rate": _r(k / n) if n else None, "ci": [_r(ci[0]), _r(ci[1])] if ci else None}


def _r(x: Optional[float], nd: int = 4) -> Optional[float]:
    return None if x is None else round(x, nd) + 0.0  # + 0.0: no "-0.0" in the output


def outcome_rates(items: list[AuditItem]) -> dict:
    """Overturn rates with 95 % Wilson intervals, overall and per dimension; an item naming several regions
    counts once under each. ``letters`` says how many letters a group's items come from: the interval treats
    items as independent, which items of one letter (one reviewer, one patient) are not."""
    keyed: dict[str, dict[str, list[AuditItem]]] = {d: defaultdict(list) for d in DIMENSIONS}
    for i in items:
        keyed["modality"][i.modality_group].append(i)
        for r in i.region_groups:
            keyed["region"][r].append(i)
        keyed["guideline_family"][i.family].append(i)
        keyed["specialty"][i.specialty_group].append(i)
        keyed["year"][str(i.year) if i.year else UNKNOWN].append(i)
    out: dict[str, Any] = {"overall": _rate_row("all", items)}
    for d in DIMENSIONS:
        groups = keyed[d]
        if d == "year":
            order = sorted(groups, key=lambda g: (g == UNKNOWN, g))
        else:
            order = sorted(groups, key=lambda g: (-len(groups[g]), g))
        out[d] = [_rate_row(g, groups[g]) for g in order]
    return out


# ----------------------------------------------------------------------------------------------------------------
# agreement

def _kappa_row(group: str, items: list[AuditItem]) -> dict:
    """Kappa and its interval for a group; ``None`` where not estimable (``ci_note`` says why). A kappa of 0 by
    construction (one side gave a single outcome: 25 of 26 agreeing still gives 0) is reported as not estimable."""
    k = cohen_kappa((i.decision, i.predicted) for i in items)
    return {"group": group, "n": k["n"], "agree": k["agree"], "note": k["ci_note"] or "",
            "observed": _r(k["observed"]), "expected": _r(k["expected"]),
            "kappa": None if k["single_class"] else _r(k["kappa"]),
            "se": _r(k["se"]) if k["ci"] else None, "ci": [_r(k["ci"][0]), _r(k["ci"][1])] if k["ci"] else None}


def agreement(items: list[AuditItem]) -> dict:
    scored = [i for i in items if i.scored]
    by: dict[str, list[AuditItem]] = defaultdict(list)
    for i in scored:
        by[i.specialty_group].append(i)
    return {"overall": _kappa_row("all", scored),
            "by_specialty": [_kappa_row(g, by[g]) for g in sorted(by, key=lambda g: (-len(by[g]), g))],
            "method": "Cohen's kappa, reviewer vs imrcheck on scored items; 95% CI from the Fleiss-Cohen-Everitt "
                      "(1969) asymptotic standard error"}


# ----------------------------------------------------------------------------------------------------------------
# findings

def _finding(ftype: str, item: AuditItem, **details) -> dict:
    return {"type": ftype, **item.ref(), "request": item.request, **details}


def rule_contrary(items: list[AuditItem]) -> list[dict]:
    """Upheld although every criterion appears met, or overturned although a required criterion is unmet."""
    out = []
    for i in items:
        if i.decision == "Upheld" and i.predicted == "Overturned" and i.status == "met":
            kind = "upheld_though_criteria_met"
        elif i.decision == "Overturned" and i.predicted == "Upheld" and i.status == "not met":
            kind = "overturned_though_criterion_unmet"
        else:
            continue
        ours, theirs = set(i.reasons_ours), set(i.reasons_reviewer)
        out.append(_finding(
            "rule_contrary", i, kind=kind, decision=i.decision, predicted=i.predicted, status=i.status,
            request_type=i.request_type, specialty=i.specialty_group,
            criteria=[c.model_dump() for c in i.criteria], evidence=i.evidence,
            reviewer_reason=i.rationale_excerpt, our_reason=i.our_rationale, missing=i.missing,
            reasons_shared=sorted(ours & theirs), reasons_ours_only=sorted(ours - theirs),
            reasons_reviewer_only=sorted(theirs - ours)))
    return out


def _known(sig: dict[str, str]) -> frozenset:
    return frozenset((k, v) for k, v in sig.items() if v != UNKNOWN)


def similar_different(items: list[AuditItem], min_similarity: float = MIN_SIMILARITY,
                      min_shared: int = MIN_SHARED_FACTS) -> list[dict]:
    """Items of one request type (modality + regions) whose decisive facts match but whose decisions differ.

    Items with the same known facts form a node; a finding is an upheld side and an overturned side (the same
    node, or two nodes whose Jaccard similarity over the known ``fact=state`` pairs is at least
    ``min_similarity`` and who share at least ``min_shared`` of them). Ranked by similarity, then size.
    """
    nodes: dict[tuple[str, frozenset], list[AuditItem]] = defaultdict(list)
    for i in items:
        if i.scored and i.signature:
            known = _known(i.signature)
            if len(known) >= min_shared:
                nodes[(i.request_type, known)].append(i)
    by_type: dict[str, list[tuple[frozenset, list[AuditItem]]]] = defaultdict(list)
    for (rtype, known), members in nodes.items():
        by_type[rtype].append((known, members))
    found = []
    for rtype in sorted(by_type):
        group = sorted(by_type[rtype], key=lambda kv: (kv[1][0].letter, kv[1][0].item))
        pairs = [(a, a) for a in group] + [(a, b) for a, b in combinations(group, 2)] + \
                [(b, a) for a, b in combinations(group, 2)]
        for (ka, ma), (kb, mb) in pairs:
            upheld = [i for i in ma if i.decision == "Upheld"]
            overturned = [i for i in mb if i.decision == "Overturned"]
            if not upheld or not overturned:
                continue
            sim = jaccard(ka, kb)
            if sim is None or sim < min_similarity or len(ka & kb) < min_shared:
                continue
            sa, sb = upheld[0].signature, overturned[0].signature
            keys = sorted(set(sa) | set(sb))
            matching = {k: sa[k] for k in keys if k in sa and k in sb and sa[k] == sb[k] and sa[k] != UNKNOWN}
            differing = [{"fact": k, "upheld": sa.get(k, UNKNOWN), "overturned": sb.get(k, UNKNOWN)}
                         for k in keys if sa.get(k, UNKNOWN) != sb.get(k, UNKNOWN)]
            lead = overturned[0] if len(overturned) <= len(upheld) else upheld[0]
            found.append(_finding(
                "similar_different", lead, request_type=rtype, similarity=_r(sim), identical=ka == kb,
                upheld=[{**i.ref(), "request": i.request} for i in upheld],
                overturned=[{**i.ref(), "request": i.request} for i in overturned],
                matching=matching, differing=differing,
                predicted=sorted({i.predicted for i in upheld + overturned if i.predicted})))
    found.sort(key=lambda f: (-f["similarity"], -(len(f["upheld"]) + len(f["overturned"])), f["request_type"],
                              f["letter"], f["item"]))
    return found


def citation_findings(items: list[AuditItem]) -> list[dict]:
    """(a) a non-MTUS guideline where our catalog has an MTUS criterion in play, and MTUS cited where our
    catalog's criteria in play are all from other guidelines; (b) the claims administrator's guideline family
    against the reviewer's; (c) rationales that name no guideline or source."""
    out = []
    for i in items:
        fams = [f for f in i.reviewer_families if f not in ("none", "other")]
        guideline_sources = [s for s in i.catalog_sources if s not in ("Labor Code", "CCR")]
        if i.scored and guideline_sources:
            mtus_in_play = "MTUS" in guideline_sources
            if mtus_in_play and fams and "MTUS" not in fams:
                out.append(_finding("citation_mtus_addresses", i, reviewer_families=i.reviewer_families,
                                    catalog_sources=i.catalog_sources, maximus_guideline=i.maximus_guideline,
                                    mtus_criteria=[c.rule for c in i.criteria if c.source == "MTUS"],
                                    rationale_sources=i.rationale_sources))
            elif not mtus_in_play and "MTUS" in fams:
                out.append(_finding("citation_mtus_silent", i, reviewer_families=i.reviewer_families,
                                    catalog_sources=i.catalog_sources, maximus_guideline=i.maximus_guideline,
                                    catalog_criteria=[c.rule for c in i.criteria],
                                    rationale_sources=i.rationale_sources))
        ca, rv = i.ca_families[0], i.reviewer_families[0]
        if ca != rv:
            kind = ("claims_administrator_cited_nothing" if ca == "none" else
                    "reviewer_cited_nothing" if rv == "none" else "different_family")
            out.append(_finding("citation_ca_vs_reviewer", i, kind=kind, ca_families=i.ca_families,
                                reviewer_families=i.reviewer_families, decision=i.decision))
        if not i.rationale_sources:
            out.append(_finding("rationale_cites_nothing", i, decision=i.decision,
                                generic_guidelines=i.rationale_generic, derivative=i.rationale_derivative,
                                reviewer_families=i.reviewer_families, excerpt=i.rationale_excerpt))
    return out


def citation_crosstab(items: list[AuditItem]) -> dict:
    """Items by the claims administrator's first family (rows) and the reviewer's (columns)."""
    tab: dict[str, Counter] = defaultdict(Counter)
    for i in items:
        tab[i.ca_families[0]][i.reviewer_families[0]] += 1
    cols = sorted({c for row in tab.values() for c in row})
    return {"columns": cols, "rows": [{"claims_administrator": r, **{c: tab[r][c] for c in cols}} for r in sorted(tab)]}


_CA_KIND_ORDER = {"different_family": 0, "reviewer_cited_nothing": 1, "claims_administrator_cited_nothing": 2}


def all_findings(items: list[AuditItem]) -> list[dict]:
    """Every finding, by type in the order of ``FINDING_TYPES``, then in input order (claims administrator vs
    reviewer: different families first)."""
    cits = citation_findings(items)
    found = rule_contrary(items) + similar_different(items)
    for t in FINDING_TYPES[2:]:
        these = [f for f in cits if f["type"] == t]
        if t == "citation_ca_vs_reviewer":
            these.sort(key=lambda f: _CA_KIND_ORDER[f["kind"]])  # stable: input order within a kind
        found += these
    return found


# ----------------------------------------------------------------------------------------------------------------
# running

class Audit:
    """Accumulates letter outcomes (in input order) and builds the report."""

    def __init__(self):
        self.ctx = _Context()
        self.items: list[AuditItem] = []
        self.letters: list[dict] = []  # {letter, case_number, error, items: [{item, request, decision, ...}]}
        self.errors: list[dict] = []

    def add(self, outcome: LetterOutcome) -> None:
        recs = audit_items(outcome, self.ctx)
        self.items.extend(recs)
        self.letters.append({"letter": outcome.path,
                             "case_number": outcome.letter.case_number if outcome.letter else None,
                             "error": outcome.error,
                             "items": [{"item": i.item, "request": i.request, "decision": i.decision,
                                        "predicted": i.predicted, "status": i.status,
                                        "reviewer_families": i.reviewer_families} for i in recs]})
        if outcome.error:
            self.errors.append({"letter": outcome.path, "error": outcome.error})

    def index(self) -> list[dict]:
        """Every letter with its items (for the HTML report's letter index)."""
        return self.letters

    def report(self) -> dict:
        findings = all_findings(self.items)
        counts = {t: sum(1 for f in findings if f["type"] == t) for t in FINDING_TYPES}
        return {
            "letters": len(self.letters),
            "letters_parsed": len(self.letters) - len(self.errors),
            "items": len(self.items),
            "items_scored": sum(1 for i in self.items if i.scored),
            "counts": counts,
            "findings": findings,
            "rates": outcome_rates(self.items),
            "agreement": agreement(self.items),
            "citations": citation_crosstab(self.items),
            "errors": self.errors,
        }


def run_audit(paths: Iterable[str | Path], workers: Optional[int] = None, time_limit: float = 30.0,
              progress: Optional[Callable[[LetterOutcome], None]] = None) -> tuple[dict, Audit]:
    """Audit letters; ``progress`` is called after each letter. Returns the report and the accumulated audit
    (its ``items`` and ``letters`` feed the HTML report)."""
    audit = Audit()
    for outcome in iter_evaluations(paths, workers=workers, time_limit=time_limit):
        audit.add(outcome)
        if progress:
            progress(outcome)
    return audit.report(), audit


# ----------------------------------------------------------------------------------------------------------------
# CSV

def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, dict):
        return "; ".join(f"{k}={_cell(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        parts = []
        for x in v:
            if isinstance(x, dict) and "letter" in x and "item" in x:
                parts.append(f"{x.get('case_number') or Path(x['letter']).name}#{x['item']}")
            elif isinstance(x, dict) and "rule" in x:
                parts.append(f"{x['rule']} ({x['state']})")
            elif isinstance(x, dict) and "fact" in x:
                parts.append(f"{x['fact']}: {x['upheld']} vs {x['overturned']}")
            else:
                parts.append(_cell(x))
        return "; ".join(parts)
    return str(v)


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def write_csv(report: dict, folder: Path) -> list[Path]:
    """One CSV per finding type, plus rates.csv and agreement.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for t in FINDING_TYPES:
        rows = [f for f in report["findings"] if f["type"] == t]
        cols = ["type", "letter", "item", "case_number", "request"]
        for f in rows:
            for k in f:
                if k not in cols:
                    cols.append(k)
        if not rows:
            cols += {"rule_contrary": ["kind", "decision", "predicted", "status"],
                     "similar_different": ["request_type", "similarity", "upheld", "overturned"]}.get(t, [])
        path = folder / f"{t}.csv"
        path.write_text(_csv_text(rows, cols), encoding="utf-8")
        written.append(path)
    rate_rows = []
    for d in ("overall",) + DIMENSIONS:
        for row in ([report["rates"][d]] if d == "overall" else report["rates"][d]):
            ci = row["ci"] or [None, None]
            rate_rows.append({"dimension": d, **row, "ci_low": ci[0], "ci_high": ci[1]})
    path = folder / "rates.csv"
    path.write_text(_csv_text(rate_rows, ["dimension", "group", "n", "letters", "upheld", "overturned", "overturn_rate",
                                          "ci_low", "ci_high"]), encoding="utf-8")
    written.append(path)
    ag = report["agreement"]
    ag_rows = [{"scope": "overall", **ag["overall"]}] + [{"scope": "specialty", **r} for r in ag["by_specialty"]]
    for r in ag_rows:
        ci = r["ci"] or ([NOT_ESTIMABLE] * 2 if r["n"] else [None, None])
        r["ci_low"], r["ci_high"] = ci
        if r["kappa"] is None and r["n"]:
            r["kappa"] = NOT_ESTIMABLE
    path = folder / "agreement.csv"
    path.write_text(_csv_text(ag_rows, ["scope", "group", "n", "agree", "observed", "expected", "kappa", "se",
                                        "ci_low", "ci_high", "note"]), encoding="utf-8")
    written.append(path)
    return written


# ----------------------------------------------------------------------------------------------------------------
# terminal output

def make_progress(console):
    """A rich progress bar (letters done / total, rate, time left) for ``console``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class _Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f} letters/s" if task.speed else "- letters/s", style="progress.data.speed")

    return Progress(TextColumn("audit"), BarColumn(), MofNCompleteColumn(), _Rate(), TextColumn("ETA"),
                    TimeRemainingColumn(), console=console, transient=True)


def print_summary(report: dict, console) -> None:
    """The audit in a few tables, for the terminal."""
    from rich.markup import escape
    from rich.table import Table

    failed = report["letters"] - report["letters_parsed"]
    console.print(f"letters {report['letters']} = parsed {report['letters_parsed']} + failed {failed}; "
                  f"items {report['items']} ({report['items_scored']} scored by our criteria)")
    ov = report["rates"]["overall"]
    if ov["n"]:
        console.print(f"overturned {ov['overturned']} of {ov['n']} ({100 * ov['overturn_rate']:.1f}%, 95% CI "
                      f"{100 * ov['ci'][0]:.1f}-{100 * ov['ci'][1]:.1f}%)")
    ag = report["agreement"]["overall"]
    if ag["n"]:
        kappa = f"{ag['kappa']:.2f}" if ag["kappa"] is not None else NOT_ESTIMABLE
        ci = f"95% CI {ag['ci'][0]:.2f} to {ag['ci'][1]:.2f}" if ag["ci"] else f"95% CI {ag['note'] or NOT_ESTIMABLE}"
        console.print(f"agreement with the reviewer: {ag['agree']}/{ag['n']}, Cohen's kappa {kappa} ({ci})")
    t = Table(title="Findings")
    t.add_column("type")
    t.add_column("count", justify="right")
    for k, n in report["counts"].items():
        t.add_row(k, str(n))
    console.print(t)
    rc = [f for f in report["findings"] if f["type"] == "rule_contrary"]
    if rc:
        t = Table(title="Rule-contrary decisions")
        for col in ("case", "#", "request", "reviewer", "ours", "reviewer's reasons only", "our reasons only"):
            t.add_column(col, overflow="fold")
        for f in rc:
            t.add_row(escape(f["case_number"] or Path(f["letter"]).name), str(f["item"]), escape(f["request"][:60]),
                      f["decision"], f"{f['predicted']} ({f['status']})", ", ".join(f["reasons_reviewer_only"]),
                      ", ".join(f["reasons_ours_only"]))
        console.print(t)
    sd = [f for f in report["findings"] if f["type"] == "similar_different"]
    if sd:
        t = Table(title="Similar cases, different outcomes")
        for col in ("similarity", "request type", "upheld", "overturned"):
            t.add_column(col, overflow="fold")
        for f in sd[:20]:
            name = lambda x: escape(f"{x['case_number'] or Path(x['letter']).name}#{x['item']}")  # noqa: E731
            t.add_row(f"{f['similarity']:.2f}", escape(f["request_type"]), ", ".join(map(name, f["upheld"])),
                      ", ".join(map(name, f["overturned"])))
        console.print(t)
