"""Purity of the hot-spot clusters against hand-labelled problems.

bench/data/hotspot_labels.csv holds 102 messages of bench/data/hotspot_messages.csv, each
labelled with the problem it complains of (how they were chosen and labelled: the data README).
This clusters the whole file as `jiceng dispatch hotspots --csv` does and reports, over the
labelled messages that fall in a cluster:

- purity: for each cluster, the share of its labelled messages that carry its most common
  problem, weighted by those messages (1.0: no cluster mixes two problems);
- mixed clusters, with what they mix;
- labelled messages left out of every cluster.

    python bench/hotspot_purity.py
"""

import csv
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    django.setup()
    from jiceng.dispatch import hotspots, similarity

    items, _titles = hotspots.read_messages(ROOT / "bench" / "data" / "hotspot_messages.csv")
    with open(ROOT / "bench" / "data" / "hotspot_labels.csv", encoding="utf-8") as f:
        labels = {row["id"]: row["problem"] for row in csv.DictReader(f)}
    clusters = similarity.cluster(items)
    pure = counted = 0
    mixed = []
    placed = set()
    for n, c in enumerate(clusters):
        found = Counter(labels[k] for k in c.keys if k in labels)
        if not found:
            continue
        placed |= {k for k in c.keys if k in labels}
        top = found.most_common(1)[0][1]
        pure += top
        counted += sum(found.values())
        if len(found) > 1:
            mixed.append((n, c.size, " · ".join(c.keywords), dict(found)))
    print(f"clusters: {len(clusters)}; labelled messages in clusters: {counted} of {len(labels)}")
    print(f"purity: {pure}/{counted} = {pure / counted:.1%}")
    for n, size, words, found in mixed:
        parts = "；".join(f"{label} {k}" for label, k in found.items())
        print(f"  mixed: cluster {n} ({size} messages, {words}): {parts}")
    left = sorted(set(labels) - placed)
    if left:
        print(f"left out of every cluster: {len(left)} ({', '.join(left)})")


if __name__ == "__main__":
    main()
