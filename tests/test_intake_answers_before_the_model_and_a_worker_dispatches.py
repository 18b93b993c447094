"""Intake writes the ticket, its event, its key, the receipt and a task, and answers; the model's
advice and a confident auto-dispatch come from the background worker (django-tasks' database
backend and its `db_worker`), through the same dispatch service and event. When the worker is
stopped nothing is lost: `/healthz` says tickets wait, and the sweep catches them up."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jiceng import factories
from jiceng.dispatch.models import DispatchSettings, Suggestion
from jiceng.orgs.tokens import create_token
from jiceng.tickets import followup, services
from jiceng.tickets.models import Notification, Ticket, TicketEvent

LAMP = "小区楼道路灯坏了，物业一直不来维修，晚上出行很不安全"


@pytest.fixture
def queue_in_the_database(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def sure_model(dispatch_model):
    config = DispatchSettings.current()
    config.auto_dispatch, config.threshold = True, Decimal("0.5")
    config.save()
    return dispatch_model


def take_in(client, token, world, key="k1"):
    return client.post(
        "/api/v1/tickets",
        {
            "title": "路灯坏了",
            "content": LAMP,
            "region_code": world["jiashun"].code,
            "requester_phone": "13800138000",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.fixture(autouse=True)
def worker_keeps_the_tests_connection(monkeypatch):
    """The worker closes stale connections between tasks; inside a test's transaction that
    would close the test's own."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def work_the_queue():
    call_command("db_worker", batch=True, startup_delay=False, interval=0.01, verbosity=0)


def test_intake_answers_without_reading_the_model_or_the_themes(
    client, world, users, sure_model, queue_in_the_database
):
    token = create_token(users["ivan"], "hotline")
    with CaptureQueriesContext(connection) as queries:
        answer = take_in(client, token, world)
    assert answer.status_code == 201 and answer.json()["status"] == "received"
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "dispatch_" not in touched and "tickets_theme" not in touched
    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert ticket.follow_up_pending and not Suggestion.objects.filter(ticket=ticket).exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "jiceng.tickets.services.followup.follow_up"
    assert queued.args_kwargs["args"] == [ticket.pk, True, True, True]
    assert not Notification.objects.exists()  # the receipt comes with the follow-up


def test_the_worker_dispatches_a_sure_request_through_the_dispatch_service(
    client, world, users, sure_model, queue_in_the_database
):
    token = create_token(users["ivan"], "hotline")
    ticket = Ticket.objects.get(pk=take_in(client, token, world).json()["id"])
    work_the_queue()
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and not ticket.follow_up_pending
    assert ticket.main_unit == world["jiashun_unit"]
    event = TicketEvent.objects.get(ticket=ticket, action="dispatch")
    assert event.actor_label == "智能派单" and event.data["auto"] is True
    assert Suggestion.objects.get(ticket=ticket).auto_dispatched
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_task_run_twice_does_its_work_once(world, sure_model, queue_in_the_database):
    ticket = factories.ticket(world["jiashun"], title="路灯坏了", content=LAMP)
    assert followup.run(ticket.pk).endswith("dispatched True")
    assert followup.run(ticket.pk) == "already done"
    assert TicketEvent.objects.filter(ticket=ticket, action="dispatch").count() == 1
    assert Suggestion.objects.filter(ticket=ticket).count() == 1


def test_a_rolled_back_intake_leaves_no_task(world, users, sure_model, queue_in_the_database):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        factories.ticket(world["jiashun"], title="路灯坏了", content=LAMP)
        raise RuntimeError("the intake's transaction fails after the insert")
    assert not Ticket.objects.exists() and not DBTaskResult.objects.exists()


def test_with_the_worker_stopped_health_warns_and_the_sweep_catches_up_without_dispatching(
    client, world, users, sure_model, queue_in_the_database
):
    ticket = factories.ticket(world["jiashun"], title="路灯坏了", content=LAMP)
    assert client.get("/healthz").json()["follow_up"]["status"] == "ok"  # just taken in
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        health = client.get("/healthz").json()["follow_up"]
        assert health["status"] == "warn" and health["waiting"] == 1
        assert health["oldest_waiting_seconds"] >= 240
        services.sweep()
        assert client.get("/healthz").json()["follow_up"] == {
            "status": "ok",
            "waiting": 0,
            "oldest_waiting_seconds": 0,
            "failed_last_day": 0,
        }
    ticket.refresh_from_db()
    assert not ticket.follow_up_pending and ticket.status == "received"  # a person dispatches
    assert Suggestion.objects.get(ticket=ticket).unit == world["jiashun_unit"]
    work_the_queue()  # the worker comes back: its task finds the work done
    assert not TicketEvent.objects.filter(ticket=ticket, action="dispatch").exists()


def test_the_receipt_waits_for_the_follow_up_and_history_gets_none(world, queue_in_the_database):
    asked = factories.ticket(world["jiashun"], title="路灯坏了", content=LAMP)
    with services.as_system("台账导入", notify=False):
        history = factories.ticket(world["jiashun"], title="去年的诉求", content=LAMP)
    assert not Notification.objects.exists()  # intake itself writes no message
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert services.sweep().followed_up == 2
    receipts = Notification.objects.filter(kind="resident_received")
    assert [n.ticket for n in receipts] == [asked]
    assert asked.tracking_code in receipts.get().body
    assert not Ticket.objects.filter(pk=history.pk, follow_up_pending=True).exists()


def test_finished_tasks_are_pruned_and_a_failed_one_is_reported(
    client, world, sure_model, queue_in_the_database, monkeypatch
):
    from jiceng.tickets import theme_match

    ticket = factories.ticket(world["jiashun"], title="路灯坏了", content=LAMP)
    work_the_queue()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    # a task that raises (a broken part of the follow-up, say) is kept and reported
    def broken(*args, **kwargs):
        raise RuntimeError("themes table unreadable")

    monkeypatch.setattr(theme_match, "auto_link", broken)
    Ticket.objects.filter(pk=ticket.pk).update(follow_up_pending=True)
    followup.follow_up.enqueue(ticket.pk, True, True, True)
    work_the_queue()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    health = client.get("/healthz").json()["follow_up"]
    assert health["status"] == "warn" and health["failed_last_day"] == 1
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert services.sweep().tasks_pruned == 1  # the successful one; the failure stays
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"]


def test_a_task_stored_under_the_old_path_still_runs(world, sure_model, queue_in_the_database):
    """Queues deployed before the follow-up moved into `services` hold rows whose path is
    `jiceng.tickets.followup.follow_up`: the alias module resolves them to the same task."""
    ticket = factories.ticket(world["jiashun"], title="路灯坏了", content=LAMP)
    DBTaskResult.objects.update(task_path="jiceng.tickets.followup.follow_up")
    work_the_queue()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert not Ticket.objects.filter(pk=ticket.pk, follow_up_pending=True).exists()
    step = TicketEvent.objects.get(ticket=ticket, action="follow_up")
    assert step.data["suggestion"] is True and step.actor_label == "系统"
