from jiceng.orgs.models import Role, User


def add_account(client, **fields):
    data = {
        "username": "newbie",
        "usable_password": "true",
        "password1": "Changji-2026-pass",
        "password2": "Changji-2026-pass",
        **fields,
    }
    return client.post("/admin/orgs/user/add/", data)


def test_bob_cannot_give_an_account_a_region_outside_his_community(login, world):
    response = add_account(
        login("bob"),
        scope_region=world["changji_city"].pk,
        roles=[Role.objects.get(code="admin").pk],
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_bob_cannot_make_an_account_without_a_scope(login, world):
    response = add_account(login("bob"))
    assert "请选择管辖区划或所属单位" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_bob_makes_an_account_inside_his_community(login, world):
    response = add_account(
        login("bob"),
        scope_unit=world["jiashun_unit"].pk,
        roles=[Role.objects.get(code="handler").pk],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newbie")
    assert user.scope_unit == world["jiashun_unit"]
    assert user.has_role("handler")


def test_bob_never_sees_the_superuser_switch(login, users):
    page = login("bob").get(f"/admin/orgs/user/{users['dave'].pk}/change/").content.decode()
    assert "is_superuser" not in page


def test_an_account_cannot_hold_two_scopes(login, world):
    response = add_account(
        login("alice"), scope_region=world["jiashun"].pk, scope_unit=world["jiashun_unit"].pk
    )
    assert "管辖区划与所属单位只能选其一" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_only_a_prefecture_administrator_edits_the_unit_types(login, world):
    assert login("alice").get("/admin/orgs/unittype/add/").status_code == 200
    assert login("bob").get("/admin/orgs/unittype/add/").status_code == 403
    assert login("bob").get("/admin/orgs/unittype/").status_code == 200
