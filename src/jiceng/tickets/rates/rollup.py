"""The 三率 by month, computed once from the events and kept until an event changes them.

A month's counts are computed from the events exactly as `definitions` defines them, grouped by
unit, place (the ticket's village) and channel, and stored as `RateCell` rows under the
month's current token (`RateMonth`). A quarter or a year is the sum of its months: a final
assignment belongs to one month, and each callback is counted three ways (last of its month,
of its quarter, of its year), so the sums equal the counts computed from the events for the
whole period.

Any event that changes what a month counts replaces the month's token in the event's own
transaction (`invalidate`, called by `services.base._derive`). Cells are read only when they
were stored under the month's current token and the month was marked filled under that same
token, a compare-and-set that an event committing meanwhile makes fail. A month that has not
ended, or that still has pending tickets (whose status changes with the clock, not with an
event), is never stored: it is computed from the events on every read. Nor is a month in its
first ten minutes after its end (GRACE), so that no transaction still writing its events can
be missed; an event in a month not yet settled therefore needs no new token.
"""

import contextvars
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .. import metrics
from ..models import RateCell, RateMonth, TicketEvent
from .definitions import COUNTED, final_assignments

PARTS = ["n", "solved", "s1", "s2", "s3"]
ASSIGNED = ["dispatched", "on_time", "pending"]
SPANS = {"month": "m", "quarter": "q", "year": "y"}


def _first_day(period: metrics.Period) -> date:
    return date(period.year, period.first_month, 1)


# A month is kept only this long after its end, when every transaction that wrote its events
# before the end has committed; until then it is counted live, and an event in it needs no new
# token (so intake, in the current month, writes nothing here).
GRACE = timedelta(minutes=10)


def _settled(month: metrics.Period, now: datetime) -> bool:
    return month.end + GRACE <= now


def invalidate(moments, now: datetime | None = None) -> None:
    """The months holding these moments count differently now: give each a new token. A month
    not settled yet (see GRACE) is never kept, so it needs none."""
    now = now or timezone.now()
    days = sorted(
        {
            _first_day(month)
            for month in (metrics.month_of(m) for m in moments if m is not None)
            if month.end <= now + GRACE
        }
    )
    if not days:
        return
    RateMonth.objects.bulk_create(
        [RateMonth(month=d, token=uuid.uuid4().hex) for d in days],
        update_conflicts=True,
        unique_fields=["month"],
        update_fields=["token"],
    )


def span_end(month: metrics.Period, span: str) -> datetime:
    if span == "m":
        return month.end
    if span == "q":
        return metrics.Period("quarter", month.year, (month.number - 1) // 3 + 1).end
    return metrics.Period("year", month.year, 0).end


def compute(month: metrics.Period, as_of: datetime | None = None) -> dict[tuple, dict]:
    """(unit_id, region_id, channel) -> counts of one month, from the events."""
    start, end = month.bounds()
    group = ("unit_id", "ticket__region_id", "ticket__channel")
    cells: dict[tuple, dict] = {}
    assigned = (
        final_assignments(start, end, as_of)
        .values(*group)
        .annotate(
            dispatched=Count("unit_id", filter=Q(pending=False)),
            on_time=Count("unit_id", filter=Q(on_time=True)),
            pending=Count("unit_id", filter=Q(pending=True)),
        )
        .order_by()
    )
    for row in assigned:
        key = tuple(row[g] for g in group)
        cells.setdefault(key, {}).update({k: row[k] for k in ASSIGNED})
    counts = {}
    for span in SPANS.values():
        last = Q(superseded_at__isnull=True) | Q(superseded_at__gte=span_end(month, span))
        counts |= {
            f"{span}_n": Count("unit_id", filter=last),
            f"{span}_solved": Count("unit_id", filter=last & Q(solved=True)),
            f"{span}_s1": Count("unit_id", filter=last & Q(satisfaction="满意")),
            f"{span}_s2": Count("unit_id", filter=last & Q(satisfaction="基本满意")),
            f"{span}_s3": Count("unit_id", filter=last & Q(satisfaction="不满意")),
        }
    called = (
        TicketEvent.objects.filter(action="callback", counted=True, at__gte=start, at__lt=end)
        .filter(COUNTED)
        .values(*group)
        .annotate(**counts)
        .order_by()
    )
    for row in called:
        key = tuple(row[g] for g in group)
        cells.setdefault(key, {}).update({k: row[k] for k in counts})
    return cells


# The live months counted during one reading (a GET request, see `core.middleware`): a page
# asks for the same live month by unit, by place, by channel and for its trend, and each is
# summed from this one count instead of counting the events again.
_reading: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "rollup_reading", default=None
)


