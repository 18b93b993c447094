"""What proves a person is the resident who made a request.

- **Following progress** (`/track/`) needs the tracking code and the last 4 digits of the
  phone. Staff see the code, but phones are masked to their first three digits
  (`core.text.mask_phone`), so nothing staff are shown completes the check. Reading the full number
  is logged (`PhoneRead`).
- **Rating** needs proof of holding the phone: the single-use link sent with the reply (valid
  `RATING_LINK_DAYS`, 15 by default), or a one-time code sent by SMS on request (valid
  `RATING_CODE_MINUTES`, 5 tries, at most one a minute and `RATING_CODES_PER_DAY` a day).

Secrets are made when the message is sent (`fill_secrets`), so the outbox, the admin and the
logs only ever hold the placeholder; the database keeps a digest.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiceng.core.errors import ServiceError
from jiceng.orgs import passwords

from .models import Notification, ResidentToken, Ticket

LINK_PLACEHOLDER = "{rating_link}"
CODE_PLACEHOLDER = "{rating_code}"
MAX_CODE_ATTEMPTS = 5


class TooMany(ServiceError):
    status = 429


def _digest(kind: str, secret: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{secret}".encode(), hashlib.sha256).hexdigest()


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- links --------------------------------------------------------------------------------


def issue_link(ticket: Ticket) -> str:
    """A new single-use rating link for the ticket's resident (called when sending)."""
    secret = secrets.token_urlsafe(24)
    now = timezone.now()
    ResidentToken.objects.create(
        ticket=ticket,
        kind=ResidentToken.Kind.LINK,
        digest=_digest("link", secret),
        created_at=now,
        expires_at=now + timedelta(days=_days("RATING_LINK_DAYS", 15)),
    )
    # The secret rides in the fragment: browsers never send it, so no web server, proxy or
    # access log sees it, and a link previewer that fetches the page spends nothing. The
    # page's script posts it (`views.rate_link_open`).
    return f"{settings.SITE_URL.rstrip('/')}{reverse('rate-link-open')}#{secret}"


def open_link(secret: str) -> ResidentToken | None:
    """The link's token, if it is still good (unused, unexpired)."""
    token = (
        ResidentToken.objects.select_related("ticket")
        .filter(kind=ResidentToken.Kind.LINK, digest=_digest("link", secret))
        .first()
    )
    if token is None or token.used_at or token.expires_at <= timezone.now():
        return None
    return token


# --- one-time codes -------------------------------------------------------------------------


@transaction.atomic
def request_code(ticket: Ticket) -> Notification:
    """Queue an SMS with a one-time code to the ticket's phone. Limited per ticket, so that
    nobody can flood a resident's phone: one a minute, `RATING_CODES_PER_DAY` a day."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not ticket.requester_phone:
        raise ServiceError("no_phone", _("这件诉求没有留手机号，无法发送验证码"))
    now = timezone.now()
    recent = Notification.objects.filter(ticket=ticket, kind="rating_code")
    if recent.filter(created_at__gt=now - timedelta(minutes=1)).exists():
        raise TooMany("too_many_codes", _("验证码刚刚已发送，请 1 分钟后再试"))
    per_day = int(getattr(settings, "RATING_CODES_PER_DAY", 5))
    if recent.filter(created_at__gt=now - timedelta(days=1)).count() >= per_day:
        raise TooMany("too_many_codes", _("今天已发送 %(n)s 次验证码，请明天再试") % {"n": per_day})
    return Notification.objects.create(
        kind="rating_code",
        ticket=ticket,
        recipient=ticket.requester_phone,
        subject="评价验证码",
        body=code_text(ticket),
    )


def code_text(ticket: Ticket) -> str:
    """The rating code's SMS, in the resident's language (the code is filled in when sent)."""
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        return _("您的诉求评价验证码为 %(code)s，%(minutes)s 分钟内有效。如非本人操作请忽略。") % {
            "code": CODE_PLACEHOLDER,
            "minutes": _days("RATING_CODE_MINUTES", 10),
        }


def _code_digest(ticket_pk: int, nonce: str, code: str) -> str:
    return f"{nonce}${_digest(f'code:{ticket_pk}:{nonce}', code)[:48]}"


def issue_code(ticket: Ticket) -> str:
    """A new one-time code for the ticket's resident (called when sending the SMS)."""
    code, nonce = f"{secrets.randbelow(10**6):06d}", secrets.token_hex(7)
    now = timezone.now()
    ResidentToken.objects.create(
        ticket=ticket,
        kind=ResidentToken.Kind.CODE,
        digest=_code_digest(ticket.pk, nonce, code),
        created_at=now,
        expires_at=now + timedelta(minutes=_days("RATING_CODE_MINUTES", 10)),
    )
    return code


