"""What the leaders' dashboard shows, for the user's scope and a period. Reads only."""

from collections import defaultdict
from datetime import date

from django.db.models import Count
from django.db.models.functions import Substr

from jiceng.orgs.access import scope_of
from jiceng.orgs.models import Unit
from jiceng.tickets import metrics
from jiceng.tickets import selectors as ticket_selectors
from jiceng.tickets.access import visible_tickets
from jiceng.tickets.models import Category


def months_back(period: str, n: int) -> list[str]:
    start, _ = metrics.period_bounds(period)
    year, month = start.year, start.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def ranking(user, period: str) -> list[dict]:
    rows = ticket_selectors.ranking(period, user=user)
    ids = dict(Unit.objects.filter(code__in=[r.key for r in rows]).values_list("code", "pk"))
    return [{**r.as_dict(), "unit_id": ids.get(r.key)} for r in rows]


def trend(user, period: str, months: int = 6) -> list[dict]:
    """The scope's own 三率, month by month: the six months up to a month, or the twelve
    months of a year."""
    scope = scope_of(user)
    out = []
    span = months_back(f"{period}-12", 12) if len(period) == 4 else months_back(period, months)
    for month in span:
        row = ticket_selectors.scope_rates(*metrics.period_bounds(month), scope)
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


def _received(user, period: str):
    start, end = metrics.period_bounds(period)
    return visible_tickets(user).filter(received_at__gte=start, received_at__lt=end)


def by_category(user, period: str) -> list[dict]:
    rows = (
        _received(user, period)
        .annotate(top=Substr("category__code", 1, 2))
        .values("top")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    names = dict(Category.objects.filter(level=1).values_list("code", "name"))
    return [
        {"code": r["top"] or "", "name": names.get(r["top"], "未分类"), "n": r["n"]} for r in rows
    ]


def slowest_units(user, period: str, limit: int = 10) -> list[dict]:
    """Units by their mean time from dispatch to reply (clock hours), replies in the period."""
    start, end = metrics.period_bounds(period)
    tickets = (
        visible_tickets(user)
        .filter(
            replied_at__gte=start,
            replied_at__lt=end,
            main_unit__isnull=False,
            accepted_at__isnull=False,
        )
        .values_list("main_unit_id", "main_unit__name", "accept_by", "replied_at", "reply_by")
    )
    hours: dict[int, list] = defaultdict(list)
    names = {}
    late: dict[int, int] = defaultdict(int)
    for unit_id, name, accept_by, replied_at, reply_by in tickets:
        names[unit_id] = name
        hours[unit_id].append((replied_at - accept_by).total_seconds() / 3600 if accept_by else 0)
        if reply_by and replied_at > reply_by:
            late[unit_id] += 1
    rows = [
        {
            "unit_id": u,
            "name": names[u],
            "tickets": len(h),
            "hours": round(sum(h) / len(h), 1),
            "late": late[u],
        }
        for u, h in hours.items()
    ]
    return sorted(rows, key=lambda r: (-r["late"], -r["hours"]))[:limit]


def hot_spots(user, period: str, limit: int = 10) -> list[dict]:
    """Places and topics that keep coming back: the same village (community) and category."""
    rows = (
        _received(user, period)
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


def default_period() -> str:
    today = date.today()
    return f"{today.year:04d}-{today.month:02d}"
