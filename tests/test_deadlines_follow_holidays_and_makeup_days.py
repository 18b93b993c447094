"""Accept-by and reply-by are set in working time: Spring Festival 2026 is skipped, a 调休
Saturday counts, the administrator's holiday table wins, and a year nobody has entered is
counted provisionally until its arrangement is entered."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import (
    CalendarYear,
    Category,
    DeadlineRule,
    EngineSettings,
    Holiday,
    Ticket,
)
from jiceng.tickets.services import calendar

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def dispatched(world, users, when: datetime, **kwargs) -> Ticket:
    ticket = factories.ticket(world["jiashun"], at=when, **kwargs)
    return services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=when)


def test_a_normal_ticket_before_spring_festival_skips_the_holiday(world, users):
    ticket = dispatched(world, users, at(2026, 2, 13, 10))  # Friday before 春节
    # one working day later is the 调休 Saturday 14 February
    assert ticket.accept_by == at(2026, 2, 14, 10)
    # five working days: Sat 14, then Tue 24 … Fri 27 (15–23 February are off)
    assert ticket.reply_by == at(2026, 2, 27, 10)


def test_a_makeup_saturday_is_a_working_day_and_the_sunday_after_is_not(world, users):
    ticket = dispatched(world, users, at(2026, 2, 28, 17))  # 调休 Saturday, 17:00
    assert ticket.accept_by == at(2026, 3, 2, 17)  # Sunday 1 March rests


def test_a_ticket_received_after_hours_starts_counting_next_morning(world, users):
    ticket = dispatched(world, users, at(2026, 3, 2, 20))  # Monday evening
    assert ticket.accept_by == at(2026, 3, 3, 18)  # the whole of Tuesday


def test_urgent_tickets_run_on_the_clock_even_in_the_holiday(world, users):
    ticket = dispatched(world, users, at(2026, 2, 17, 20), urgency="urgent")  # 初一 evening
    assert ticket.accept_by == at(2026, 2, 17, 22)
    assert ticket.reply_by == at(2026, 2, 18, 20)


def test_the_administrators_holiday_table_wins_over_the_package(world, users):
    Holiday.objects.create(date=date(2026, 3, 3), is_workday=False, name="停电放假")
    ticket = dispatched(world, users, at(2026, 3, 2, 10))
    assert ticket.accept_by == at(2026, 3, 4, 10)


def test_a_year_the_package_does_not_know_is_provisional_until_entered(world, users):
    ticket = factories.ticket(world["jiashun"], at=at(2027, 3, 1, 10))
    ticket = services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at(2027, 3, 1, 10))
    assert ticket.accept_by == at(2027, 3, 2, 10) and ticket.deadlines_provisional

    calendar.enter_arrangement(users["alice"], 2027, {date(2027, 3, 2): (False, "示例假日")})
    ticket.refresh_from_db()
    assert ticket.accept_by == at(2027, 3, 3, 10)  # Monday 1 March 2027, Tuesday off
    assert not ticket.deadlines_provisional
    assert CalendarYear.objects.filter(year=2027).exists()


def test_working_hours_come_from_the_settings(world, users):
    config = EngineSettings.current()
    config.day_start, config.day_end = time(9, 30), time(17, 30)
    config.save()
    ticket = dispatched(world, users, at(2026, 3, 2, 17))  # Monday 17:00, half an hour left
    assert ticket.accept_by == at(2026, 3, 3, 17)  # 0.5 h on Monday + 7.5 h from 09:30


def test_a_category_rule_beats_the_default(world, users):
    heating = Category.objects.get(full_name="城乡建设/城市建设和市政管理/冬季采暖")
    DeadlineRule.objects.create(
        category=heating.parent,
        urgency="normal",
        accept_amount=Decimal(2),
        accept_unit="work_hours",
        reply_amount=Decimal(1),
        reply_unit="work_days",
    )
    ticket = dispatched(world, users, at(2026, 3, 2, 10), category=heating)
    assert ticket.accept_by == at(2026, 3, 2, 12)
    assert ticket.reply_by == at(2026, 3, 3, 10)