@transaction.atomic
def check_code(ticket: Ticket, code: str) -> ResidentToken | None:
    """The code's token if `code` is a live code of this ticket. Every wrong try counts against
    each live code, and a code tried `MAX_CODE_ATTEMPTS` times is dead."""
    live = list(
        ResidentToken.objects.select_for_update()
        .filter(
            ticket=ticket,
            kind=ResidentToken.Kind.CODE,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            attempts__lt=MAX_CODE_ATTEMPTS,
        )
        .order_by("-created_at")
    )
    code = (code or "").strip()
    for token in live:
        nonce = token.digest.split("$", 1)[0]
        if hmac.compare_digest(token.digest, _code_digest(ticket.pk, nonce, code)):
            return token
    for token in live:
        token.attempts += 1
        token.save(update_fields=["attempts"])
    return None


def still_good(token_pk: int, ticket: Ticket) -> ResidentToken | None:
    """The proof token, locked, if it still proves the phone for this ticket."""
    return (
        ResidentToken.objects.select_for_update()
        .filter(
            pk=token_pk,
            ticket=ticket,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


# --- sending ----------------------------------------------------------------------------------


def make_secrets(notification: Notification) -> dict[str, str]:
    """The secrets a message needs, made now (a rating link, a rating code): never stored."""
    made: dict[str, str] = {}
    if LINK_PLACEHOLDER in notification.body and notification.ticket_id:
        made[LINK_PLACEHOLDER] = issue_link(notification.ticket)
    if CODE_PLACEHOLDER in notification.body and notification.ticket_id:
        made[CODE_PLACEHOLDER] = issue_code(notification.ticket)
    if passwords.PLACEHOLDER in notification.body and notification.account_id:
        # a new account's one-time password, set as the message goes (rolled back with a
        # failed attempt); the stored body keeps the placeholder
        made[passwords.PLACEHOLDER] = passwords.issue(notification.account)
    return made


def fill_secrets(notification: Notification, made: dict[str, str] | None = None) -> str:
    """The message body with its secrets; the stored body keeps the placeholders."""
    body = notification.body
    for placeholder, value in (made if made is not None else make_secrets(notification)).items():
        body = body.replace(placeholder, value)
    return body


# What a template SMS platform (阿里云, 腾讯云) is given for each kind of resident message, in
# this order (腾讯云 takes a list): the operator registers one template a kind with these
# variables. A kind not listed here is never sent as an SMS by those backends.
TEMPLATE_VARIABLES = {
    "resident_received": ["number", "tracking"],
    "resident_reply": ["title", "link", "days"],
    "rating_code": ["code", "minutes"],
    "resident_callback": ["answer", "link", "days"],
    "account_password": ["username", "password"],
    # a unit's staff by SMS (Unit.notify_channel): the ticket and what happened to it
    "staff_notice": ["number", "text"],
}


def template_values(notification: Notification, made: dict[str, str]) -> dict[str, str]:
    from django.conf import settings

    ticket = notification.ticket
    known = {
        "number": ticket.number if ticket else "",
        "tracking": ticket.tracking_code if ticket else "",
        "title": (ticket.title[:20] if ticket else ""),
        "link": made.get(LINK_PLACEHOLDER, ""),
        "days": str(settings.RATING_LINK_DAYS),
        "code": made.get(CODE_PLACEHOLDER, ""),
        "minutes": str(settings.RATING_CODE_MINUTES),
        "username": notification.account.username if notification.account_id else "",
        "password": made.get(passwords.PLACEHOLDER, ""),
        "text": notification.subject[:20],
        "answer": (
            f"{'已解决' if ticket.solved else '未解决'}，{ticket.satisfaction}" if ticket else ""
        ),
    }
    return {name: known[name] for name in TEMPLATE_VARIABLES.get(notification.kind, [])}
