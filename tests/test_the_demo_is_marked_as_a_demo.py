"""Issue 12, part 6: real 昌吉市 villages were shown with invented star ratings and grades.
A database built by seed-demo says 演示数据 on every page, and seed-demo refuses a database
that holds real tickets."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from jiceng import factories
from jiceng.tickets.models import EngineSettings, Ticket


def test_seed_demo_refuses_a_database_with_real_tickets(world):
    factories.ticket(world["jiashun"])
    with pytest.raises(CommandError, match="已有真实工单"):
        call_command("seed_demo")
    assert Ticket.objects.count() == 1
    assert not EngineSettings.current().is_demo


def test_a_demo_database_says_so_on_every_page(world, users, login):
    assert "演示数据" not in Client().get("/").content.decode()
    EngineSettings.objects.update_or_create(pk=1, defaults={"is_demo": True})
    for page in [Client().get("/"), Client().get("/submit/"), login("erin").get("/dashboard/")]:
        assert 'id="demo-banner"' in page.content.decode()
