"""The 三率, in one place: what they count (`definitions`), the months kept once counted
(`rollup`), and the reads every page, the API and the commands share (`reads`).

The pure arithmetic (rates, the weighted score, ranking, periods) is `tickets.metrics`;
docs/metrics.md states every rule with an example. Callers read through this package:
`rates.ranking(…)`, `rates.rate_counts(…)`."""

from .definitions import COUNTED, final_assignments, last_callbacks, min_sample, weights
from .reads import (
    BIG,
    KIND_GROUPS,
    LEVEL_DIGITS,
    LEVEL_GROUPS,
    MEASURES,
    SMALL,
    VIEWS,
    WINDOW_GROUPS,
    WINDOWS,
    Ranked,
    choose_window,
    grouped_ranking,
    measured_tickets,
    monthly_rate_counts,
    ranking,
    rate_counts,
    report,
    scope_q,
    scope_rates,
    unit_groups,
    windowed_ranking,
)

__all__ = [
    "BIG",
    "COUNTED",
    "KIND_GROUPS",
    "LEVEL_DIGITS",
    "LEVEL_GROUPS",
    "MEASURES",
    "SMALL",
    "VIEWS",
    "WINDOWS",
    "WINDOW_GROUPS",
    "Ranked",
    "choose_window",
    "final_assignments",
    "grouped_ranking",
    "last_callbacks",
    "measured_tickets",
    "min_sample",
    "monthly_rate_counts",
    "ranking",
    "rate_counts",
    "report",
    "scope_q",
    "scope_rates",
    "unit_groups",
    "weights",
    "windowed_ranking",
]
