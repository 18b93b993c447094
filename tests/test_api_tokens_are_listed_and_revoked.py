"""Issue 11, finding 8 (tokens): an administrator lists the API tokens of their scope (name,
account, creation, last use) and revokes them in the admin or with jiceng revoke-token;
tokens are stored hashed and never shown again."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from jiceng import factories
from jiceng.orgs.models import ApiToken
from jiceng.orgs.tokens import create_token


def api(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_admin_lists_tokens_in_scope_and_revokes_them(world, users):
    ours = create_token(users["erin"], "12345 热线对接")
    theirs = create_token(
        factories.account("mona", ["dispatcher"], scope_region=world["manas"]), "玛纳斯县"
    )
    assert api(ours).get("/api/v1/tickets").status_code == 200
    row = ApiToken.objects.get(name="12345 热线对接")
    assert row.digest != ours and ours not in str(ApiToken.objects.values_list())
    cindy = Client()
    cindy.force_login(factories.account("cindy", ["admin"], scope_region=world["changji_city"]))
    listing = cindy.get("/admin/orgs/apitoken/").content.decode()
    assert "12345 热线对接" in listing and "玛纳斯县" not in listing and ours not in listing
    other = ApiToken.objects.get(name="玛纳斯县")
    assert cindy.get(f"/admin/orgs/apitoken/{other.pk}/change/").status_code == 404
    cindy.post(
        "/admin/orgs/apitoken/",
        {"action": "revoke", "_selected_action": [row.pk, other.pk]},
    )
    assert api(ours).get("/api/v1/tickets").status_code == 401
    assert api(theirs).get("/api/v1/tickets").status_code == 200  # out of scope: untouched


def test_revoke_token_by_token_prefix_or_account(world, users, capsys):
    first, second = create_token(users["erin"], "a"), create_token(users["erin"], "b")
    call_command("revoke_token", first)
    assert api(first).get("/api/v1/tickets").status_code == 401
    assert api(second).get("/api/v1/tickets").status_code == 200
    call_command("revoke_token", "--user", "erin")
    assert api(second).get("/api/v1/tickets").status_code == 401
    with pytest.raises(CommandError, match="没有找到"):
        call_command("revoke_token", "jc_nothing")
