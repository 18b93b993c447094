"""Issue 28: the demo sent nothing — every notification stayed pending, because nothing ran
the sender, and links pointed to 127.0.0.1:8000 whatever the port. `make demo` now runs
`send-notifications --every 2` beside the worker, with SITE_URL set to the host and port the
site is served on."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from jiceng import factories
from jiceng.tickets import notify
from jiceng.tickets.models import Notification

ROOT = Path(__file__).resolve().parent.parent


def test_the_sender_keeps_sending_every_few_seconds(world, monkeypatch, settings):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    notify.outbox.clear()
    factories.ticket(world["jiashun"], phone="13912345678")
    waiting = Notification.objects.filter(state=Notification.State.PENDING).count()
    assert waiting >= 1  # the receipt

    rounds = []

    def sleep(seconds):
        rounds.append(seconds)
        if len(rounds) == 2:
            raise KeyboardInterrupt  # stop the loop after two rounds

    monkeypatch.setattr("time.sleep", sleep)
    with pytest.raises(KeyboardInterrupt):
        call_command("send_notifications", "--every", "2")
    assert rounds == [2.0, 2.0]
    assert not Notification.objects.filter(state=Notification.State.PENDING).exists()
    assert len(notify.outbox) == waiting


def test_make_demo_runs_the_sender_and_links_to_its_own_host_and_port():
    demo = re.search(r"^demo:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.S | re.M)[0]
    assert "send-notifications --every" in demo
    assert "SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}" in demo
    assert "kill $$worker $$sender" in demo
