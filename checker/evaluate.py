"""Score predictions against the real outcomes of IMR letters.

The evaluator is the only part that reads a letter's decisions and guideline lines; it hands the
predictor the case summary, the request text and the request date only.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, Optional

from pydantic import BaseModel, Field

from .letters import LetterError, parse_letter
from .models import Fact, Letter, Result
from .associated import follow_surgeries
from .requests import normalize_request

LETTER_SUFFIXES = (".pdf", ".txt")
FAMILIES = ("MTUS", "ODG", "ACOEM", "ACR", "ISCD", "USPSTF", "other")


class ItemResult(BaseModel):
    letter: str
    case_number: Optional[str] = None
    item: int
    request: str
    category: str
    modality: Optional[str] = None
    kind: str = ""  # what the item is ("surgery: shoulder arthroscopy"), said for an item out of scope
    in_scope: bool = False  # the catalog has criteria for this kind of item
    regions: list[str] = Field(default_factory=list)
    actual: str
    predicted: Optional[str] = None
    status: Optional[str] = None
    cited: Optional[str] = None
    actual_guideline: str = ""
    rules: list[str] = Field(default_factory=list)
    reviewer_specialty: Optional[str] = None


class LetterOutcome(BaseModel):
    path: str
    letter: Optional[Letter] = None
    items: list[ItemResult] = Field(default_factory=list)
    predictions: list[Optional[Result]] = Field(default_factory=list)
    # the summary's facts, extracted once in the worker (None when no item was in scope): the audit reuses them
    facts: Optional[list[Fact]] = Field(default=None, exclude=True)
    error: Optional[str] = None


# ----------------------------------------------------------------------------------------------------------------

def iter_letter_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given; folders expanded to their .pdf/.txt letters, sorted."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            # sorted by parts: the order of sorting the paths themselves, without pathlib's slow comparisons
            yield from sorted((q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in LETTER_SUFFIXES),
                              key=lambda q: q.parts)
        else:
            yield p


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_RE = re.compile(rf"\b(?:({_MONTHS})\s+(\d{{1,2}}),\s+(\d{{4}})|(\d{{1,2}})/(\d{{1,2}})/(\d{{2,4}}))\b")
_MONTH_NUM = {m: i for i, m in enumerate(_MONTHS.split("|"), 1)}


def dates_in(text: str) -> list[date]:
    out = []
    for m in _DATE_RE.finditer(text):
        try:
            if m.group(1):
                out.append(date(int(m.group(3)), _MONTH_NUM[m.group(1)], int(m.group(2))))
            else:
                y = int(m.group(6))
                y = y + 2000 if y < 100 else y
                out.append(date(y, int(m.group(4)), int(m.group(5))))
        except ValueError:
            continue
    return out


def letter_as_of(letter: Letter) -> Optional[date]:
    """The request's date as a reviewer knows it: the UR denial date, else the latest date in the summary."""
    for d in (letter.ur_denial_date, letter.date_assigned):
        if d:
            return d
    ds = [d for d in dates_in(letter.summary) if 1990 <= d.year <= 2100]
    return max(ds) if ds else None


# "did not base their decision on the MTUS", "based their decision on recommendation(s) outside of the MTUS
# Guidelines": both name the MTUS without relying on it
_NOT_MTUS_RX = re.compile(r"did not base (?:their|his|her|the) decision on the mtus\.?"
                          r"|based (?:their|his|her|the) decision on (?:\S+\s+){0,3}outside\s+(?:of\s+)?the\s+mtus(?:\s+guidelines)?\.?")
_FAMILY_CUES = [
    ("MTUS", re.compile(r"(?<!non-)\bmtus\b|chronic pain medical treatment|postsurgical treatment guidelines")),
    ("ODG", re.compile(r"official disability guidelines|\bodg\b")),
    ("ACR", re.compile(r"american college of radiology|\bacr\b")),
    ("ISCD", re.compile(r"\biscd\b|international society for clinical densitometry")),
    ("USPSTF", re.compile(r"uspstf|preventive services task force")),
    ("ACOEM", re.compile(r"non-mtus[^.]*acoem|acoem[^.]*(?:3rd|third) ed")),  # ACOEM inside MTUS counts as MTUS
]


def guideline_families(text: str) -> list[str]:
    """Guideline families named in a 'MAXIMUS guideline' line, the one relied on first."""
    t = _NOT_MTUS_RX.sub(" ", text.lower())
    found = sorted((m.start(), fam) for fam, rx in _FAMILY_CUES if (m := rx.search(t)))
    return list(dict.fromkeys(f for _, f in found)) or ["other"]


def citation_family(result: Optional[Result]) -> Optional[str]:
    if result is None or not result.citations:
        return None
    src = result.citations[0].source
    return "MTUS" if src in ("Labor Code", "CCR") else src


# ----------------------------------------------------------------------------------------------------------------

