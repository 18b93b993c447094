"""Issue 28, finding 8: 计算 was offered while the period was still 录入中 and scored 136 villages
while 26 had no income figure and every veto was blank, the missing indicators silently
rescaled; 发布（结果冻结）, which decides cadres' careers, took one click. Now: 计算 needs 已收齐,
or is an explicit 试算 marked as not final on the page and in the export; before computing the
page lists the missing values by village and indicator and the assessor chooses how they are
treated; 发布 shows what it freezes and asks for confirmation."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiceng import factories
from jiceng.core.errors import ServiceError
from jiceng.evaluation import periods
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator

S = AssessmentPeriod.State


@pytest.fixture
def period(world):
    scheme = Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(
        code="income", name="集体经济收入", kind="entered", low=0, high=100
    )
    hours = Indicator.objects.create(code="hours", name="培训学时", kind="entered", high=10)
    veto = Indicator.objects.create(code="veto", name="一票否决", kind="veto")
    for indicator, weight in [(income, "0.5"), (hours, "0.5"), (veto, "0")]:
        SchemeIndicator.objects.create(scheme=scheme, indicator=indicator, weight=weight)
    made = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    # 嘉顺 has both figures; 建国 only its income; nobody filled the veto
    periods.enter_value(ann, made, world["jiashun"], income, 80, "财务报表")
    periods.enter_value(ann, made, world["jiashun"], hours, 5, "签到表")
    periods.enter_value(ann, made, world["jianguo"], income, 40, "财务报表")
    return made


def client_of(world, name):
    user = factories.account(name, ["assessor"], scope_region=world["changji_city"])
    client = Client()
    client.force_login(user)
    return client


def test_an_open_period_is_not_computed_only_tried(world, period):
    ann = factories.account("ann2", ["assessor"], scope_region=world["changji_city"])
    with pytest.raises(ServiceError, match="数据尚未收齐"):
        periods.compute(ann, period, missing_policy="rescale")
    tried = periods.compute(ann, period, missing_policy="zero", trial=True)
    assert tried.state == S.OPEN and tried.results["trial"] is True
    with pytest.raises(ServiceError):  # a trial cannot be reviewed
        periods.advance(ann, tried, S.REVIEWED)
    with pytest.raises(ValidationError):
        periods.compute(ann, tried, missing_policy="guess", trial=True)


def test_the_missing_values_are_listed_by_village_and_indicator(period, world):
    missing = periods.missing_values(period)
    assert missing["count"] == 1 and missing["vetoes_blank"] == 2
    jianguo = next(v for v in missing["villages"] if v["code"] == world["jianguo"].code)
    assert jianguo["lacking"] == ["培训学时"] and jianguo["vetoes"] == ["一票否决"]
    assert dict(missing["by_indicator"]) == {"培训学时": 1, "一票否决": 2}


def test_the_page_asks_how_missing_values_are_treated_before_computing(world, period):
    ann = client_of(world, "ann3")
    page = ann.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "试算（数据尚未收齐）" in page and "培训学时：1 个村（社区）缺" in page
    assert 'name="missing" value="rescale" required' in page
    assert 'value="compute"' not in page  # 计算 waits for 已收齐
    refused = ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": "trial"}, follow=True)
    assert "请先选择缺项的处理方式" in refused.content.decode()
    ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": "trial", "missing": "zero"})
    period.refresh_from_db()
    assert period.state == S.OPEN and period.results["trial"] is True
    assert period.results["missing_policy_code"] == "zero"
    jianguo = next(r for r in period.results["rows"] if r["region"] == world["jianguo"].code)
    assert jianguo["score"] == 20.0  # 40 × 0.5, the training hours counted as 0
    page = ann.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "试算，非最终结果" in page
    sheet = openpyxl.load_workbook(
        BytesIO(ann.get(f"/evaluation/periods/{period.pk}/export.xlsx").content)
    ).active
    assert "试算，非最终结果" in sheet["A1"].value and "不得用于通报" in sheet["A2"].value


def test_publishing_shows_what_it_freezes_and_waits_for_a_yes(world, period):
    ann, rui = client_of(world, "ann4"), client_of(world, "rui4")
    act = f"/evaluation/periods/{period.pk}/act/"
    ann.post(act, {"action": "collect"})
    ann.post(act, {"action": "compute", "missing": "rescale"})
    rui.post(act, {"action": "review"})
    first = rui.post(act, {"action": "publish"})
    assert first.status_code == 302 and first["Location"].endswith("?confirm=publish#confirm")
    period.refresh_from_db()
    assert period.state == S.REVIEWED  # nothing frozen on one click
    page = rui.get(first["Location"]).content.decode()
    assert "确认发布：结果将冻结" in page and "将冻结 2 个村（社区）" in page
    assert "缺数据的处理：缺数据的指标不计分，其余指标按权重比例折算" in page
    rui.post(act, {"action": "publish", "confirm": "1"})
    period.refresh_from_db()
    assert period.state == S.PUBLISHED and period.results["trial"] is False


def test_the_stars_and_the_361_grade_are_said_to_be_different_measures(world, period):
    ann = client_of(world, "ann5")
    ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": "trial", "missing": "rescale"})
    page = ann.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "两者是不同的尺度" in page
    assert ">嘉顺社区居委会</span>" in page  # the star map names each place in full
