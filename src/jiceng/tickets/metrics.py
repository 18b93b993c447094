"""三率 and the composite score (PRODUCT.md, "三率"): pure functions over plain counts.

No Django import. `rates.rate_counts` gathers the counts from events; these functions turn
them into rates, a composite score and a ranking, the same way for the command, the API and
the dashboards.

- 响应率 = tickets accepted by their accept-by ÷ tickets dispatched to the unit
- 解决率 = tickets the resident called solved ÷ tickets with a callback
- 满意率 = Σ credit(answer) ÷ tickets with a callback (满意 and 基本满意 count 1 by default)
- 综合得分 = w₁·响应率 + w₂·解决率 + w₃·满意率 (0.10 / 0.45 / 0.45 by default)

Rates and scores are percentages (0–100). A rate with no tickets behind it is `None`; the
composite then uses the rates that exist, with their weights scaled up to sum to 1, and says
so in `partial`. Equal scores share a rank (1, 2, 2, 4).

Every rate carries its counts (k/n) and a 95 % Wilson score interval, so a reader can see how
much one ticket moves it. A unit below the minimum sample (`MinSample`: by default 10
dispatched tickets for 响应率 and 5 callbacks for 解决率 and 满意率) is 样本不足: it keeps its
rates but gets no rank, and is listed after the ranked units. A unit with one good ticket is
not "first".

A ticket that is dispatched but not yet accepted, whose accept-by has not passed, is *pending*:
it is in neither the numerator nor the denominator of 响应率 (`Counts.pending` says how many).
"""

import math
import re
from dataclasses import dataclass, field, fields
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
class MinSample:
    """The fewest tickets behind a rate for the unit to be ranked on it."""

    dispatched: int = 10
    callbacks: int = 5


NO_MINIMUM = MinSample(0, 0)
INSUFFICIENT = "样本不足"


@dataclass(frozen=True)
class Counts:
    key: str
    name: str
    dispatched: int = 0  # counted for 响应率: the pending ones are not among them
    on_time: int = 0
    callbacks: int = 0
    solved: int = 0
    answers: dict = field(default_factory=dict)  # {"满意": n, "基本满意": n, "不满意": n}
    pending: int = 0  # dispatched, not accepted, accept-by not yet passed
    kind: str = ""  # a unit's kind (community, township, department…) or a region's level


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
    pending: int = 0
    response_ci: tuple[float, float] | None = None
    solved_ci: tuple[float, float] | None = None
    satisfied_ci: tuple[float, float] | None = None
    sufficient: bool = True  # enough tickets behind every weighted rate to be ranked
    rank: int | None = None
    group: str = ""
    kind: str = ""

    @property
    def sample(self) -> str:
        return "" if self.sufficient else INSUFFICIENT

    def as_dict(self) -> dict:
        # shallow: dataclasses.asdict deep-copies every field, a tenth of a second for a
        # thousand rows
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"sample": self.sample}


def _pct(part: float, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 2)


