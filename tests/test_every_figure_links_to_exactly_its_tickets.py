"""Issue 13: every number of the ranking links to its tickets, and the list has as many rows as
the number says: the same events, the same period and the same rule (a ticket kept by the unit
that finally had it, a return upheld against the unit that returned it, a ticket dispatched in
February and called back in March). Drill-downs keep their filters through pages and sorting."""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.tickets import services

TZ = ZoneInfo("Asia/Shanghai")


def t(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=TZ)


@pytest.fixture
def march(world, users, every_unit_ranked):
    erin, dave, ivan, zoe = users["erin"], users["dave"], users["ivan"], users["zoe"]
    jiashun, zjj = world["jiashun_unit"], world["changji_zjj"]
    made = {}

    def new(name, month, day):
        ticket = factories.ticket(world["jiashun"], at=t(month, day, 9), title=name)
        made[name] = services.dispatch(erin, ticket, jiashun, at=t(month, day))
        return made[name]

    services.accept(dave, new("按时接单", 3, 2), at=t(3, 2, 11))
    services.accept(dave, new("超时接单", 3, 3), at=t(3, 9))
    three = new("退单改派", 3, 4)
    services.return_ticket(dave, three, "属于市政管网，不归社区", at=t(3, 4, 11))
    services.uphold_return(erin, three, zjj, at=t(3, 4, 12))
    services.accept(zoe, three, at=t(3, 4, 14))
    february = new("二月派单三月回访", 2, 24)
    services.accept(dave, february, at=t(2, 24, 11))
    services.reply(dave, february, "已上门处理完毕", at=t(2, 25))
    services.callback(ivan, february, solved=False, satisfaction="不满意", at=t(3, 2))
    return made


def links(page: str) -> dict[str, str]:
    """measure -> the drill-down address of 嘉顺社区's row."""
    table = page[page.index('<table class="ranking">') :]
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*?嘉顺社区</a>.*?</tr>", table, re.S).group(0)
    return {m: unescape(href) for href, m in re.findall(r'href="([^"]*measure=(\w+))"', row)}


def numbers(client, href: str) -> set[str]:
    page = client.get(href).content.decode()
    return set(re.findall(r"<td data-label=\"编号\"><a [^>]*>(\d+)</a>", page))


def test_each_count_lists_the_tickets_it_counts(march, login):
    erin = login("erin")
    page = erin.get("/dashboard/?period=2026-03").content.decode()
    found = links(page)
    assert {"dispatched", "on_time", "callbacks", "solved"} <= set(found)
    number = {name: ticket.number for name, ticket in march.items()}
    assert numbers(erin, found["dispatched"]) == {number["按时接单"], number["超时接单"]}
    assert numbers(erin, found["on_time"]) == {number["按时接单"]}
    # called back in March though dispatched in February: March's callbacks
    assert numbers(erin, found["callbacks"]) == {number["二月派单三月回访"]}
    assert numbers(erin, found["solved"]) == set()
    late = found["dispatched"].replace("measure=dispatched", "measure=late")
    assert numbers(erin, late) == {number["超时接单"]}


def test_the_list_names_the_measure_it_shows(march, login, world):
    erin = login("erin")
    page = erin.get(
        f"/work/tickets/?view=all&period=2026-03&unit={world['jiashun_unit'].pk}&measure=on_time"
    ).content.decode()
    assert 'id="measure"' in page and "按时接单" in page and "2026-03" in page
    bad = erin.get("/work/tickets/?view=all&period=2026-03&measure=everything", follow=True)
    assert bad.status_code == 200 and "统计口径参数不正确" in bad.content.decode()


def test_a_measure_never_reaches_outside_the_scope(march, login, world):
    gina = login("gina")  # 建国社区's handler asks for 嘉顺社区's tickets
    page = gina.get(
        f"/work/tickets/?view=all&period=2026-03&unit={world['jiashun_unit'].pk}&measure=dispatched"
    ).content.decode()
    assert "共 0 件" in page


def test_sorting_and_paging_keep_the_drill_down(world, users, login, every_unit_ranked):
    start = t(3, 2)
    for i in range(55):
        at = start + timedelta(minutes=i)
        ticket = factories.ticket(world["jiashun"], at=at, title=f"路灯{i:02d}")
        services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at)
    other = factories.ticket(world["jiashun"], at=start, title="别的单位的")
    services.dispatch(users["erin"], other, world["changji_zjj"], at=start)
    erin = login("erin")
    base = f"/work/tickets/?view=all&period=2026-03&unit={world['jiashun_unit'].pk}&measure=late"
    first = erin.get(base + "&sort=received_at").content.decode()
    assert "共 55 件" in first
    assert "路灯00" in first and "路灯54" not in first  # oldest first
    nxt = unescape(re.search(r'<a href="([^"]+)">下一页</a>', first).group(1))
    for kept in ("measure=late", "sort=received_at", f"unit={world['jiashun_unit'].pk}"):
        assert kept in nxt
    second = erin.get("/work/tickets/" + nxt).content.decode()
    assert "路灯54" in second and "别的单位的" not in second
    sort_link = unescape(re.search(r'<a href="([^"]+)">最新受理</a>', second).group(1))
    assert "measure=late" in sort_link and "page=" not in sort_link
