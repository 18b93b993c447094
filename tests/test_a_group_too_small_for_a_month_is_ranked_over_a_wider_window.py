"""Issue 28, finding 6: at a real county's volume a month ranks none of the communities (all
样本不足), so the leader's table is empty. A group whose units are mostly 样本不足 is ranked over
the smallest window (the last 3, 6 or 12 months) that ranks at least half of them, and the
heading says so; assessors can fix a group's window; the figures' links open the window's
tickets; the slowest units are sorted by time."""

import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.dashboards import selectors
from jiceng.tickets import metrics, rates, services
from jiceng.tickets.models import RankingSettings

TZ = ZoneInfo("Asia/Shanghai")


def rows(ranked: int, small: int) -> list:
    return [SimpleNamespace(rank=1)] * ranked + [SimpleNamespace(rank=None)] * small


def test_the_smallest_window_that_ranks_half_the_group_is_chosen():
    assert rates.choose_window({1: rows(0, 4), 3: rows(2, 2), 6: rows(4, 0)}) == 3
    assert rates.choose_window({1: rows(3, 1), 3: rows(4, 0)}) == 1
    # none ranks half: the one that ranks the most, the smaller on a tie
    assert rates.choose_window({1: rows(0, 9), 3: rows(2, 7), 6: rows(2, 7), 12: rows(1, 8)}) == 3


def test_a_window_is_written_one_way_and_read_back():
    window = metrics.trailing(metrics.parse_period("2026-02"), 3)
    assert window.text == "2025-12~2026-02" and window.label == "2025年12月—2026年2月"
    assert metrics.parse_period(window.text) == window
    assert window.bounds() == (
        datetime(2025, 12, 1, tzinfo=TZ),
        datetime(2026, 3, 1, tzinfo=TZ),
    )
    assert metrics.trailing(metrics.parse_period("2026-Q1"), 6).text == "2025-10~2026-03"
    with pytest.raises(metrics.BadPeriod):
        metrics.parse_period("2026-05~2026-03")


@pytest.fixture
def quiet_quarter(world, users):
    """嘉顺社区 and 建国社区 each get one ticket a month, January to March: below a minimum of
    3 in any month, enough over the quarter."""
    config = RankingSettings.current()
    config.min_dispatched, config.min_callbacks = 3, 1
    config.save()
    for month in (1, 2, 3):
        at = datetime(2026, month, 3, 10, tzinfo=TZ)
        for place, unit, handler in (
            ("jiashun", "jiashun_unit", "dave"),
            ("jianguo", "jianguo_unit", "gina"),
        ):
            ticket = factories.ticket(world[place], at=at)
            services.dispatch(users["erin"], ticket, world[unit], at=at)
            services.accept(users[handler], ticket, at=at.replace(hour=11))
            services.reply(users[handler], ticket, "已上门处理并答复", at=at.replace(day=4))
            services.callback(
                users["ivan"], ticket, solved=True, satisfaction="满意", at=at.replace(day=5)
            )


def _communities(page_groups):
    return next(g for g in page_groups if g["label"] == "社区和村")


def test_communities_of_a_quiet_month_are_ranked_over_three_months(quiet_quarter, users, login):
    html = login("alice").get("/dashboard/", {"period": "2026-03"}).content.decode()
    page = re.sub(r"<[^>]+>", "", html)
    assert "社区和村：近 3 个月（2026年1月—3月）" in page
    assert "本组多数单位样本不足，按近 3 个月（2026年1月—3月）排名" in page
    assert "period=2026-01~2026-03" in html
    lens = selectors.lens_for(users["alice"])
    group = _communities(selectors.ranking(lens, "2026-03"))
    assert group["ranked"] == 2 and group["period"] == "2026-01~2026-03"
    # the figure's link lists exactly the window's tickets behind it
    jiashun = next(r for r in group["rows"] if r["name"] == "嘉顺社区")
    listed = login("alice").get(jiashun["drill"] + "&measure=dispatched").content.decode()
    numbers = re.findall(r"<td data-label=\"编号\"><a [^>]*>(\d+)</a>", listed)
    assert jiashun["dispatched"] == 3 and len(numbers) == 3


def test_an_assessor_can_hold_a_group_to_the_month(quiet_quarter, users):
    config = RankingSettings.current()
    config.windows = {"社区和村": 1}
    config.save()
    lens = selectors.lens_for(users["alice"])
    group = _communities(selectors.ranking(lens, "2026-03"))
    assert group["ranked"] == 0 and group["window"] == "" and group["period"] == "2026-03"
    config.windows = {"社区和村": 6}
    config.save()
    group = _communities(selectors.ranking(lens, "2026-03"))
    assert group["period"] == "2025-10~2026-03" and group["window"].startswith("近 6 个月")


def test_the_window_is_set_per_group_in_the_admin(world):
    from django.test import Client

    RankingSettings.current()
    admin = Client()
    admin.force_login(factories.account("asa", ["assessor"], scope_region=world["changji"]))
    form = admin.get("/admin/tickets/rankingsettings/1/change/").content.decode()
    assert "排名窗口：社区和村" in form and "近 12 个月" in form
    index = rates.WINDOW_GROUPS.index("社区和村")
    answer = admin.post(
        "/admin/tickets/rankingsettings/1/change/",
        {
            "min_dispatched": 10,
            "min_callbacks": 5,
            "volume_split": 30,
            f"window_{index}": 12,
        },
    )
    assert answer.status_code == 302
    assert RankingSettings.current().windows["社区和村"] == 12


def test_the_slowest_units_are_sorted_by_time(world, users, login):
    at = datetime(2026, 3, 2, 10, tzinfo=TZ)
    quick = factories.ticket(world["jiashun"], at=at)
    services.dispatch(users["erin"], quick, world["jiashun_unit"], at=at)
    services.accept(users["dave"], quick, at=at.replace(hour=11))
    services.reply(users["dave"], quick, "当天处理完毕", at=at.replace(hour=15))
    slow = factories.ticket(world["jianguo"], at=at)
    services.dispatch(users["erin"], slow, world["jianguo_unit"], at=at)
    services.accept(users["gina"], slow, at=at.replace(hour=11))
    services.reply(users["gina"], slow, "协调多方后处理完毕", at=at.replace(day=5))
    lens = selectors.lens_for(users["alice"])
    slowest = selectors.slowest_units(lens, "2026-03")
    assert [s["name"] for s in slowest][:2] == ["建国社区", "嘉顺社区"]
    assert slowest[0]["hours"] > slowest[1]["hours"]
