"""The 三率 as the pages, the API and the commands read them: counts per unit, place or
channel for a month, quarter, year or any window, the rankings and the 通报's groups, and the
tickets behind each figure. Whole months are summed from the rollup where it keeps them."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Substr
from django.utils import timezone

from jiceng.orgs.access import Scope, scope_of
from jiceng.orgs.models import Unit
from jiceng.regions.models import Region

from .. import metrics
from ..models import Channel, RankingSettings
from . import rollup
from .definitions import final_assignments, last_callbacks, min_sample, weights

LEVEL_DIGITS = {"county": 6, "township": 9, "village": 12}


def _scope_ids(scope: Scope | None, by: str) -> tuple[str, set] | None:
    """The scope as ("unit_id" or "region_id", the ids inside it), or None for everything:
    its units, or with `by="region"` the places of its subtree (tickets located there).

    The subtree is looked up first, as a list of ids: a `path LIKE` joined into a query over a
    million events makes PostgreSQL guess one matching row and pick a nested loop."""
    if scope is None or scope.everything:
        return None
    if scope.empty:
        return ("unit_id", set())
    if scope.unit_id:
        return ("unit_id", {scope.unit_id})
    if by == "region":
        regions = Region.objects.filter(path__startswith=scope.path)
        return ("region_id", set(regions.values_list("id", flat=True)))
    units = Unit.objects.filter(region__path__startswith=scope.path)
    return ("unit_id", set(units.values_list("id", flat=True)))


def scope_q(scope: Scope | None, by: str, prefix: str = "ticket__") -> Q:
    """Events (or, with `prefix=""`, rollup cells) inside the scope (see `_scope_ids`)."""
    ids = _scope_ids(scope, by)
    if ids is None:
        return Q()
    field, inside = ids
    if not inside:
        return Q(pk__in=[])
    if field == "region_id":
        return Q(**{f"{prefix}region_id__in": sorted(inside)})
    return Q(unit_id__in=sorted(inside))


# The tickets behind each figure of a ranking row, for the drill-down: (label, source, filter).
MEASURES = {
    "dispatched": ("计入响应率的派单", "assigned", Q(pending=False)),
    "on_time": ("按时接单", "assigned", Q(on_time=True)),
    "late": ("未按时接单", "assigned", Q(pending=False, on_time=False)),
    "pending": ("待接单、未到时限（不计入）", "assigned", Q(pending=True)),
    "callbacks": ("回访", "callback", Q()),
    "solved": ("回访为已解决", "callback", Q(solved=True)),
    "unsolved": ("回访为未解决", "callback", ~Q(solved=True)),
    "unsatisfied": ("回访为不满意", "callback", Q(satisfaction="不满意")),
}


def measured_tickets(
    measure: str, period: str, *, unit_id: int | None = None, region_path: str | None = None
) -> QuerySet:
    """The ids of the tickets counted in one figure of a ranking row: the same events, the
    same period and the same rule as `rate_counts`, so the list has as many rows as the
    figure says."""
    _, source, where = MEASURES[measure]
    start, end = metrics.period_bounds(period)
    events = final_assignments(start, end) if source == "assigned" else last_callbacks(start, end)
    events = events.filter(where)
    if unit_id is not None:
        events = events.filter(unit_id=unit_id)
    if region_path is not None:
        events = events.filter(ticket__region__path__startswith=region_path)
    return events.values("ticket_id")


def rate_counts(
    period: str | tuple,
    *,
    by: str = "unit",
    level: str = "county",
    scope: Scope | None = None,
    user=None,
    as_of: datetime | None = None,
) -> list[metrics.Counts]:
    """Per-unit (or per-region, or per-channel) counts for the 三率 of `period` ("2026-03",
    "2026-Q4", "2026", or a (start, end) pair of aware datetimes), inside the scope. Pending
    tickets (see `final_assignments`) are counted apart, as of `as_of` (now).

    A month, quarter or year counted as of now sums the months kept by `rollup`, and counts
    the months it may not keep from the events; any other window is counted from the events."""
    if user is not None:
        scope = scope_of(user)
    if isinstance(period, tuple):
        rows = _event_rows(*period, by, level, scope, as_of)
    elif (p := metrics.parse_period(period)).kind == "span":  # a window: from the events
        rows = _event_rows(*p.bounds(), by, level, scope, as_of)
    else:
        rows = _rows(p.months(), rollup.SPANS[p.kind], by, level, scope, as_of, monthly=False)
    return _assemble(rows, by, level).get(None, [])


def monthly_rate_counts(
    months: list[str],
    *,
    by: str = "unit",
    level: str = "county",
    scope: Scope | None = None,
    as_of: datetime | None = None,
) -> dict[str, list[metrics.Counts]]:
    """`rate_counts` for each of `months` ("2026-01", …), each month its own period."""
    periods = [metrics.parse_period(m) for m in months]
    found = _assemble(_rows(periods, "m", by, level, scope, as_of, monthly=True), by, level)
    return {m: found.get(m, []) for m in months}


def _key(by: str, level: str, prefix: str = ""):
    """The grouping expression: over events (prefix "") or over rollup cells."""
    ticket = "ticket__" if not prefix else ""
    if by == "unit":
        return F("unit_id")
    if by == "region":
        return Substr(f"{ticket}region__code", 1, LEVEL_DIGITS[level])
    if by == "channel":
        return F(f"{ticket}channel")
    if by == "scope":
        return Value("scope")
    raise ValueError(by)


def _rows(months, span, by, level, scope, as_of, *, monthly) -> list[dict]:
    """Count rows of whole months: from the rollup where it keeps them (as of now only), and
    for the others from one count of the month's events at the rollup's grain (`rollup.live`,
    shared by the reads of a request), callbacks counted as the last of their `span`."""
    stored = {} if as_of is not None else rollup.stored_months(months)
    rows = rollup.sums(
        stored, _key(by, level, "cell"), scope_q(scope, by, prefix=""), span, monthly=monthly
    )
    inside = _scope_ids(scope, by)
    for month in months:
        if month not in stored:
            rows += _cell_rows(rollup.live(month, as_of), month, span, by, level, inside, monthly)
    return rows


def _cell_rows(cells: dict, month, span, by, level, inside, monthly) -> list[dict]:
    """Rows like `rollup.sums` gives, from one month's counted cells, summed in Python."""
    if inside is not None:
        at = 0 if inside[0] == "unit_id" else 1
        cells = {key: c for key, c in cells.items() if key[at] in inside[1]}
    if by == "region":
        ids = {region_id for _, region_id, _ in cells}
        codes = dict(Region.objects.filter(pk__in=ids).values_list("pk", "code"))
        digits = LEVEL_DIGITS[level]

    def key_of(unit_id, region_id, channel):
        if by == "unit":
            return unit_id
        if by == "region":
            code = codes.get(region_id)
            return code[:digits] if code else None
        if by == "channel":
            return channel
        return "scope"

    first_day = month.start.date()
    out: dict = {}
    for key, c in cells.items():
        row = out.setdefault(key_of(*key), {})
        for name in rollup.ASSIGNED:
            row[name] = row.get(name, 0) + c.get(name, 0)
        for part in rollup.PARTS:
            row[part] = row.get(part, 0) + c.get(f"{span}_{part}", 0)
    return [
        {"k": k, **({"month": first_day} if monthly else {}), **values} for k, values in out.items()
    ]


def _event_rows(start, end, by, level, scope, as_of) -> list[dict]:
    """Count rows of any window [start, end) from the events: a callback counts when it is
    the ticket's last before `end`."""
    where = scope_q(scope, by)
    key = _key(by, level)
    rows = list(
        final_assignments(start, end, as_of)
        .filter(where)
        .annotate(k=key)
        .values("k")
        .annotate(  # counting unit_id, which the index holds: no visit to the table
            dispatched=Count("unit_id", filter=Q(pending=False)),
            on_time=Count("unit_id", filter=Q(on_time=True)),
            pending=Count("unit_id", filter=Q(pending=True)),
        )
        .order_by()
    )
    rows += (
        last_callbacks(start, end)
        .filter(where)
        .annotate(k=key)
        .values("k")
        .annotate(
            n=Count("unit_id"),
            solved=Count("unit_id", filter=Q(solved=True)),
            s1=Count("unit_id", filter=Q(satisfaction="满意")),
            s2=Count("unit_id", filter=Q(satisfaction="基本满意")),
            s3=Count("unit_id", filter=Q(satisfaction="不满意")),
        )
        .order_by()
    )
    return rows


def _assemble(rows: list[dict], by: str, level: str) -> dict:
    """{month text or None: [Counts]} from count rows, summing rows of the same key."""
    table: dict[tuple, dict] = {}
    for row in rows:
        if row["k"] is None:
            continue
        month = row.get("month")
        m = (
            metrics.month_of(month).text
            if isinstance(month, datetime)
            else (f"{month.year:04d}-{month.month:02d}" if month else None)
        )
        into = table.setdefault((m, str(row["k"])), {})
        for name in ("dispatched", "on_time", "pending", "n", "solved", "s1", "s2", "s3"):
            into[name] = into.get(name, 0) + (row.get(name) or 0)
    names = _names(by, list({k for _, k in table}), level)
    result: dict = {}
    for (m, k), c in table.items():
        code, name, kind = names.get(k, (k, k, ""))
        result.setdefault(m, []).append(
            metrics.Counts(
                key=code,
                name=name,
                kind=kind,
                dispatched=c.get("dispatched", 0),
                on_time=c.get("on_time", 0),
                pending=c.get("pending", 0),
                callbacks=c.get("n", 0),
                solved=c.get("solved", 0),
                answers={
                    "满意": c.get("s1", 0),
                    "基本满意": c.get("s2", 0),
                    "不满意": c.get("s3", 0),
                },
            )
        )
    return result