@contextmanager
def reading():
    """Share each live month's count between the reads inside this block. Only for reads: a
    change made inside the block would not be seen by a month already counted."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def live(month: metrics.Period, as_of: datetime | None = None) -> dict[tuple, dict]:
    """`compute(month, as_of)`, counted once per reading."""
    memo = _reading.get()
    if memo is None:
        return compute(month, as_of)
    key = (month, as_of)
    if key not in memo:
        memo[key] = compute(month, as_of)
    return memo[key]


def _store(month: metrics.Period, token: str, cells: dict[tuple, dict]) -> None:
    """Keep a month's cells under `token`, unless an event has replaced the token meanwhile, or
    another reader has kept them already. The month's row is locked first, so two readers
    storing the same month at once cannot both write their cells."""
    day = _first_day(month)
    try:
        with transaction.atomic():
            current = (
                RateMonth.objects.select_for_update()
                .filter(month=day)
                .values_list("token", "filled")
                .first()
            )
            if current is None or current[0] != token or current[1] == token:
                return  # changed by an event, or kept by someone else: nothing to do
            RateCell.objects.filter(month=day).delete()
            RateCell.objects.bulk_create(
                [
                    RateCell(
                        month=day,
                        token=token,
                        unit_id=unit_id,
                        region_id=region_id,
                        channel=channel,
                        **values,
                    )
                    for (unit_id, region_id, channel), values in cells.items()
                ],
                batch_size=1000,
            )
            RateMonth.objects.filter(month=day, token=token).update(filled=token)
    except (IntegrityError, OperationalError):
        # a unit or place deleted meanwhile, or SQLite busy with another writer: the month is
        # counted from the events this time and kept by a later read
        pass


def _tokens(days: list[date]) -> dict[date, tuple[str, str]]:
    """month -> (token, filled) for each month, creating a token where none exists yet."""
    have = set(RateMonth.objects.filter(month__in=days).values_list("month", flat=True))
    if missing := set(days) - have:
        RateMonth.objects.bulk_create(
            [RateMonth(month=d, token=uuid.uuid4().hex) for d in missing], ignore_conflicts=True
        )
    rows = RateMonth.objects.filter(month__in=days).values_list("month", "token", "filled")
    return {m: (t, f) for m, t, f in rows}


def stored_months(months: list[metrics.Period], now: datetime | None = None) -> dict:
    """{month: token} of the months whose cells may be read. A month that has ended and is not
    stored yet is computed and stored now, unless it still has pending tickets."""
    as_of = now
    now = now or timezone.now()
    days = {_first_day(m): m for m in months}
    tokens = _tokens(list(days))
    out = {}
    for day, month in days.items():
        token, filled = tokens[day]
        if filled != token and _settled(month, now):
            cells = live(month, as_of)
            if not any(c.get("pending") for c in cells.values()):
                _store(month, token, cells)
                token, filled = RateMonth.objects.values_list("token", "filled").get(month=day)
        if filled == token:
            out[month] = token
    return out


def sums(stored: dict, key, where: Q, span: str, *, monthly: bool) -> list[dict]:
    """The stored months' counts summed by `key` (an expression over RateCell) inside `where`:
    rows of {k, [m], dispatched, on_time, pending, n, solved, s1, s2, s3}, callbacks counted as
    the last of their `span` ("m", "q" or "y")."""
    if not stored:
        return []
    group = ["k", "month"] if monthly else ["k"]
    rows = (
        RateCell.objects.filter(
            month__in=[_first_day(m) for m in stored], token__in=list(stored.values())
        )
        .filter(where)
        .annotate(k=key)
        .values(*group)
        .annotate(
            **{name: Sum(name) for name in ASSIGNED},
            **{part: Sum(f"{span}_{part}") for part in PARTS},
        )
        .order_by()
    )
    return list(rows)


# How long a kept month's figure may sit unread in the cache; a change that is not an event
# (a unit moved to another township) shows within this time.
KEEP_SECONDS = 24 * 3600


def kept(name: str, month: metrics.Period, scope_key: str, count, now: datetime | None = None):
    """`count()` for one month, kept in Django's cache under the month's token: the breakdowns
    of the dashboard that read the tickets themselves (received by channel and category, reply
    times). A month that has not ended is counted on every read. The token is read before
    counting, so a count made while an event committed is stored under a token already
    replaced, and never read."""
    from django.core.cache import cache

    now = now or timezone.now()
    if not _settled(month, now):
        return count()
    day = _first_day(month)
    token = _tokens([day])[day][0]
    key = f"rollup:{name}:{month.text}:{scope_key}:{token}"
    value = cache.get(key)
    if value is None:
        value = count()
        cache.set(key, value, timeout=KEEP_SECONDS)
    return value
