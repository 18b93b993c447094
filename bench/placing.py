"""How well requests are placed from their words, on the labelled set of address strings
(tests/data/placing/addresses.csv, built by scripts/placing_set.py).

    .venv/bin/python bench/placing.py

Prints the Markdown tables of docs/placing.md: shares placed at the right village, township and
county, too high, wrong and not placed, overall and per shape of note, and every wrong row."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jiceng.regions.figures import read_set, score, table_gazetteer  # noqa: E402

SET = ROOT / "tests" / "data" / "placing" / "addresses.csv"
COLUMNS = [
    ("village", "right village"),
    ("township", "right township"),
    ("county", "right county"),
    ("too_high", "too high"),
    ("wrong", "wrong"),
    ("none", "not placed"),
]


def pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f} %" if total else "—"


def main() -> None:
    figures = score(table_gazetteer(), read_set(SET))
    print(f"{figures.total} address strings (`tests/data/placing/addresses.csv`)\n")
    print("| | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    cells = [f"{figures.counts[k]} ({pct(figures.counts[k], figures.total)})" for k, _ in COLUMNS]
    print("| all | " + " | ".join(cells) + " |")
    print("\nPer shape of note:\n")
    print("| shape | rows | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for shape, counts in figures.by_shape.items():
        n = counts["rows"]
        print(f"| {shape} | {n} | " + " | ".join(pct(counts[k], n) for k, _ in COLUMNS) + " |")
    print(
        "\nMarked uncertain (待核实 on the ticket): "
        f"{sum(figures.uncertain[k] for k in ('village', 'too_high', 'wrong'))} rows; "
        f"of the wrong rows, {figures.uncertain['wrong']} of {figures.counts['wrong']}\n"
    )
    if figures.wrong:
        print("| text | placed at | really in |")
        print("|---|---|---|")
        for text, placed, truth in figures.wrong:
            print(f"| {text} | {placed} | {truth} |")


if __name__ == "__main__":
    main()