def _names(by: str, keys: list[str], level: str) -> dict[str, tuple[str, str, str]]:
    """key -> (code, name, kind): a unit's code, name and kind (`UnitCategory`), or a
    region's full 12-digit code, name and level."""
    if by == "unit":
        rows = Unit.objects.filter(pk__in=keys).values_list("pk", "code", "name", "type__category")
        return {str(pk): (code, name, kind) for pk, code, name, kind in rows}
    if by == "channel":
        return {k: (k, Channel(k).label if k in Channel.values else k, "channel") for k in keys}
    if by == "scope":
        return {k: (k, "合计", "") for k in keys}
    codes = {k.ljust(12, "0"): k for k in keys}
    rows = Region.objects.filter(code__in=codes).values_list("code", "name", "level")
    return {codes[code]: (code, name, kind) for code, name, kind in rows}


def ranking(
    period: str,
    *,
    by: str = "unit",
    level: str = "county",
    scope: Scope | None = None,
    user=None,
    minimum: metrics.MinSample | None = None,
) -> list[metrics.Row]:
    """The ranking of `period`; below the assessors' minimum sample a row is 样本不足."""
    counts = rate_counts(period, by=by, level=level, scope=scope, user=user)
    return metrics.rank(counts, weights(), min_sample() if minimum is None else minimum)


# How 通报 group units, so like is ranked with like: (label, unit kinds).
KIND_GROUPS = [
    ("社区和村", {"community", "village"}),
    ("乡镇（街道）", {"township"}),
    ("政府部门", {"department"}),
    ("物业服务企业", {"property"}),
    ("公共服务企业", {"public_service"}),
]
LEVEL_GROUPS = [("county", "县市"), ("township", "乡镇（街道）"), ("village", "村（社区）")]
VIEWS = {"kind": "按单位类别", "region": "按区划层级"}
BIG, SMALL = "件量较大", "件量较小"


def _volume(config: RankingSettings, months: int):
    """A row's volume class suffix ("·件量较大"), or "" with the option off."""

    def suffix(c: metrics.Counts) -> str:
        if not config.volume_groups:
            return ""
        return "·" + (BIG if c.dispatched + c.pending >= config.volume_split * months else SMALL)

    return suffix


def unit_groups(months: int = 1) -> tuple:
    """(group_of, order) for ranking units like with like: by kind, then by volume when the
    assessors turned that on. The dashboard, the 通报 and a unit's own page share it."""
    config = RankingSettings.current()
    volume = _volume(config, months)
    label_of = {kind: label for label, kinds in KIND_GROUPS for kind in kinds}
    order = tuple(
        label + suffix
        for label, _ in KIND_GROUPS
        for suffix in (["·" + BIG, "·" + SMALL] if config.volume_groups else [""])
    )
    return (lambda c: label_of.get(c.kind, "其他单位") + volume(c)), order


def grouped_ranking(
    period: str,
    *,
    view: str = "kind",
    scope: Scope | None = None,
    user=None,
    minimum: metrics.MinSample | None = None,
) -> list[tuple[str, list[metrics.Row]]]:
    """The rankings of a 通报, one per group: units by kind (`view="kind"`), or regions by
    level (`view="region"`). With the assessors' volume option on, each group is split once
    more into its large and small units by tickets dispatched."""
    minimum = min_sample() if minimum is None else minimum
    w = weights()
    months = metrics.parse_period(period).month_count if isinstance(period, str) else 1
    if view == "region":
        volume = _volume(RankingSettings.current(), months)
        out = []
        for level, label in LEVEL_GROUPS:
            counts = rate_counts(period, by="region", level=level, scope=scope, user=user)
            out += metrics.rank_groups(
                counts, w, minimum, lambda c, label=label: label + volume(c), (label,)
            )
        return out
    if view != "kind":
        raise ValueError(view)
    group_of, order = unit_groups(months)
    counts = rate_counts(period, by="unit", scope=scope, user=user)
    return metrics.rank_groups(counts, w, minimum, group_of, order)


