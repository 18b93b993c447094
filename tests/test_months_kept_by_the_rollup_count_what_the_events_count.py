"""The 三率 of a month, a quarter or a year are summed from months kept by the rollup
(`tickets/rollup.py`). They must always equal the counts computed from the events for the
same window: right after the months are kept, after later events change old months (an
accept, a redispatch, a second callback, a return), and when an event commits while a month is
being counted."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone

from jiceng import factories
from jiceng.tickets import metrics, rates, services
from jiceng.tickets.models import RateCell, RateMonth, Ticket
from jiceng.tickets.rates import rollup
from jiceng.tickets.states import Status

TZ = ZoneInfo("Asia/Shanghai")
PERIODS = ["2026-03", "2026-04", "2026-05", "2026-Q1", "2026-Q2", "2026"]


def both_ways(period: str, by: str = "unit"):
    kept = rates.rate_counts(period, by=by)
    from_events = rates.rate_counts(metrics.period_bounds(period), by=by)
    key = lambda c: c.key  # noqa: E731
    return sorted(kept, key=key), sorted(from_events, key=key)


def rule_on_returns(users) -> None:
    """A return awaiting its ruling keeps its month pending, and a pending month is never
    kept: rule on them all."""
    for ticket in Ticket.objects.filter(status=Status.RETURNED):
        services.reject_return(
            users["erin"], ticket, "属于本单位职责", at=datetime(2026, 6, 1, 9, tzinfo=TZ)
        )


@pytest.mark.parametrize("seed", [4, 5])
def test_kept_months_sum_to_the_events_counts(world, users, seed):
    factories.random_histories(world, users, random.Random(seed), 70)
    for period in PERIODS:  # first with returns awaiting rulings: counted from the events
        for by in ("unit", "region", "channel", "scope"):
            kept, from_events = both_ways(period, by)
            assert kept == from_events, (period, by)
    assert not RateCell.objects.exists()
    rule_on_returns(users)
    for period in PERIODS:
        for by in ("unit", "region", "channel", "scope"):
            kept, from_events = both_ways(period, by)
            assert kept == from_events, (period, by)
    assert RateMonth.objects.exclude(filled="").count() >= 3  # the months are kept now
    assert RateCell.objects.exists()
    for period in PERIODS:  # read again, from the kept months only
        kept, from_events = both_ways(period)
        assert kept == from_events


def test_later_events_on_old_tickets_change_the_kept_months(world, users):
    factories.random_histories(world, users, random.Random(8), 70)
    rule_on_returns(users)
    for period in PERIODS:
        both_ways(period)  # keep every month
    assert RateMonth.objects.exclude(filled="").count() == 11  # January to November (now)
    rng = random.Random(9)
    now = datetime(2026, 6, 10, 10, tzinfo=TZ)
    changed = 0
    for ticket in Ticket.objects.order_by("id"):
        at = now + timedelta(minutes=changed)
        if ticket.status == Status.DISPATCHED and rng.random() < 0.5:
            services.accept(
                {
                    u.pk: p
                    for u, p in [
                        (world["jiashun_unit"], users["dave"]),
                        (world["jianguo_unit"], users["gina"]),
                        (world["changji_zjj"], users["zoe"]),
                    ]
                }[ticket.main_unit_id],
                ticket,
                at=at,
            )
            changed += 1
        elif ticket.status == Status.RETURNED:
            services.reject_return(users["erin"], ticket, "属于本单位职责", at=at)
            changed += 1
        elif ticket.status == Status.IN_PROGRESS and rng.random() < 0.5:
            other = (
                world["jianguo_unit"]
                if ticket.main_unit_id == world["changji_zjj"].pk
                else world["changji_zjj"]
            )
            services.redispatch(users["erin"], ticket, other, reason="改派给其他单位", at=at)
            changed += 1
    # a second callback in June, of a ticket already called back in spring
    again = (
        Ticket.objects.filter(status__in=[Status.REVIEW, Status.REPLIED], events__action="callback")
        .distinct()
        .order_by("id")
        .first()
    )
    assert again is not None
    handler = {
        world["jiashun_unit"].pk: users["dave"],
        world["jianguo_unit"].pk: users["gina"],
        world["changji_zjj"].pk: users["zoe"],
    }[again.main_unit_id]
    if again.status == Status.REVIEW:
        services.reopen(users["erin"], again, "群众再次来电反映", at=now + timedelta(hours=5))
        services.reply(handler, again, "已再次上门处理完毕", at=now + timedelta(hours=6))
    services.callback(
        users["ivan"], again, solved=True, satisfaction="满意", at=now + timedelta(hours=7)
    )
    changed += 1
    assert changed >= 5
    assert RateMonth.objects.filter(filled=F("token")).count() < 11  # some months changed
    for period in PERIODS:
        kept, from_events = both_ways(period)
        assert kept == from_events, period


def test_an_event_committed_while_a_month_is_counted_wins(world, users):
    factories.random_histories(world, users, random.Random(10), 40)
    march = metrics.parse_period("2026-03")
    token = rollup._tokens([rollup._first_day(march)])[rollup._first_day(march)][0]
    cells = rollup.compute(march)  # counted with the old events …
    rollup.invalidate([march.start])  # … while an event changed March and committed
    rollup._store(march, token, cells)
    month = RateMonth.objects.get(month=rollup._first_day(march))
    assert month.filled != month.token  # the stale count is never read
    assert march not in rollup.stored_months([march], now=datetime(2026, 3, 20, tzinfo=TZ))


def test_a_month_with_pending_tickets_is_not_kept(world, users, every_unit_ranked):
    today = datetime(2026, 11, 30, 17, tzinfo=TZ)
    ticket = factories.ticket(world["jiashun"], at=today)
    ticket = services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=today)
    november = metrics.parse_period("2026-11")
    # December 1st: November has ended, but its ticket is still within its accept-by
    assert ticket.accept_by > november.end
    assert november not in rollup.stored_months([november], now=november.end + timedelta(hours=1))
    assert not RateCell.objects.filter(month=rollup._first_day(november)).exists()


def test_the_sweep_recounts_changed_months_off_the_request_path(world, users, capsys):
    from django.core.management import call_command

    factories.random_histories(world, users, random.Random(12), 30)
    rule_on_returns(users)
    call_command("sweep")
    assert "三率月度汇总" in capsys.readouterr().out
    may = RateMonth.objects.get(month="2026-05-01")
    assert may.filled == may.token  # kept before any leader asks


def test_a_month_kept_twice_is_kept_once(world, users):
    """Two readers who both found a month unkept store it one after the other: the second
    finds it kept under the same token and writes nothing, so no count is doubled."""
    factories.random_histories(world, users, random.Random(13), 30)
    rule_on_returns(users)
    march = metrics.parse_period("2026-03")
    day = rollup._first_day(march)
    token = rollup._tokens([day])[day][0]
    cells = rollup.compute(march)
    rollup._store(march, token, cells)
    rollup._store(march, token, cells)  # the second reader, a moment later
    assert RateCell.objects.filter(month=day).count() == len(cells)
    kept, from_events = both_ways("2026-03")
    assert kept == from_events


def counted(counts):
    """The rows with something counted (a month with no tickets may give no row, or a row of
    zeros), in key order."""
    return sorted(
        (c for c in counts if c.dispatched or c.pending or c.callbacks), key=lambda c: c.key
    )


@pytest.mark.parametrize("by", ["unit", "region", "channel", "scope"])
def test_each_month_of_a_trend_counts_what_its_events_count(world, users, by):
    """The trend reads many months at once: the kept ones from the rollup, the others (here
    the months with a return awaiting its ruling, and the current month) from one count of
    their events each."""
    factories.random_histories(world, users, random.Random(14), 60)
    months = [f"2026-{m:02d}" for m in range(1, 12)]
    for round in ("live", "kept"):
        trend = rates.monthly_rate_counts(months, by=by)
        assert list(trend) == months and any(trend.values()), round
        for month in months:
            from_events = rates.rate_counts(metrics.period_bounds(month), by=by)
            assert counted(trend[month]) == counted(from_events), (round, month)
        rule_on_returns(users)


def test_one_reading_counts_a_live_month_once(world, users, monkeypatch):
    """A dashboard asks for the current month by unit, by place, by channel and for its
    trend: inside one reading (a GET request) the month's events are counted once."""
    factories.random_histories(world, users, random.Random(15), 20)
    calls = []
    compute = rollup.compute
    monkeypatch.setattr(rollup, "compute", lambda *a, **k: calls.append(a) or compute(*a, **k))
    current = metrics.month_of(timezone.now()).text  # never kept: it has not ended

    def page():
        for by in ("unit", "region", "channel"):
            rates.rate_counts(current, by=by)
        rates.monthly_rate_counts([current], by="scope")

    page()
    assert len(calls) == 4  # without a reading, each read counts the month again
    calls.clear()
    with rollup.reading():
        page()
    assert len(calls) == 1


def test_a_get_request_is_one_reading(client, world, users, monkeypatch):
    from jiceng.tickets.middleware import OneReadingMiddleware

    seen = []

    def view(request):
        seen.append(rollup._reading.get())
        return None

    OneReadingMiddleware(view)(type("R", (), {"method": "GET"})())
    OneReadingMiddleware(view)(type("R", (), {"method": "POST"})())
    assert seen[0] == {} and seen[1] is None
