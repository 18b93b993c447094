"""The leaders' dashboard shows the 三率 ranking of the scope for a period, with drill-down
links, and exports the same table to Excel as the 通报."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from jiceng import factories
from jiceng.tickets import services

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def march(world, users, every_unit_ranked):
    at = datetime(2026, 3, 2, 10, tzinfo=TZ)
    ticket = factories.ticket(world["jiashun"], at=at)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at)
    services.accept(users["dave"], ticket, at=at.replace(hour=11))
    services.reply(users["dave"], ticket, "已修好楼道灯", at=at.replace(day=3))
    services.callback(users["ivan"], ticket, solved=True, satisfaction="满意", at=at.replace(day=4))
    return ticket


def test_the_dashboard_ranks_the_scopes_units(login, world, march):
    page = login("erin").get("/dashboard/?period=2026-03").content.decode()
    assert "嘉顺社区" in page and "100.0" in page
    assert f"unit={world['jiashun_unit'].pk}" in page  # drills down to the tickets behind it
    assert "2026年3月" in page


def test_a_bad_period_falls_back_with_a_message(login, march):
    page = login("erin").get("/dashboard/?period=2026-13").content.decode()
    assert "月份应在 1 到 12 之间" in page


def test_the_report_exports_to_excel(login, world, march):
    response = login("erin").get("/dashboard/export.xlsx?period=2026-03")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["社区和村"]  # one sheet per group of like units
    sheet = book.active
    assert "2026-03 接诉即办三率通报" in sheet["A1"].value
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "排名")
    first = dict(zip(rows[header], rows[header + 1], strict=True))
    assert (first["排名"], first["编码"], first["名称"]) == (
        1,
        world["jiashun_unit"].code,
        "嘉顺社区",
    )
    assert (first["派单数（计入响应率）"], first["综合得分"]) == (1, 100.0)


def test_the_drill_down_lists_the_tickets_behind_a_figure(login, world, march):
    page = login("erin").get(
        f"/work/tickets/?view=all&unit={world['jiashun_unit'].pk}&period=2026-03"
    )
    assert march.number in page.content.decode()
    other = login("erin").get(
        f"/work/tickets/?view=all&unit={world['jiashun_unit'].pk}&period=2026-04"
    )
    assert march.number not in other.content.decode()


def test_the_slowest_units_are_averaged_in_the_database(login, world, users, march):
    from jiceng.dashboards import selectors as dashboard

    late = factories.ticket(world["jiashun"], at=datetime(2026, 3, 5, 10, tzinfo=TZ))
    late = services.dispatch(users["erin"], late, world["jiashun_unit"], at=late.received_at)
    services.accept(users["dave"], late, at=late.received_at.replace(hour=11))
    late.refresh_from_db()
    services.reply(users["dave"], late, "拖了很久才答复群众", at=late.reply_by + timedelta(hours=5))
    march.refresh_from_db()
    late.refresh_from_db()
    expected = (
        ((march.replied_at - march.accept_by) + (late.replied_at - late.accept_by)).total_seconds()
        / 2
        / 3600
    )
    (row,) = dashboard.slowest_units(dashboard.lens_for(users["erin"]), "2026-03")
    assert (row["name"], row["tickets"], row["late"]) == ("嘉顺社区", 2, 1)
    assert row["hours"] == round(expected, 1)
