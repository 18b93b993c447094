"""Issue 13: "The web ranks units, never regions, and it ranks a 供热公司 against a 社区."
The 通报 ranks each kind of unit on its own (communities and villages, township offices,
departments, property companies, public-service companies), and regions by level (county,
township, village). Each group has its own 通报 sheet. As an option the assessors turn on,
large and small units are ranked apart by volume."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from jiceng import factories
from jiceng.tickets import rates, services
from jiceng.tickets.models import RankingSettings

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def march(world, users, every_unit_ranked):
    heating = factories.unit(world["changji_city"], "heating", name="昌吉市热力公司")
    handler = factories.account("heat", ["handler"], scope_unit=heating)
    plan = [
        (world["jiashun_unit"], users["dave"], world["jiashun"], 3),
        (world["jianguo_unit"], users["gina"], world["jianguo"], 2),
        (heating, handler, world["jiashun"], 1),
        (world["changji_zjj"], users["zoe"], world["jianguo"], 1),
    ]
    for unit, person, place, n in plan:
        for i in range(n):
            at = datetime(2026, 3, 3, 9, tzinfo=TZ) + timedelta(minutes=i)
            ticket = services.dispatch(users["erin"], factories.ticket(place, at=at), unit, at=at)
            services.accept(person, ticket, at=at + timedelta(minutes=20))
    return heating


def test_a_heating_company_is_never_ranked_against_a_community(march):
    groups = dict(rates.grouped_ranking("2026-03", view="kind"))
    assert list(groups) == ["社区和村", "政府部门", "公共服务企业"]
    assert sorted((r.name, r.rank) for r in groups["社区和村"]) == [
        ("嘉顺社区", 1),
        ("建国社区", 1),
    ]
    assert [(r.name, r.rank) for r in groups["公共服务企业"]] == [("昌吉市热力公司", 1)]
    assert [(r.name, r.rank) for r in groups["政府部门"]] == [("昌吉市住建局", 1)]


def test_regions_are_ranked_level_by_level(march):
    groups = dict(rates.grouped_ranking("2026-03", view="region"))
    assert list(groups) == ["县市", "乡镇（街道）", "村（社区）"]
    assert [(r.name, r.dispatched) for r in groups["县市"]] == [("昌吉市", 7)]
    assert [(r.name, r.dispatched) for r in groups["乡镇（街道）"]] == [("建国路街道", 7)]
    assert sorted((r.name, r.dispatched) for r in groups["村（社区）"]) == [
        ("嘉顺社区居委会", 4),
        ("建国社区居委会", 3),
    ]


def test_the_page_shows_each_group_and_drills_a_region_down(march, login, world):
    erin = login("erin")
    page = erin.get("/dashboard/?period=2026-03").content.decode()
    assert page.count('class="ranking-group"') == 3
    assert 'data-group="公共服务企业"' in page
    by_region = erin.get("/dashboard/?period=2026-03&view=region").content.decode()
    assert 'data-group="乡镇（街道）"' in by_region
    assert "view=region&region=652301004000" in by_region  # a township drills down
    township = erin.get("/dashboard/?period=2026-03&view=region&region=652301004000")
    assert township.status_code == 200
    assert "接诉即办三率看板 · 建国路街道" in township.content.decode()


def test_a_region_outside_the_scope_is_not_found(march, login):
    assert login("erin").get("/dashboard/?region=652324000000").status_code == 404  # 玛纳斯县
    assert login("erin").get("/dashboard/?region=999999999999").status_code == 404


def test_each_group_has_its_own_report_sheet(march, login):
    erin = login("erin")
    book = openpyxl.load_workbook(
        BytesIO(erin.get("/dashboard/export.xlsx?period=2026-03").content)
    )
    assert book.sheetnames == ["社区和村", "政府部门", "公共服务企业"]
    assert "· 公共服务企业" in book["公共服务企业"]["A1"].value
    one = openpyxl.load_workbook(
        BytesIO(
            erin.get(
                "/dashboard/export.xlsx?period=2026-03&group=%E5%85%AC%E5%85%B1%E6%9C%8D%E5%8A%A1%E4%BC%81%E4%B8%9A"
            ).content
        )
    )
    assert one.sheetnames == ["公共服务企业"]
    regions = openpyxl.load_workbook(
        BytesIO(erin.get("/dashboard/export.xlsx?period=2026-03&view=region").content)
    )
    assert regions.sheetnames == ["县市", "乡镇（街道）", "村（社区）"]


def test_large_and_small_units_can_be_ranked_apart(march):
    config = RankingSettings.current()
    config.volume_groups, config.volume_split = True, 3
    config.save()
    groups = dict(rates.grouped_ranking("2026-03", view="kind"))
    assert [r.name for r in groups["社区和村·件量较大"]] == ["嘉顺社区"]
    assert [r.name for r in groups["社区和村·件量较小"]] == ["建国社区"]
    # a quarter's threshold is three months'
    quarter = dict(rates.grouped_ranking("2026-Q1", view="kind"))
    assert "社区和村·件量较大" not in quarter


def test_a_long_group_shows_its_first_rows_and_links_to_all(world, users, login, monkeypatch):
    from jiceng.dashboards import views

    monkeypatch.setattr(views, "ROWS_SHOWN", 1)
    at = datetime(2026, 3, 3, 9, tzinfo=TZ)
    for unit in (world["jiashun_unit"], world["jianguo_unit"]):
        services.dispatch(users["erin"], factories.ticket(unit.region, at=at), unit, at=at)
    erin = login("erin")
    page = erin.get("/dashboard/?period=2026-03").content.decode()
    group = page[page.index('data-group="社区和村"') :]
    group = group[: group.index("</section>")]
    assert group.count("<tr class") == 1 and "显示本组全部 2 个" in group
    everything = erin.get("/dashboard/?period=2026-03&rows=all").content.decode()
    group = everything[everything.index('data-group="社区和村"') :]
    assert group[: group.index("</section>")].count("<tr class") == 2
