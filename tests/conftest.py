"""The tests' small world: real places of 昌吉州 and named users with their scopes.

- alice: administrator of the whole prefecture (昌吉州)
- bob: administrator of 嘉顺社区 only
- carol: administrator of 建国社区 only (bob's neighbour)
- dave: handler scoped to the unit 嘉顺社区居委会
- erin: dispatcher of 昌吉市 (no administrator role)
"""

import pytest
from django.test import Client

from jiceng import factories


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return factories.small_world()


@pytest.fixture
def users(world):
    return {
        "alice": factories.account("alice", ["admin"], scope_region=world["changji"]),
        "bob": factories.account("bob", ["admin"], scope_region=world["jiashun"]),
        "carol": factories.account("carol", ["admin"], scope_region=world["jianguo"]),
        "dave": factories.account("dave", ["handler"], scope_unit=world["jiashun_unit"]),
        "erin": factories.account("erin", ["dispatcher"], scope_region=world["changji_city"]),
    }


@pytest.fixture
def login(users):
    def as_user(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client

    return as_user
