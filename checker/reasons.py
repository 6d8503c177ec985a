"""Decisive reasons: the reviewer's (hand labels) against ours (the reason codes of our decisive criteria).

The taxonomy is data (``checker/lexicon/reasons.yaml``); every rule names the codes it speaks to
(``reasons`` when it decides in its own direction, ``reasons_unmet`` for a certification criterion that
decides an item because it is not met). The labels are data too (``eval/reasons/letters.csv``: case number,
item index and codes, no letter text), and the clinic notes (``eval/notes/*.yaml``) carry their own.

``imrcheck reasons-eval`` reports, per split:

* ``labelled``: items with a label whose request the catalog covers (a ``no_reason_stated`` label is counted
  but left out of the agreement figures);
* ``reason_agreement``: the share of those items whose decisive criteria carry at least one of the reviewer's
  codes;
* ``primary_agreement``: the share whose FIRST decisive code (the criterion that decided the item, known facts
  before unknown ones) is one of the reviewer's codes - the stricter figure;
* ``right_outcome_wrong_reason``: items whose predicted outcome is right but whose decisive codes share none
  with the reviewer's;
* ``by_reason``: per code, support (items the reviewer gave it), predicted (items we gave it), precision and
  recall;
* ``confusions``: for items that disagree, reviewer code -> the codes we gave instead, most frequent first.

The evaluator reads labels and outcomes; the predictor reads only the summary, the request and its date.
"""
from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

import yaml

from .models import Result


# eval/ lives in the source checkout, next to the package (it is evaluation data, not shipped in the wheel)
EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
LABELS_FILE = EVAL_DIR / "reasons" / "letters.csv"
LABELS_DIR = LABELS_FILE.parent  # every *.csv in it: letters.csv (imaging, EMG/NCS, therapy) and one per category
NOTES_DIR = EVAL_DIR / "notes"
NO_REASON = "no_reason_stated"
CHECK_SPLIT_SIZE = 30


class ReasonsError(Exception):
    """A labels or notes file that cannot be read; names the file and the line or note."""


def load_taxonomy() -> dict[str, dict]:
    """The reason codes: ``{code: {side, title, description}}`` (loaded once, by the rule loader)."""
    from .rules import load_reasons

    return load_reasons()


def title(code: str) -> str:
    return load_taxonomy().get(code, {}).get("title", code)


def check_split(case_numbers: Iterable[str], size: int = CHECK_SPLIT_SIZE) -> set[str]:
    """The held-out check split: the ``size`` case numbers whose SHA-256 hex digest (of the ASCII case number as
    printed, e.g. ``CM16-0240900``) sorts first. Fixed before the reasons round changed any rule."""
    return set(sorted(set(case_numbers), key=lambda c: hashlib.sha256(c.encode("ascii")).hexdigest())[:size])


def load_labels(path: str | Path | None = None) -> dict[tuple[str, int], list[str]]:
    """``{(case, item): [codes]}`` of one CSV file, or of every ``*.csv`` in a folder (default: ``eval/reasons/``);
    unknown codes and an item labelled twice are errors naming the file and line."""
    p = Path(path) if path is not None else LABELS_DIR
    if p.is_dir():
        out: dict[tuple[str, int], list[str]] = {}
        for f in sorted(p.glob("*.csv")):
            for key, codes in load_labels(f).items():
                if key in out:
                    raise ReasonsError(f"{f}: {key[0]} item {key[1]} is labelled in another file too")
                out[key] = codes
        return out
    known = load_taxonomy()
    out = {}
    try:
        fh = open(p, encoding="utf-8", newline="")
    except OSError as exc:
        raise ReasonsError(f"{p}: cannot read: {exc.strerror}") from None
    with fh:
        for n, row in enumerate(csv.DictReader(fh), 2):
            try:
                key = (row["case"].strip(), int(row["item"]))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise ReasonsError(f"{p}:{n}: a row is `case,item,codes`") from None
            codes = [c.strip() for c in (row.get("codes") or "").split(";") if c.strip()]
            bad = [c for c in codes if c not in known]
            if not codes or bad:
                raise ReasonsError(f"{p}:{n}: unknown or missing reason code(s) {bad or codes}")
            if key in out:
                raise ReasonsError(f"{p}:{n}: {key[0]} item {key[1]} is labelled twice")
            out[key] = codes
    return out


