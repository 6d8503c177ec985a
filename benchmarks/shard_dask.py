"""Sharding a large corpus with Dask: a small working example that runs locally.

    pip install "dask[bag]"            # not a dependency of imrcheck itself
    python benchmarks/shard_dask.py [LETTER_DIR ...] [--partitions 8] [--out OUT_DIR]

Each partition is a shard of letter paths. `map_partitions` loads imrcheck's rules, engine and lexicon once
per partition, evaluates its letters with the same function `imrcheck evaluate` uses, and emits the same JSON
Lines records as `imrcheck evaluate --jsonl` (items and errors). Dask writes one JSONL file per partition;
the summary is reduced from the records. On a cluster the same code runs with a `dask.distributed.Client`
(or, with Spark, `rdd.mapPartitions(evaluate_partition)` over the same paths). Letters must be readable
at the same path on every worker (a shared file system or object store mounted there).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def evaluate_partition(paths):
    """One shard: JSON Lines records for its letters (models are loaded once per partition)."""
    from checker.evaluate import evaluate_letter

    for p in paths:
        o = evaluate_letter(p)
        if o.error:
            yield json.dumps({"type": "error", "path": o.path, "error": o.error})
        for i in o.items:
            yield json.dumps({"type": "item", **i.model_dump()}, sort_keys=True)


def main() -> int:
    try:
        import dask
        import dask.bag as db
    except ImportError:
        print('This example needs Dask: pip install "dask[bag]"')
        return 0
    from checker.evaluate import ItemResult, Scorer, iter_letter_paths

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[str(ROOT.parent / "shared" / "corpus" / "dwc-2016")])
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--out", default=None, help="write one JSONL file per partition here")
    a = ap.parse_args()
    paths = [str(p) for p in iter_letter_paths(a.paths)]
    if not paths:
        print("no letters found")
        return 0
    bag = db.from_sequence(paths, npartitions=min(a.partitions, len(paths))).map_partitions(evaluate_partition)
    with dask.config.set(scheduler="processes"):
        if a.out:
            Path(a.out).mkdir(parents=True, exist_ok=True)
            bag.to_textfiles(str(Path(a.out) / "part-*.jsonl"))
            records = [json.loads(l) for f in sorted(Path(a.out).glob("part-*.jsonl")) for l in f.read_text().splitlines()]
        else:
            records = [json.loads(l) for l in bag.compute()]
    scorer = Scorer()
    for r in records:
        if r["type"] == "item":
            scorer.add(ItemResult.model_validate({k: v for k, v in r.items() if k != "type"}))
    errors = sum(r["type"] == "error" for r in records)
    print(json.dumps({"letters": len(paths), "failed": errors, "items": sum(r["type"] == "item" for r in records),
                      **scorer.report()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
