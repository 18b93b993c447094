"""The statutory public holidays of a year, derived from the rules alone.

Pure: no Django import. 《全国年节及纪念日放假办法》 as amended in 2024 (in force from 2025) gives
every citizen 13 days off a year:

- 元旦 1 day (1 January);
- 春节 4 days (除夕 to 正月初三);
- 清明节 1 day (the day of the 清明 solar term);
- 劳动节 2 days (1–2 May);
- 端午节 1 day (五月初五);
- 中秋节 1 day (八月十五);
- 国庆节 3 days (1–3 October).

Lunar dates and the solar term come from `lunar-python`. What the rules cannot give is the
State Council's yearly 调休 arrangement: which weekdays around a holiday become rest days and
which weekend days become makeup working days. It is published each November for the next year.
Until then a calendar built from these rules is provisional, and `may_rest` names the weekdays
that the arrangement could still turn into rest days.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

#: The years the rules are applied to. Outside them nothing is guessed.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Festival:
    name: str
    first: date
    days: int
    #: how far the yearly arrangement has stretched this festival's break, in days before its
    #: first day and after its last (2019–2026: 春节 and 国庆 become 7–9 days, the others 3–5)
    before: int
    after: int

    @property
    def dates(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]

    @property
    def window(self) -> list[date]:
        start = self.first - timedelta(days=self.before)
        span = self.before + self.days + self.after
        return [start + timedelta(days=i) for i in range(span)]


def _solar(lunar: Lunar) -> date:
    s = lunar.getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=64)
def festivals(year: int) -> tuple[Festival, ...]:
    """The statutory festivals of `year` under the 2024 rules."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    new_year_eve = _solar(Lunar.fromYmd(year, 1, 1)) - timedelta(days=1)
    qingming = Solar.fromYmd(year, 5, 1).getLunar().getJieQiTable()["清明"]
    return (
        Festival("元旦", date(year, 1, 1), 1, 2, 2),
        Festival("春节", new_year_eve, 4, 2, 5),
        Festival(
            "清明节",
            date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),
            1,
            2,
            2,
        ),
        Festival("劳动节", date(year, 5, 1), 2, 2, 3),
        Festival("端午节", _solar(Lunar.fromYmd(year, 5, 5)), 1, 2, 2),
        Festival("中秋节", _solar(Lunar.fromYmd(year, 8, 15)), 1, 2, 2),
        Festival("国庆节", date(year, 10, 1), 3, 2, 5),
    )


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, str]:
    """Each statutory day off of `year` with its festival's name (13 days)."""
    days: dict[date, str] = {}
    for festival in festivals(year):
        for day in festival.dates:
            days.setdefault(day, festival.name)
    return days


@lru_cache(maxsize=64)
def may_rest(year: int) -> frozenset[date]:
    """Weekdays of `year` that the yearly 调休 arrangement could still make rest days."""
    # 元旦's window reaches back into the year before
    nearby = [y for y in (year, year + 1) if in_range(y)]
    days = {
        day
        for y in nearby
        for festival in festivals(y)
        for day in festival.window
        if day.year == year and day.weekday() < 5
    }
    return frozenset(days - set(statutory_holidays(year)))


def in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR
