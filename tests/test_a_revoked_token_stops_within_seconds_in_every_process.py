"""API requests keep their token's account, roles and scope for a few seconds per process
(`tokens.ACCOUNT_SECONDS`): a revocation, a deactivated account or a changed scope stops this
process's copy at once and every other process's within those seconds."""

from django.test import Client

from jiceng.orgs import tokens
from jiceng.orgs.models import ApiToken, User


def api(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def age_every_copy():
    """What ACCOUNT_SECONDS of waiting does to another process's copies."""
    for key, (at, value) in list(tokens.accounts._values.items()):
        tokens.accounts._values[key] = (at - tokens.ACCOUNT_SECONDS, value)


def test_an_account_switched_off_elsewhere_stops_within_the_seconds(users):
    token = tokens.create_token(users["erin"], "hotline")
    assert api(token).get("/api/v1/tickets").status_code == 200
    # another process deactivates the account: no signal reaches this one
    User.objects.filter(pk=users["erin"].pk).update(is_active=False)
    assert api(token).get("/api/v1/tickets").status_code == 200  # the copy, for a few seconds
    age_every_copy()
    assert api(token).get("/api/v1/tickets").status_code == 401


def test_a_revocation_here_stops_the_token_at_once(users):
    token = tokens.create_token(users["erin"], "hotline")
    assert api(token).get("/api/v1/tickets").status_code == 200
    tokens.revoke(ApiToken.objects.filter(user=users["erin"]))
    assert api(token).get("/api/v1/tickets").status_code == 401


def test_a_narrowed_scope_saved_here_applies_to_the_next_request(users, world):
    erin = users["erin"]
    token = tokens.create_token(erin, "hotline")
    assert api(token).get("/api/v1/regions/" + world["jianguo"].code).status_code == 200
    erin.scope_region = world["jiashun"]
    erin.save()
    assert not tokens.accounts._values  # the save cleared this process's copies
    mine = api(token).get("/api/v1/regions/" + world["jianguo"].code)
    assert mine.status_code == 404


def test_a_request_cannot_change_what_the_next_one_reads(users):
    token = tokens.create_token(users["erin"], "hotline")
    first = tokens.user_for(token)
    first.username = "changed by a request"
    first._role_codes = {"admin"}
    second = tokens.user_for(token)
    assert second.username == "erin" and second.role_codes() == {"dispatcher"}
