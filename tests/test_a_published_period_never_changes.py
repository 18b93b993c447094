"""A star-scheme period computes each village's score from tickets, surveys and entered
figures, with its derivation; publishing freezes it, so later edits change nothing, and a
correction is a new, linked revision."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.core.errors import ServiceError
from jiceng.evaluation import periods
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator
from jiceng.tickets import services

TZ = ZoneInfo("Asia/Shanghai")
S = AssessmentPeriod.State


@pytest.fixture
def setup(world, users):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    scheme = Scheme.objects.create(name="村（社区）党组织星级评定", region=world["jianguolu"])
    tickets = Indicator.objects.create(
        code="sanlv", name="接诉即办综合得分", kind="tickets", source="score"
    )
    income = Indicator.objects.create(
        code="income", name="集体经济收入", kind="entered", low=0, high=100, unit_label="万元"
    )
    veto = Indicator.objects.create(code="veto", name="一票否决", kind="veto")
    for indicator, weight in [(tickets, "0.6"), (income, "0.4"), (veto, "0")]:
        SchemeIndicator.objects.create(scheme=scheme, indicator=indicator, weight=weight)
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第一季度", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    at = datetime(2026, 3, 2, 10, tzinfo=TZ)
    ticket = factories.ticket(world["jiashun"], at=at)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=at)
    services.accept(users["dave"], ticket, at=at.replace(hour=11))
    services.reply(users["dave"], ticket, "已修好楼道灯", at=at.replace(day=3))
    services.callback(users["ivan"], ticket, solved=True, satisfaction="满意", at=at.replace(day=4))
    periods.enter_value(ann, period, world["jiashun"], income, 50, "2025年度村集体经济审计报告")
    return ann, period, income, veto


def rows(period):
    return {r["name"]: r for r in AssessmentPeriod.objects.get(pk=period.pk).results["rows"]}


def test_scores_carry_their_derivation(world, setup):
    ann, period, *_ = setup
    periods.advance(ann, period, S.COLLECTED)
    periods.compute(ann, period)
    jiashun = rows(period)["嘉顺社区居委会"]
    assert jiashun["score"] == round(0.6 * 100 + 0.4 * 50, 2) and jiashun["stars"] == 4
    sanlv, income = jiashun["parts"]
    assert sanlv["raw"] == 100.0 and "派单 1 件" in sanlv["source"]
    assert income["raw"] == 50.0 and "审计报告" in income["source"]
    jianguo = rows(period)["建国社区居委会"]
    assert jianguo["score"] is None and set(jianguo["missing"]) == {
        "接诉即办综合得分",
        "集体经济收入",
    }
    assert "同分不拆分" in AssessmentPeriod.objects.get(pk=period.pk).results["rules"]


def test_after_publishing_edits_change_nothing_and_a_revision_does(world, users, setup):
    ann, period, income, veto = setup
    periods.advance(ann, period, S.COLLECTED)
    periods.compute(ann, period)
    rui = factories.account("rui", ["assessor"], scope_region=world["changji_city"])
    periods.advance(rui, period, S.REVIEWED)  # not who computed it (separation of duties)
    periods.advance(rui, period, S.PUBLISHED)
    frozen = AssessmentPeriod.objects.get(pk=period.pk).results

    # the inputs change afterwards: a bad callback in the period, and a new figure
    late = factories.ticket(world["jiashun"], at=datetime(2026, 3, 10, 10, tzinfo=TZ))
    services.dispatch(
        users["erin"], late, world["jiashun_unit"], at=datetime(2026, 3, 10, 11, tzinfo=TZ)
    )
    with pytest.raises(ServiceError, match="不能录入数值；结果已发布冻结"):
        periods.enter_value(ann, period, world["jiashun"], income, 10)
    with pytest.raises(ServiceError, match="冻结"):
        periods.compute(ann, period)
    assert AssessmentPeriod.objects.get(pk=period.pk).results == frozen

    revision = periods.revise(ann, period)
    assert revision.revision_of == period and revision.values.count() == 1
    periods.enter_value(ann, revision, world["jiashun"], veto, 1, "发生重大安全事故")
    periods.advance(ann, revision, S.COLLECTED)
    periods.compute(ann, revision)
    corrected = rows(revision)["嘉顺社区居委会"]
    assert corrected["veto"] and corrected["grade"] == "差" and "一票否决" in corrected["reason"]
    assert corrected["parts"][0]["source"].startswith("工单流转记录：派单 2 件")
    assert AssessmentPeriod.objects.get(pk=period.pk).results == frozen


def test_the_steps_go_in_order_and_only_for_the_scopes_assessor(world, setup):
    ann, period, *_ = setup
    with pytest.raises(ServiceError):
        periods.advance(ann, period, S.PUBLISHED)
    far = factories.account("fay", ["assessor"], scope_region=world["manas"])
    from django.http import Http404

    with pytest.raises(Http404):
        periods.compute(far, period)


def test_the_result_page_shows_rules_grades_and_derivation_in_scope(world, setup, login):
    ann, period, *_ = setup
    periods.advance(ann, period, S.COLLECTED)
    periods.compute(ann, period)
    page = login("erin").get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "同分不拆分" in page and "嘉顺社区居委会" in page and "审计报告" in page
    assert "未评定" in page  # 建国社区 has no data
    dave = login("dave").get(f"/evaluation/periods/{period.pk}/")  # a unit scope: no periods
    assert dave.status_code == 404
    far = factories.account("fay", ["assessor"], scope_region=world["manas"])
    from django.test import Client

    client = Client()
    client.force_login(far)
    assert client.get(f"/evaluation/periods/{period.pk}/").status_code == 404
    assert period.label not in client.get("/evaluation/periods/").content.decode()


def test_the_period_exports_to_excel_within_the_scope(world, setup, login):
    from io import BytesIO

    import openpyxl

    ann, period, *_ = setup
    periods.advance(ann, period, S.COLLECTED)
    periods.compute(ann, period)
    response = login("erin").get(f"/evaluation/periods/{period.pk}/export.xlsx")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert "考评结果通报" in sheet["A1"].value
    header = [c.value for c in sheet[3]]
    assert header[:6] == ["县市", "排名", "村（社区）", "得分", "星级", "等次"]
    assert "集体经济收入" in header
    names = [r[2] for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert "嘉顺社区居委会" in names and "建国社区居委会" in names
    bob = login("bob").get(f"/evaluation/periods/{period.pk}/export.xlsx")  # 嘉顺 only
    names = [
        r[2]
        for r in openpyxl.load_workbook(BytesIO(bob.content)).active.iter_rows(
            min_row=4, values_only=True
        )
    ]
    assert names == ["嘉顺社区居委会"]


def test_the_period_page_has_a_star_map_per_county(world, setup, login):
    ann, period, *_ = setup
    periods.advance(ann, period, S.COLLECTED)
    periods.compute(ann, period)
    page = login("erin").get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "星级分布" in page and 'class="tile s4"' in page


def test_a_persons_record_shows_posts_training_and_ratings(world, login):
    from jiceng.evaluation.models import TrainingRecord

    secretary = world["jiashun_secretary"]
    TrainingRecord.objects.create(
        person=secretary, course="村党组织书记示范培训班", held_on=date(2026, 5, 10), hours=24
    )
    page = login("erin").get(f"/evaluation/people/{secretary.pk}/").content.decode()
    assert secretary.name in page and "合计 24.0 学时" in page and "书记" in page
    assert login("gina").get(f"/evaluation/people/{secretary.pk}/").status_code == 404
