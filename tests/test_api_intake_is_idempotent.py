"""A client that retries with the same Idempotency-Key gets the first ticket back, never a
second one, even when the retries arrive at the same moment."""

import threading

import pytest
from django.db import connection
from django.test import Client

from jiceng import factories
from jiceng.orgs.tokens import create_token
from jiceng.tickets.models import Ticket

BODY = {"content": "楼下餐馆油烟扰民", "region_code": "652301004012"}


def post(client, key):
    return client.post(
        "/api/v1/tickets", BODY, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_retry_with_the_same_key_returns_the_same_ticket(world, login):
    ivan = login("ivan")
    first, second = post(ivan, "call-20261125-0001"), post(ivan, "call-20261125-0001")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Ticket.objects.count() == 1
    assert post(ivan, "call-20261125-0002").status_code == 201
    assert Ticket.objects.count() == 2


def test_keys_belong_to_one_client(world, users, login):
    # a second operator of the hotline centre
    other = Client()
    other.force_login(factories.account("iris", ["intake"], scope_region=world["changji_city"]))
    assert post(login("ivan"), "same-key").status_code == 201
    assert post(other, "same-key").status_code == 201
    assert Ticket.objects.count() == 2


def test_without_a_key_every_post_is_a_new_ticket(world, login):
    ivan = login("ivan")
    ivan.post("/api/v1/tickets", BODY, content_type="application/json")
    ivan.post("/api/v1/tickets", BODY, content_type="application/json")
    assert Ticket.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retries_racing_each_other_make_one_ticket(world, users):
    token = create_token(users["ivan"])
    barrier = threading.Barrier(4)
    codes = []

    def send():
        try:
            barrier.wait()
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            codes.append(post(client, "racing-key").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 200, 200, 201]
    assert Ticket.objects.count() == 1


def test_the_same_key_with_another_request_is_refused(world, login):
    """Issue 11, finding 8: a reused key with a different body got the first ticket back,
    so the second request was silently lost."""
    ivan = login("ivan")
    assert post(ivan, "call-20261203-0007").status_code == 201
    other = ivan.post(
        "/api/v1/tickets",
        {**BODY, "content": "小区门口路灯不亮"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="call-20261203-0007",
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert Ticket.objects.count() == 1
    assert post(ivan, "call-20261203-0007").status_code == 200  # the true retry still works
