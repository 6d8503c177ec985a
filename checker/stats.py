"""Statistics of the audit: Wilson intervals of proportions and Cohen's kappa with its interval.

An interval that cannot be estimated is ``None`` with a reason, never a zero-width interval: Cohen's kappa has
no meaningful interval when either rater gave a single class (kappa is 0, or undefined, by construction),
when the asymptotic standard error is 0 (every pair agrees: "1.00 (1.00-1.00)"), or on fewer than
:data:`MIN_KAPPA_CI_N` pairs, where the large-sample standard error does not hold.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any, Iterable, Optional

Z95 = 1.959963984540054
MIN_KAPPA_CI_N = 10  # pairs below which the asymptotic interval of kappa is not given
NOT_ESTIMABLE = "not estimable"


def wilson_interval(k: int, n: int, z: float = Z95) -> Optional[tuple[float, float]]:
    """The Wilson score interval of a proportion k/n (None when n is 0)."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"k={k} is not between 0 and n={n}")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)  # exact at the edges, not 1 - 1e-16
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def cohen_kappa(pairs: Iterable[tuple[str, str]], z: float = Z95) -> dict:
    """Cohen's kappa of two raters over ``(rater_a, rater_b)`` label pairs.

    The standard error is the large-sample one of Fleiss, Cohen & Everitt (1969); the interval is
    ``kappa +- z * se`` clipped to [-1, 1]. ``kappa`` is None when chance agreement is 1 (both raters gave one
    and the same label throughout): kappa is undefined there. ``ci`` is None, and ``ci_note`` says why, when the
    interval is not estimable (see the module docstring); ``single_class`` is True when either rater gave one
    label throughout.
    """
    pairs = list(pairs)
    n = len(pairs)
    out: dict[str, Any] = {"n": n, "agree": sum(1 for a, b in pairs if a == b), "observed": None, "expected": None,
                           "kappa": None, "se": None, "ci": None, "single_class": False,
                           "ci_note": f"{NOT_ESTIMABLE}: no items"}
    if n == 0:
        return out
    if len({a for a, _ in pairs}) == 1 or len({b for _, b in pairs}) == 1:
        out["single_class"] = True
        out["ci_note"] = (f"{NOT_ESTIMABLE}: one side gave a single outcome throughout, so kappa is 0 or undefined "
                          f"by construction (agreement {out['agree']}/{n})")
    labels = sorted({a for a, _ in pairs} | {b for _, b in pairs})
    cell = Counter(pairs)
    p = {(i, j): cell[(i, j)] / n for i in labels for j in labels}
    row = {i: sum(p[(i, j)] for j in labels) for i in labels}  # rater a
    col = {j: sum(p[(i, j)] for i in labels) for j in labels}  # rater b
    po = sum(p[(i, i)] for i in labels)
    pe = sum(row[i] * col[i] for i in labels)
    out["observed"], out["expected"] = po, pe
    if pe >= 1 - 1e-12:
        return out
    if n < MIN_KAPPA_CI_N and not out["single_class"]:
        out["ci_note"] = f"{NOT_ESTIMABLE}: {n} items, too few for the interval (at least {MIN_KAPPA_CI_N})"
    kappa = (po - pe) / (1 - pe)
    t1 = sum(p[(i, i)] * ((1 - pe) - (col[i] + row[i]) * (1 - po)) ** 2 for i in labels)
    t2 = (1 - po) ** 2 * sum(p[(i, j)] * (col[i] + row[j]) ** 2 for i in labels for j in labels if i != j)
    t3 = (po * pe - 2 * pe + po) ** 2
    var = max(0.0, (t1 + t2 - t3) / (n * (1 - pe) ** 4))
    se = math.sqrt(var)
    out.update(kappa=kappa, se=se)
    if se <= 1e-12 and not out["single_class"]:
        out["ci_note"] = f"{NOT_ESTIMABLE}: every item agrees, so the standard error is 0 (agreement {out['agree']}/{n})"
    if out["single_class"] or n < MIN_KAPPA_CI_N or se <= 1e-12:
        return out
    out.update(ci=(max(-1.0, kappa - z * se), min(1.0, kappa + z * se)), ci_note=None)
    return out


