"""Issue 27, accounts from the sheet: no password in the file; a new account gets a one-time
password, by SMS (made as the message goes, never stored) or on the printable sheet; it signs
in with it once and must choose its own, under the stated policy, before anything else."""

import openpyxl
from django.test import Client

from jiceng.orgs.models import User
from jiceng.project import onboarding
from jiceng.project.onboarding import export
from jiceng.tickets import notify
from jiceng.tickets.models import Notification


def book(tmp_path, accounts):
    path = tmp_path / "上线数据.xlsx"
    export.template(path)
    wb = openpyxl.load_workbook(path)
    wb["人员"].append(["P9", "李娟", "女", "回族", "1990", "13900000009", "是", "652301004012"])
    for row in accounts:
        wb["账号"].append(row)
    wb.save(path)
    return path


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_a_printed_one_time_password_signs_in_and_must_be_changed_first(world, tmp_path):
    path = book(tmp_path, [["lijuan_js", "P9", "承办人", "", "", "是", "打印"]])
    wb = openpyxl.load_workbook(path)  # a unit scope: 嘉顺社区's unit, made by the small world
    wb["账号"]["E3"] = world["jiashun_unit"].code
    wb.save(path)
    plan, result = onboarding.apply_file(path)
    assert plan.ok, plan.problems
    [(username, name, password)] = result.passwords
    assert (username, name) == ("lijuan_js", "李娟") and len(password) == 12
    account = User.objects.get(username="lijuan_js")
    assert account.must_change_password and account.scope_unit == world["jiashun_unit"]
    assert account.role_codes() == {"handler"}

    client = Client()
    assert sign_in(client, "lijuan_js", password).status_code == 302
    work = client.get("/work/tickets/")
    assert work.status_code == 302 and work["Location"] == "/password/"
    assert client.get("/api/v1/tickets").json()["code"] == "password_change_required"
    page = client.get("/password/").content.decode()
    assert "首次登录" in page and "至少 10 位" in page
    # the policy: too short, the username, a common one are refused in words
    for weak in ("abc12345", "lijuan_js1", "password123", "1234567890"):
        refused = client.post(
            "/password/",
            {"old_password": password, "new_password1": weak, "new_password2": weak},
        )
        body = refused.content.decode()
        assert refused.status_code == 200 and 'class="errorlist"' in body
        assert "This password" not in body  # said in Chinese
    mine = "昌吉嘉顺-Light-2026"
    done = client.post(
        "/password/", {"old_password": password, "new_password1": mine, "new_password2": mine}
    )
    assert done.status_code == 302
    account.refresh_from_db()
    assert not account.must_change_password
    assert client.get("/work/tickets/").status_code == 200
    # the one-time password is spent
    assert not Client().login(username="lijuan_js", password=password)


def test_a_password_by_sms_is_made_as_the_message_goes_and_never_stored(world, tmp_path, settings):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    path = book(tmp_path, [["lijuan_js", "P9", "承办人", "", "", "是", "短信"]])
    wb = openpyxl.load_workbook(path)
    wb["账号"]["E3"] = world["jiashun_unit"].code
    wb.save(path)
    _, result = onboarding.apply_file(path)
    assert result.texted == ["lijuan_js"] and result.passwords == []
    account = User.objects.get(username="lijuan_js")
    assert not account.has_usable_password()  # nothing to sign in with until the SMS goes
    message = Notification.objects.get(kind="account_password")
    assert "{password}" in message.body and message.recipient == "13900000009"
    notify.outbox.clear()
    assert notify.send_pending(sender=notify.MemoryBackend()) == (1, 0)
    sent = notify.outbox[-1].body
    password = sent.split("临时密码 ")[1].split("，")[0]
    message.refresh_from_db()
    assert password not in message.body  # the stored body keeps the placeholder
    assert Client().login(username="lijuan_js", password=password)
    account.refresh_from_db()
    assert account.must_change_password


def test_a_county_administrator_cannot_grant_an_administrator_or_reach_outside(
    world, users, tmp_path
):
    path = book(
        tmp_path,
        [
            ["county_admin2", "P9", "管理员", "652301000000", "", "是", "打印"],
            ["far_away", "", "派单员", "652324000000", "", "是", "打印"],
        ],
    )
    city_admin = User.objects.create(username="city_admin", scope_region=world["changji_city"])
    city_admin.roles.set(["admin"])
    plan, result = onboarding.apply_file(path, city_admin)
    assert result is None
    text = [str(p) for p in plan.problems]
    assert any("账号 第 3 行（角色）" in t and "管辖范围更大的管理员" in t for t in text), text
    assert any("账号 第 4 行（管辖区划代码）" in t and "不在您的管辖范围内" in t for t in text), (
        text
    )
    assert not User.objects.filter(username__in=["county_admin2", "far_away"]).exists()
