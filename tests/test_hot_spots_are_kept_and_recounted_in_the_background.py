"""The hot-spot page shows the clusters kept for the reader's scope and says when they were
counted; ten minutes on, the page still answers at once and the worker recounts them (one
recount at a time per scope and window)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jiceng import factories

PLANT = [
    ("丽发新城附近搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和灰尘太大"),
    ("投诉丽发新城搅拌站噪音", "丽发新城附近搅拌站夜间作业噪音扰民，灰尘很大"),
    ("丽发新城搅拌站灰尘污染", "丽发新城小区附近搅拌站灰尘噪音污染严重"),
]
MORE = ("丽发新城搅拌站扰民何时解决", "丽发新城附近的搅拌站噪音扰民问题何时解决")


@pytest.fixture
def queue_in_the_database(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def page(login):
    return login("erin").get("/dashboard/hotspots/", {"days": 7}).content.decode()


def test_a_kept_count_is_shown_then_recounted_by_the_worker(login, world, queue_in_the_database):
    now = timezone.now()
    for i, (t, b) in enumerate(PLANT):
        factories.ticket(world["jiashun"], title=t, content=b, at=now - timedelta(days=2 - i))
    first = page(login)
    assert "3 件" in first and f"统计于 {timezone.localtime():%m-%d}" in first
    factories.ticket(world["jiashun"], title=MORE[0], content=MORE[1], at=now)
    assert "3 件" in page(login)  # kept: counted less than ten minutes ago
    assert not DBTaskResult.objects.filter(task_path__endswith="hotspot_cache.recount").exists()

    with time_machine.travel(now + timedelta(minutes=11)):
        assert "3 件" in page(login)  # answered at once from what is kept …
        assert "3 件" in page(login)  # … and a second look queues no second recount
        queued = DBTaskResult.objects.filter(task_path__endswith="hotspot_cache.recount")
        assert queued.count() == 1
        from django.core.management import call_command

        call_command("db_worker", batch=True, startup_delay=False, interval=0.01, verbosity=0)
        assert queued.get().status == "SUCCESSFUL"
        assert "4 件" in page(login)


def test_no_residents_phone_or_name_is_kept_in_the_cache(login, world):
    from django.core.cache import cache

    from jiceng.dispatch import hotspot_cache

    now = timezone.now()
    for i, (t, b) in enumerate(PLANT):
        factories.ticket(world["jiashun"], title=t, content=b, at=now - timedelta(days=i))
    assert "3 件" in page(login)
    from jiceng.orgs.models import User

    _, clusters, _ = cache.get(hotspot_cache._key(User.objects.get(username="erin"), 7))
    kept = [t for spot in clusters for t in spot.representatives]
    assert kept and all(t.requester_phone == t.requester_name == "" for t in kept)


@pytest.fixture(autouse=True)
def worker_keeps_the_tests_connection(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
