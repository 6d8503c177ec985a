"""Precision/recall scorer for the fact extractor against hand annotations.

Usage::

    python -m checker.facts_eval [--json] [--annotations tests/annotations] [--shared ../shared]
                                 [--split dev|heldout|all]

Summary text (the exact string the extractor receives, and the string every
annotation offset points into) is produced by :func:`summary_text_for`:

1. Read the letter text.

   * ``.pdf`` (2016 corpus): ``pypdfium2.PdfDocument(path, password="")``; the
     text of every page (``page.get_textpage().get_text_range()``) joined with
     ``"\\n"``.
   * ``.txt``: read as UTF-8.

2. Normalise line ends: ``"\\r\\n"`` -> ``"\\n"``, then a lone ``"\\r"`` -> ``"\\n"``.
   pdfium writes U+FFFE where a word was hyphenated at a line end (and drops
   the line break): every U+FFFE becomes ``"-"`` (one character for one).
3. 2013 layout (the seeds: every line is followed by one empty line): walk
   the lines (split on ``"\\n"``) and drop an *exactly empty* line when the
   line before it was kept; keep every other line.  A real blank line of the
   original therefore survives as one empty line.  The layout is detected when
   at least 40 % of the lines at odd positions are empty and the text has no
   ``"\\r"`` (see :func:`is_2013_layout`).  Hyphenated line breaks
   (``"moderate-to-\\nsevere"``) are left as they are: the extractor joins
   them itself.
4. The summary is the text after the first ``"including all medical records:"``
   that follows the line ``"CLINICAL CASE SUMMARY"`` and before
   ``"IMR ISSUES, DECISIONS AND RATIONALES"``, with ``str.strip()`` applied.

Matching: a predicted fact matches a gold fact with the same ``name``, the
same ``negated`` and ``hypothetical`` flags, and an overlapping span (each
gold and each predicted fact is matched at most once, greedily by overlap).
Values are scored separately (value accuracy over matched pairs whose gold
annotation states a value).

Annotation files (``tests/annotations/<letter-file-stem>.yaml``)::

    letter: CM16-0219557.pdf
    summary: {source: corpus/dwc-2016/CM16-0219557.pdf}   # relative to shared/
    split: dev            # or heldout, heldout2
    reviewed_by_hand: true
    facts:
      - {name: age, value: 34, start: 21, end: 32}
      - {name: positive_slr, negated: true, start: 400, end: 425}

Offsets are into the summary text; no letter text is stored.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

START_HEADING = "CLINICAL CASE SUMMARY"
BOILERPLATE_END = "including all medical records:"
END_HEADING = "IMR ISSUES, DECISIONS AND RATIONALES"

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ANNOTATIONS = REPO_ROOT / "tests" / "annotations"
DEFAULT_SHARED = REPO_ROOT.parent / "shared"
# dev: the lexicon was developed on these; heldout: annotated with the extractor frozen, then
# (after measuring) its errors were used to improve the lexicon; heldout2: blind, never tuned on
SPLITS = ("dev", "heldout", "heldout2")


# --------------------------------------------------------------------------- text
def read_letter_text(path: str | Path) -> str:
    """The raw letter text with line ends normalised (steps 1-2 above)."""
    from .letters import extract_text

    text = extract_text(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-")
    return text


def is_2013_layout(text: str) -> bool:
    """True for the 2013 layout where every line is followed by an empty line."""
    lines = text.split("\n")
    odd = lines[1::2]
    if len(odd) < 4:
        return False
    return sum(1 for line in odd if line == "") >= 0.4 * len(odd)


def collapse_2013_layout(text: str) -> str:
    """Drop the empty line that follows every line of the 2013 layout (step 3)."""
    out: list[str] = []
    prev_kept = False
    for line in text.split("\n"):
        if line == "" and prev_kept:
            prev_kept = False
            continue
        out.append(line)
        prev_kept = True
    return "\n".join(out)


def letter_text_for(path: str | Path) -> str:
    """Normalised full letter text (steps 1-3)."""
    path = Path(path)
    raw = read_letter_text(path)
    if path.suffix.lower() != ".pdf" and is_2013_layout(raw):
        raw = collapse_2013_layout(raw)
    return raw


def summary_from_letter_text(text: str) -> str:
    """Step 4: cut the clinical case summary out of a normalised letter text."""
    i = text.find(START_HEADING)
    if i < 0:
        raise ValueError("no CLINICAL CASE SUMMARY heading")
    j = text.find(BOILERPLATE_END, i)
    k = text.find(END_HEADING, i)
    if k < 0:
        raise ValueError("no IMR ISSUES heading")
    start = j + len(BOILERPLATE_END) if 0 <= j < k else i + len(START_HEADING)
    return text[start:k].strip()


def summary_text_for(path: str | Path) -> str:
    """The clinical case summary of a letter (.pdf or .txt), exactly as the extractor gets it."""
    return summary_from_letter_text(letter_text_for(path))


# --------------------------------------------------------------------------- annotations
def load_annotations(annotation_dir: str | Path) -> list[dict[str, Any]]:
    out = []
    for p in sorted(Path(annotation_dir).glob("*.yaml")):
        with open(p, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        doc["_file"] = p.name
        out.append(doc)
    return out


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    if a0 == a1:  # empty spans overlap when inside
        return 1 if b0 <= a0 <= b1 else 0
    return max(0, min(a1, b1) - max(a0, b0))


def _value_equal(gold: Any, pred: Any) -> bool:
    if isinstance(gold, bool) or isinstance(pred, bool):
        return gold == pred
    if isinstance(gold, (int, float)) and isinstance(pred, (int, float)):
        return abs(float(gold) - float(pred)) < 0.51
    return " ".join(str(gold).lower().split()) == " ".join(str(pred).lower().split())


def match_facts(gold: list[dict], pred: list[dict]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy one-to-one matching; returns (pairs, unmatched gold idx, unmatched pred idx)."""
    cands = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if p["name"] != g["name"]:
                continue
            if bool(p.get("negated")) != bool(g.get("negated")):
                continue
            if bool(p.get("hypothetical")) != bool(g.get("hypothetical")):
                continue
            ov = _overlap(g["start"], g["end"], p["start"], p["end"])
            if ov > 0:
                cands.append((-ov, gi, pi))
    cands.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in cands:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    return (
        pairs,
        [i for i in range(len(gold)) if i not in used_g],
        [i for i in range(len(pred)) if i not in used_p],
    )


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def fact_to_dict(f) -> dict[str, Any]:
    return {
        "name": f.name,
        "value": f.value,
        "negated": f.negated,
        "hypothetical": f.hypothetical,
        "historical": f.historical,
        "start": f.evidence.start,
        "end": f.evidence.end,
    }


