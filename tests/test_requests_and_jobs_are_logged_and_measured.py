"""Issue 12, part 7: one JSON log line per request and per background job, with the actor and
the ticket number but no personal data, and a Prometheus endpoint behind a token."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from jiceng import factories
from jiceng.tickets import services

PHONE = "13912342005"


def as_json(record) -> dict:
    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    return json.loads(formatter.format(record))


def test_a_staff_request_is_one_json_line_with_the_actor_and_the_ticket(world, login, caplog):
    ticket = factories.ticket(world["jiashun"], phone=PHONE)
    with caplog.at_level(logging.INFO, logger="jiceng.request"):
        assert login("erin").get(f"/work/tickets/{ticket.pk}/").status_code == 200
    (record,) = [r for r in caplog.records if r.name == "jiceng.request"]
    line = as_json(record)
    assert line["logger"] == "jiceng.request" and line["level"] == "INFO"
    assert (line["actor"], line["ticket"], line["status"]) == ("erin", ticket.number, 200)
    assert line["route"] == "work-ticket" and line["ms"] >= 0


def test_no_phone_tracking_code_or_secret_reaches_the_log(world, caplog):
    resident = Client()
    form = {
        "content": "嘉顺社区3号楼暖气不热，屋里只有15度。",
        "county": "652301000000",
        "township": "652301004000",
        "village": "652301004012",
        "phone": PHONE,
        "name": "李女士",
    }
    with caplog.at_level(logging.DEBUG):
        resident.post("/submit/", form)
        from jiceng.tickets.models import Ticket

        code = Ticket.objects.get().tracking_code
        resident.get(f"/track/{code}/")
        resident.get("/r/legacy-secret-abcdefgh/")
    text = "\n".join(json.dumps(as_json(r), ensure_ascii=False) for r in caplog.records)
    assert "/track/<code>" in text
    assert PHONE not in text and code not in text and "legacy-secret" not in text


def test_a_background_job_is_one_line_with_its_counts(world, users, caplog):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    with caplog.at_level(logging.INFO, logger="jiceng.job"):
        call_command("sweep", stdout=StringIO())
    (record,) = [r for r in caplog.records if r.name == "jiceng.job"]
    line = as_json(record)
    assert (line["job"], line["outcome"]) == ("sweep", "ok")
    assert {"overdue", "escalated", "ms"} <= set(line)


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = "scrape-secret"
    return "scrape-secret"


def test_metrics_answer_only_the_scraper_with_the_token(db, token):
    assert Client().get("/metrics").status_code == 404
    wrong = Client(HTTP_AUTHORIZATION="Bearer nope").get("/metrics")
    assert wrong.status_code == 404


def test_metrics_report_the_tickets_the_outbox_and_the_requests(world, users, login, token):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    login("erin").get("/work/tickets/")
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/metrics")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    text = answer.content.decode()
    assert 'jiceng_tickets_open{status="dispatched"} 1.0' in text
    assert "jiceng_notifications_pending" in text and "jiceng_sweep_age_seconds -1.0" in text
    assert 'jiceng_http_requests_total{method="GET",route="work-tickets",status="200"}' in text
    assert "jiceng_backup_age_seconds" in text and "jiceng_calendar_provisional_days" in text


def test_the_receipt_sms_is_logged_without_the_phone_or_the_tracking_code(world, users, caplog):
    from jiceng.tickets import notify
    from jiceng.tickets.services import Intake

    ticket, _ = services.receive(
        users["ivan"],
        Intake(
            title="暖气不热",
            content="3号楼暖气不热",
            region=world["jiashun"],
            requester_phone=PHONE,
        ),
    )
    with caplog.at_level(logging.INFO, logger="jiceng.notify"):
        notify.send_pending(sender=notify.LogBackend())
    text = caplog.text
    assert "诉求已受理" in text and "查询码 ********" in text
    assert PHONE not in text and ticket.tracking_code not in text
