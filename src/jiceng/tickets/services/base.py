"""The machinery every ticket change shares: the row lock and table check, the one
`transition` that writes a step (the new status from the table, the changed fields, the event
row and the outbox), and signing changes made by the system itself."""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from jiceng.core.errors import ServiceError
from jiceng.core.text import clean_text
from jiceng.orgs import access as org_access
from jiceng.orgs.models import Unit, User

from .. import access, states
from ..models import (
    InboxItem,
    Notification,
    Ticket,
    TicketEvent,
)
from ..rates import rollup
from ..states import ASSIGNING


class Conflict(ServiceError):
    status = 409


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


_system_label: ContextVar[str] = ContextVar("system_label", default="系统")
_notifications_on: ContextVar[bool] = ContextVar("notifications_on", default=True)


@contextmanager
def as_system(label: str, *, notify: bool = True):
    """Changes made without an actor inside this block are signed `label` (such as 台账导入);
    with `notify=False` they queue no notifications (history is not news)."""
    label_token, notify_token = _system_label.set(label), _notifications_on.set(notify)
    try:
        yield
    finally:
        _system_label.reset(label_token)
        _notifications_on.reset(notify_token)


def _label(actor) -> str:
    if actor is None:
        return _system_label.get()
    return str(actor)


def _event(
    ticket: Ticket,
    action: str,
    actor,
    old: str,
    *,
    at,
    unit=None,
    due_at=None,
    reason: str = "",
    data: dict | None = None,
    actor_label: str = "",
) -> TicketEvent:
    answer = data or {}
    is_callback = action == "callback"
    event = TicketEvent.objects.create(
        solved=answer.get("solved") if is_callback else None,
        satisfaction=answer.get("satisfaction", "") if is_callback else "",
        counted=answer.get("counted", True) is not False if is_callback else True,
        by_resident=bool(answer.get("by_resident")) if is_callback else False,
        ticket=ticket,
        action=action,
        actor=actor,
        # the column holds 60 characters; a long key name or username must not overflow it
        actor_label=(actor_label or _label(actor))[:60],
        at=at,
        from_status=old,
        to_status=ticket.status,
        unit=unit,
        due_at=due_at,
        reason=reason,
        data=data or {},
    )
    _derive(event)
    return event


def _derive(event: TicketEvent) -> None:
    """Keep the derived columns of the ticket's earlier events true (see `TicketEvent`): a new
    assignment or counted callback supersedes the earlier ones; an accept marks the assignment it
    answers. The months whose 三率 this changes get a new rollup token (`rollup.invalidate`)."""
    earlier = TicketEvent.objects.filter(ticket_id=event.ticket_id, id__lt=event.id)
    kinds = ASSIGNING if event.action in ASSIGNING else {"callback"}
    changed: list = []
    # a callback that does not count (provenance) supersedes nothing: the last answer that
    # counts stays the one the 三率 read
    if event.action in ASSIGNING or (event.action == "callback" and event.counted):
        superseded = earlier.filter(action__in=kinds).filter(
            Q(superseded_at__isnull=True) | Q(superseded_at__gt=event.at)
        )
        changed = [event.at, *superseded.values_list("at", flat=True)]
        superseded.update(superseded_at=event.at)
    elif event.action == "accept" and event.unit_id is not None:
        answered = earlier.filter(action__in=ASSIGNING, unit_id=event.unit_id).filter(
            Q(accepted_at__isnull=True) | Q(accepted_at__gt=event.at)
        )
        changed = list(answered.values_list("at", flat=True))
        answered.update(accepted_at=event.at)
    elif event.action in ("return", "reject_return"):  # pending while a ruling is awaited
        changed = list(
            earlier.filter(action__in=ASSIGNING, superseded_at__isnull=True).values_list(
                "at", flat=True
            )
        )
    # the dashboard's breakdowns by received and reply month read the ticket itself: any event
    # of a ticket may change them (its unit, category, replies, deadlines)
    moments = [*changed, event.at, event.ticket.received_at]
    if event.action != "receive":  # a new ticket has no replies yet
        replies = TicketEvent.objects.filter(ticket_id=event.ticket_id, action="reply")
        moments += replies.values_list("at", flat=True)
    rollup.invalidate(moments)


