"""Sending the outbox through a pluggable backend.

Services write `Notification` rows in the same transaction as the change they announce;
`jiceng send-notifications` delivers them. The backend is a dotted path in the setting
`JICENG_NOTIFY_BACKEND`: the log backend (the default) and the email backend ship now; an
SMS backend is a class with the same `send(notification)` method.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger("jiceng.notify")


class LogBackend:
    """Writes each message to the `jiceng.notify` log."""

    def send(self, notification: Notification) -> None:
        log.info(
            "[%s] %s → %s: %s",
            notification.kind,
            notification.subject,
            notification.unit or notification.recipient or "-",
            notification.body,
        )


class EmailBackend:
    """Emails the active accounts of the unit (those with an address) through Django's mail."""

    def send(self, notification: Notification) -> None:
        to = []
        if notification.unit_id:
            to = list(
                notification.unit.users.filter(is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        if "@" in notification.recipient:
            to.append(notification.recipient)
        if not to:
            log.info("no email address for notification %s; logged only", notification.pk)
            return
        send_mail(notification.subject, notification.body, None, to, fail_silently=False)


def backend():
    path = getattr(settings, "JICENG_NOTIFY_BACKEND", "jiceng.tickets.notify.LogBackend")
    return import_string(path)()


MAX_ATTEMPTS = 5


def send_pending(limit: int = 200, sender=None) -> tuple[int, int]:
    """Send up to `limit` pending notifications. Returns (sent, failed).

    Rows are claimed with SKIP LOCKED, so two senders never send the same message twice.
    """
    sender = sender or backend()
    sent = failed = 0
    for _ in range(limit):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(state=Notification.State.PENDING)
                .order_by("created_at", "id")
                .first()
            )
            if row is None:
                break
            row.attempts += 1
            try:
                sender.send(row)
            except Exception as exc:  # a backend may fail in any way; keep the row and say why
                row.last_error = str(exc)[:2000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.state = Notification.State.FAILED
                failed += 1
            else:
                row.state, row.sent_at = Notification.State.SENT, timezone.now()
                sent += 1
            row.save(update_fields=["attempts", "last_error", "state", "sent_at"])
            if row.state == Notification.State.PENDING:
                break  # a failing backend: stop and retry on the next run
    return sent, failed