def evaluate_letter(path: str | Path, checker=None) -> LetterOutcome:
    """Parse one letter, predict every in-scope item from the summary alone, and pair it with the real outcome."""
    from .predict import default_checker

    checker = checker or default_checker()
    try:
        letter = parse_letter(path)
    except LetterError as exc:
        return LetterOutcome(path=str(path), error=str(exc))
    as_of = letter_as_of(letter)
    out = LetterOutcome(path=str(path), letter=letter)
    facts = None
    reqs = []
    for item in letter.items:
        req = normalize_request(item.text, as_of=as_of)
        pred: Optional[Result] = None
        if req.in_scope:
            if facts is None:
                from .facts import extract_facts
                facts = extract_facts(letter.summary, as_of=as_of)
            pred = checker.check(letter.summary, req, as_of=as_of, facts=facts)
            out.facts = facts
        reqs.append(req)
        out.predictions.append(pred)
    # associated surgical services follow imrcheck's own prediction for the letter's surgery (checker/associated.py)
    out.predictions = follow_surgeries(reqs, out.predictions)
    for item, req, pred in zip(letter.items, reqs, out.predictions):
        out.items.append(ItemResult(
            letter=Path(path).name, case_number=letter.case_number, item=item.index, request=item.text,
            category=req.category, modality=req.modality, kind=req.kind, in_scope=req.in_scope, regions=req.regions,
            actual=item.decision,
            predicted=pred.imr_outcome if pred else None, status=pred.status if pred else None,
            cited=citation_family(pred), actual_guideline=guideline_families(item.maximus_guideline)[0],
            rules=pred.rules if pred else [], reviewer_specialty=letter.reviewer_specialty,
        ))
    return out


class Scorer:
    """Running scores: constant memory however many items stream through."""

    LABELS = ("Upheld", "Overturned")

    def __init__(self) -> None:
        self.confusion = {a: {p: 0 for p in self.LABELS} for a in self.LABELS}
        self.cited = self.agree = self.no_rule = 0

    def add(self, i: ItemResult) -> None:
        if i.predicted is None:
            if i.status == "no rule applies" and i.in_scope:
                self.no_rule += 1
            return
        self.confusion[i.actual][i.predicted] += 1
        if i.cited:
            self.cited += 1
            self.agree += i.cited == i.actual_guideline

    def report(self) -> dict:
        c = self.confusion
        n = sum(sum(row.values()) for row in c.values())
        recalls = {}
        for label in self.LABELS:
            tot = sum(c[label].values())
            recalls[label] = c[label][label] / tot if tot else None
        valid = [r for r in recalls.values() if r is not None]
        return {
            "scored": n,
            "in_scope_no_rule": self.no_rule,
            "accuracy": round(sum(c[l][l] for l in self.LABELS) / n, 4) if n else None,
            "balanced_accuracy": round(sum(valid) / len(valid), 4) if valid else None,
            "recall": {k: (round(v, 4) if v is not None else None) for k, v in recalls.items()},
            "citation_agreement": round(self.agree / self.cited, 4) if self.cited else None,
            "confusion": {a: dict(row) for a, row in c.items()},
        }


def score(items: Iterable[ItemResult]) -> dict:
    s = Scorer()
    for i in items:
        s.add(i)
    return s.report()


def _evaluate_path(path: str) -> LetterOutcome:
    return evaluate_letter(path)


def _timed_out(path: str, message: str) -> LetterOutcome:
    return LetterOutcome(path=path, error=message)


def iter_evaluations(paths: Iterable[str | Path], workers: Optional[int] = None,
                     time_limit: float = 30.0) -> Iterator[LetterOutcome]:
    """Evaluate letters on a process pool, yielding outcomes in input order."""
    from .batch import map_paths

    yield from map_paths(_evaluate_path, iter_letter_paths(paths), workers=workers,
                         on_timeout=_timed_out, time_limit=time_limit)


def summarize(outcomes: list[LetterOutcome]) -> dict:
    items = [i for o in outcomes for i in o.items]
    report = {
        "letters": len(outcomes),
        "letters_parsed": sum(1 for o in outcomes if o.error is None),
        "items": len(items),
    }
    report.update(score(items))
    by_cat: dict[str, dict] = {}
    for cat in sorted({i.category for i in items}):
        sub = [i for i in items if i.category == cat]
        by_cat[cat] = {"items": len(sub), **score(sub)}
    report["by_category"] = by_cat
    # what is still outside the catalog, by kind ("surgery: shoulder arthroplasty"): said, never guessed
    kinds: dict[str, int] = {}
    for i in items:
        if not i.in_scope:
            kinds[i.kind or i.category] = kinds.get(i.kind or i.category, 0) + 1
    report["out_of_scope_kinds"] = dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    report["errors"] = [{"path": o.path, "error": o.error} for o in outcomes if o.error]
    report["results"] = [i.model_dump() for i in items]
    return report


def run_evaluation(paths: Iterable[str | Path], workers: Optional[int] = 1, progress=None) -> dict:
    outcomes: list[LetterOutcome] = []
    for o in iter_evaluations(paths, workers=workers):
        outcomes.append(o)
        if progress:
            progress()
    return summarize(outcomes)
