"""`make bench` (dispatch part): the request classifier and the hot-spot clustering, in-process.

Needs no database. Measures, on this machine:
- accuracy, macro-F1 and top-3 accuracy by 5-fold cross-validation over the shipped raw
  messages and, in step, the word-split ones (each fold trains on the other folds of both and
  is scored on each form apart), and the auto-dispatch table (precision and coverage per
  threshold) from the same out-of-fold predictions on raw text;
- training time: one fit on all the shipped data (what `jiceng dispatch train --folds 0`
  does), on the machine's cores;
- per-message latency: one message at a time, as intake classifies, over the 1,330 raw
  messages: p50, p95, max, three passes, the median pass reported;
- duplicate look-up: one ticket against 500 open candidates;
- hot spots: clustering all messages of bench/data/hotspot_messages.csv.

Writes bench/dispatch_results.json and rewrites docs/benchmarks.md (with bench/results.json,
when the database part has run).

    python bench/dispatch.py [--folds 5] [--jobs 2]
"""

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def duplicate_quality(items, titles, background, pool: int = 300) -> dict:
    """How the duplicate look-up does on the file's re-posts. A message whose title another
    message repeats word for word is a known duplicate: is its twin found (recall)? A message
    whose title is unique: is anything flagged? (Some of those are real duplicates in other
    words, so that share bounds the false alarms from above.)"""
    import random

    from jiceng.dispatch import similarity

    by_title: dict[str, list] = {}
    for item in items:
        by_title.setdefault(titles[item.key].strip(), []).append(item)
    rng = random.Random(5)
    twins = [group for group in by_title.values() if len(group) >= 2]
    unique = [group[0] for group in by_title.values() if len(group) == 1]
    found = 0
    sample = rng.sample(twins, min(200, len(twins)))
    for group in sample:
        query, twin = group[0], group[1]
        others = rng.sample(items, pool)
        candidates = [(o.key, o.text) for o in others if o.key not in {query.key, twin.key}]
        candidates.append((twin.key, twin.text))
        matches = similarity.most_similar(query.text, candidates, background, k=5)
        found += any(m.key == twin.key for m in matches)
    flagged = 0
    lonely = rng.sample(unique, min(200, len(unique)))
    for query in lonely:
        others = [
            o for o in rng.sample(items, pool) if titles[o.key].strip() != titles[query.key].strip()
        ]
        matches = similarity.most_similar(query.text, [(o.key, o.text) for o in others], background)
        flagged += bool(matches)
    return {
        "reposts_checked": len(sample),
        "recall_of_reposts": round(found / len(sample), 3) if sample else None,
        "unique_checked": len(lonely),
        "unique_flagged": round(flagged / len(lonely), 3) if lonely else None,
        "pool": pool,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    from jiceng.dispatch import hotspots, similarity, training
    from jiceng.dispatch.classifier import Classifier

    results = {
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    print("cross-validation …", flush=True)
    started = time.perf_counter()
    results["cv"] = training.cross_validate(args.folds, jobs=args.jobs)
    results["cv"]["seconds"] = round(time.perf_counter() - started, 1)
    print(results["cv"], flush=True)

    print("training on everything …", flush=True)
    corpus = training.shipped()
    started = time.perf_counter()
    model = Classifier().fit([t for t, _ in corpus], [label for _, label in corpus])
    results["train"] = {
        "examples": len(corpus),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(results["train"], flush=True)

    raw = [t for t, _ in training.raw_messages()]
    for text in raw[:20]:  # warm up (jieba's dictionary, caches)
        model.top_k([text], 3)
    results["latency"] = training.latency(model, raw, limit=len(raw), passes=3)
    print(results["latency"], flush=True)

    print("duplicates and hot spots …", flush=True)
    items, _titles = hotspots.read_messages(ROOT / "bench" / "data" / "hotspot_messages.csv")
    background = similarity.Background(raw)
    candidates = [(i.key, i.text) for i in items[:500]]
    times = []
    for item in items[500:700]:
        t0 = time.perf_counter()
        similarity.most_similar(item.text, candidates, background)
        times.append(1000 * (time.perf_counter() - t0))
    results["duplicates"] = {
        "candidates": len(candidates),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        **duplicate_quality(items, _titles, background),
    }
    started = time.perf_counter()
    clusters = similarity.cluster(items)
    results["hotspots"] = {
        "messages": len(items),
        "clusters": len(clusters),
        "clustered_messages": sum(c.size for c in clusters),
        "largest": [c.size for c in sorted(clusters, key=lambda c: -c.size)[:5]],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(results["hotspots"], flush=True)

    (ROOT / "bench" / "dispatch_results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    )
    from run import write_report

    database = ROOT / "bench" / "results.json"
    write_report(json.loads(database.read_text()) if database.exists() else None)
    print("wrote bench/dispatch_results.json and docs/benchmarks.md", flush=True)


if __name__ == "__main__":
    main()
