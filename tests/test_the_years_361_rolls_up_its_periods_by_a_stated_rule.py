"""The year's 361: a star scheme's published periods of the year rolled up by one rule stated
on the page and in the 通报 (the mean of the periods' scores; fewer than half scored is 未评定;
a 一票否决 in any period is 差 for the year; a correction stands in for what it corrects),
graded county by county; 抓两头 lists the 优秀 for commendation and the 差 with their 整改
follow-up. A scheme whose cycle is the year is decided by its annual period."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.test import Client

from jiceng import factories
from jiceng.evaluation import annual
from jiceng.evaluation.models import AssessmentPeriod, Scheme

QUARTERS = [(1, 3), (4, 6), (7, 9), (10, 12)]


def row(world, key, score, veto=False):
    region = world[key]
    return {
        "region": region.code,
        "name": region.name,
        "county": region.code[:6],
        "county_name": "昌吉市" if region.code.startswith("652301") else "呼图壁县",
        "score": score,
        "veto": veto,
    }


def published(scheme, quarter, rows, revision_of=None):
    first, last = QUARTERS[quarter - 1]
    end = date(2026, last, 28)
    return AssessmentPeriod.objects.create(
        scheme=scheme,
        label=f"2026年第{'一二三四'[quarter - 1]}季度" + ("（更正）" if revision_of else ""),
        starts_on=date(2026, first, 1),
        ends_on=end,
        state="published",
        results={"rows": rows, "rules": "…"},
        revision_of=revision_of,
    )


@pytest.fixture
def year(world):
    scheme = Scheme.objects.create(name="村（社区）党组织星级评定", region=world["changji"])
    j, g, b = "jiashun", "jianguo", "baojiadian_village"
    published(scheme, 1, [row(world, j, 90), row(world, g, 70), row(world, b, 80)])
    q2 = published(scheme, 2, [row(world, j, 80), row(world, g, 72), row(world, b, None)])
    published(scheme, 3, [row(world, j, 94), row(world, g, 75, veto=True), row(world, b, None)])
    published(scheme, 4, [row(world, j, 88), row(world, g, 71), row(world, b, None)])
    # Q2 corrected: 嘉顺's score was 84, not 80
    published(scheme, 2, [row(world, j, 84), row(world, g, 72), row(world, b, None)], q2)
    return scheme


def test_the_rule_rolls_the_year_up(year, world):
    result = annual.annual(year, 2026)
    assert result.rule == annual.ROLL_UP and len(result.periods) == 4 and result.complete
    assert [p.label for p in result.periods][1].endswith("（更正）")  # the correction counts
    rows = {r["name"]: r for r in result.rows}
    jiashun = rows[world["jiashun"].name]
    assert jiashun["scores"] == [90, 84, 94, 88] and jiashun["score"] == 89.0
    jianguo = rows[world["jianguo"].name]
    assert jianguo["grade"] == "差" and "第三季度一票否决" in jianguo["reason"]
    village = rows[world["baojiadian_village"].name]  # scored in 1 of 4 periods
    assert village["grade"] == "未评定" and village["score"] is None


def test_the_page_states_the_rule_and_the_two_ends(year, world):
    pref = factories.account("pref", ["assessor"], scope_region=world["changji"])
    client = Client()
    client.force_login(pref)
    page = client.get(f"/evaluation/periods/annual/{year.pk}/2026/").content.decode()
    assert "年度得分为本年度各已发布考评期得分的算术平均" in page
    assert 'id="commend"' in page and 'id="poor"' in page
    assert "本年度尚未把脉问诊" in page  # 建国, 差 for the year, not yet diagnosed
    listing = client.get("/evaluation/periods/").content.decode()
    assert f"/evaluation/periods/annual/{year.pk}/2026/" in listing
    book = client.get(f"/evaluation/periods/annual/{year.pk}/2026/export.xlsx")
    sheet = openpyxl.load_workbook(BytesIO(book.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert "年度规则" in values[1][0]
    assert any(world["jiashun"].name in r and 89.0 in r for r in values)


def test_a_county_sees_only_its_own_villages(year, world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    client = Client()
    client.force_login(ann)
    page = client.get(f"/evaluation/periods/annual/{year.pk}/2026/").content.decode()
    assert world["jiashun"].name in page and world["baojiadian_village"].name not in page
    far = Client()
    far.force_login(factories.account("fay", ["handler"], scope_unit=world["changji_zjj"]))
    assert far.get(f"/evaluation/periods/annual/{year.pk}/2026/").status_code == 404


def test_an_annual_scheme_is_decided_by_its_annual_period(world):
    scheme = Scheme.objects.create(name="年度评定", region=world["changji"], cycle="year")
    AssessmentPeriod.objects.create(
        scheme=scheme,
        label="2026年度",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        state="published",
        results={"rows": [dict(row(world, "jiashun", 91), rank=1, grade="优秀")], "rules": "…"},
    )
    result = annual.annual(scheme, 2026)
    assert result.rule == annual.OWN and result.rows[0]["grade"] == "优秀"


def test_a_year_not_yet_whole_says_its_figures_still_move(world):
    scheme = Scheme.objects.create(name="星级评定", region=world["changji"])
    published(scheme, 3, [row(world, "jiashun", 90)])
    result = annual.annual(scheme, 2026)
    assert not result.complete and result.expected == 4
    pref = factories.account("pref", ["assessor"], scope_region=world["changji"])
    client = Client()
    client.force_login(pref)
    page = client.get(f"/evaluation/periods/annual/{scheme.pk}/2026/").content.decode()
    assert 'id="in-progress"' in page and "已发布 1 期" in page
    book = client.get(f"/evaluation/periods/annual/{scheme.pk}/2026/export.xlsx")
    title = openpyxl.load_workbook(BytesIO(book.content)).active["A1"].value
    assert "进行中" in title
