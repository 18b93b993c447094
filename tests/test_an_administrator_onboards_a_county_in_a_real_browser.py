"""Issue 27, in Debian's Chromium: a county administrator opens 上线数据 from the menu, uploads
a workbook, reads the check and what applying would change, applies it, and gets the sheet of
one-time passwords to print; 上线检查 then lists what the county still lacks."""

import os
from pathlib import Path

import openpyxl
import pytest

from jiceng import factories
from jiceng.orgs.models import Unit
from jiceng.project.onboarding import export


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_county_administrator_checks_then_applies_a_workbook(
    world, live_server, browser, tmp_path
):
    factories.account("cathy", ["admin"], scope_region=world["changji_city"])
    path = tmp_path / "上线数据.xlsx"
    export.template(path)
    wb = openpyxl.load_workbook(path)
    wb["单位"].append(
        ["JS-WY", "嘉顺第二物业公司", "物业服务企业", "652301004012", "", "", "", "", "是"]
    )
    wb["人员"].append(["P9", "李娟", "女", "回族", "1990", "13900000009", "是", "652301004012"])
    wb["账号"].append(["lijuan_wy", "P9", "承办人", "", "JS-WY", "是", "打印", "否"])
    wb.save(path)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "cathy")
    page.fill("#id_password", "test-password")
    page.click("main button[type=submit]")
    page.click("nav >> text=上线数据")
    page.set_input_files("#id_file", str(path))
    page.click("main button[type=submit]")
    page.wait_for_selector("#would")
    assert "单位：新增 1" in page.inner_text("#would")
    assert not Unit.objects.filter(code="JS-WY").exists()
    shots = Path(os.environ.get("JICENG_SCREENSHOTS") or tmp_path)
    page.screenshot(path=shots / "onboarding-check.png", full_page=True)
    page.click("#apply")
    page.wait_for_selector("#passwords")
    assert "lijuan_wy" in page.inner_text("#passwords")
    page.screenshot(path=shots / "onboarding-done.png", full_page=True)
    assert Unit.objects.filter(code="JS-WY").exists()
    page.click("text=上线检查")
    page.wait_for_selector("#golive-items")
    assert "上线检查：昌吉市" in page.inner_text("main h1")
    page.screenshot(path=shots / "golive.png", full_page=True)
    context.close()