def wilson(part: float, whole: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of part/whole, in percent; None without a denominator.

    Unlike p ± z·√(p(1−p)/n), it stays inside 0–100 and is honest at 0/n and n/n: 1 of 1 on
    time is "somewhere between 20.65 % and 100 %", not "100 %"."""
    if whole <= 0:
        return None
    p = part / whole
    z2 = z * z
    centre = (p + z2 / (2 * whole)) / (1 + z2 / whole)
    half = z * math.sqrt(p * (1 - p) / whole + z2 / (4 * whole * whole)) / (1 + z2 / whole)
    return (round(max(0.0, centre - half) * 100, 2), round(min(1.0, centre + half) * 100, 2))


def rate(counts: Counts, weights: Weights, minimum: MinSample = NO_MINIMUM) -> Row:
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
        pending=counts.pending,
        kind=counts.kind,
        response_ci=wilson(counts.on_time, counts.dispatched),
        solved_ci=wilson(counts.solved, counts.callbacks),
        satisfied_ci=wilson(satisfied, counts.callbacks),
        sufficient=(weights.response <= 0 or counts.dispatched >= minimum.dispatched)
        and (
            (weights.solved <= 0 and weights.satisfied <= 0)
            or counts.callbacks >= minimum.callbacks
        ),
    )


def rank(all_counts: list[Counts], weights: Weights, minimum: MinSample = NO_MINIMUM) -> list[Row]:
    """Rows best first; equal scores share a rank. After them, unranked: the rows below the
    minimum sample (样本不足), by score, then the rows without a score."""
    rows = [rate(c, weights, minimum) for c in all_counts]
    ranked = sorted(
        (r for r in rows if r.score is not None and r.sufficient), key=lambda r: (-r.score, r.key)
    )
    previous, position = None, 0
    for index, row in enumerate(ranked, start=1):
        if row.score != previous:
            position, previous = index, row.score
        row.rank = position
    small = sorted(
        (r for r in rows if r.score is not None and not r.sufficient),
        key=lambda r: (-r.score, r.key),
    )
    return ranked + small + sorted((r for r in rows if r.score is None), key=lambda r: r.key)


def rank_groups(
    all_counts: list[Counts],
    weights: Weights,
    minimum: MinSample,
    group_of,
    order: tuple[str, ...] = (),
) -> list[tuple[str, list[Row]]]:
    """Like is ranked with like: `group_of(counts)` names each row's group (a unit kind, a
    volume class), and each group is ranked on its own. Groups come in `order`, then any
    other in the order first met; a group without rows is left out."""
    buckets: dict[str, list[Counts]] = {label: [] for label in order}
    for c in all_counts:
        buckets.setdefault(group_of(c), []).append(c)
    out = []
    for label, members in buckets.items():
        if not members:
            continue
        rows = rank(members, weights, minimum)
        for row in rows:
            row.group = label
        out.append((label, rows))
    return out


def _ci(name: str, end: int):
    return lambda r: r[name][end] if r[name] else None


# The columns of a 通报, the same in the Excel export and the command's CSV: each rate with its
# counts and its 95 % interval, and 样本不足 where the row is not ranked.
REPORT_COLUMNS = [
    ("排名", lambda r: r["rank"]),
    ("编码", lambda r: r["key"]),
    ("名称", lambda r: r["name"]),
    ("派单数（计入响应率）", lambda r: r["dispatched"]),
    ("按时接单", lambda r: r["on_time"]),
    ("响应率(%)", lambda r: r["response_rate"]),
    ("响应率95%区间下限", _ci("response_ci", 0)),
    ("响应率95%区间上限", _ci("response_ci", 1)),
    ("待接单未到时限（不计入）", lambda r: r["pending"]),
    ("回访数", lambda r: r["callbacks"]),
    ("已解决", lambda r: r["solved"]),
    ("解决率(%)", lambda r: r["solved_rate"]),
    ("解决率95%区间下限", _ci("solved_ci", 0)),
    ("解决率95%区间上限", _ci("solved_ci", 1)),
    ("满意计分", lambda r: r["satisfied"]),
    ("满意率(%)", lambda r: r["satisfied_rate"]),
    ("满意率95%区间下限", _ci("satisfied_ci", 0)),
    ("满意率95%区间上限", _ci("satisfied_ci", 1)),
    ("综合得分", lambda r: r["score"]),
    ("数据不全", lambda r: "是" if r["partial"] else ""),
    ("样本", lambda r: r["sample"]),
]


class BadPeriod(ValueError):
    pass


QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Period:
    """A month (`2026-10`), a quarter (`2026-Q4`), a year (`2026`), or a run of whole months
    (`2026-09~2026-11`, a ranking's window when one month holds too few tickets): [start, end)
    in Asia/Shanghai. `text` is the one way it is written everywhere: pages, exports, the API
    and the command line."""

    kind: str  # "month" | "quarter" | "year" | "span"
    year: int
    number: int  # the month (1–12), the quarter (1–4), 0 for a year, the first month of a span
    count: int = 0  # a span's months (2–24)

    @property
    def text(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        if self.kind == "span":
            return f"{self.months()[0].text}~{self.months()[-1].text}"
        return f"{self.year:04d}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年{QUARTER_NAMES[self.number]}"
        if self.kind == "span":
            first, last = self.months()[0], self.months()[-1]
            tail = f"{last.number}月" if last.year == first.year else last.label
            return f"{first.label}—{tail}"
        return f"{self.year}年全年"

    @property
    def first_month(self) -> int:
        return {
            "month": self.number,
            "quarter": 3 * self.number - 2,
            "year": 1,
            "span": self.number,
        }[self.kind]

    @property
    def month_count(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12, "span": self.count}[self.kind]

    def months(self) -> list["Period"]:
        first = Period("month", self.year, self.first_month)
        return [shift_month(first, i) for i in range(self.month_count)]

    @property
    def start(self) -> datetime:
        return datetime.combine(date(self.year, self.first_month, 1), datetime.min.time(), SHANGHAI)

    @property
    def end(self) -> datetime:
        after = shift_month(Period("month", self.year, self.first_month), self.month_count)
        return datetime.combine(date(after.year, after.number, 1), datetime.min.time(), SHANGHAI)

    def bounds(self) -> tuple[datetime, datetime]:
        return self.start, self.end

    def is_complete(self, now: datetime) -> bool:
        return self.end <= now

    def __str__(self) -> str:
        return self.text


def trailing(last: "Period", months: int) -> "Period":
    """The `months` whole months ending with the last month of `last` (a window)."""
    end = last.months()[-1]
    if months == 1:
        return end
    first = shift_month(end, 1 - months)
    return Period("span", first.year, first.number, months)


def month_of(moment: datetime) -> Period:
    local = moment.astimezone(SHANGHAI)
    return Period("month", local.year, local.month)


def shift_month(period: Period, months: int) -> Period:
    index = period.year * 12 + period.number - 1 + months
    return Period("month", index // 12, index % 12 + 1)


def parse_period(text: str) -> Period:
    """`2026-03` or `2026-3` (a month), `2026-Q4` (a quarter), `2026` (a year), or
    `2026-09~2026-11` (a run of 2 to 24 whole months)."""
    text = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4}-\d{1,2})~(\d{4}-\d{1,2})", text):
        first, last = parse_period(m[1]), parse_period(m[2])
        count = (last.year - first.year) * 12 + last.number - first.number + 1
        if not 2 <= count <= 24:
            raise BadPeriod("连续月份应为 2 到 24 个月，例如 2026-09~2026-11")
        return Period("span", first.year, first.number, count)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        kind, year, number = "month", int(m[1]), int(m[2])
    elif m := re.fullmatch(r"(\d{4})-?Q(\d)", text):
        kind, year, number = "quarter", int(m[1]), int(m[2])
    elif re.fullmatch(r"\d{4}", text):
        kind, year, number = "year", int(text), 0
    else:
        raise BadPeriod(
            "统计期应写作 YYYY-MM（月）、YYYY-Qn（季度）或 YYYY（年），例如 2026-03、2026-Q4、2026"
        )
    if not 2000 <= year <= 2100:
        raise BadPeriod("年份应在 2000 到 2100 之间")
    if kind == "month" and not 1 <= number <= 12:
        raise BadPeriod("月份应在 1 到 12 之间")
    if kind == "quarter" and not 1 <= number <= 4:
        raise BadPeriod("季度应为 Q1 到 Q4")
    return Period(kind, year, number)


def period_bounds(text: str) -> tuple[datetime, datetime]:
    """A period's [start, end) in Asia/Shanghai (see `parse_period`)."""
    return parse_period(text).bounds()
