"""The provisional calendar is the statutory rules of 2024, with lunar dates and 清明 from
lunar-python. Checked against the official arrangements chinesecalendar holds."""

from datetime import date, timedelta

import chinese_calendar

from jiceng.core.holidays import may_rest, statutory_holidays


def days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def test_2027_has_the_thirteen_statutory_days_on_their_lunar_dates():
    days = statutory_holidays(2027)
    assert len(days) == 13
    assert [d for d, name in days.items() if name == "春节"] == [
        date(2027, 2, 5),  # 除夕
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),  # 初三
    ]
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节"
    assert days[date(2027, 9, 15)] == "中秋节"
    assert {d for d, n in days.items() if n in ("劳动节", "国庆节", "元旦")} == {
        date(2027, 1, 1),
        date(2027, 5, 1),
        date(2027, 5, 2),
        date(2027, 10, 1),
        date(2027, 10, 2),
        date(2027, 10, 3),
    }


def test_every_statutory_day_of_2025_and_2026_was_a_day_off_officially():
    # the 2024 rules took effect in 2025
    for year in (2025, 2026):
        days = statutory_holidays(year)
        assert len(days) == 13, year  # 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3
        for day in days:
            assert chinese_calendar.is_holiday(day), day


def test_every_weekday_the_official_arrangements_gave_off_was_foreseen_as_possible():
    # 2019–2026: each weekday that 调休 made a day off lies in a festival's possible window
    checked = 0
    for year in range(2019, 2027):
        for day in days_of(year):
            if day.weekday() < 5 and chinese_calendar.is_holiday(day):
                checked += 1
                assert day in statutory_holidays(year) or day in may_rest(year), day
    assert checked >= 8 * 15  # each year gives some twenty weekdays off


def test_ordinary_weeks_hold_no_possible_rest_days():
    assert not may_rest(2027) & set(days_of(2027)) - {
        d for d in days_of(2027) if d.month in (1, 2, 4, 5, 6, 9, 10, 12)
    }
    assert date(2027, 3, 10) not in may_rest(2027)
    assert date(2027, 2, 4) in may_rest(2027) and date(2027, 2, 12) in may_rest(2027)
    assert date(2026, 12, 31) in may_rest(2026)  # the eve of 元旦 2027
