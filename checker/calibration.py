"""A measured probability that IMR certifies a request, from the predicted outcome and how firmly the record decides it.

The table is fitted on the labelled real letters (seeds and corpus) by counting, per cell (predicted outcome x
firmness), how often the reviewer overturned the denial, with add-one smoothing towards the overall overturn rate.
It is checked by cross-validation by letter: each letter's items are scored with a table fitted on the other
letters; ``python -m checker.calibration`` prints the reliability table (predicted probability bins against the
observed overturn rate), the Brier score and the Brier score of always predicting the base rate, and with
``--write`` stores the table fitted on all letters in ``checker/lexicon/calibration.yaml``.

The probability is coarse (a handful of cells, about 150 items, 14 of them overturned) and was fitted on the
corpus letters: it says how often results *like this one* were certified there, not more.
"""
from __future__ import annotations

import argparse
import functools
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Optional

import yaml

from .models import Result

CALIBRATION_FILE = Path(__file__).resolve().parent / "lexicon" / "calibration.yaml"
BINS = (0.0, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0001)


def cell(result: Result) -> Optional[str]:
    if result.imr_outcome is None or result.firmness is None:
        return None
    return f"{result.imr_outcome}/{result.firmness}"


def fit(pairs: Iterable[tuple[str, bool]], prior_weight: float = 2.0) -> dict[str, float]:
    """``{cell: P(overturned)}`` from (cell, overturned) pairs, shrunk towards the overall rate."""
    pairs = list(pairs)
    base = (sum(o for _, o in pairs) + 1) / (len(pairs) + 2) if pairs else 0.1
    n: dict[str, int] = defaultdict(int)
    k: dict[str, int] = defaultdict(int)
    for c, o in pairs:
        n[c] += 1
        k[c] += o
    table = {c: round((k[c] + prior_weight * base) / (n[c] + prior_weight), 4) for c in n}
    table["*"] = round(base, 4)
    return table


@functools.lru_cache(maxsize=1)
def load_table(path: str | Path = CALIBRATION_FILE) -> dict[str, float]:
    try:
        with open(path, encoding="utf-8") as fh:
            return dict((yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}).get("cells") or {})
    except OSError:
        return {}


def probability(result: Result) -> Optional[float]:
    c = cell(result)
    table = load_table()
    if c is None or not table:
        return None
    return table.get(c, table.get("*"))


def _collect(paths) -> list[tuple[str, str, bool]]:
    """(letter, cell, overturned) for every predicted item of the letters."""
    from .evaluate import iter_evaluations

    out = []
    for o in iter_evaluations(paths, workers=None):
        for it, pred in zip(o.items, o.predictions):
            if pred is not None and cell(pred):
                out.append((o.path, cell(pred), it.actual == "Overturned"))
    return out


def cross_validate(rows: list[tuple[str, str, bool]]) -> dict:
    letters = sorted({r[0] for r in rows})
    scored = []
    for L in letters:
        table = fit((c, o) for l2, c, o in rows if l2 != L)
        scored += [(table.get(c, table["*"]), o) for l2, c, o in rows if l2 == L]
    base = sum(o for _, o in scored) / len(scored)
    brier = sum((p - o) ** 2 for p, o in scored) / len(scored)
    brier0 = sum((base - o) ** 2 for _, o in scored) / len(scored)
    bins = []
    for lo, hi in zip(BINS, BINS[1:]):
        inb = [(p, o) for p, o in scored if lo <= p < hi]
        if inb:
            bins.append({"from": lo, "to": min(hi, 1.0), "items": len(inb),
                         "mean_predicted": round(sum(p for p, _ in inb) / len(inb), 3),
                         "observed_overturned": round(sum(o for _, o in inb) / len(inb), 3)})
    return {"items": len(scored), "letters": len(letters), "base_rate": round(base, 4), "brier": round(brier, 4),
            "brier_base_rate": round(brier0, 4), "bins": bins}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="letters or folders")
    ap.add_argument("--write", action="store_true", help="store the table fitted on all letters")
    args = ap.parse_args(argv)
    rows = _collect(args.paths)
    cv = cross_validate(rows)
    print(f"cross-validation by letter: {cv['items']} items in {cv['letters']} letters, base rate {cv['base_rate']}")
    print(f"Brier score {cv['brier']} (always the base rate: {cv['brier_base_rate']})")
    print("| predicted P(certified) | items | mean predicted | observed overturned |")
    print("|---|---|---|---|")
    for b in cv["bins"]:
        print(f"| {b['from']:.2f}-{b['to']:.2f} | {b['items']} | {b['mean_predicted']} | {b['observed_overturned']} |")
    table = fit((c, o) for _, c, o in rows)
    print("cells (fitted on all letters):", table)
    if args.write:
        CALIBRATION_FILE.write_text(
            "# P(IMR overturns the denial) by predicted outcome and firmness, fitted on the labelled real letters by\n"
            "# `python -m checker.calibration ../shared/seeds ../shared/corpus/dwc-2016 --write` (see its docstring).\n"
            + yaml.safe_dump({"cells": table}, sort_keys=True), encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
