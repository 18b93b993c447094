"""Sending the outbox through a pluggable backend.

Services write `Notification` rows in the same transaction as the change they announce;
`jiceng send-notifications` delivers them. The backend is a dotted path in the setting
`JICENG_NOTIFY_BACKEND` (environment: `NOTIFY_BACKEND`):

- `LogBackend` (the default) logs each message, masked; it reaches nobody;
- `EmailBackend` mails a unit's accounts;
- `HttpSmsBackend` posts each message for a phone to a 政务短信平台 or any SMS gateway as
  signed JSON (`SMS_HTTP_URL`, `SMS_HTTP_SECRET`, `SMS_HTTP_BODY`);
- `FileBackend` and `MemoryBackend` stand in for a phone in the demo and the tests.

A backend whose class says `sends_sms = True` reaches residents' phones; only then do the
resident pages promise an SMS.
"""

import copy
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from jiceng.core.text import mask_phone

from . import residents, staff_channels
from .models import Notification

log = logging.getLogger("jiceng.notify")

_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LINK = re.compile(r"(/r/#?)[A-Za-z0-9_\-]+")
# Language-neutral (the messages are also in Uyghur and Kazakh): a rating code is 6 digits
# standing alone, a tracking code 8 capitals and digits standing alone.
_CODE = re.compile(r"()(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])")
_TRACKING = re.compile(r"()(?<![0-9A-Za-z])[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """A message as a log may hold it: no full phone number, no rating link, no code, no
    tracking code."""
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text or "")
    text = _LINK.sub(r"\1…", text)
    text = _TRACKING.sub(r"\1********", text)
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

    sends_sms = True

    def send(self, notification: Notification) -> None:
        import json
        import os

        folder = settings.VAR_DIR / "outbox"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "kind": notification.kind,
            "to": notification.recipient or str(notification.unit or ""),
            "subject": notification.subject,
            "body": notification.body,
        }
        # owner only: the file holds live rating links and codes
        path = folder / "messages.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(path, 0o600)  # a file an older version left readable to others
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


class HttpSmsBackend:
    """A generic SMS gateway over HTTP, the way most 政务短信平台 are reached.

    Each message for a phone number is one POST of JSON to `SMS_HTTP_URL`. The body is the
    JSON of `SMS_HTTP_BODY`, whose strings may hold `{phone}`, `{text}` and `{id}` (default:
    `{"mobile": "{phone}", "content": "{text}", "id": "{id}"}`). The headers carry
    `X-Jiceng-Timestamp` and `X-Jiceng-Signature`, the hex HMAC-SHA256 under `SMS_HTTP_SECRET`
    of the timestamp, a newline and the body, so the gateway can tell the message is ours and
    fresh. Any answer but 2xx is an error: the outbox keeps the message and retries it.
    Messages for a unit (no phone number) are logged, as `LogBackend` does."""

    sends_sms = True

    def send(self, notification: Notification) -> None:
        import hashlib
        import hmac
        import json
        import time
        import urllib.error
        import urllib.request

        phone = _phone_or_log(notification)
        if phone is None:
            return
        url = getattr(settings, "SMS_HTTP_URL", "")
        if not url:
            raise RuntimeError("未设置 SMS_HTTP_URL，短信无法发出")
        template = json.loads(getattr(settings, "SMS_HTTP_BODY", "") or DEFAULT_SMS_BODY)
        values = {"phone": phone, "text": notification.body, "id": str(notification.pk or "")}
        body = json.dumps(_fill(template, values), ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        secret = getattr(settings, "SMS_HTTP_SECRET", "").encode()
        signature = hmac.new(secret, stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Jiceng-Timestamp": stamp,
                "X-Jiceng-Signature": signature,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = answer.status
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"短信网关返回 {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise RuntimeError(f"短信网关无法连接：{exc.__class__.__name__}") from None
        if not 200 <= status < 300:
            raise RuntimeError(f"短信网关返回 {status}")


def _phone_or_log(notification: Notification) -> str | None:
    """The mobile number an SMS backend sends to; a message for a unit (no mobile number) is
    logged as `LogBackend` does, and None is returned."""
    phone = notification.recipient.strip()
    if _PHONE.fullmatch(phone):
        return phone
    LogBackend().send(notification)
    return None


class TemplateSmsBackend:
    """Shared by the template platforms: a resident message goes out as the template
    registered for its kind (SMS_TEMPLATES, JSON: kind → template id; "kind:ug" or
    "kind:kk-arab" for the resident's language, when registered) with the values of
    `residents.TEMPLATE_VARIABLES`; a message for a unit is only logged."""

    sends_sms = True

    def send(self, notification: Notification) -> None:
        import json

        phone = _phone_or_log(notification)
        if phone is None:
            return
        templates = json.loads(getattr(settings, "SMS_TEMPLATES", "") or "{}")
        # a template per language where the operator registered one ("resident_reply:ug"),
        # else the kind's Chinese template: a message in Chinese beats no message
        language = getattr(notification.ticket, "language", "") if notification.ticket_id else ""
        template = templates.get(f"{notification.kind}:{language}") or templates.get(
            notification.kind
        )
        if not template:
            raise RuntimeError(f"没有为 {notification.kind} 配置短信模板（SMS_TEMPLATES）")
        values = getattr(notification, "template_values", None) or residents.template_values(
            notification, {}
        )
        self.deliver(phone, template, values)

    def deliver(self, phone: str, template: str, values: dict[str, str]) -> None:
        raise NotImplementedError


def _endpoint(value: str) -> tuple[str, str]:
    """'host[:port]' or 'http(s)://host[:port]' → (scheme, host[:port])."""
    if "://" in value:
        scheme, _, rest = value.partition("://")
        return scheme, rest.rstrip("/")
    return "https", value


class AliyunSmsBackend(TemplateSmsBackend):
    """阿里云短信 through its official SDK (pip install 'jiceng[aliyun]'): SendSms with
    ALIYUN_SMS_SIGN_NAME and the kind's template; the values go as TemplateParam JSON."""

    def deliver(self, phone: str, template: str, values: dict[str, str]) -> None:
        import json

        try:
            from alibabacloud_dysmsapi20170525 import models
            from alibabacloud_dysmsapi20170525.client import Client
            from alibabacloud_tea_openapi import models as openapi
        except ImportError:
            raise RuntimeError("未安装阿里云短信 SDK：pip install 'jiceng[aliyun]'") from None
        scheme, host = _endpoint(settings.ALIYUN_SMS_ENDPOINT)
        client = Client(
            openapi.Config(
                access_key_id=settings.ALIYUN_SMS_ACCESS_KEY_ID,
                access_key_secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
                endpoint=host,
                protocol=scheme,
                read_timeout=10000,
                connect_timeout=5000,
            )
        )
        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=settings.ALIYUN_SMS_SIGN_NAME,
            template_code=template,
            template_param=json.dumps(values, ensure_ascii=False),
        )
        try:
            answer = client.send_sms(request)
        except Exception as exc:  # the SDK raises its own types for transport and API errors
            raise RuntimeError(f"阿里云短信发送失败：{exc.__class__.__name__}") from None
        if (answer.body.code or "") != "OK":
            raise RuntimeError(f"阿里云短信返回 {answer.body.code}：{answer.body.message}")


class TencentSmsBackend(TemplateSmsBackend):
    """腾讯云短信 through its official SDK (pip install 'jiceng[tencent]'): SendSms with
    TENCENT_SMS_SDK_APP_ID, TENCENT_SMS_SIGN_NAME and the kind's template id; the values go
    in the order of `residents.TEMPLATE_VARIABLES`."""

    def deliver(self, phone: str, template: str, values: dict[str, str]) -> None:
        try:
            from tencentcloud.common import credential
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile
            from tencentcloud.sms.v20210111 import models, sms_client
        except ImportError:
            raise RuntimeError("未安装腾讯云短信 SDK：pip install 'jiceng[tencent]'") from None
        scheme, host = _endpoint(settings.TENCENT_SMS_ENDPOINT)
        http = HttpProfile(endpoint=host, reqTimeout=10)
        http.scheme = scheme
        client = sms_client.SmsClient(
            credential.Credential(settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY),
            settings.TENCENT_SMS_REGION,
            ClientProfile(httpProfile=http),
        )
        request = models.SendSmsRequest()
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = template
        request.TemplateParamSet = list(values.values())
        request.PhoneNumberSet = [f"+86{phone}"]
        try:
            answer = client.SendSms(request)
        except Exception as exc:  # TencentCloudSDKException and transport errors
            raise RuntimeError(f"腾讯云短信发送失败：{exc.__class__.__name__}") from None
        status = answer.SendStatusSet[0] if answer.SendStatusSet else None
        if status is None or status.Code != "Ok":
            code = status.Code if status else "no status"
            raise RuntimeError(f"腾讯云短信返回 {code}：{status.Message if status else ''}")


DEFAULT_SMS_BODY = '{"mobile": "{phone}", "content": "{text}", "id": "{id}"}'


def _fill(value, values: dict):
    if isinstance(value, str):
        for key, text in values.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def sends_sms() -> bool:
    """Whether the configured backend reaches residents' phones."""
    path = getattr(settings, "JICENG_NOTIFY_BACKEND", "jiceng.tickets.notify.LogBackend")
    try:
        return bool(getattr(import_string(path), "sends_sms", False))
    except ImportError:
        return False


#: what `MemoryBackend` has sent, as Django's locmem mail backend keeps `mail.outbox`
outbox: list[Notification] = []


class MemoryBackend:
    """Keeps sent messages in `notify.outbox` (tests; the secrets are in clear there)."""

    sends_sms = True

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
RETRY_MINUTES = 1  # after the n-th failure wait 1, 2, 4, 8… minutes (at most an hour)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(RETRY_MINUTES * 2 ** max(attempts - 1, 0), 60))


def _attempt(row: Notification, sender) -> bool:
    """One delivery attempt of a claimed row; saves its state. True when sent."""
    row.attempts += 1
    ok = False
    try:
        # the secrets (a rating link, a code) are made for this attempt only; if it fails
        # they are rolled back with it
        with transaction.atomic():
            outgoing = copy.copy(row)
            made = residents.make_secrets(row)
            outgoing.body = residents.fill_secrets(row, made)
            outgoing.template_values = residents.template_values(row, made)
            row.channel = staff_channels.deliver(row, outgoing, sender)
    except Exception as exc:  # a backend may fail in any way; keep the row and say why
        row.last_error = redact(str(exc))[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.state = Notification.State.FAILED  # parked: administrators see it, with why
        else:
            row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
    else:
        row.state, row.sent_at = Notification.State.SENT, timezone.now()
        row.next_attempt_at = None
        ok = True
    row.save(
        update_fields=["attempts", "last_error", "state", "sent_at", "next_attempt_at", "channel"]
    )
    return ok


def _hour_window(row: Notification, now) -> tuple[int, object]:
    """How many messages the row's unit got by its external channel in the last hour (a digest
    counts once), and when the oldest of them leaves the window."""
    sent = Notification.objects.filter(
        unit_id=row.unit_id,
        recipient="",
        state=Notification.State.SENT,
        sent_at__gte=now - timedelta(hours=1),
        digest__isnull=True,
    ).exclude(channel="")
    oldest = sent.order_by("sent_at").values_list("sent_at", flat=True).first()
    return sent.count(), oldest


def _waiting_for_unit(row: Notification, now):
    return (
        # OF the notification alone: PostgreSQL locks no row of the nullable side of the join
        # to its ticket (the digest lists the ticket numbers)
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(unit_id=row.unit_id, recipient="", state=Notification.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "id")
    )


def _digest_body(rows: list[Notification], limit: int) -> str:
    lines = [f"一小时内消息超过 {limit} 条，合并为一条（共 {len(rows)} 条）："]
    for number, row in enumerate(rows[:20], 1):
        ticket = f"（{row.ticket.number}）" if row.ticket_id else ""
        lines.append(f"{number}. {row.subject}{ticket}")
    if len(rows) > 20:
        lines.append(f"…另有 {len(rows) - 20} 条")
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    lines.append(f"请登录查看消息：{site}/work/inbox/")
    return "\n".join(lines)


def _send_unit_message(row: Notification, sender) -> bool | None:
    """A unit's message by SMS or robot, within the hourly limit: alone while under it, the
    unit's waiting messages as one digest when they would pass it, and deferred until the
    oldest message of the hour ages out when the limit is reached. None when deferred."""
    from .models import EngineSettings

    limit = EngineSettings.current().staff_messages_per_hour
    if not limit:
        return _attempt(row, sender)
    now = timezone.now()
    used, oldest = _hour_window(row, now)
    if used >= limit:
        later = (oldest or now) + timedelta(hours=1)
        _waiting_for_unit(row, now).update(next_attempt_at=later)
        return None
    waiting = list(_waiting_for_unit(row, now).select_related("ticket"))
    if row not in waiting:
        waiting.insert(0, row)
    if len(waiting) < 2 or used + len(waiting) <= limit:
        return _attempt(row, sender)
    digest = Notification.objects.create(
        kind="digest",
        unit_id=row.unit_id,
        subject=f"{len(waiting)} 条新消息",
        body=_digest_body(waiting, limit),
    )
    if not _attempt(digest, sender):
        digest.delete()  # the rows themselves stay pending and are retried
        Notification.objects.filter(pk__in=[r.pk for r in waiting]).update(
            next_attempt_at=now + retry_delay(1)
        )
        return False
    Notification.objects.filter(pk__in=[r.pk for r in waiting]).update(
        state=Notification.State.SENT, sent_at=digest.sent_at, digest=digest, channel=digest.channel
    )
    return True


def send_pending(limit: int = 200, sender=None) -> tuple[int, int]:
    """Send up to `limit` pending notifications. Returns (sent, failed).

    Rows are claimed with SKIP LOCKED, so two senders never send the same message twice. A
    message that failed waits (`retry_delay`) before its next try; after MAX_ATTEMPTS it is
    parked as 发送失败 for an administrator, who may queue it again from the admin.
    """
    sender = sender or backend()
    sent = failed = 0
    for _ in range(limit):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(state=Notification.State.PENDING)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
                .order_by("created_at", "id")
                .first()
            )
            if row is None:
                break
            outcome = (
                _send_unit_message(row, sender)
                if staff_channels.channel_of(row)
                else _attempt(row, sender)
            )
            if outcome is None:  # deferred by the hourly limit
                continue
            if outcome:
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
