"""The work after a request is taken in, off the request path.

Intake writes the ticket, its event, its idempotency key and one task row, and answers. A
background worker (Django's task API through `django-tasks`; the database backend by default,
`jiceng worker` in `make demo` and in deploy/systemd) then runs `follow_up`:

1. the model's advice and the routed unit (the `advise` hook);
2. in one transaction, one `follow_up` step of the ticket (`transition`): the 每月一题 the
   request belongs to, the resident's receipt SMS (its tracking code), the suggestion (the
   `received` hook), and `follow_up_pending` cleared;
3. a confident auto-dispatch, through the same dispatch service and event a person's click
   makes (the `after_received` hook).

Nothing is lost when the queue stops: every ticket still to be followed up carries
`follow_up_pending`, `/healthz` counts them, and `jiceng sweep` does their follow-up itself
once they have waited `CATCH_UP_AFTER` (advice and themes, never an auto-dispatch: by then
the ticket is in a person's queue). A person can dispatch any of them by hand meanwhile.
`follow_up` runs at most once per ticket (it takes the flag under the ticket's lock), so a
task retried, or raced by the sweep, does nothing twice.

The task's path in stored queue rows may still be `jiceng.tickets.followup.follow_up` (before
this module moved into `services`): that module is an alias of this one.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

from .. import hooks, theme_match
from ..models import Channel, TextLanguage, Ticket, TicketEvent, text_for_model
from ..texts import received_text
from .base import Notice, transition

log = logging.getLogger("jiceng.followup")

CATCH_UP_AFTER = timedelta(minutes=2)
# backends whose enqueue may run inside intake's transaction: the database backend writes its
# row in it (committed or rolled back with the ticket); the immediate and dummy ones (tests)
# keep nothing outside it. Any other (Redis, RabbitMQ) is enqueued once the ticket committed.
IN_TRANSACTION = {
    "django_tasks_db.backend.DatabaseBackend",
    "django_tasks.backends.immediate.ImmediateBackend",
    "django_tasks.backends.dummy.DummyBackend",
}


@task()
def follow_up(
    ticket_id: int, suggest: bool = True, auto_dispatch: bool = True, receipt: bool = True
) -> str:
    return run(ticket_id, suggest=suggest, auto_dispatch=auto_dispatch, receipt=receipt)


def enqueue(ticket: Ticket, *, suggest: bool, auto_dispatch: bool, receipt: bool) -> None:
    """Called inside intake's transaction, after the ticket's insert."""
    backend = task_backends[follow_up.backend]
    path = f"{type(backend).__module__}.{type(backend).__qualname__}"
    args = (ticket.pk, suggest, auto_dispatch, receipt)
    if path in IN_TRANSACTION:
        follow_up.enqueue(*args)
    else:
        transaction.on_commit(lambda: _enqueue_or_log(args), robust=True)


def _enqueue_or_log(args: tuple) -> None:
    try:
        follow_up.enqueue(*args)
    except Exception:  # the queue is down: the sweep catches the ticket up
        log.exception("follow-up of ticket %s not queued; the sweep will do it", args[0])


def run(
    ticket_id: int, *, suggest: bool = True, auto_dispatch: bool = True, receipt: bool = True
) -> str:
    """Follow one ticket up. Never raises for a model or routing problem (the hooks log and
    record it); returns what was done, for the task's result and the logs."""
    ticket = (
        Ticket.objects.select_related("region", "category")
        .filter(pk=ticket_id, follow_up_pending=True)
        .first()
    )
    if ticket is None:
        return "already done"
    # A request written in Uyghur or Kazakh waits for a bilingual operator's Chinese summary
    # (`bilingual.summarize` asks the model then): advice read from words the model never
    # learned would be noise, and such a request is never dispatched by the model.
    in_chinese = ticket.text_language == TextLanguage.CHINESE
    advice = (
        hooks.call("advise", text_for_model(ticket), ticket.category, ticket.region)
        if suggest and in_chinese
        else None
    )
    with transaction.atomic():
        locked = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("region", "category", "main_unit")
            .filter(pk=ticket_id, follow_up_pending=True)
            .first()
        )
        if locked is None:  # another run took it meanwhile
            return "already done"
        ticket = locked
        linked = (
            theme_match.auto_link(ticket, ticket.received_at)
            if ticket.channel != Channel.PROACTIVE
            else []
        )
        suggestion = hooks.call("received", ticket, advice) if advice else None
        sends_receipt = bool(receipt and ticket.requester_phone)
        done = [
            "已生成派单建议" if suggestion is not None else "无派单建议",
            f"关联每月一题 {len(linked)} 个" if linked else "",
            "已发送受理短信" if sends_receipt else "",
        ]
        transition(
            ticket,
            "follow_up",
            None,
            at=timezone.now(),
            changes={"follow_up_pending": False},
            unit=None,
            reason="；".join(d for d in done if d),
            data={"themes": linked, "suggestion": suggestion is not None, "receipt": sends_receipt},
            notices=[
                Notice(
                    "resident_received",
                    "诉求已受理",
                    received_text(ticket),
                    recipient=ticket.requester_phone,
                )
                if sends_receipt
                else None
            ],
        )
    dispatched = False
    if suggestion is not None and auto_dispatch and in_chinese:
        dispatched = bool(hooks.call("after_received", ticket, suggestion, advice))
    return f"themes {len(linked)}, suggestion {suggestion is not None}, dispatched {dispatched}"


def waiting(older_than: timedelta = timedelta(0), now=None):
    """Tickets whose follow-up has not run, received more than `older_than` ago."""
    now = now or timezone.now()
    return Ticket.objects.filter(follow_up_pending=True, received_at__lt=now - older_than)


def catch_up(limit: int | None = 200, older_than: timedelta = CATCH_UP_AFTER, now=None) -> int:
    """Follow up, in this process, the tickets the queue has left waiting (the sweep calls
    it): the worker was stopped, or the queue lost a task. Their advice is stored and their
    themes linked, but none is dispatched by the model: a ticket that waited this long is in a
    person's queue. Returns how many were done."""
    done = 0
    pending = waiting(older_than, now).order_by("received_at").values_list("pk", flat=True)
    for pk in pending[:limit] if limit else pending:
        # a ticket taken in quietly (an import's history) says so on its receive event
        quiet = TicketEvent.objects.filter(ticket_id=pk, action="receive", data__receipt=False)
        try:
            if run(pk, auto_dispatch=False, receipt=not quiet.exists()) != "already done":
                done += 1
        except Exception:
            log.exception("follow-up of ticket %s failed in the sweep", pk)
    return done


KEEP_DONE = timedelta(days=1)
KEEP_FAILED = timedelta(days=30)


def prune(now=None) -> int:
    """Forget finished tasks of the database queue (a row per new ticket): successful ones after
    a day, failed ones after 30 days (their tracebacks are for whoever looks into them). The
    sweep calls it. Returns how many rows went."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    done = DBTaskResult.objects.filter(
        status="SUCCESSFUL", finished_at__lt=now - KEEP_DONE
    ) | DBTaskResult.objects.filter(status="FAILED", finished_at__lt=now - KEEP_FAILED)
    count, _ = done.delete()
    return count


def failed_recently(now=None) -> int:
    """Follow-up tasks that raised in the last day (the database queue only)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status="FAILED", task_path=follow_up.module_path, finished_at__gte=now - KEEP_DONE
    ).count()
