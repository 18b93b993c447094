"""Issue 13, "zero is zero": a unit that answered nothing in time, and was rated unsatisfied,
showed "—" on the dashboard (the template's `default` treats 0 as missing), while the CLI and
the Excel said 0. "—" now means only that there is no denominator."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.tickets import services

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def march(world, users):
    at = datetime(2026, 3, 2, 10, tzinfo=TZ)
    # 嘉顺社区: accepted a week late, not solved, unsatisfied: 0 on every rate
    late = factories.ticket(world["jiashun"], at=at)
    services.dispatch(users["erin"], late, world["jiashun_unit"], at=at)
    services.accept(users["dave"], late, at=at.replace(day=10))
    services.reply(users["dave"], late, "已上门查看并答复", at=at.replace(day=11))
    services.callback(
        users["ivan"], late, solved=False, satisfaction="不满意", at=at.replace(day=12)
    )
    # 建国社区: dispatched, accepted in time, no callback yet: no denominator for two rates
    waiting = factories.ticket(world["jianguo"], at=at)
    services.dispatch(users["erin"], waiting, world["jianguo_unit"], at=at)
    services.accept(users["gina"], waiting, at=at.replace(hour=11))


def cells(page: str, name: str) -> list[str]:
    """The cells of a unit's ranking row as read: a rate cell reads "0.0 0/1" (the rate,
    then its counts)."""
    table = page[page.index('<table class="ranking">') :]
    row = re.search(rf"<tr[^>]*><td[^>]*>(?:(?!</tr>).)*?>{name}</a>.*?</tr>", table, re.S).group(0)
    out = []
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S):
        # the interval that opens on a tap is not part of what the cell reads
        cell = re.sub(
            r"<details[^>]*><summary>(.*?)</summary>.*?</details>", r"\1", cell, flags=re.S
        )
        cell = re.sub(r"<small[^>]*>", " ", cell)
        out.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip())
    return out


def test_a_unit_at_zero_shows_zero_on_the_dashboard(login, march, every_unit_ranked):
    page = login("erin").get("/dashboard/?period=2026-03").content.decode()
    _rank, _name, response, pending, solved, satisfied, score = cells(page, "嘉顺社区")
    assert (response, pending) == ("0.0 0/1", "0")
    assert (solved, satisfied) == ("0.0 0/1", "0.0 0/1")
    assert score.rstrip("*") == "0.0"


def test_a_rate_without_a_denominator_shows_a_dash(login, march, every_unit_ranked):
    page = login("erin").get("/dashboard/?period=2026-03").content.decode()
    row = cells(page, "建国社区")
    assert row[2] == "100.0 1/1"  # answered in time; no callback yet
    assert row[4] == "—" and row[5] == "—"
