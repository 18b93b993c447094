"""Working time in China: statutory holidays, 调休 makeup workdays, and office hours.

Pure: no Django import. The day table is `chinesecalendar` plus an administrator's own table of
days (`overrides`), which wins where both speak and covers years the package does not know
yet. A deadline never falls back to calendar days: a day that neither source knows raises
`CalendarUnknown`, so the caller can tell an administrator to fill in the table.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


class CalendarUnknown(Exception):
    """No source says whether this day is a working day."""

    def __init__(self, day: date):
        self.day = day
        super().__init__(f"{day.year} 年的节假日安排尚未录入，无法计算工作日（{day.isoformat()}）")


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

    def __post_init__(self):
        if not self.day_start < self.day_end:
            raise ValueError("working hours must start before they end")

    @property
    def hours_per_day(self) -> float:
        start = datetime.combine(date.min, self.day_start)
        return (datetime.combine(date.min, self.day_end) - start).total_seconds() / 3600

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year in self.complete_years:
                return day.weekday() < 5
            raise CalendarUnknown(day) from None

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
