"""How well the gazetteer places requests, on a labelled set of address strings
(tests/data/placing/addresses.csv): the figures of docs/placing.md.

Pure: no Django import. Each row holds a text and the village where the request really is.
The placing is scored against that village's chain (province → … → village):

- right village: placed at the village itself;
- right township: placed at its township or deeper on its chain;
- right county: placed at its county or deeper on its chain;
- too high: on its chain, above the village (the words did not say more, or were ambiguous);
- wrong: placed anywhere off its chain: the one error that sends a request to the wrong
  dispatcher, so it counts worse than too high;
- not placed: the words name no place.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .gazetteer import Gazetteer, Place, ancestors

REGIONS = Path(__file__).resolve().parent / "data" / "changji.csv"
OUTCOMES = ("village", "township", "county", "too_high", "wrong", "none")


def table_gazetteer(path: Path = REGIONS) -> Gazetteer:
    """The gazetteer of the shipped region table, as the product builds it (no aliases)."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return Gazetteer(Place(r["code"], r["name"], r["level"]) for r in rows)


@dataclass
class Figures:
    total: int = 0
    counts: Counter = field(default_factory=Counter)
    by_shape: dict = field(default_factory=dict)
    uncertain: Counter = field(default_factory=Counter)  # outcome → rows marked uncertain
    wrong: list = field(default_factory=list)  # (text, placed code, true code)

    def share(self, outcome: str) -> float:
        return self.counts[outcome] / self.total if self.total else 0.0


def outcome(placed: str | None, truth: str) -> set[str]:
    if placed is None:
        return {"none"}
    chain = ancestors(truth)
    if placed not in chain:
        return {"wrong"}
    got = set()
    if placed == truth:
        got.add("village")
    if placed == truth or placed == truth[:9] + "000":
        got.add("township")
    if placed in (truth, truth[:9] + "000", truth[:6] + "000000"):
        got.add("county")
    if placed != truth:
        got.add("too_high")
    return got


def score(gazetteer: Gazetteer, rows: list[dict]) -> Figures:
    figures = Figures()
    for row in rows:
        found = gazetteer.place(row["text"])
        got = outcome(found.code, row["code"])
        figures.total += 1
        figures.counts.update(got)
        shape = figures.by_shape.setdefault(row["shape"], Counter())
        shape["rows"] += 1
        shape.update(got)
        if not found.certain and found.code is not None:
            figures.uncertain.update(got)
        if "wrong" in got:
            figures.wrong.append((row["text"], found.code, row["code"]))
    return figures


def read_set(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))