def _main_vocabulary_names() -> set[str]:
    """The fact names of vocabulary.yaml itself (not its vocabulary.d/ parts): the names the annotations cover."""
    import yaml

    from checker.rules import VOCABULARY_FILE

    return set((yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8")) or {}).get("facts") or {})


def evaluate(
    annotation_dir: str | Path = DEFAULT_ANNOTATIONS,
    shared_dir: str | Path = DEFAULT_SHARED,
    split: str = "all",
    details: bool = False,
) -> dict[str, Any]:
    """Score :func:`checker.facts.extract_facts` against the annotations.

    ``split`` is one of :data:`SPLITS` or ``"all"``.  The report has
    ``micro`` (P/R/F1), ``per_fact``, ``value_accuracy``, ``letters`` and, with
    ``details``, the false positives and negatives of each letter.
    """
    from checker.facts import extract_facts

    shared_dir = Path(shared_dir)
    per = defaultdict(lambda: [0, 0, 0])
    val_ok = defaultdict(lambda: [0, 0])
    tot = [0, 0, 0]
    letters = []
    errors: dict[str, Any] = {}
    for ann in load_annotations(annotation_dir):
        if split != "all" and ann.get("split", "dev") != split:
            continue
        src = shared_dir / ann["summary"]["source"]
        text = summary_text_for(src)
        gold = ann.get("facts") or []
        pred = [fact_to_dict(f) for f in extract_facts(text)]
        # weeks_since_injury needs as_of; it is never annotated
        pred = [p for p in pred if p["name"] != "weeks_since_injury"]
        # the annotations cover the main vocabulary only: facts of the category parts (vocabulary.d/) are not scored
        main_facts = _main_vocabulary_names()
        pred = [p for p in pred if p["name"] in main_facts]
        pairs, fn_idx, fp_idx = match_facts(gold, pred)
        for gi, pi in pairs:
            per[gold[gi]["name"]][0] += 1
            if "value" in gold[gi] and gold[gi]["value"] is not None:
                val_ok[gold[gi]["name"]][1] += 1
                if _value_equal(gold[gi]["value"], pred[pi]["value"]):
                    val_ok[gold[gi]["name"]][0] += 1
        for gi in fn_idx:
            per[gold[gi]["name"]][2] += 1
        for pi in fp_idx:
            per[pred[pi]["name"]][1] += 1
        tot[0] += len(pairs)
        tot[1] += len(fp_idx)
        tot[2] += len(fn_idx)
        letters.append(ann["letter"])
        if details:
            errors[ann["letter"]] = {
                "fp": [dict(pred[i], quote=text[pred[i]["start"]:pred[i]["end"]]) for i in fp_idx],
                "fn": [dict(gold[i], quote=text[gold[i]["start"]:gold[i]["end"]]) for i in fn_idx],
                "value_errors": [
                    {"gold": gold[g], "pred": pred[p]["value"], "quote": text[gold[g]["start"]:gold[g]["end"]]}
                    for g, p in pairs
                    if "value" in gold[g] and gold[g]["value"] is not None and not _value_equal(gold[g]["value"], pred[p]["value"])
                ],
            }
    vt = [sum(v[0] for v in val_ok.values()), sum(v[1] for v in val_ok.values())]
    report: dict[str, Any] = {
        "split": split,
        "letters": letters,
        "micro": _prf(*tot),
        "per_fact": {k: _prf(*v) for k, v in sorted(per.items())},
        "value_accuracy": {
            "micro": round(vt[0] / vt[1], 4) if vt[1] else None,
            "n": vt[1],
            "per_fact": {k: {"accuracy": round(a / n, 4) if n else None, "n": n} for k, (a, n) in sorted(val_ok.items())},
        },
    }
    if details:
        report["errors"] = errors
    return report


def _print_report(rep: dict[str, Any]) -> None:
    m = rep["micro"]
    print(f"split={rep['split']} letters={len(rep['letters'])}")
    print(f"{'fact':28s} {'P':>6s} {'R':>6s} {'F1':>6s} {'tp':>5s} {'fp':>4s} {'fn':>4s}")
    for name, s in rep["per_fact"].items():
        print(f"{name:28s} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {s['tp']:5d} {s['fp']:4d} {s['fn']:4d}")
    print(f"{'MICRO':28s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['tp']:5d} {m['fp']:4d} {m['fn']:4d}")
    va = rep["value_accuracy"]
    print(f"value accuracy: {va['micro']} over {va['n']} matched facts with a gold value")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--annotations", default=str(DEFAULT_ANNOTATIONS))
    ap.add_argument("--shared", default=str(DEFAULT_SHARED))
    ap.add_argument("--split", default=None, choices=list(SPLITS) + ["all"], help="default: every split and all")
    ap.add_argument("--details", action="store_true", help="include false positives/negatives (prints letter text: local use only)")
    args = ap.parse_args(argv)
    if not Path(args.shared).is_dir():
        print(f"shared directory not found: {args.shared}", file=sys.stderr)
        return 2
    splits = [args.split] if args.split else list(SPLITS) + ["all"]
    reps = [evaluate(args.annotations, args.shared, split=s, details=args.details) for s in splits]
    if args.json:
        print(json.dumps(reps if len(reps) > 1 else reps[0], indent=2, default=str))
    else:
        for r in reps:
            _print_report(r)
            if args.details:
                for letter, e in r.get("errors", {}).items():
                    for kind in ("fp", "fn", "value_errors"):
                        for x in e[kind]:
                            print(f"  {letter} {kind}: {x}")
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