def _notify(
    kind: str,
    ticket: Ticket | None,
    subject: str,
    body: str,
    *,
    unit=None,
    recipient: str = "",
    dedupe_key: str | None = None,
    users=(),
    link: str = "",
) -> bool:
    """Queue one message (False when notifications are off, or its dedupe key was used, or
    the same message to the same unit was queued within the hour)."""
    if not _notifications_on.get():
        return False
    if dedupe_key and (
        Notification.objects.filter(dedupe_key=dedupe_key).exists()
        or InboxItem.objects.filter(dedupe_key=dedupe_key).exists()
    ):
        return False
    if unit is not None and not recipient and _repeated(kind, ticket, unit, body):
        return False
    if unit is not None or recipient:
        Notification.objects.create(
            kind=kind,
            ticket=ticket,
            unit=unit,
            recipient=recipient,
            subject=subject,
            body=body,
            dedupe_key=dedupe_key,
        )
    # staff read it in their inbox: every active account of the unit, and those named
    readers = {u.pk for u in users}
    if unit is not None:
        readers |= set(
            User.objects.filter(scope_unit=unit, is_active=True).values_list("pk", flat=True)
        )
    if not unit and readers:  # named readers alone: not twice while the first is unread
        readers -= set(
            InboxItem.objects.filter(
                user_id__in=readers, ticket=ticket, kind=kind, subject=subject, read_at=None
            ).values_list("user_id", flat=True)
        )
    InboxItem.objects.bulk_create(
        [
            InboxItem(
                user_id=pk,
                ticket=ticket,
                kind=kind,
                subject=subject,
                body=body,
                link=link,
                dedupe_key=dedupe_key or "",
            )
            for pk in sorted(readers)
        ]
    )
    return True


def _repeated(kind: str, ticket, unit, body: str) -> bool:
    """The unit's last message about this ticket, within the hour, says exactly this (a
    reminder raced, a form sent twice): it is not said again. Anything said in between (taken
    back, then assigned again) makes it news."""
    last = (
        Notification.objects.filter(ticket=ticket, unit=unit, recipient="")
        .order_by("-id")
        .values("kind", "body", "created_at")
        .first()
    )
    return bool(
        last
        and last["kind"] == kind
        and last["body"] == body
        and last["created_at"] >= timezone.now() - timedelta(hours=1)
    )


def _send(ticket: Ticket | None, notice: "Notice") -> bool:
    return _notify(
        notice.kind,
        ticket,
        notice.subject,
        notice.body,
        unit=notice.unit,
        recipient=notice.recipient,
        dedupe_key=notice.dedupe_key,
        users=notice.users,
        link=notice.link,
    )


@dataclass(frozen=True)
class Notice:
    """A message a step sends: to a unit (its outbox row, and each of its accounts' inbox), to
    a resident's phone, or to named staff accounts (their inbox)."""

    kind: str
    subject: str
    body: str
    unit: Unit | None = None
    recipient: str = ""
    dedupe_key: str | None = None
    users: tuple = ()
    link: str = ""  # for a message not about a ticket: where the inbox leads


# `transition(unit=MAIN_UNIT)`: the event is the ticket's main unit's (the usual case)
MAIN_UNIT = object()


