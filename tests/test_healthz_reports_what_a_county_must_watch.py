"""Issue 12, part 7 (the probe): /healthz answers JSON with English keys for the database,
the calendar, the dispatch model, the notification backlog, the last sweep and the disk."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import Notification


def health():
    return Client().get("/healthz").json()


def test_every_part_is_reported(db):
    report = health()
    assert report["status"] == "ok"
    assert set(report) >= {"database", "calendar", "model", "notifications", "sweep", "disk"}
    assert report["model"]["status"] == "warn"  # no model trained: intake goes on without it
    assert report["disk"]["free_bytes"] > 0


def test_a_sweep_that_stopped_and_a_stuck_outbox_are_warnings(world, users):
    assert health()["sweep"] == {"status": "warn", "last_run": None, "seconds_ago": None}
    services.sweep()
    assert health()["sweep"]["status"] == "ok"
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])  # queues a message
    assert health()["notifications"]["pending"] >= 1
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        later = health()
        assert later["sweep"]["status"] == "warn"
        assert later["notifications"]["status"] == "warn"
        assert later["notifications"]["oldest_pending_seconds"] >= 20 * 60
    Notification.objects.update(state="failed")
    assert health()["notifications"]["failed"] >= 1


def test_a_missing_or_old_backup_is_a_warning(db, settings, tmp_path):
    import os

    settings.BACKUP_DIR = tmp_path / "backups"
    assert health()["backup"]["status"] == "warn"
    settings.BACKUP_DIR.mkdir()
    archive = settings.BACKUP_DIR / "jiceng-backup-20261201-023000-000000.tar.gz"
    archive.write_bytes(b"x")
    assert health()["backup"]["status"] == "ok"
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(archive, (two_days_ago, two_days_ago))
    report = health()["backup"]
    assert report["status"] == "warn" and report["age_hours"] >= 47


def test_an_outsider_reads_only_ok_or_error(db, settings):
    """Issue 26, finding 6: anonymously /healthz showed the queue sizes, free disk, the last
    backup and the 双语 queue. Only this machine and a monitor with the token read them now."""
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.HEALTHZ_TOKEN = "monitor-secret-2026"
    outsider = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5")
    assert outsider.get("/healthz").json() == {"status": "ok"}
    wrong = outsider.get("/healthz", HTTP_AUTHORIZATION="Bearer guess").json()
    assert wrong == {"status": "ok"}
    monitor = outsider.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-secret-2026").json()
    assert "disk" in monitor and "backup" in monitor and "bilingual" in monitor
    local = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="127.0.0.1").get("/healthz").json()
    assert "follow_up" in local
