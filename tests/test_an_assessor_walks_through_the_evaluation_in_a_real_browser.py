"""The evaluation half in Debian's Chromium, on a live server: an assessor sets up a
satisfaction survey and prints its codes, a resident votes on a phone (once: the code is then
worthless), the assessor finds a branch by name and records its 五个好 diagnosis, and reads the
published star period with its rules, star map and 通报 export.

Needs /usr/bin/chromium and Playwright for Python; without them this test is skipped (-rs)."""

import io
import os
from datetime import date

import pytest
from openpyxl import load_workbook

from jiceng import factories
from jiceng.evaluation import periods
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator


def published_period(ann, world):
    scheme = Scheme.objects.create(name="村（社区）党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(code="income", name="集体经济收入", kind="entered", high=50)
    SchemeIndicator.objects.create(scheme=scheme, indicator=income, weight="1")
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第一季度", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    periods.enter_value(ann, period, world["jiashun"], income, 46, "收支台账")
    periods.enter_value(ann, period, world["jianguo"], income, 20, "收支台账")
    periods.advance(ann, period, AssessmentPeriod.State.COLLECTED)
    periods.compute(ann, period)
    rui = factories.account("rui", ["assessor"], scope_region=world["changji_city"])
    periods.advance(rui, period, AssessmentPeriod.State.REVIEWED)  # separation of duties
    periods.advance(rui, period, AssessmentPeriod.State.PUBLISHED)
    return period


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_assessor_runs_a_survey_a_diagnosis_and_reads_the_period(
    world, live_server, browser, sign_in
):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    period = published_period(ann, world)
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = sign_in(desk, base, "ann")

    # A survey of 嘉顺's 两委: set up, three codes printed, voting opened.
    page.goto(f"{base}/evaluation/surveys/new/")
    with page.expect_navigation():
        page.select_option("#region", "652301004012")
    page.click("text=建立测评")
    page.fill("input[name=count]", "3")
    page.click("form[action$='/codes/'] button[type=submit]")
    codes = page.locator(".slip-code").all_inner_texts()
    assert len(codes) == 3
    page.go_back()
    page.reload()
    page.click("text=开始投票")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    resident = phone.new_page()
    for attempt in range(2):
        resident.goto(f"{base}/vote/")
        resident.fill("#id_code", codes[0])
        resident.click("main button[type=submit]")
        if attempt == 1:
            assert "已经使用" in resident.locator("#vote-error").inner_text()
            break
        for radio in resident.locator("fieldset.ballot").all():
            radio.locator("input[value='满意']").check()
        resident.click("main button[type=submit]")
        assert "投票成功" in resident.locator("h1").inner_text()

    page.reload()
    assert "已投票 1 个" in page.locator(".card").first.inner_text().replace("\n", "")

    # 把脉问诊: the branch is found by name among the county's, and every item is scored.
    page.goto(f"{base}/evaluation/diagnoses/")
    page.fill("#q", "嘉顺")
    page.click(".org-picker button[type=submit]")
    page.click(".picks a.button")
    for box in page.locator("input[type=number]").all():
        box.fill(box.get_attribute("max"))
    page.locator("input[type=text][name^=e]").first.fill("支部会议记录齐全")
    page.click("button.primary")
    assert "五个好" in page.locator("body").inner_text()

    # The published period: rules, the star map and the ranking, and the 通报 workbook.
    page.goto(f"{base}/evaluation/periods/")
    page.click(f"text={period.label}")
    body = page.locator("body").inner_text()
    assert "适用规则" in body and "同分不拆分" in body
    assert page.locator(".starmap .tile").count() == 2
    row = page.locator("tr", has_text="嘉顺社区").first.inner_text()
    assert "92" in row
    with page.expect_download() as download:
        page.click("text=导出通报（Excel）")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert any("嘉顺社区" in str(c.value) for r in sheet.iter_rows() for c in r)
    shots = os.environ.get("JICENG_SCREENSHOTS")
    if shots:
        page.screenshot(path=os.path.join(shots, "test-period.png"), full_page=True)
