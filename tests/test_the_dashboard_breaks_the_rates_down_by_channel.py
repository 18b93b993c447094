"""Issue 13: a breakdown by channel (热线, 网上, 网格员, 民情恳谈 and Open311), with the 三率 of
each and the trend of each, every count linking to its tickets."""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import Channel

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def march(world, users, every_unit_ranked):
    for i, (channel, n) in enumerate([("hotline", 3), ("web", 2), ("open311", 1)]):
        for j in range(n):
            at = datetime(2026, 3, 2 + i, 9, tzinfo=TZ) + timedelta(minutes=j)
            ticket = factories.ticket(world["jiashun"], at=at, channel=channel)
            services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at)
    feb = factories.ticket(world["jiashun"], at=datetime(2026, 2, 3, 9, tzinfo=TZ), channel="grid")
    services.dispatch(users["erin"], feb, world["jiashun_unit"], at=feb.received_at)


def test_each_channel_has_its_count_and_rates(march, login):
    page = login("erin").get("/dashboard/?period=2026-03").content.decode()
    section = page[page.index('id="channels"') :]
    section = section[: section.index("</table>")]
    rows = {
        name: rest for name, rest in re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", section, re.S)
    }
    assert set(rows) == {c.label for c in Channel if c != Channel.IMPORT}
    assert rows["热线"].startswith("<td>3</td>") and rows["Open311"].startswith("<td>1</td>")
    assert rows["民情恳谈"].startswith("<td>0</td>")
    hotline = unescape(re.search(r'href="([^"]*measure=dispatched[^"]*)"', rows["热线"]).group(1))
    listed = login("erin").get(hotline).content.decode()
    assert "共 3 件" in listed


def test_the_trend_counts_each_channel_month_by_month(march, login):
    import json

    page = login("erin").get("/dashboard/?period=2026-03").content.decode()
    data = json.loads(
        re.search(r'id="chart-data" type="application/json">(.*?)</script>', page).group(1)
    )
    trend = data["channels"]
    assert trend["months"][-2:] == ["2026-02", "2026-03"]
    series = {s["name"]: s["data"] for s in trend["series"]}
    assert series["热线"][-2:] == [0, 3]
    assert series["网格员巡查"][-2:] == [1, 0]


def test_a_kept_month_counts_a_ticket_that_arrives_later(march, world, users, login):
    """An ended month's breakdown is kept; a ticket recorded for it afterwards (a ledger row,
    a late entry) changes the month's token and shows on the next read."""
    from jiceng.tickets.models import RateMonth

    erin = login("erin")

    def hotline() -> str:
        page = erin.get("/dashboard/?period=2026-03").content.decode()
        section = page[page.index('id="channels"') :]
        return re.search(r"<tr><td>热线</td><td>(\d+)</td>", section).group(1)

    assert hotline() == "3"
    kept = RateMonth.objects.get(month="2026-03-01").token
    assert hotline() == "3"  # read again from what was kept
    factories.ticket(world["jianguo"], at=datetime(2026, 3, 20, 9, tzinfo=TZ), channel="hotline")
    assert RateMonth.objects.get(month="2026-03-01").token != kept
    assert hotline() == "4"


def test_the_slowest_units_follow_a_late_reply_to_an_old_ticket(world, users, login):
    from jiceng.dashboards import selectors as dashboard

    at = datetime(2026, 3, 2, 9, tzinfo=TZ)
    ticket = services.dispatch(
        users["erin"], factories.ticket(world["jiashun"], at=at), world["jiashun_unit"], at=at
    )
    services.accept(users["dave"], ticket, at=at + timedelta(hours=1))
    lens = dashboard.lens_for(users["erin"])
    assert dashboard.slowest_units(lens, "2026-03") == []
    ticket.refresh_from_db()
    services.reply(users["dave"], ticket, "已到现场处理完毕", at=at + timedelta(days=3))
    (row,) = dashboard.slowest_units(lens, "2026-03")
    assert (row["name"], row["tickets"]) == ("嘉顺社区", 1)
