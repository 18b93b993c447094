"""Working time in China: statutory holidays, 调休 makeup workdays, and office hours.

Pure: no Django import. Whether a day is a working day comes from, in order:

1. an administrator's own table of days (`overrides`), which wins where it speaks;
2. `chinesecalendar`, for the years it knows (the official arrangement);
3. a year an administrator has entered in full (`complete_years`): an unlisted weekday works;
4. otherwise a **provisional** calendar derived from the statutory rules (`core.holidays`):
   the statutory holidays rest, weekends rest, every other day works. The 调休 arrangement
   is unknown there, and `is_provisional` says so, so that deadlines computed over such days
   are marked provisional.

A deadline never falls back to plain calendar days. Only a year outside the range the rules
are applied to raises `CalendarUnknown`.

`cautious()` is the same calendar, except that in provisional years every weekday the yearly
arrangement could still turn into a rest day (`holidays.may_rest`) rests. A deadline on it is
the latest the official arrangement could give, which is what the sweep waits for before it
calls a provisional deadline overdue.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar

from . import holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")


class CalendarUnknown(Exception):
    """No source says whether this day is a working day."""

    def __init__(self, day: date):
        self.day = day
        super().__init__(f"{day.year} 年的节假日安排尚未录入，无法计算工作日（{day.isoformat()}）")


@cache
def official_year(year: int) -> bool:
    """Whether `chinesecalendar` holds the State Council's arrangement for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, and the working hours of a working day.

    `overrides` maps a date to True (working day, such as a 调休 Saturday) or False (holiday).
    `complete_years` are years whose holidays and makeup days the overrides list in full: there
    an unlisted weekday works and an unlisted weekend rests.
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    tz: ZoneInfo = SHANGHAI
    cautious_mode: bool = False

    def __post_init__(self):
        if not self.day_start < self.day_end:
            raise ValueError("working hours must start before they end")

    @property
    def hours_per_day(self) -> float:
        start = datetime.combine(date.min, self.day_start)
        return (datetime.combine(date.min, self.day_end) - start).total_seconds() / 3600

    def source(self, day: date) -> str:
        """Where this day's answer comes from: override, official, entered or provisional."""
        if day in self.overrides:
            return "override"
        if self._known(day.year):
            if (
                day.month == 12
                and not self._known(day.year + 1)
                and day in holidays.may_rest(day.year)
            ):
                # next year's 元旦 arrangement may still give the last days of December off
                return "provisional"
            return "official" if official_year(day.year) else "entered"
        if holidays.in_range(day.year):
            return "provisional"
        raise CalendarUnknown(day)

    def _known(self, year: int) -> bool:
        return official_year(year) or (year in self.complete_years and holidays.in_range(year))

    def is_provisional(self, day: date) -> bool:
        return self.source(day) == "provisional"

    def is_workday(self, day: date) -> bool:
        source = self.source(day)
        if source == "override":
            return self.overrides[day]
        if source == "official":
            return chinese_calendar.is_workday(day)
        if source == "entered":
            # an entered year lists its holidays; a statutory day it forgot still rests
            return day.weekday() < 5 and day not in holidays.statutory_holidays(day.year)
        if day in holidays.statutory_holidays(day.year):
            return False
        if self.cautious_mode and day in holidays.may_rest(day.year):
            return False
        return day.weekday() < 5

    def cautious(self) -> "WorkCalendar":
        return replace(self, cautious_mode=True)

    def touches_provisional(self, start: datetime, end: datetime) -> bool:
        """Whether any day from `start` to `end` (local dates, both included) is provisional."""
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            if self.is_provisional(day):
                return True
            day += timedelta(days=1)
        return False

    def next_workday(self, day: date) -> date:
        day += timedelta(days=1)
        for _ in range(60):  # the longest run of days off in China is 9
            if self.is_workday(day):
                return day
            day += timedelta(days=1)
        raise CalendarUnknown(day)

    def _start_of_work(self, moment: datetime) -> datetime:
        """The first working moment at or after `moment` (local time, naive)."""
        day = moment.date()
        if self.is_workday(day):
            if moment.time() < self.day_start:
                return datetime.combine(day, self.day_start)
            if moment.time() < self.day_end:
                return moment
        return datetime.combine(self.next_workday(day), self.day_start)

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """The moment when `hours` of working time have passed since `moment`."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        local = moment.astimezone(self.tz).replace(tzinfo=None)
        cursor = self._start_of_work(local)
        remaining = timedelta(hours=hours)
        while True:
            end_of_day = datetime.combine(cursor.date(), self.day_end)
            if cursor + remaining <= end_of_day:
                return (cursor + remaining).replace(tzinfo=self.tz)
            remaining -= end_of_day - cursor
            cursor = datetime.combine(self.next_workday(cursor.date()), self.day_start)

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """`days` whole working days of working time after `moment`.

        Received Monday 10:00, one working day is Tuesday 10:00; received on a Saturday, it is
        the end of Monday.
        """
        return self.add_working_hours(moment, days * self.hours_per_day)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working time from `start` to `end`, in hours (0 when end is not after start)."""
        a = start.astimezone(self.tz).replace(tzinfo=None)
        b = end.astimezone(self.tz).replace(tzinfo=None)
        if b <= a:
            return 0.0
        total = timedelta()
        cursor = self._start_of_work(a)
        while cursor < b:
            end_of_day = datetime.combine(cursor.date(), self.day_end)
            total += min(end_of_day, b) - cursor
            cursor = datetime.combine(self.next_workday(cursor.date()), self.day_start)
        return total.total_seconds() / 3600
