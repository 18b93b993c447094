"""The demo's two years of history are written in bulk (`tickets.demo_history` through
`services.record_history`), as the bench writes its million tickets: the derived columns it
keeps are those `jiceng metrics rebuild` computes from the events, every ticket has its five
steps, and the 三率 read from the kept months equal those counted from the events."""

from datetime import datetime
from zoneinfo import ZoneInfo

from jiceng.tickets import demo_history, derived, rates
from jiceng.tickets.models import Ticket, TicketEvent

TZ = ZoneInfo("Asia/Shanghai")


def test_the_bulk_history_is_what_the_services_would_have_kept(world, monkeypatch):
    monkeypatch.setattr(demo_history, "CHANGJI_CITY_PER_YEAR", 1000)
    until = datetime(2026, 10, 20, tzinfo=TZ)
    made = demo_history.seed(months=6, until=until)
    history = Ticket.objects.filter(number__startswith=demo_history.PREFIX)
    assert made == history.count() > 100
    assert demo_history.seed(months=6, until=until) == 0  # seeded once
    steps = TicketEvent.objects.filter(ticket__in=history)
    assert steps.count() == 5 * made
    assert set(steps.values_list("actor_label", flat=True)) == {demo_history.LABEL}
    report = derived.check()
    assert report.wrong == 0, report.examples
    # the month read through the rollup equals the month counted from its events
    month = rates.rate_counts("2026-08")
    by_events = rates.rate_counts(
        (datetime(2026, 8, 1, tzinfo=TZ), datetime(2026, 9, 1, tzinfo=TZ))
    )
    key = lambda c: (c.key, c.dispatched, c.on_time, c.callbacks, c.solved)  # noqa: E731
    assert sorted(map(key, month)) == sorted(map(key, by_events)) and month


def test_the_counties_get_the_article_rate_by_their_population():
    yearly = demo_history.per_year()
    assert yearly["652301"] == 2000  # 昌吉市: about 1,500 in eight months
    assert yearly["652328"] == round(2000 * 65_719 / 426_253)  # 木垒县
    assert 6000 < sum(yearly.values()) < 7500
