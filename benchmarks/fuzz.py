"""Fuzz the whole pipeline with mutated letters: parse, normalise requests, extract facts, predict.

    python benchmarks/fuzz.py [--cases 10000] [--seed 0] [--workers 2]

Seeds are the synthetic fixture letters plus, when present, the real letters in ../shared (read there,
never copied). Each case applies 1-4 random mutations (delete, duplicate, swap or truncate lines; cut the
text anywhere; insert random Unicode, control characters or markers; swap decisions; merge letters).
Allowed outcomes: a Letter, or a LetterError. Anything else is a failure. For every parsed letter the
facts' quotes must equal text[start:end] with offsets inside the text, and every prediction must be valid.
Exit status 1 when any case failed.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
MARKERS = ["CLINICAL CASE SUMMARY", "IMR ISSUES, DECISIONS AND RATIONALES", "Claims Administrator guideline:",
           "MAXIMUS guideline:", "Decision rationale:", ": Upheld", ": Overturned", "Upheld", "Overturned",
           "The original request, ", "Case Number: ", "Date of Injury: 13/45/2016", "\f", "\x00", "\u200b", "\ufeff"]
ALPHABET = "abcdefghijklmnopqrstuvwxyz ABCDEFG0123456789.,:;/-()#%\n\t\u00e9\u2013\u2019\ufffe\U0001F600"


def seed_texts() -> list[str]:
    from checker.letters import extract_text

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures" / "letters").glob("*.txt"))]
    if SHARED.is_dir():
        for p in sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "dwc-2016").glob("*.pdf"))[:40]:
            texts.append(extract_text(p))
    return texts


def mutate(text: str, rng: random.Random, others: list[str]) -> str:
    for _ in range(rng.randint(1, 4)):
        lines = text.split("\n")
        op = rng.randrange(9)
        if op == 0 and lines:
            del lines[rng.randrange(len(lines))]
        elif op == 1 and lines:
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
        elif op == 2 and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            text = text[: rng.randrange(len(text) + 1)]
            continue
        elif op == 4:
            pos = rng.randrange(len(text) + 1)
            junk = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40)))
            text = text[:pos] + junk + text[pos:]
            continue
        elif op == 5:
            pos = rng.randrange(len(text) + 1)
            text = text[:pos] + rng.choice(MARKERS) + text[pos:]
            continue
        elif op == 6:
            text = text.replace("Upheld", "Overturned") if rng.random() < 0.5 else text.replace(": Overturned", ":")
            continue
        elif op == 7 and others:
            other = rng.choice(others)
            cut = rng.randrange(len(other) + 1)
            text = text + "\n" + other[cut:]
            continue
        else:
            text = text.replace("\n", "\n\n") if rng.random() < 0.5 else text.replace("-\n", "-")
            continue
        text = "\n".join(lines)
    return text


def check_case(args: tuple[int, str]) -> dict:
    """Run one mutated letter through the pipeline; return a failure record or {'ok': kind}."""
    from checker.evaluate import letter_as_of
    from checker.facts import extract_facts
    from checker.letters import LetterError, parse_text
    from checker.predict import default_checker
    from checker.requests import normalize_request

    idx, text = args
    try:
        try:
            letter = parse_text(text, path=f"fuzz-{idx}.txt")
        except LetterError as exc:
            if "fuzz-" not in str(exc):
                return {"case": idx, "failure": f"LetterError does not name the file: {exc}"}
            return {"ok": "error"}
        s = letter.summary
        if letter.text[letter.summary_start:letter.summary_start + len(s)] != s:
            return {"case": idx, "failure": "summary offset does not match the text"}
        as_of = letter_as_of(letter)
        facts = extract_facts(s, as_of=as_of)
        for f in facts:
            e = f.evidence
            if not (0 <= e.start <= e.end <= len(s)) or s[e.start:e.end] != e.quote:
                return {"case": idx, "failure": f"bad evidence span for {f.name}: {e}"}
        for item in letter.items:
            req = normalize_request(item.text, as_of=as_of)
            res = default_checker().check(s, req, as_of=as_of, facts=facts)
            if res.imr_outcome not in (None, "Upheld", "Overturned"):
                return {"case": idx, "failure": f"bad outcome {res.imr_outcome}"}
            for e in res.evidence:
                if s[e.start:e.end] != e.quote:
                    return {"case": idx, "failure": "prediction evidence does not match the text"}
        return {"ok": "letter"}
    except Exception:  # noqa: BLE001 - the point of fuzzing
        return {"case": idx, "failure": traceback.format_exc(limit=6)}


def generate(n: int, seed: int) -> list[tuple[int, str]]:
    rng = random.Random(seed)
    seeds = seed_texts()
    return [(i, mutate(rng.choice(seeds), rng, seeds)) for i in range(n)]


def run(n: int = 10_000, seed: int = 0, workers: int = 2) -> dict:
    cases = generate(n, seed)
    t0 = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(check_case, cases, chunksize=64))
    else:
        results = [check_case(c) for c in cases]
    dt = time.perf_counter() - t0
    failures = [r for r in results if "failure" in r]
    return {
        "cases": n, "seed": seed, "workers": workers, "seconds": round(dt, 1),
        "parsed": sum(1 for r in results if r.get("ok") == "letter"),
        "letter_errors": sum(1 for r in results if r.get("ok") == "error"),
        "failures": len(failures), "first_failures": failures[:5],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    report = run(a.cases, a.seed, a.workers)
    print(json.dumps(report, indent=2))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
