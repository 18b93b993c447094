"""Issue 13: page 2 of a dashboard drill-down dropped its unit and period, so it listed
other tickets than the figure it came from. The pager now keeps every filter of the list."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client

from jiceng import factories
from jiceng.tickets import services

TZ = ZoneInfo("Asia/Shanghai")


def test_the_pager_keeps_the_unit_the_period_and_the_search(world, users):
    at = datetime(2026, 3, 2, 10, tzinfo=TZ)
    for n in range(52):
        ticket = factories.ticket(world["jiashun"], at=at, title=f"路灯不亮 & 楼道{n}")
        services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at)
    client = Client()
    client.force_login(users["erin"])
    query = {
        "view": "all",
        "unit": world["jiashun_unit"].pk,
        "period": "2026-03",
        "q": "路灯不亮 &",
    }
    page = client.get("/work/tickets/", query).content.decode()
    assert "共 52 件" in page
    link = re.search(r'<a href="([^"]+)">下一页</a>', page).group(1).replace("&amp;", "&")
    assert f"unit={world['jiashun_unit'].pk}" in link and "period=2026-03" in link
    second = client.get("/work/tickets/" + link).content.decode()
    assert "共 52 件" in second and "第 2 / 2 页" in second
