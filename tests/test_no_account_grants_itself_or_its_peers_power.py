"""Issue 26, finding 5: a county administrator posted its own account's change form with the
roles admin, assessor, leader, dispatcher, intake and supervisor, and they were saved. From there
it could record callbacks, merge, and create a second assessor to get around the separation of
duties.

Now no account changes its own roles or scope; granting 管理员 or 考评员 needs an administrator
of a wider scope; and every change of roles or scope is an audited entry listed on the
account's page."""

import pytest

from jiceng import factories
from jiceng.orgs.models import Role, User

ALL = ["admin", "assessor", "leader", "dispatcher", "intake", "supervisor"]


def roles(*codes):
    return [r.pk for r in Role.objects.filter(code__in=codes)]


def change(client, account, **fields):
    data = {
        "username": account.username,
        "person": account.person_id or "",
        "roles": roles(*account.role_codes()),
        "scope_region": account.scope_region_id or "",
        "scope_unit": account.scope_unit_id or "",
        "is_active": "on",
        **fields,
    }
    return client.post(f"/admin/orgs/user/{account.pk}/change/", data)


def add(client, **fields):
    data = {
        "username": "newbie",
        "usable_password": "true",
        "password1": "Changji-2026-pass",
        "password2": "Changji-2026-pass",
        **fields,
    }
    return client.post("/admin/orgs/user/add/", data)


@pytest.fixture
def county_admin(world):
    return factories.account("kang", ["admin"], scope_region=world["changji_city"])


def as_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_cannot_give_itself_roles(county_admin):
    answer = change(as_client(county_admin), county_admin, roles=roles(*ALL))
    assert answer.status_code == 200
    assert "不能修改自己账号的角色" in answer.content.decode()
    assert User.objects.get(pk=county_admin.pk).role_codes() == {"admin"}


def test_an_administrator_cannot_widen_its_own_scope(county_admin, world):
    answer = change(as_client(county_admin), county_admin, scope_region=world["jianguolu"].pk)
    assert "不能修改自己账号的" in answer.content.decode()
    assert User.objects.get(pk=county_admin.pk).scope_region == world["changji_city"]


def test_a_county_administrator_cannot_make_a_second_assessor_of_its_county(county_admin, world):
    answer = add(
        as_client(county_admin), scope_region=world["changji_city"].pk, roles=roles("assessor")
    )
    assert "须由管辖范围更大的管理员授予" in answer.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    # nor turn an existing account of its county into an administrator
    ivan = factories.account("ivan2", ["intake"], scope_region=world["changji_city"])
    change(as_client(county_admin), ivan, roles=roles("intake", "admin"))
    assert User.objects.get(pk=ivan.pk).role_codes() == {"intake"}


def test_a_wider_administrator_grants_them_and_it_is_audited(county_admin, world, users):
    prefecture = users["alice"]
    answer = add(
        as_client(prefecture), scope_region=world["changji_city"].pk, roles=roles("assessor")
    )
    assert answer.status_code == 302, answer.content.decode()[:1500]
    made = User.objects.get(username="newbie")
    assert made.role_codes() == {"assessor"}
    # a county administrator may grant the lesser roles inside its county
    ivan = factories.account("ivan2", ["intake"], scope_region=world["changji_city"])
    assert (
        change(as_client(county_admin), ivan, roles=roles("intake", "dispatcher")).status_code
        == 302
    )
    assert User.objects.get(pk=ivan.pk).role_codes() == {"intake", "dispatcher"}
    # and an administrator of the county may be made for a township below it
    town = factories.account("tao", ["handler"], scope_region=world["jianguolu"])
    assert change(as_client(county_admin), town, roles=roles("handler", "admin")).status_code == 302
    page = as_client(prefecture).get(f"/admin/orgs/user/{ivan.pk}/change/").content.decode()
    assert "角色与管辖范围变更" in page and "受理员 → 受理员、派单员" in page
    assert "kang" in page
