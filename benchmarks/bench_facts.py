"""Benchmark of checker.facts.extract_facts on one core.

Reads the clinical case summaries of the letters in ../shared (seeds/*.txt and
corpus/**/*.pdf, the text between "CLINICAL CASE SUMMARY" and "IMR ISSUES",
see checker.facts_eval.summary_text_for); falls back to synthetic summaries
when ../shared is absent.  Prints the lexicon load time, summaries/s and
ms/summary.

    python benchmarks/bench_facts.py [--shared PATH] [--repeat N] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYNTH_SENTENCES = [
    "The applicant is a {age}-year-old {sex} who has filed a claim for chronic low back pain reportedly associated with an industrial injury of October {d}, 2014.",
    "In a utilization review report dated November 15, 2016, the claims administrator failed to approve a request for an MRI of the lumbar spine.",
    "The claims administrator denied a request for a bone scan; incidentally, the applicant's history is notable for weight loss.",
    "The applicant reported low back pain radiating to the bilateral lower extremities, {p}/10.",
    "The applicant denies bowel or bladder dysfunction and there are no red flags.",
    "Strength was 4/5 in the left EHL; sensation was decreased in the L5 dermatome and reflexes were 2+ and symmetric.",
    "Straight leg raise was negative bilaterally.",
    "Treatment to date has included {n} sessions of physical therapy, chiropractic care, acupuncture, medications and epidural steroid injections without relief.",
    "An MRI of the lumbar spine of 2014 demonstrated L4-5 disc protrusion.",
    "The attending provider is ordering CT scanning to evaluate the facet joints.",
    "Surgery is being considered; the provider would consider fusion if symptoms persist.",
    "The applicant was placed off of work, on total temporary disability.",
    "Her mother had breast cancer. She is postmenopausal and has hypothyroidism.",
    "The applicant is status post L4-5 fusion in 2010 with retained hardware.",
    "There was no documentation of functional improvement with earlier physical therapy.",
]


def synthetic_summaries(n: int = 120, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        k = rnd.randint(10, 25)
        sents = [rnd.choice(SYNTH_SENTENCES) for _ in range(k)]
        text = " ".join(sents).format(age=rnd.randint(20, 70), sex=rnd.choice(["male", "female"]), d=rnd.randint(1, 28),
                                      p=rnd.randint(1, 10), n=rnd.randint(6, 24))
        # wrap lines like the letters do
        words, lines, cur = text.split(" "), [], ""
        for w in words:
            if len(cur) + len(w) > 95:
                lines.append(cur)
                cur = w
            else:
                cur = (cur + " " + w).strip()
        lines.append(cur)
        out.append(" \n".join(lines))
    return out


def load_summaries(shared: Path) -> tuple[list[str], str]:
    from checker.facts_eval import summary_text_for

    paths = sorted(shared.glob("seeds/*.txt")) + sorted(shared.glob("corpus/**/*.pdf"))
    out = []
    for p in paths:
        try:
            out.append(summary_text_for(p))
        except Exception:  # noqa: BLE001 - a letter without the headings
            continue
    return out, f"{len(out)} summaries from {shared}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:  # one core
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass

    t0 = time.perf_counter()
    from checker.facts import extract_facts, load_lexicon

    load_lexicon()
    load_s = time.perf_counter() - t0

    shared = Path(args.shared)
    texts, source = load_summaries(shared) if shared.is_dir() else ([], "")
    if not texts:
        texts, source = synthetic_summaries(), "120 synthetic summaries"
    extract_facts(texts[0])  # warm-up
    best = float("inf")
    n_facts = 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        n_facts = sum(len(extract_facts(x)) for x in texts)
        best = min(best, time.perf_counter() - t)
    per = best / len(texts)
    res = {
        "source": source,
        "summaries": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
        "facts": n_facts,
        "load_s": round(load_s, 3),
        "ms_per_summary": round(per * 1000, 3),
        "summaries_per_s": round(1 / per, 1),
    }
    if args.json:
        print(json.dumps(res))
    else:
        print(f"source: {res['source']} (mean {res['mean_chars']} chars, {n_facts} facts)")
        print(f"load time (import + lexicon): {res['load_s']:.3f} s")
        print(f"{res['summaries_per_s']:.1f} summaries/s, {res['ms_per_summary']:.2f} ms/summary (best of {args.repeat}, one core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
