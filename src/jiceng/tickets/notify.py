"""Sending the outbox through a pluggable backend.

Services write `Notification` rows in the same transaction as the change they announce;
`jiceng send-notifications` delivers them. The backend is a dotted path in the setting
`JICENG_NOTIFY_BACKEND`: the log backend (the default) and the email backend ship now; an
SMS backend is a class with the same `send(notification)` method.
"""

import copy
import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from jiceng.core.text import mask_phone

from . import residents
from .models import Notification

log = logging.getLogger("jiceng.notify")

_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LINK = re.compile(r"(/r/)[A-Za-z0-9_\-]+")
_CODE = re.compile(r"(验证码为 ?)\d{4,8}")


def redact(text: str) -> str:
    """A message as a log may hold it: no full phone number, no rating link, no code."""
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text or "")
    text = _LINK.sub(r"\1…", text)
    return _CODE.sub(r"\1******", text)


class LogBackend:
    """Writes each message to the `jiceng.notify` log, with its secrets and numbers masked.

    It delivers nothing to residents: a county sets an SMS backend (NOTIFY_BACKEND)."""

    def send(self, notification: Notification) -> None:
        log.info(
            "[%s] %s → %s: %s",
            notification.kind,
            notification.subject,
            notification.unit or redact(notification.recipient) or "-",
            redact(notification.body),
        )


class FileBackend:
    """Appends each message, secrets in clear, to `var/outbox/messages.log`: a stand-in
    phone for development and the demo, where no SMS gateway exists. Never in production:
    whoever reads the file can rate as any resident."""

    def send(self, notification: Notification) -> None:
        import json

        folder = settings.VAR_DIR / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "kind": notification.kind,
            "to": notification.recipient or str(notification.unit or ""),
            "subject": notification.subject,
            "body": notification.body,
        }
        with open(folder / "messages.log", "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


#: what `MemoryBackend` has sent, as Django's locmem mail backend keeps `mail.outbox`
outbox: list[Notification] = []


class MemoryBackend:
    """Keeps sent messages in `notify.outbox` (tests; the secrets are in clear there)."""

    def send(self, notification: Notification) -> None:
        outbox.append(notification)


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


def _attempt(row: Notification, sender) -> bool:
    """One delivery attempt of a claimed row; saves its state. True when sent."""
    row.attempts += 1
    ok = False
    try:
        # the secrets (a rating link, a code) are made for this attempt only; if it fails
        # they are rolled back with it
        with transaction.atomic():
            outgoing = copy.copy(row)
            outgoing.body = residents.fill_secrets(row)
            sender.send(outgoing)
    except Exception as exc:  # a backend may fail in any way; keep the row and say why
        row.last_error = redact(str(exc))[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.state = Notification.State.FAILED
    else:
        row.state, row.sent_at = Notification.State.SENT, timezone.now()
        ok = True
    row.save(update_fields=["attempts", "last_error", "state", "sent_at"])
    return ok


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
            if _attempt(row, sender):
                sent += 1
            else:
                failed += 1
                if row.state == Notification.State.PENDING:
                    break  # a failing backend: stop and retry on the next run
    return sent, failed


def send_now(pk: int, sender=None) -> bool:
    """Try one message at once (a code the resident is waiting for); the outbox retries it
    later if this attempt fails."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=Notification.State.PENDING)
            .first()
        )
        return row is not None and _attempt(row, sender or backend())
