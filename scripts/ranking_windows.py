"""How many units each group of the 通报 ranks over a month, the last 3, 6 and 12 months, and
which window the dashboard chooses (docs/metrics.md, "Ranking windows").

Run against a database (the demo's: `JICENG_VAR_DIR=var jiceng shell < scripts/ranking_windows.py`
or `python scripts/ranking_windows.py` with DJANGO_SETTINGS_MODULE set) and paste the table.
"""

import os

if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    django.setup()

from django.utils import timezone

from jiceng.dashboards import selectors
from jiceng.tickets import metrics, rates


def table(period: str | None = None) -> str:
    period = period or selectors.default_period()
    asked = metrics.parse_period(period)
    lines = [
        f"Period {asked.label} (`{period}`), the whole prefecture, units by kind "
        f"(minimum {rates.min_sample().dispatched} dispatched, {rates.min_sample().callbacks} "
        "callbacks):",
        "",
        "| group | units | ranked: month | 3 months | 6 months | 12 months | chosen window |",
        "|---|---|---|---|---|---|---|",
    ]
    over = {n: dict(rates.grouped_ranking(metrics.trailing(asked, n).text)) for n in (1, 3, 6, 12)}
    chosen = {g.label: g for g in rates.windowed_ranking(period)}
    for label in over[1]:
        counts = [
            sum(1 for r in over[n].get(label, []) if r.rank is not None) for n in (1, 3, 6, 12)
        ]
        units = max(len(over[n].get(label, [])) for n in (1, 3, 6, 12))
        window = chosen[label].period if label in chosen else "—"
        lines.append(f"| {label} | {units} | " + " | ".join(map(str, counts)) + f" | `{window}` |")
    lines.append("")
    lines.append(f"Measured {timezone.localdate():%Y-%m-%d}.")
    return "\n".join(lines)


print(table(os.environ.get("PERIOD")))