# Each group's ranking window (RankingSettings.windows), in months; 0 widens by itself.
WINDOWS = [
    (0, "自动：多数单位样本不足时，依次放宽到近 3、6、12 个月"),
    (1, "只用所选统计期"),
    (3, "近 3 个月"),
    (6, "近 6 个月"),
    (12, "近 12 个月"),
]
WINDOW_GROUPS = [label for label, _ in KIND_GROUPS] + [
    label for _, label in LEVEL_GROUPS if label not in {g for g, _ in KIND_GROUPS}
]
WIDER = (3, 6, 12)


@dataclass
class Ranked:
    """One group of a 通报 with the window it was ranked over (`period`: its text)."""

    label: str
    rows: list
    period: str
    widened: bool = False  # wider than the period asked for


def _base(label: str) -> str:
    return label.split("·")[0]


def _ranked(rows) -> int:
    return sum(1 for r in rows if r.rank is not None)


def _enough(rows) -> bool:
    """At least half of a group's units ranked: a ranking of one unit among forty is none."""
    return bool(rows) and 2 * _ranked(rows) >= len(rows)


def choose_window(by_window: dict[int, list]) -> int:
    """The window (months) a group is ranked over, from its rows over each window tried: the
    smallest where `_enough` of its units are ranked, else the one that ranks the most (the
    smaller on a tie)."""
    for months in sorted(by_window):
        if _enough(by_window[months]):
            return months
    return max(sorted(by_window), key=lambda m: (_ranked(by_window[m]), -m))


def windowed_ranking(
    period: str, *, view: str = "kind", scope: Scope | None = None
) -> list[Ranked]:
    """The groups of `grouped_ranking`, each over its window: the assessors' fixed window
    (RankingSettings.windows), or else the period asked for while it ranks most units, then
    the last 3, 6 or 12 months to its end (`choose_window`)."""
    asked = metrics.parse_period(period)
    n = asked.month_count
    fixed = RankingSettings.current().windows or {}
    tried = {n: dict(grouped_ranking(asked.text, view=view, scope=scope))}

    def over(months: int) -> dict[str, list]:
        if months not in tried:
            window = metrics.trailing(asked, months).text
            tried[months] = dict(grouped_ranking(window, view=view, scope=scope))
        return tried[months]

    out = []
    for label, rows in tried[n].items():
        setting = int(fixed.get(_base(label), 0) or 0)
        if setting:
            months = max(setting, n)
        else:
            by_window = {n: rows}
            for wider in (w for w in WIDER if w > n):
                if _enough(by_window[max(by_window)]):
                    break
                by_window[wider] = over(wider).get(label, [])
            months = choose_window(by_window)
        window = asked if months == n else metrics.trailing(asked, months)
        out.append(Ranked(label, over(months).get(label, []), window.text, widened=months != n))
    return out


def scope_rates(start, end, scope: Scope) -> metrics.Row:
    """The 三率 of everything the units inside `scope` handled in [start, end), as one row."""
    counts = rate_counts((start, end), by="scope", scope=scope)
    return metrics.rate(counts[0] if counts else metrics.Counts("scope", "合计"), weights())


def report(
    period: str, *, by: str = "unit", level: str = "county", view: str = "", scope=None, user=None
) -> dict:
    """The ranking of `period` as one document: the API's `/metrics` and `jiceng metrics
    --format json` answer with it. With `view` (kind, or region) each group is ranked on its
    own, as in the 通报; otherwise one ranking `by` unit, region (at `level`) or channel."""
    parsed = metrics.parse_period(period)
    if view:
        groups = grouped_ranking(parsed.text, view=view, scope=scope, user=user)
    else:
        groups = [("", ranking(parsed.text, by=by, level=level, scope=scope, user=user))]
    w, m = weights(), min_sample()
    return {
        "period": parsed.text,
        "period_label": parsed.label,
        "in_progress": not parsed.is_complete(timezone.now()),
        "by": by,
        "view": view,
        "weights": {
            "response": w.response,
            "solved": w.solved,
            "satisfied": w.satisfied,
            "credit": w.credit,
        },
        "minimum": {"dispatched": m.dispatched, "callbacks": m.callbacks},
        "rows": [r.as_dict() for _, group in groups for r in group],
    }
