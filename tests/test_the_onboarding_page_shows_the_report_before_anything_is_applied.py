"""Issue 27: the onboarding page for a prefecture's or county's administrator. The report and
exactly what applying would change are shown before anything is applied; the file is limited
to the administrator's scope; new accounts' one-time passwords are shown once, to print."""

import openpyxl
import pytest
from django.test import Client

from jiceng import factories
from jiceng.orgs.models import OnboardingRun, Unit, User
from jiceng.project.onboarding import export

ROWS = {
    "单位": [["JS-WY", "嘉顺第二物业公司", "物业服务企业", "652301004012", "", "", "", "", "是"]],
    "人员": [["P9", "李娟", "女", "回族", "1990", "13900000009", "是", "652301004012"]],
    "账号": [["lijuan_wy", "P9", "承办人", "", "JS-WY", "是", "打印", "否"]],
}


def workbook(path, rows=ROWS):
    export.template(path)
    wb = openpyxl.load_workbook(path)
    for sheet, lines in rows.items():
        for line in lines:
            wb[sheet].append(line)
    wb.save(path)
    return path


@pytest.fixture
def county_admin(world, client):
    client.force_login(factories.account("cathy", ["admin"], scope_region=world["changji_city"]))
    return client


def upload(client, path):
    with path.open("rb") as f:
        return client.post("/onboarding/", {"file": f})


def test_the_report_and_the_changes_come_first_then_the_apply(county_admin, tmp_path):
    answer = upload(county_admin, workbook(tmp_path / "上线数据.xlsx"))
    assert answer.status_code == 302 and answer["Location"] == "/onboarding/check/"
    page = county_admin.get("/onboarding/check/").content.decode()
    assert "没有问题" in page and "单位：新增 1" in page and "账号：新增 1" in page
    assert not Unit.objects.filter(code="JS-WY").exists()  # nothing applied yet
    assert not User.objects.filter(username="lijuan_wy").exists()
    checksum = page.split('name="checksum" value="')[1].split('"')[0]
    done = county_admin.post("/onboarding/apply/", {"checksum": checksum})
    text = done.content.decode()
    assert done.status_code == 200 and "账号开通单" in text and "lijuan_wy" in text
    assert Unit.objects.get(code="JS-WY").region.code == "652301004012"
    run = OnboardingRun.objects.get()
    assert run.actor.username == "cathy" and run.checksum == checksum
    # shown once: the page of the history lists the run, not the password
    listing = county_admin.get("/onboarding/").content.decode()
    assert "上线数据.xlsx" in listing and "lijuan_wy" not in listing


def test_a_county_administrator_cannot_reach_another_county(county_admin, tmp_path):
    rows = dict(ROWS)
    rows["单位"] = [["MN-1", "玛纳斯某单位", "政府部门", "652324102200", "", "", "", "", "是"]]
    upload(county_admin, workbook(tmp_path / "越界.xlsx", rows))
    page = county_admin.get("/onboarding/check/")
    text = page.content.decode()
    assert page.status_code == 422
    assert "不在您的管辖范围内" in text and 'id="apply"' not in text
    assert county_admin.post("/onboarding/apply/", {"checksum": "x"}).status_code == 302
    assert not Unit.objects.filter(code="MN-1").exists()


def test_a_file_that_is_not_a_workbook_is_refused_next_to_the_field(county_admin, tmp_path):
    bad = tmp_path / "台账.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    answer = upload(county_admin, bad)
    assert answer.status_code == 422 and ".xlsx" in answer.content.decode()


def test_the_template_and_the_export_download_within_the_scope(county_admin):
    template = county_admin.get("/onboarding/template.xlsx")
    assert template.status_code == 200
    exported = county_admin.get("/onboarding/export.xlsx")
    path = b"".join(exported.streaming_content)
    import io

    wb = openpyxl.load_workbook(io.BytesIO(path))
    codes = [row[0].value for row in wb["单位"].iter_rows(min_row=3)]
    assert codes and all(
        code
        and Unit.objects.get(code=code).region.path.startswith(
            "/650000000000/652300000000/652301000000/"
        )
        for code in codes
    )  # nothing of 玛纳斯县


def test_others_are_refused(world, users, login):
    assert login("dave").get("/onboarding/").status_code == 403  # a handler
    assert login("bob").get("/onboarding/").status_code == 403  # a community's administrator


def test_an_upload_nobody_applied_is_deleted_after_a_day(county_admin, tmp_path, settings):
    import os
    import time
    from pathlib import Path

    folder = Path(settings.VAR_DIR) / "onboarding"
    before = set(folder.glob("*.xlsx")) if folder.exists() else set()
    upload(county_admin, workbook(tmp_path / "上线数据.xlsx"))
    [old] = set(folder.glob("*.xlsx")) - before
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    other = Client()  # another administrator's upload prunes it too
    other.force_login(factories.account("dora", ["admin"], scope_region=county_admin_region()))
    upload(other, workbook(tmp_path / "第二份.xlsx"))
    assert not old.exists()


def county_admin_region():
    from jiceng.regions.models import Region

    return Region.objects.get(code="652301000000")