def transition(
    ticket: Ticket,
    action: str,
    actor,
    *,
    at: datetime,
    changes: dict | None = None,
    outcome: str | None = None,
    unit=MAIN_UNIT,
    due_at=None,
    reason: str = "",
    data: dict | None = None,
    actor_label: str = "",
    notices: Iterable[Notice | None] = (),
) -> TicketEvent:
    """Write one step of `ticket`, already locked and checked (`_lock`): the status the table
    gives `action` (with `outcome` where the step decides between two), the fields in
    `changes`, `updated_at`, one `TicketEvent` with its derived columns, and `notices` in the
    outbox. The caller's transaction holds them all. Every ticket service writes through here
    and nowhere else (tests/test_every_ticket_change_goes_through_one_transition.py).

    `receive` records a ticket just created: it is not saved again, and its event starts from
    no state."""
    changes = changes or {}
    old = "" if action == "receive" else ticket.status
    for name, value in changes.items():
        setattr(ticket, name, value)
    if action != "receive":
        fields = {*changes, "updated_at"}
        ticket.status = states.target(action, old, outcome)
        if ticket.status != old:
            fields.add("status")
        ticket.save(update_fields=sorted(fields))
    event = _event(
        ticket,
        action,
        actor,
        old,
        at=at,
        unit=ticket.main_unit if unit is MAIN_UNIT else unit,
        due_at=due_at,
        reason=reason,
        data=data,
        actor_label=actor_label,
    )
    for notice in notices:
        if notice is not None:
            _send(ticket, notice)
    return event


def _lock(actor, ticket: Ticket | int, action: str) -> Ticket:
    """The ticket, locked for this transaction, after the scope, role and table checks."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    # the scope and the lock in one statement (FOR UPDATE OF the ticket row alone)
    tickets = Ticket.objects if actor is None else access.visible_tickets(actor)
    locked = tickets.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise Http404("不存在或无权查看")
    if actor is not None:
        access.check(actor, action, locked)
    if not states.allowed(action, locked.status):
        act = states.ACTIONS[action]
        raise Conflict(
            "invalid_transition",
            f"工单当前状态为“{locked.status_label}”，不能{act.label}",
            status_now=locked.status,
        )
    return locked


def _required_text(value: str, field: str, label: str, minimum: int = 2) -> str:
    value = clean_text(value).strip()
    if len(value) < minimum:
        raise ValidationError({field: f"请填写{label}（至少 {minimum} 个字）"})
    return value


def _unit_for(actor, unit: Unit | int | None, field: str = "unit") -> Unit:
    if unit is None:
        raise ValidationError({field: "请选择承办单位"})
    pk = unit.pk if isinstance(unit, Unit) else unit
    qs = Unit.objects.filter(pk=pk, is_active=True)
    if actor is not None:
        qs = org_access.visible(actor, qs)
    found = qs.select_related("region").first()
    if found is None:
        raise ValidationError({field: "承办单位不存在、已停用或不在您的管辖范围内"})
    return found


def remind(ticket: Ticket, notice: Notice) -> bool:
    """A message that is not a step of the ticket (a deadline drawing near, a late report): to
    the outbox and the inbox like a step's, once per dedupe key even when two sweeps race.
    True when it was queued now."""
    try:
        with transaction.atomic():
            return _send(ticket, notice)
    except IntegrityError:  # the same key, queued by another sweep just now
        return False


def record_history(rows: list[tuple[Ticket, list[dict]]]) -> int:
    """Tickets already closed, with their steps, written in bulk: the demo's two years of
    history (`tickets.demo_history`), where the services are not the point, as `bench/run.py`
    does in SQL. Each step is a dict of `TicketEvent` fields (action, at, from_status,
    to_status, unit, due_at, reason, data, and the derived columns it keeps: accepted_at,
    solved, satisfaction). Nothing is announced. The months that kept counts under the old
    tokens are counted again (`rollup.invalidate`). Returns the tickets written."""
    with transaction.atomic():
        Ticket.objects.bulk_create([ticket for ticket, _ in rows], batch_size=500)
        label = _system_label.get()
        events = [
            TicketEvent(ticket=ticket, actor_label=label, **step)
            for ticket, steps in rows
            for step in steps
        ]
        TicketEvent.objects.bulk_create(events, batch_size=1000)
        rollup.invalidate([e.at for e in events])
    # fresh statistics after a bulk load: without them SQLite reads a ticket's replies through
    # the (action, at) index, a scan of every reply, instead of (ticket, action)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(rows)
