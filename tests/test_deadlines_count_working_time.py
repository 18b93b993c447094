"""The working-day calendar: Spring Festival 2026, 调休 Saturdays, office hours, unknown years."""

from datetime import UTC, date, datetime, time

import pytest

from jiceng.core.workcalendar import SHANGHAI, CalendarUnknown, WorkCalendar

CAL = WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_spring_festival_2026_is_skipped():
    # Received on the last working day before the holiday (Sat 14 Feb is a 调休 workday).
    deadline = CAL.add_working_days(at("2026-02-13 10:00"), 1)
    assert deadline == at("2026-02-14 10:00")
    # From the 调休 Saturday, the next working day is Tue 24 Feb, after nine days off.
    assert CAL.add_working_days(at("2026-02-14 10:00"), 1) == at("2026-02-24 10:00")


def test_a_makeup_saturday_counts_as_a_working_day():
    assert CAL.is_workday(date(2026, 2, 28))
    assert CAL.add_working_hours(at("2026-02-27 17:00"), 2) == at("2026-02-28 10:00")


def test_a_request_received_at_night_starts_counting_next_morning():
    assert CAL.add_working_hours(at("2026-03-02 22:30"), 2) == at("2026-03-03 11:00")


def test_a_request_on_a_weekend_gets_until_the_end_of_monday_for_one_working_day():
    assert CAL.add_working_days(at("2026-03-07 11:00"), 1) == at("2026-03-09 18:00")


def test_five_working_days_span_a_weekend():
    assert CAL.add_working_days(at("2026-03-04 15:00"), 5) == at("2026-03-11 15:00")


def test_urgent_hours_run_over_the_end_of_the_day():
    assert CAL.add_working_hours(at("2026-03-04 17:00"), 2) == at("2026-03-05 10:00")


def test_times_in_utc_are_read_in_china_time():
    utc = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # 15:00 in 昌吉, by Beijing time
    assert CAL.add_working_hours(utc, 1) == at("2026-03-04 16:00")


def test_a_year_the_package_does_not_know_follows_the_statutory_rules_provisionally():
    assert CAL.is_provisional(date(2027, 1, 4)) and not CAL.is_provisional(date(2026, 12, 28))
    assert CAL.is_provisional(date(2026, 12, 31))  # 2027 元旦 may still give it off
    # 元旦 2027 is a Friday: the first working day after 31 December is Monday 4 January
    assert CAL.add_working_days(at("2026-12-31 10:00"), 1) == at("2027-01-04 10:00")
    # 春节 2027 is 除夕 Friday 5 February to 初三 Monday 8 February
    assert CAL.add_working_days(at("2027-02-04 10:00"), 1) == at("2027-02-09 10:00")


def test_a_year_outside_the_rules_is_refused_not_guessed():
    with pytest.raises(CalendarUnknown) as caught:
        CAL.add_working_days(at("2101-01-04 10:00"), 1)
    assert "2101 年的节假日安排尚未录入" in str(caught.value)


def test_an_administrators_table_covers_2027():
    table = {date(2027, 1, 1): False}  # 元旦
    cal = WorkCalendar(overrides=table, complete_years=frozenset({2027}))
    assert cal.add_working_days(at("2026-12-31 10:00"), 1) == at("2027-01-04 10:00")


def test_the_administrators_table_wins_over_the_package():
    cal = WorkCalendar(overrides={date(2026, 3, 5): False})
    assert cal.add_working_days(at("2026-03-04 10:00"), 1) == at("2026-03-06 10:00")


def test_working_hours_are_configurable():
    cal = WorkCalendar(day_start=time(9, 30), day_end=time(13, 30))
    assert cal.hours_per_day == 4
    assert cal.add_working_days(at("2026-03-04 12:30"), 1) == at("2026-03-05 12:30")


def test_working_hours_between_two_moments():
    assert CAL.working_hours_between(at("2026-02-13 17:00"), at("2026-02-24 10:00")) == 1 + 9 + 1
    assert CAL.working_hours_between(at("2026-03-04 10:00"), at("2026-03-04 09:00")) == 0
