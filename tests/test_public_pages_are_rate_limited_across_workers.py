"""Issue 11, finding 4: /track/ gave up a phone's last 4 digits in 300 tries and /submit/ took
15 requests in half a second. Now the public pages are rate-limited on the shared cache, and
over the limit is a 429 in Chinese. (Sign-in lockout has its own test, from issue 26.)"""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from jiceng import factories

GOOD = {
    "content": "嘉顺社区3号楼暖气不热，屋里只有15度。",
    "county": "652301000000",
    "township": "652301004000",
    "village": "652301004012",
    "address": "3号楼",
    "name": "李女士",
}


def test_guessing_the_last_four_digits_of_one_code_stops_after_ten_tries(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "track_code": "10/h", "track_ip": "100/h"}
    ticket = factories.ticket(world["jiashun"], phone="13912342005")
    guesser = Client()
    answers = [
        guesser.post("/track/", {"code": ticket.tracking_code, "last4": f"{n:04d}"}).status_code
        for n in range(11)
    ]
    assert answers[:10] == [200] * 10 and answers[10] == 429
    blocked = guesser.post("/track/", {"code": ticket.tracking_code, "last4": "2005"})
    assert blocked.status_code == 429 and "操作过于频繁" in blocked.content.decode()
    # from another address, other codes still work; this code stays closed for the hour
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/track/", {"code": ticket.tracking_code, "last4": "2005"}).status_code == 429


def test_one_address_cannot_flood_the_request_form_with_rotating_phones(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit_ip": "10/h"}
    codes = [
        Client()
        .post("/submit/", {**GOOD, "phone": f"1391234{n:04d}", "address": f"{n}号楼"})
        .status_code
        for n in range(12)
    ]
    assert codes[:10] == [302] * 10 and codes[10:] == [429, 429]


def test_objections_and_votes_are_limited_per_address(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote_ip": "3/h"}
    voter = Client()
    codes = [voter.post("/vote/", {"code": f"WRONG{n}"}).status_code for n in range(4)]
    assert codes[-1] == 429
    assert voter.get("/vote/").status_code == 200  # reading the page is not limited


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counts_are_exact_when_workers_count_at_once():
    """Eight threads (each its own database connection, as workers are) add 25 hits each."""
    cache.clear()
    cache.set("hits", 0, 3600)
    errors = []

    def hit():
        try:
            for _ in range(25):
                cache.incr("hits")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cache.get("hits") == 200
    cache.clear()


def test_a_count_keeps_its_window_when_it_grows(db):
    cache.set("window", 1, 3600)
    cache.incr("window")
    from django.core.cache import caches

    from jiceng.core.cache import AtomicDatabaseCache

    assert isinstance(caches["default"], AtomicDatabaseCache)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM jiceng_cache")
        (expires,) = cursor.fetchone()
    from django.utils import timezone

    from jiceng.core.cache import _aware

    # the default timeout (300 s) would put it five minutes out; the window is an hour
    assert (_aware(expires) - timezone.now()).total_seconds() > 3000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrate_makes_the_cache_table_a_deployment_needs():
    """The test runner makes the cache table itself; a deployment has only `jiceng migrate`."""
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE jiceng_cache")
    call_command("migrate", verbosity=0)
    assert "jiceng_cache" in connection.introspection.table_names()
    cache.set("after-migrate", 1, 60)
    assert cache.get("after-migrate") == 1
