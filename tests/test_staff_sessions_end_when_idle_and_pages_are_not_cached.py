"""Issue 11, finding 8: staff sessions end after an idle time (30 minutes by default), and
staff pages and exports are sent with Cache-Control: no-store."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone


def test_a_session_ends_after_thirty_idle_minutes_and_lives_while_used(world, users):
    client = Client()
    client.force_login(users["erin"])
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=25)):
        assert client.get("/work/tickets/").status_code == 200  # in use: moves the end on
    with time_machine.travel(start + timedelta(minutes=50)):
        assert client.get("/work/tickets/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=81)):
        answer = client.get("/work/tickets/")
        assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_staff_pages_exports_and_the_api_are_not_stored(world, users, login):
    erin = login("erin")
    for url in [
        "/work/tickets/",
        "/dashboard/",
        "/dashboard/export.xlsx?period=2026-03",
        "/api/v1/tickets",
    ]:
        answer = erin.get(url)
        assert answer.status_code == 200, url
        assert "no-store" in answer["Cache-Control"], url
