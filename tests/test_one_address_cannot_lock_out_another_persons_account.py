"""Issue 26, finding 2: django-axes locked by address alone and read the address from
REMOTE_ADDR, which behind the documented nginx is 127.0.0.1 for everyone. Five wrong passwords
for `leader` from anywhere, and `dispatcher`'s right password from another address got 429:
one anonymous person could keep the whole staff side locked out.

Now both libraries read the client's address from the proxy's header, an account is locked
only for the address its wrong passwords came from, and an address that tries many accounts is
throttled by itself without locking anybody's account."""

import pytest
from django.test import Client


@pytest.fixture
def behind_nginx(settings):
    """As deploy/ runs it: every request comes from nginx on 127.0.0.1, with X-Real-IP."""
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12


def visitor(address: str) -> Client:
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=address)


def sign_in(client: Client, username: str, password: str = "test-password") -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


def test_wrong_passwords_from_one_address_lock_nobody_out_elsewhere(world, users, behind_nginx):
    attacker = visitor("203.0.113.7")
    for _ in range(5):
        sign_in(attacker, "alice", "wrong")
    # the pair (alice, this address) is locked
    locked = attacker.post("/login/", {"username": "alice", "password": "test-password"})
    assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()
    # alice herself, from her office, signs in; so does the dispatcher
    assert sign_in(visitor("198.51.100.20"), "alice") == 302
    assert sign_in(visitor("198.51.100.21"), "erin") == 302


def test_an_address_that_tries_many_accounts_is_throttled_without_locking_them(
    world, users, behind_nginx
):
    attacker = visitor("203.0.113.9")
    for name in ["alice", "bob", "carol"]:
        for _ in range(4):  # under the per-account limit each time
            sign_in(attacker, name, "wrong")
    # twelve wrong passwords from this address: it is throttled, even with a right password
    assert sign_in(attacker, "dave") == 429
    # the accounts it tried are not locked anywhere else
    for name in ["alice", "bob", "carol", "dave"]:
        assert sign_in(visitor("198.51.100.30"), name) == 302


def test_without_the_proxy_header_the_socket_address_is_used(world, users, settings):
    settings.RATELIMIT_IP_META_KEY = None
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(Client(REMOTE_ADDR="10.1.1.1"), "bob", "wrong")
    assert sign_in(Client(REMOTE_ADDR="10.1.1.1"), "bob") == 429
    assert sign_in(Client(REMOTE_ADDR="10.2.2.2"), "bob") == 302
