"""Issue 13: a unit's own page shows its 三率 over twelve months with its rank each month
(among the units of its kind in its county), its slowest tickets, and its returns with the
dispatchers' rulings. Every number links to its tickets; another unit's page is not found."""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiceng import factories
from jiceng.tickets import services

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 10, tzinfo=TZ)


@pytest.fixture
def year(world, users, every_unit_ranked):
    erin, dave, gina, ivan = users["erin"], users["dave"], users["gina"], users["ivan"]
    made = {}
    # 嘉顺社区: a good October; 建国社区: a better one (嘉顺 ranks 2nd of 2)
    for unit, person, month, satisfied in [
        (world["jiashun_unit"], dave, 10, "不满意"),
        (world["jianguo_unit"], gina, 10, "满意"),
        (world["jiashun_unit"], dave, 11, "满意"),
    ]:
        at = datetime(2026, month, 12, 10, tzinfo=TZ)
        ticket = factories.ticket(unit.region, at=at, title=f"{month}月的灯")
        ticket = services.dispatch(erin, ticket, unit, at=at)
        services.accept(person, ticket, at=at + timedelta(minutes=30))
        services.reply(person, ticket, "已更换楼道灯泡", at=at + timedelta(days=1))
        services.callback(
            ivan,
            ticket,
            solved=satisfied == "满意",
            satisfaction=satisfied,
            at=at + timedelta(days=2),
        )
    slow_at = datetime(2026, 11, 2, 10, tzinfo=TZ)
    slow = services.dispatch(
        erin,
        factories.ticket(world["jiashun"], at=slow_at, title="拖了很久的"),
        world["jiashun_unit"],
        at=slow_at,
    )
    services.accept(dave, slow, at=slow_at + timedelta(hours=1))
    made["slow"] = slow
    upheld_at = datetime(2026, 11, 5, 10, tzinfo=TZ)
    upheld = services.dispatch(
        erin,
        factories.ticket(world["jiashun"], at=upheld_at, title="不归社区的"),
        world["jiashun_unit"],
        at=upheld_at,
    )
    services.return_ticket(
        dave, upheld, "属于市政管网，应由住建局办理", at=upheld_at + timedelta(hours=1)
    )
    services.uphold_return(erin, upheld, world["changji_zjj"], at=upheld_at + timedelta(hours=2))
    made["upheld"] = upheld
    return made


def test_twelve_months_with_a_rank_each(year, world, login):
    with time_machine.travel(NOW):
        page = (
            login("erin")
            .get(f"/dashboard/units/{world['jiashun_unit'].pk}/?period=2026-11")
            .content.decode()
        )
    table = page[page.index('id="history"') :]
    months = re.findall(r"<td>(2026-\d\d|2025-\d\d)</td>", table)
    assert months[0] == "2025-12" and months[-1] == "2026-11" and len(months) == 12
    october = table[table.index("<td>2026-10</td>") :]
    assert re.match(r"<td>2026-10</td>\s*<td>2 / 2</td>", october)
    november = table[table.index("<td>2026-11</td>") :]
    assert re.match(r"<td>2026-11</td>\s*<td>1 / 1</td>", november)
    assert "排名范围：昌吉市的社区和村" in page


def test_its_slowest_tickets_and_its_returns_with_rulings(year, world, login):
    with time_machine.travel(NOW):
        page = (
            login("dave")
            .get(f"/dashboard/units/{world['jiashun_unit'].pk}/?period=2026-11")
            .content.decode()
        )
    slowest = page[page.index('id="slowest"') : page.index('id="returns"')]
    assert slowest.index("拖了很久的") < slowest.index("11月的灯")
    assert "未答复" in slowest
    returns = page[page.index('id="returns"') :]
    assert "不归社区的" not in slowest  # upheld away: not the unit's ticket any more
    assert "属于市政管网，应由住建局办理" in returns
    assert "同意退单，已改派" in returns and "不计入本单位" in returns


def test_every_number_on_it_links_to_its_tickets(year, world, login):
    erin = login("erin")
    with time_machine.travel(NOW):
        page = erin.get(
            f"/dashboard/units/{world['jiashun_unit'].pk}/?period=2026-11"
        ).content.decode()
    row = page[page.index("<td>2026-10</td>") :]
    row = row[: row.index("</tr>")]
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', row)]
    assert any("measure=dispatched" in h and "period=2026-10" in h for h in hrefs)
    callbacks = next(h for h in hrefs if "measure=callbacks" in h)
    with time_machine.travel(NOW):
        listed = erin.get(callbacks).content.decode()
    assert "共 1 件" in listed and "10月的灯" in listed


def test_another_units_page_is_not_found(year, world, login):
    assert login("gina").get(f"/dashboard/units/{world['jiashun_unit'].pk}/").status_code == 404
    assert login("gina").get(f"/dashboard/units/{world['jianguo_unit'].pk}/").status_code == 200
