"""`jiceng sweep` marks late tickets, queues one reminder each, escalates the long overdue, and
does each piece of work once however often (or however concurrently) it runs."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from jiceng import factories
from jiceng.tickets import notify, services
from jiceng.tickets.models import Notification, Ticket, TicketEvent

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, tzinfo=TZ)


def late_ticket(world, users):
    ticket = factories.ticket(world["jiashun"], at=MONDAY)
    return services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=MONDAY)


def test_a_ticket_past_its_accept_by_is_marked_and_the_unit_reminded_once(world, users):
    ticket = late_ticket(world, users)  # accept by Tuesday 10:00
    assert services.sweep(datetime(2026, 3, 3, 9, tzinfo=TZ)).overdue == 0
    first = services.sweep(datetime(2026, 3, 3, 11, tzinfo=TZ))
    again = services.sweep(datetime(2026, 3, 3, 12, tzinfo=TZ))
    assert (first.overdue, again.overdue) == (1, 0)
    assert Ticket.objects.get(pk=ticket.pk).overdue_at is not None
    assert TicketEvent.objects.filter(ticket=ticket, action="overdue").count() == 1
    reminders = Notification.objects.filter(ticket=ticket, kind="overdue")
    assert reminders.count() == 1 and reminders.get().unit == world["jiashun_unit"]


def test_accepting_late_starts_a_new_clock_for_the_reply(world, users):
    ticket = late_ticket(world, users)
    services.sweep(datetime(2026, 3, 3, 11, tzinfo=TZ))
    services.accept(users["dave"], ticket, at=datetime(2026, 3, 3, 12, tzinfo=TZ))
    assert services.sweep(datetime(2026, 3, 6, 9, tzinfo=TZ)).overdue == 0
    assert services.sweep(datetime(2026, 3, 9, 11, tzinfo=TZ)).overdue == 1  # reply by Mon 9 10:00
    clocks = list(
        TicketEvent.objects.filter(ticket=ticket, action="overdue").values_list(
            "data__clock", flat=True
        )
    )
    assert clocks == ["accept", "reply"]


def test_long_overdue_tickets_are_escalated_to_supervision(world, users):
    ticket = late_ticket(world, users)
    services.sweep(datetime(2026, 3, 3, 11, tzinfo=TZ))
    # three working days after the accept-by (Tue 10:00) is Friday 10:00
    assert services.sweep(datetime(2026, 3, 6, 9, tzinfo=TZ)).escalated == 0
    assert services.sweep(datetime(2026, 3, 6, 11, tzinfo=TZ)).escalated == 1
    assert services.sweep(datetime(2026, 3, 6, 12, tzinfo=TZ)).escalated == 0
    ticket.refresh_from_db()
    assert ticket.is_supervised and ticket.escalated_at is not None
    assert Notification.objects.filter(ticket=ticket, kind="escalate").count() == 1


def test_a_whistled_department_that_does_not_report_is_reminded_once(world, users):
    ticket = late_ticket(world, users)
    services.whistle(users["erin"], ticket, [world["changji_zjj"]], "需住建局到场", at=MONDAY)
    services.sweep(datetime(2026, 3, 3, 11, tzinfo=TZ))
    services.sweep(datetime(2026, 3, 3, 12, tzinfo=TZ))
    assert (
        Notification.objects.filter(kind="whistle_overdue", unit=world["changji_zjj"]).count() == 1
    )


def test_the_command_prints_what_it_did(world, users, capsys):
    call_command("sweep")
    assert "超时" in capsys.readouterr().out


def test_the_outbox_is_sent_once_and_a_failing_backend_keeps_the_message(world, users):
    late_ticket(world, users)  # queues a "dispatched" notification (and the receipt SMS)
    Notification.objects.exclude(kind="dispatched").delete()  # follow the one message

    class Broken:
        def send(self, notification):
            raise ConnectionError("短信网关不可用")

    assert notify.send_pending(sender=Broken()) == (0, 1)
    row = Notification.objects.get()
    assert row.state == "pending" and row.attempts == 1 and "短信网关" in row.last_error
    assert notify.send_pending(sender=notify.LogBackend()) == (0, 0)  # it waits a minute
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert notify.send_pending(sender=notify.LogBackend()) == (1, 0)
        assert notify.send_pending(sender=notify.LogBackend()) == (0, 0)
    assert Notification.objects.get().state == "sent"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_do_the_work_once(world, users):
    tickets = [late_ticket(world, users) for _ in range(5)]
    barrier = threading.Barrier(2)
    totals = []

    def run():
        try:
            barrier.wait()
            totals.append(services.sweep(datetime(2026, 3, 3, 11, tzinfo=TZ)).overdue)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(totals) == 5
    assert TicketEvent.objects.filter(ticket__in=tickets, action="overdue").count() == 5
    assert Notification.objects.filter(kind="overdue").count() == 5