def letter_key(letter) -> str:
    """How the labels name a letter: its case number, or its file stem when it has none (2013 layout)."""
    return letter.case_number or Path(letter.path).stem


# ----------------------------------------------------------------------------------------------------------------
# our decisive codes

def result_reasons(result: Optional[Result], rules_by_id: Optional[dict] = None) -> list[str]:
    """The reason codes of a result's decisive criteria, the deciding one first (``Result.reasons``, computed by
    the decision: a met rule's ``reasons``, a missing documentation requirement's ``reasons``, an unmet
    certification criterion's ``reasons_unmet`` - those the record contradicts before those it is silent on)."""
    return list(result.reasons) if result is not None else []


# ----------------------------------------------------------------------------------------------------------------
# clinic notes

@dataclass
class Note:
    id: str
    file: str
    text: str
    request: str
    as_of: date
    expect: str
    reasons: list[str]
    criteria: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)  # rules the note shows met (a denial rule: applying)
    not_met: list[str] = field(default_factory=list)  # rules the note shows not met (not applying)


def load_notes(folder: str | Path = NOTES_DIR) -> list[Note]:
    known = load_taxonomy()
    notes: list[Note] = []
    seen: set[str] = set()
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ReasonsError(f"{path}:{mark.line + 1 if mark else '?'}: YAML error") from None
        for n, raw in enumerate(data.get("notes") or [], 1):
            where = f"{path}: note {n} ({raw.get('id', '?') if isinstance(raw, dict) else '?'})"
            try:
                note = Note(id=str(raw["id"]), file=path.name, text=str(raw["text"]), request=str(raw["request"]),
                            as_of=raw["date"] if isinstance(raw["date"], date) else date.fromisoformat(str(raw["date"])),
                            expect=str(raw["expect"]), reasons=list(raw.get("reasons") or []),
                            criteria=list(raw.get("criteria") or []), met=list(raw.get("met") or []),
                            not_met=list(raw.get("not_met") or []))
            except (KeyError, TypeError, ValueError) as exc:
                raise ReasonsError(f"{where}: needs id, text, request, date, expect ({exc})") from None
            if note.expect not in ("Upheld", "Overturned"):
                raise ReasonsError(f"{where}: expect is Upheld or Overturned, not {note.expect!r}")
            bad = [c for c in note.reasons if c not in known]
            if bad or not note.reasons:
                raise ReasonsError(f"{where}: unknown or missing reason code(s) {bad or note.reasons}")
            if note.id in seen:
                raise ReasonsError(f"{where}: duplicate id {note.id!r}")
            seen.add(note.id)
            notes.append(note)
    return notes


# ----------------------------------------------------------------------------------------------------------------
# scoring

@dataclass
class Scored:
    split: str
    key: str
    item: int
    request: str
    actual: str
    predicted: Optional[str]
    reviewer: list[str]
    ours: list[str]
    category: str = ""

    @property
    def counted(self) -> bool:
        return self.predicted is not None and NO_REASON not in self.reviewer

    @property
    def agrees(self) -> bool:
        return bool(set(self.reviewer) & set(self.ours))

    @property
    def primary_agrees(self) -> bool:
        return bool(self.ours) and self.ours[0] in self.reviewer


