"""Each process keeps the working calendar and the deadline rules it dispatches with, and reads
them again as soon as any process changes a holiday, a calendar year, a rule or the working
hours: a cached calendar never gives a deadline the tables no longer say."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng import factories
from jiceng.tickets import deadlines, services
from jiceng.tickets.models import DeadlineRule, EngineSettings, Holiday

TZ = ZoneInfo("Asia/Shanghai")
TABLES = ("tickets_holiday", "tickets_calendaryear", "tickets_deadlinerule")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def dispatch(world, users, when):
    ticket = factories.ticket(world["jiashun"], at=when)
    return services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=when)


def calendar_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if any(t in q["sql"] for t in TABLES)]


def another_process_changes(write) -> None:
    """What another process does: the row, and the token its signal replaces. This process's
    copy is left as it was."""
    saved = dict(deadlines._inputs)
    write()
    deadlines._inputs.clear()
    deadlines._inputs.update(saved)


def test_a_second_dispatch_reads_no_calendar_or_rule(world, users):
    dispatch(world, users, at(2026, 3, 2, 10))
    ticket = factories.ticket(world["jiashun"], at=at(2026, 3, 2, 11))
    with CaptureQueriesContext(connection) as queries:
        services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at(2026, 3, 2, 11))
    assert calendar_reads(queries.captured_queries) == []


def test_a_holiday_entered_by_another_process_moves_the_next_deadline(world, users):
    assert dispatch(world, users, at(2026, 3, 2, 10)).accept_by == at(2026, 3, 3, 10)
    another_process_changes(
        lambda: Holiday.objects.create(date=date(2026, 3, 3), is_workday=False, name="停电放假")
    )
    assert dispatch(world, users, at(2026, 3, 2, 10)).accept_by == at(2026, 3, 4, 10)


def test_a_rule_changed_by_another_process_is_used_at_once(world, users):
    dispatch(world, users, at(2026, 3, 2, 10))

    def two_hours():
        DeadlineRule.objects.filter(category=None, urgency="normal").update(
            accept_amount=Decimal(2), accept_unit="work_hours"
        )
        # a bulk update sends no signal: whoever writes one says so, as enter_arrangement does
        deadlines.changed()

    another_process_changes(two_hours)
    assert dispatch(world, users, at(2026, 3, 2, 10)).accept_by == at(2026, 3, 2, 12)


def test_new_working_hours_are_used_at_once(world, users):
    dispatch(world, users, at(2026, 3, 2, 17))

    def shorter_day():
        config = EngineSettings.current()
        config.day_start, config.day_end = time(9, 30), time(17, 30)
        config.save()

    another_process_changes(shorter_day)
    assert dispatch(world, users, at(2026, 3, 2, 17)).accept_by == at(2026, 3, 3, 17)


def test_a_bulk_change_without_a_new_token_is_not_seen(world, users):
    """The guard of the rule above: the copy really is kept, so a writer must replace the
    token (this fails if the cache were not used at all)."""
    dispatch(world, users, at(2026, 3, 2, 10))
    another_process_changes(
        lambda: DeadlineRule.objects.filter(category=None, urgency="normal").update(
            accept_amount=Decimal(2), accept_unit="work_hours"
        )
    )
    assert dispatch(world, users, at(2026, 3, 2, 10)).accept_by == at(2026, 3, 3, 10)
