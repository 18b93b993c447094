"""How a unit's staff hear of work besides the inbox: the channel the unit chose
(`Unit.notify_channel`).

- 仅站内消息: the outbox row goes to the configured backend as before (logged or emailed);
- 短信: one SMS per active account of the unit with a phone, through the configured SMS backend;
- 政务微信 / 钉钉 group robots: one signed HTTPS POST of a text message to the unit's webhook.
  企业微信/政务微信 robots carry their key in the URL (there is no other signature); 钉钉 robots
  with 加签 get `timestamp` (ms) and `sign` = urlencoded Base64 HMAC-SHA256 under the secret of
  "timestamp\\nsecret" appended to the URL (open.dingtalk.com, custom robot security settings).
  Both answer JSON whose `errcode` is 0 on success; anything else is an error, and the outbox
  keeps the message and retries it (`notify.retry_delay`).

A unit that receives more than `EngineSettings.staff_messages_per_hour` messages within an hour
by SMS or robot gets the rest as one digest (`notify.send_pending`): a phone or a group chat that
buzzes forty times an hour is muted, and then nobody hears anything.
"""

import base64
import copy
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from jiceng.orgs.models import NotifyChannel, User

from .models import Notification

# a WeCom text message holds at most 2,048 bytes; DingTalk's limit is larger: keep to the smaller
MAX_TEXT_BYTES = 2000


def channel_of(row: Notification) -> str:
    """The external channel a staff message goes by ("" for the configured backend alone)."""
    if not row.unit_id or row.recipient:
        return ""  # a resident's message, or one to a named phone
    channel = row.unit.notify_channel
    return "" if channel == NotifyChannel.INBOX else channel


def unit_phones(unit) -> list[str]:
    """The mobile numbers of the unit's active accounts (through their person records)."""
    people = (
        User.objects.filter(scope_unit=unit, is_active=True, person__isnull=False)
        .select_related("person")
        .order_by("pk")
    )
    phones = []
    for user in people:
        phone = (user.person.phone or "").strip()
        if len(phone) == 11 and phone.startswith("1") and phone not in phones:
            phones.append(phone)
    return phones


def _text(row: Notification) -> str:
    text = (
        f"【{row.subject}】{row.body}" if row.subject and row.subject not in row.body else row.body
    )
    data = text.encode()
    if len(data) > MAX_TEXT_BYTES:
        text = data[: MAX_TEXT_BYTES - 3].decode(errors="ignore") + "…"
    return text


def _dingtalk_url(url: str, secret: str, now_ms: int) -> str:
    if not secret:
        return url
    signed = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(signed))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={now_ms}&sign={sign}"


def post_robot(channel: str, url: str, secret: str, text: str) -> None:
    """One text message to a group robot; raises RuntimeError (in Chinese) when it fails."""
    if not url:
        raise RuntimeError("未设置群机器人地址")
    if channel == NotifyChannel.DINGTALK:
        url = _dingtalk_url(url, secret, int(time.time() * 1000))
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    name = "钉钉" if channel == NotifyChannel.DINGTALK else "政务微信"
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw = answer.status, answer.read(4096)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{name}群机器人返回 {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RuntimeError(f"{name}群机器人无法连接：{exc.__class__.__name__}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"{name}群机器人返回 {status}")
    try:
        errcode = json.loads(raw or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0  # an on-premises 政务微信 may answer plain text: 2xx is success
    if errcode not in (0, "0"):
        raise RuntimeError(f"{name}群机器人拒收：errcode {errcode}")


def deliver(row: Notification, outgoing: Notification, sender) -> str:
    """Send a unit's message by the unit's channel (`outgoing` holds the filled-in body).
    Returns the channel used ("" for the configured backend)."""
    channel = channel_of(row)
    unit = row.unit
    if channel in (NotifyChannel.WECOM, NotifyChannel.DINGTALK):
        post_robot(channel, unit.notify_webhook, unit.notify_secret, _text(outgoing))
    elif channel == NotifyChannel.SMS:
        phones = unit_phones(unit)
        if not phones:
            raise RuntimeError(f"{unit.name}的账号没有登记手机号，短信无法发出")
        failed = 0
        for phone in phones:
            one = copy.copy(outgoing)
            one.recipient = phone
            one.kind = "staff_notice"
            one.template_values = {
                "number": row.ticket.number if row.ticket_id else "",
                "text": row.subject[:20],
            }
            try:
                sender.send(one)
            except Exception:  # counted: the row is retried if any phone failed
                failed += 1
        if failed:
            raise RuntimeError(f"{len(phones)} 个手机号中 {failed} 个发送失败")
    else:
        sender.send(outgoing)
    return channel