def score(items: list[Scored]) -> dict:
    counted = [i for i in items if i.counted]
    n = len(counted)
    agree = sum(i.agrees for i in counted)
    primary = sum(i.primary_agrees for i in counted)
    right_wrong = [i for i in counted if i.predicted == i.actual and not i.agrees]
    outcome_right = sum(i.predicted == i.actual for i in counted)
    support: Counter = Counter()
    predicted: Counter = Counter()
    hits: Counter = Counter()
    confusions: dict[str, Counter] = defaultdict(Counter)
    for i in counted:
        rv, ou = set(i.reviewer), set(i.ours)
        support.update(rv)
        predicted.update(ou)
        hits.update(rv & ou)
        if not i.agrees:
            for c in rv:
                confusions[c].update(ou or {"(none)"})
    by_reason = {}
    for code in sorted(set(support) | set(predicted)):
        by_reason[code] = {
            "title": title(code),
            "support": support[code],
            "predicted": predicted[code],
            "precision": round(hits[code] / predicted[code], 3) if predicted[code] else None,
            "recall": round(hits[code] / support[code], 3) if support[code] else None,
        }
    return {
        "labelled": len(items),
        "scored": n,
        "no_reason_stated": sum(1 for i in items if NO_REASON in i.reviewer),
        "outcome_accuracy": round(outcome_right / n, 4) if n else None,
        "reason_agreement": round(agree / n, 4) if n else None,
        "primary_agreement": round(primary / n, 4) if n else None,
        "right_outcome_wrong_reason": len(right_wrong),
        "right_outcome_wrong_reason_share": round(len(right_wrong) / n, 4) if n else None,
        "by_reason": by_reason,
        "confusions": {c: [[o, k] for o, k in cnt.most_common()] for c, cnt in sorted(confusions.items(),
                                                                                        key=lambda kv: -sum(kv[1].values()))},
        "misses": [{"split": i.split, "case": i.key, "item": i.item, "request": i.request, "actual": i.actual,
                    "predicted": i.predicted, "reviewer": i.reviewer, "ours": i.ours}
                   for i in counted if not i.agrees],
    }


def score_letters(paths: Iterable[str | Path], labels: dict[tuple[str, int], list[str]],
                  workers: Optional[int] = 1, checker=None) -> list[Scored]:
    """Predict every labelled item of the letters (summary, request and date only) and pair it with its label."""
    from .evaluate import iter_evaluations

    paths = list(paths)
    outcomes = list(iter_evaluations(paths, workers=workers))
    keys = [letter_key(o.letter) for o in outcomes if o.letter is not None and o.letter.case_number]
    held = check_split(keys)
    if checker is None:
        from .predict import default_checker
        checker = default_checker()
    by_id = checker.engine.by_id
    out: list[Scored] = []
    for o in outcomes:
        if o.letter is None:
            continue
        key = letter_key(o.letter)
        split = "seeds" if not o.letter.case_number else ("check" if key in held else "corpus")
        for item, pred in zip(o.items, o.predictions):
            codes = labels.get((key, item.item))
            if codes is None or pred is None:
                continue
            out.append(Scored(split=split, key=key, item=item.item, request=item.request, actual=item.actual,
                              predicted=pred.imr_outcome, reviewer=codes, ours=result_reasons(pred, by_id),
                              category=item.category))
    return out


def score_notes(notes: list[Note], checker=None) -> list[Scored]:
    if checker is None:
        from .predict import default_checker
        checker = default_checker()
    out = []
    for n in notes:
        res = checker.check(n.text, n.request, as_of=n.as_of)
        out.append(Scored(split="notes", key=n.id, item=1, request=n.request, actual=n.expect,
                          predicted=res.imr_outcome, reviewer=n.reasons, ours=result_reasons(res, checker.engine.by_id),
                          category=res.normalized.category if res.normalized else ""))
    return out


def reasons_eval(letter_paths: Iterable[str | Path], labels_file: str | Path | None = None,
                 notes_dir: Optional[str | Path] = NOTES_DIR, workers: Optional[int] = 1) -> dict:
    labels = load_labels(labels_file)
    items = score_letters(letter_paths, labels, workers=workers)
    if notes_dir is not None and Path(notes_dir).is_dir():
        items += score_notes(load_notes(notes_dir))
    letters = [i for i in items if i.split != "notes"]
    report = score(letters)
    report["splits"] = {s: {k: v for k, v in score([i for i in items if i.split == s]).items()
                            if k not in ("by_reason", "confusions", "misses")}
                        for s in ("seeds", "corpus", "check", "notes") if any(i.split == s for i in items)}
    # letters by category of item: imaging, EMG/NCS and therapy (the first catalog) beside the newer categories
    report["categories"] = {c: {k: v for k, v in score([i for i in letters if i.category == c]).items()
                                if k not in ("by_reason", "confusions", "misses")}
                            for c in sorted({i.category for i in letters})}
    if any(i.split == "notes" for i in items):
        notes_report = score([i for i in items if i.split == "notes"])
        report["notes"] = {k: notes_report[k] for k in ("by_reason", "misses")}
    return report
