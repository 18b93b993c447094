from django.test import Client


def test_the_front_page_speaks_chinese(db):
    page = Client().get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-Hans" dir="ltr">' in html
    assert "基层治理平台" in html and "接诉即办" in html


def test_the_login_page_and_a_wrong_password(db, users):
    client = Client()
    assert "工作人员登录" in client.get("/login/").content.decode()
    response = client.post("/login/", {"username": "bob", "password": "wrong"})
    assert "和密码。注意，两者都区分大小写" in response.content.decode()
    response = client.post("/login/", {"username": "bob", "password": "test-password"})
    assert response.status_code == 302


def test_the_workbench_shows_the_scope_and_what_is_in_it(login):
    html = login("bob").get("/").content.decode()
    assert "我的工作台" in html and "管理员" in html
    assert "嘉顺社区居委会及其下级" in html


def test_the_admin_is_in_chinese(login):
    html = login("alice").get("/admin/").content.decode()
    assert "基础数据管理" in html and "承办单位" in html and "行政区划" in html


def test_the_404_page_does_not_tell_whether_the_thing_exists(login, world):
    response = login("bob").get(f"/units/{world['jianguo_unit'].pk}/")
    assert response.status_code == 404
    assert "不存在，或不在您的管辖范围内" in response.content.decode()


def test_health_check(db):
    report = Client().get("/healthz").json()
    assert report["status"] == "ok"
    assert report["database"] == {"status": "ok"}
    assert report["calendar"]["days_ahead"] == 60


def test_an_administrator_signs_in_to_the_admin_without_the_staff_flag(users):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "bob", "password": "test-password"}
    )
    assert response.status_code == 302
    assert client.get("/admin/orgs/unit/").status_code == 200


def test_a_handler_is_told_why_the_admin_refuses_them(users):
    response = Client().post("/admin/login/", {"username": "dave", "password": "test-password"})
    assert response.status_code == 200
    assert "此账号没有管理员或考评员角色" in response.content.decode()
