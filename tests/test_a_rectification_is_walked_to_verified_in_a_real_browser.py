"""In Chromium: an assessor diagnoses 嘉顺社区's branch with one weak dimension; its secretary,
on a phone, opens the 整改清单 item, reports it done with the evidence; the assessor sends it
back once, the secretary reports again, and the assessor verifies it: the diagnosis is
整改完成 and its record tells every step."""

import os

import pytest

from jiceng import factories
from jiceng.evaluation.models import Diagnosis, Rectification


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rectification_from_diagnosis_to_verified(world, live_server, browser, sign_in):
    factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    factories.account(
        "sec", ["grid_worker"], scope_region=world["jiashun"], who=world["jiashun_secretary"]
    )
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = sign_in(desk, base, "ann")

    # 把脉问诊: full marks but 班子好 at 70 % of each item's points (below its 80 % line)
    page.goto(f"{base}/evaluation/diagnoses/new/?org={world['jiashun_branch'].pk}")
    first = page.locator("section, fieldset").first
    for box in page.locator("input[type=number]").all():
        box.fill(box.get_attribute("max"))
    for box in first.locator("input[type=number]").all():
        box.fill(str(round(float(box.get_attribute("max")) * 0.7, 1)))
    page.click("button.primary")
    assert "四个好" in page.locator("#grade").inner_text()
    assert page.locator("#rectifications article").count() >= 1
    assert "各项均达标" not in page.locator("body").inner_text()
    diagnosis = Diagnosis.objects.get()
    item = Rectification.objects.get(diagnosis=diagnosis)

    # the secretary, on a phone, reports the item done
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    mine = sign_in(phone, base, "sec")
    mine.goto(f"{base}/evaluation/diagnoses/{diagnosis.pk}/")
    row = mine.locator(f"#r{item.pk}")
    row.locator("textarea[name=evidence]").fill("已召开支委会明确分工，补齐换届资料并报街道备案")
    row.locator("button", has_text="报整改完成").click()
    assert "已报完成" in mine.locator(f"#r{item.pk} .state").inner_text()

    # the assessor sends it back once, with the reason
    page.reload()
    row = page.locator(f"#r{item.pk}")
    row.locator("input[name=reason]").fill("备案回执未上传，请补充")
    row.locator("button", has_text="退回重新整改").click()
    assert "备案回执未上传" in page.locator(f"#r{item.pk}").inner_text()

    # reported again, then verified
    mine.reload()
    row = mine.locator(f"#r{item.pk}")
    assert "退回：备案回执未上传" in row.inner_text()
    row.locator("textarea[name=evidence]").fill("已上传街道备案回执，并在支委会上通报整改情况")
    row.locator("button", has_text="报整改完成").click()
    page.reload()
    page.locator(f"#r{item.pk} button", has_text="核验通过").click()
    assert "已核验" in page.locator(f"#r{item.pk} .state").inner_text()
    body = page.locator("body").inner_text()
    assert "整改完成" in body and "办理记录" in body
    assert Diagnosis.objects.get(pk=diagnosis.pk).state == "rectified"
    assert [e.action for e in item.events.order_by("id")] == [
        "report",
        "send_back",
        "report",
        "verify",
    ]
    shots = os.environ.get("JICENG_SCREENSHOTS")
    if shots:
        mine.screenshot(path=os.path.join(shots, "test-rectification-phone.png"), full_page=True)
        page.screenshot(path=os.path.join(shots, "test-rectification.png"), full_page=True)
