"""三率 and the composite score (PRODUCT.md, "三率"): pure functions over plain counts.

No Django import. `selectors.rate_counts` gathers the counts from events; these functions turn
them into rates, a composite score and a ranking, the same way for the command, the API and
the dashboards.

- 响应率 = tickets accepted by their accept-by ÷ tickets dispatched to the unit
- 解决率 = tickets the resident called solved ÷ tickets with a callback
- 满意率 = Σ credit(answer) ÷ tickets with a callback (满意 and 基本满意 count 1 by default)
- 综合得分 = w₁·响应率 + w₂·解决率 + w₃·满意率 (0.10 / 0.45 / 0.45 by default)

Rates and scores are percentages (0–100). A rate with no tickets behind it is `None`; the
composite then uses the rates that exist, with their weights scaled up to sum to 1, and says
so in `partial`. Equal scores share a rank (1, 2, 2, 4).
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Weights:
    response: float = 0.10
    solved: float = 0.45
    satisfied: float = 0.45
    credit: dict = field(default_factory=lambda: {"满意": 1.0, "基本满意": 1.0, "不满意": 0.0})


@dataclass(frozen=True)
class Counts:
    key: str
    name: str
    dispatched: int = 0
    on_time: int = 0
    callbacks: int = 0
    solved: int = 0
    answers: dict = field(default_factory=dict)  # {"满意": n, "基本满意": n, "不满意": n}


@dataclass
class Row:
    key: str
    name: str
    dispatched: int
    on_time: int
    callbacks: int
    solved: int
    satisfied: float
    response_rate: float | None
    solved_rate: float | None
    satisfied_rate: float | None
    score: float | None
    partial: bool
    rank: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _pct(part: float, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 2)


def rate(counts: Counts, weights: Weights) -> Row:
    satisfied = sum(weights.credit.get(k, 0.0) * n for k, n in counts.answers.items())
    response = _pct(counts.on_time, counts.dispatched)
    solved = _pct(counts.solved, counts.callbacks)
    happy = _pct(satisfied, counts.callbacks)
    parts = [(response, weights.response), (solved, weights.solved), (happy, weights.satisfied)]
    present = [(value, w) for value, w in parts if value is not None and w > 0]
    total_weight = sum(w for _, w in present)
    score = round(sum(v * w for v, w in present) / total_weight, 2) if total_weight else None
    return Row(
        key=counts.key,
        name=counts.name,
        dispatched=counts.dispatched,
        on_time=counts.on_time,
        callbacks=counts.callbacks,
        solved=counts.solved,
        satisfied=round(satisfied, 3),
        response_rate=response,
        solved_rate=solved,
        satisfied_rate=happy,
        score=score,
        partial=score is not None and len(present) < sum(1 for _, w in parts if w > 0),
    )


def rank(all_counts: list[Counts], weights: Weights) -> list[Row]:
    """Rows best first; equal scores share a rank; rows without a score come last, unranked."""
    rows = [rate(c, weights) for c in all_counts]
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: (-r.score, r.key))
    previous, position = None, 0
    for index, row in enumerate(scored, start=1):
        if row.score != previous:
            position, previous = index, row.score
        row.rank = position
    return scored + sorted((r for r in rows if r.score is None), key=lambda r: r.key)


class BadPeriod(ValueError):
    pass


def period_bounds(text: str) -> tuple[datetime, datetime]:
    """`2026-03` (a month) or `2026` (a year) → [start, end) in Asia/Shanghai."""
    text = (text or "").strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
    elif re.fullmatch(r"\d{4}", text):
        year, month = int(text), None
    else:
        raise BadPeriod("统计期应写作 YYYY-MM（月）或 YYYY（年），例如 2026-03")
    if not 2000 <= year <= 2100:
        raise BadPeriod("年份应在 2000 到 2100 之间")
    if month is None:
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
    elif 1 <= month <= 12:
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
    else:
        raise BadPeriod("月份应在 1 到 12 之间")
    return (
        datetime.combine(start, datetime.min.time(), SHANGHAI),
        datetime.combine(end, datetime.min.time(), SHANGHAI),
    )
