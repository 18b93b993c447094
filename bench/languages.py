"""How often intake reads the language of a request right (`tickets.scripts`), on messages
written for the purpose in each language (tests/data/written_languages*.csv).

    .venv/bin/python bench/languages.py

Prints a Markdown table for docs/dispatch.md: per language, how many are read as that
language, and how many go where they must (Chinese to the model, the rest to 双语受理)."""

import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jiceng.tickets.scripts import CHINESE, language_of  # noqa: E402

NAMES = {"zh": "中文", "ug": "Uyghur", "kk": "Kazakh"}


def measure(path: Path):
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    total, exact, routed, wrong = Counter(), Counter(), Counter(), []
    for row in rows:
        said, truth = language_of(row["text"]), row["language"]
        total[truth] += 1
        exact[truth] += said == truth
        routed[truth] += (said == CHINESE) == (truth == CHINESE)
        if said != truth:
            wrong.append((truth, said, row["text"]))
    return total, exact, routed, wrong


def main():
    for name in ["written_languages.csv", "written_languages_holdout.csv"]:
        total, exact, routed, wrong = measure(ROOT / "tests" / "data" / name)
        print(f"\n`tests/data/{name}`\n")
        print("| written in | messages | read as that language | sent the right way |")
        print("|---|---|---|---|")
        for lang in ["zh", "ug", "kk"]:
            print(f"| {NAMES[lang]} | {total[lang]} | {exact[lang]} | {routed[lang]} |")
        for truth, said, text in wrong:
            print(f"\n- {NAMES[truth]} read as `{said}`: {text}")


if __name__ == "__main__":
    main()
