"""Every change of a ticket, one function each (STYLE.md, habit 1).

Each function checks the actor's role and scope, checks the transition table, locks the row,
saves with `update_fields`, appends one `TicketEvent` and queues notifications in the outbox,
all in one transaction. Web views, the API, Open311, commands and tests call these and nothing
else writes `ticket.status`.

`actor=None` is the system itself (the sweep, an import, a resident's own callback through the
public pages); the callers of those paths are responsible for who may trigger them.
"""

import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from jiceng.core.errors import ServiceError
from jiceng.orgs import access as org_access
from jiceng.orgs.models import Unit
from jiceng.regions.models import Grid, Region

from . import access, deadlines, states
from .models import (
    Category,
    Channel,
    EngineSettings,
    IntakeKey,
    Meeting,
    Notification,
    PhoneRead,
    Satisfaction,
    Ticket,
    TicketEvent,
    TicketPhoto,
    TicketUnit,
    Urgency,
)
from .states import Status

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


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
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=actor,
        actor_label=actor_label or _label(actor),
        at=at,
        from_status=old,
        to_status=ticket.status,
        unit=unit,
        due_at=due_at,
        reason=reason,
        data=data or {},
    )


def _notify(
    kind: str,
    ticket: Ticket | None,
    subject: str,
    body: str,
    *,
    unit=None,
    recipient: str = "",
    dedupe_key: str | None = None,
) -> None:
    if not _notifications_on.get():
        return
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return
    Notification.objects.create(
        kind=kind,
        ticket=ticket,
        unit=unit,
        recipient=recipient,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
    )


def _lock(actor, ticket: Ticket | int, action: str) -> Ticket:
    """The ticket, locked for this transaction, after the scope, role and table checks."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    if actor is not None and not access.visible_tickets(actor).filter(pk=pk).exists():
        raise Http404("不存在或无权查看")
    try:
        locked = Ticket.objects.select_for_update().get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("不存在或无权查看") from None
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
    value = (value or "").strip()
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


# --- intake -------------------------------------------------------------------------------


@dataclass
class Intake:
    """What a new request says. Validated by `receive`; field names match the API's."""

    title: str
    content: str
    region: Region | None
    channel: str = Channel.HOTLINE
    requester_name: str = ""
    requester_phone: str = ""
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    grid: Grid | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    photos: tuple = ()


def _validate_intake(actor, intake: Intake) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    title = (intake.title or "").strip()
    content = (intake.content or "").strip()
    if not content:
        fail("content", "请填写诉求内容")
    elif len(content) > 5000:
        fail("content", "诉求内容不能超过 5000 字")
    if not title:
        title = content[:30]
    if len(title) > 100:
        fail("title", "标题不能超过 100 字")
    if intake.channel not in Channel.values:
        fail("channel", "来源渠道不正确")
    phone = (intake.requester_phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not (
        phone.isdigit()
        and (
            (len(phone) == 11 and phone.startswith("1"))
            or (10 <= len(phone) <= 12 and phone.startswith("0"))
        )
    ):
        fail("requester_phone", "请填写 11 位手机号或带区号的固定电话")
    if len((intake.requester_name or "").strip()) > 50:
        fail("requester_name", "姓名不能超过 50 字")
    if intake.urgency not in Urgency.values:
        fail("urgency", "紧急程度只能是 紧急、一般 或 复杂")
    region = intake.region
    if region is None:
        fail("region", "请选择诉求所在的区划")
    elif actor is not None and not org_access.region_in_scope(actor, region):
        fail("region", "该区划不在您的管辖范围内")
    if (
        intake.grid is not None
        and region is not None
        and not intake.grid.region.path.startswith(region.path)
    ):
        fail("grid", "网格不在所选区划内")
    if intake.category is not None and not intake.category.is_active:
        fail("category", "该分类已停用")
    if len(intake.address or "") > 200:
        fail("address", "地址不能超过 200 字")
    lat, lon = intake.latitude, intake.longitude
    if (lat is None) != (lon is None):
        fail("latitude", "经纬度须同时填写")
    elif lat is not None:
        if not (-90 <= float(lat) <= 90):
            fail("latitude", "纬度应在 -90 到 90 之间")
        if not (-180 <= float(lon) <= 180):
            fail("longitude", "经度应在 -180 到 180 之间")
    photos = list(intake.photos or ())
    if len(photos) > MAX_PHOTOS:
        fail("photos", f"最多上传 {MAX_PHOTOS} 张照片")
    for upload in photos[:MAX_PHOTOS]:
        problem = photo_problem(upload)
        if problem:
            fail("photos", problem)
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "content": content,
        "requester_phone": phone,
        "requester_name": (intake.requester_name or "").strip(),
        "lat": None if lat is None else round(float(lat), 6),
        "lon": None if lon is None else round(float(lon), 6),
        "photos": photos,
    }


def photo_problem(upload) -> str:
    """Why an uploaded file is not an acceptable photo, or ''."""
    size = getattr(upload, "size", None) or 0
    name = getattr(upload, "name", "照片")
    if size > MAX_PHOTO_BYTES:
        return f"{name}：照片不能超过 5 MB"
    if size == 0:
        return f"{name}：文件是空的"
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in PHOTO_SIGNATURES) and not (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return f"{name}：只接受 JPEG、PNG 或 WebP 格式的照片"
    return ""


def _photo_type(upload) -> str:
    head = upload.read(16)
    upload.seek(0)
    for sig, kind in PHOTO_SIGNATURES.items():
        if head.startswith(sig):
            return kind
    return "image/webp"


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _codes(fields: dict, at: datetime, given: bool) -> None:
    """A fresh tracking code, and a number unless the caller gave one (a ledger's)."""
    if not given:
        fields["number"] = f"{timezone.localtime(at):%Y%m%d}{secrets.randbelow(10**6):06d}"
    fields["tracking_code"] = new_code()


RESTART_FIELDS = {
    "main_unit": None,
    "accept_by": None,
    "reply_by": None,
    "accepted_at": None,
    "replied_at": None,
    "closed_at": None,
    "reply": "",
    "solved": None,
    "satisfaction": "",
    "is_supervised": False,
    "overdue_at": None,
    "escalated_at": None,
    "extension_requested_until": None,
    "duplicate_of": None,
}


def _restart(ticket: Ticket, fields: dict) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    for name, value in {**fields, **RESTART_FIELDS}.items():
        setattr(ticket, name, value)
    ticket.save()
    return ticket


def receive(
    actor,
    intake: Intake,
    *,
    at: datetime | None = None,
    meeting: Meeting | None = None,
    client: str = "",
    idempotency_key: str = "",
    actor_label: str = "",
    number: str = "",
    existing: Ticket | None = None,
    extra: dict | None = None,
) -> tuple[Ticket, bool]:
    """Take in a new request. Returns (ticket, created).

    With an `idempotency_key`, a retry by the same `client` returns the first ticket and
    `created=False`, however often and however concurrently it is sent. An import gives the
    ledger's `number`, and `existing` to take a ticket in again from the start (its events
    already removed by the caller).
    """
    if actor is not None:
        access.check(actor, "receive")
    key = (idempotency_key or "").strip()
    if len(key) > 200:
        raise ValidationError({"idempotency_key": "Idempotency-Key 不能超过 200 个字符"})
    clean = _validate_intake(actor, intake)
    at = _now(at)
    fields = {
        "channel": intake.channel,
        "requester_name": clean["requester_name"],
        "requester_phone": clean["requester_phone"],
        "title": clean["title"],
        "content": clean["content"],
        "category": intake.category,
        "urgency": intake.urgency,
        "region": intake.region,
        "grid": intake.grid,
        "address": (intake.address or "").strip(),
        "latitude": clean["lat"],
        "longitude": clean["lon"],
        "received_at": at,
        "meeting": meeting,
        "created_by": actor,
        "status": Status.RECEIVED,
        "number": number,
    }
    # No look-up of the key first: the unique (client, key) row decides, so a retry costs a
    # rolled-back insert and a first request costs nothing. A clash of a random number or
    # tracking code (rare) is retried with new ones.
    for _ in range(5):
        try:
            with transaction.atomic():
                if existing is not None:
                    ticket = _restart(existing, fields)
                else:
                    _codes(fields, at, given=bool(number))
                    ticket = Ticket.objects.create(**fields)
                for upload in clean["photos"]:
                    TicketPhoto.objects.create(
                        ticket=ticket,
                        image=upload,
                        content_type=_photo_type(upload),
                        size=upload.size,
                    )
                if key:
                    IntakeKey.objects.create(client=client, key=key, ticket=ticket)
                _event(
                    ticket,
                    "receive",
                    actor,
                    "",
                    at=at,
                    actor_label=actor_label,
                    data={"channel": intake.channel, **(extra or {})},
                )
            return ticket, True
        except IntegrityError:
            if key:  # the same key came first (a retry, or a racing twin): its ticket
                found = (
                    IntakeKey.objects.filter(client=client, key=key)
                    .select_related("ticket")
                    .first()
                )
                if found:
                    return found.ticket, False
            if number and Ticket.objects.filter(number=number).exists():
                raise ServiceError(
                    "duplicate_number", f"工单编号 {number} 已存在", status=409
                ) from None
            if existing is not None:
                raise
    raise ServiceError("code_exhausted", "工单编号生成失败，请重试", status=503)


def record_meeting(
    actor,
    *,
    region: Region | None,
    held_at: datetime | None,
    matters: list[Intake],
    place: str = "",
    host: str = "",
    attendees: int | None = None,
    summary: str = "",
) -> Meeting:
    """Record a 民情恳谈 meeting and turn each matter raised into a ticket, all or nothing."""
    if actor is not None:
        access.check(actor, "receive")
    errors: dict[str, list[str]] = {}
    if region is None:
        errors["region"] = ["请选择恳谈会所在的区划"]
    elif actor is not None and not org_access.region_in_scope(actor, region):
        errors["region"] = ["该区划不在您的管辖范围内"]
    if held_at is None:
        errors["held_at"] = ["请填写召开时间"]
    elif held_at > timezone.now() + timedelta(hours=1):
        errors["held_at"] = ["召开时间不能晚于现在"]
    if not matters:
        errors["matters"] = ["请至少录入一项群众诉求"]
    if attendees is not None and attendees < 0:
        errors["attendees"] = ["参会人数不能为负数"]
    for i, matter in enumerate(matters):
        matter.channel = Channel.MEETING
        if matter.region is None:
            matter.region = region
        try:
            _validate_intake(actor, matter)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"matters.{i}.{field}"] = messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            region=region,
            held_at=held_at,
            place=place.strip(),
            host=host.strip(),
            attendees=attendees,
            summary=summary.strip(),
            recorded_by=actor,
        )
        for matter in matters:
            receive(actor, matter, meeting=meeting)
    return meeting


def report_from_grid(
    actor, intake: Intake, *, handled_on_spot: bool = False, result: str = ""
) -> Ticket:
    """A grid worker's patrol finding. A small matter handled on the spot is received,
    dispatched to the worker's own unit, accepted, answered and closed in one go."""
    access.check(actor, "receive")
    if actor.scope_unit_id is None and handled_on_spot:
        raise ValidationError({"handled_on_spot": "只有所属单位的网格员可以现场办结"})
    if handled_on_spot:
        result = _required_text(result, "result", "现场处置情况")
    intake.channel = Channel.GRID
    with transaction.atomic():
        ticket, _ = receive(actor, intake)
        if not handled_on_spot:
            return ticket
        at = ticket.received_at
        unit = actor.scope_unit
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        ticket.status, ticket.main_unit, ticket.accept_by = Status.DISPATCHED, unit, at
        ticket.reply_by = at
        ticket.save(update_fields=["status", "main_unit", "accept_by", "reply_by", "updated_at"])
        _event(
            ticket,
            "dispatch",
            actor,
            Status.RECEIVED,
            at=at,
            unit=unit,
            due_at=at,
            data={"on_spot": True, "reply_by": at.isoformat()},
        )
        ticket.status, ticket.accepted_at = Status.IN_PROGRESS, at
        ticket.save(update_fields=["status", "accepted_at", "updated_at"])
        _event(ticket, "accept", actor, Status.DISPATCHED, at=at, unit=unit, data={"on_time": True})
        ticket.status, ticket.replied_at, ticket.reply = Status.REPLIED, at, result
        ticket.save(update_fields=["status", "replied_at", "reply", "updated_at"])
        _event(
            ticket,
            "reply",
            actor,
            Status.IN_PROGRESS,
            at=at,
            unit=unit,
            reason=result,
            data={"on_time": True},
        )
        ticket.status, ticket.closed_at = Status.CLOSED, at
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
        _event(ticket, "close", actor, Status.REPLIED, at=at, unit=unit, reason="网格员现场办结")
    return ticket


# --- dispatching ------------------------------------------------------------------------------


def _assign(
    actor,
    ticket: Ticket,
    action: str,
    unit: Unit,
    *,
    at,
    category,
    urgency,
    co_units,
    reason: str,
    data: dict | None = None,
) -> Ticket:
    old = ticket.status
    if category is not None:
        ticket.category = category
    if urgency is not None:
        if urgency not in Urgency.values:
            raise ValidationError({"urgency": "紧急程度只能是 紧急、一般 或 复杂"})
        ticket.urgency = urgency
    accept_by, reply_by = deadlines.deadlines(ticket.category, ticket.urgency, at)
    ticket.main_unit = unit
    ticket.status = states.target(action, old)
    ticket.accept_by, ticket.reply_by = accept_by, reply_by
    ticket.accepted_at = None
    ticket.overdue_at = ticket.escalated_at = None
    ticket.extension_requested_until = None
    ticket.save(
        update_fields=[
            "category",
            "urgency",
            "main_unit",
            "status",
            "accept_by",
            "reply_by",
            "accepted_at",
            "overdue_at",
            "escalated_at",
            "extension_requested_until",
            "updated_at",
        ]
    )
    co_ids = []
    if co_units is not None:
        TicketUnit.objects.filter(ticket=ticket, role=TicketUnit.Role.CO).delete()
        for co in co_units:
            co = _unit_for(actor, co, "co_units")
            if co.pk == unit.pk:
                raise ValidationError({"co_units": "协办单位不能与主办单位相同"})
            TicketUnit.objects.get_or_create(ticket=ticket, unit=co, role=TicketUnit.Role.CO)
            co_ids.append(co.pk)
    _event(
        ticket,
        action,
        actor,
        old,
        at=at,
        unit=unit,
        due_at=accept_by,
        reason=reason,
        data={
            "reply_by": reply_by.isoformat(),
            "urgency": ticket.urgency,
            "category": ticket.category.code if ticket.category_id else None,
            "co_units": co_ids,
            **(data or {}),
        },
    )
    _notify(
        "dispatched",
        ticket,
        f"新工单待接单：{ticket.title}",
        f"工单 {ticket.number} 已派至{unit.name}，请于 {timezone.localtime(accept_by):%Y-%m-%d %H:%M} 前接单。",
        unit=unit,
    )
    return ticket


@transaction.atomic
def dispatch(
    actor,
    ticket,
    unit,
    *,
    category: Category | None = None,
    urgency: str | None = None,
    co_units=None,
    reason: str = "",
    at: datetime | None = None,
) -> Ticket:
    ticket = _lock(actor, ticket, "dispatch")
    unit = _unit_for(actor, unit)
    return _assign(
        actor,
        ticket,
        "dispatch",
        unit,
        at=_now(at),
        category=category,
        urgency=urgency,
        co_units=co_units,
        reason=reason,
    )


@transaction.atomic
def redispatch(
    actor,
    ticket,
    unit,
    *,
    reason: str,
    category: Category | None = None,
    urgency: str | None = None,
    co_units=None,
    at: datetime | None = None,
) -> Ticket:
    ticket = _lock(actor, ticket, "redispatch")
    unit = _unit_for(actor, unit)
    reason = _required_text(reason, "reason", "改派理由")
    if unit.pk == ticket.main_unit_id:
        raise ValidationError({"unit": "改派的单位与当前承办单位相同"})
    return _assign(
        actor,
        ticket,
        "redispatch",
        unit,
        at=_now(at),
        category=category,
        urgency=urgency,
        co_units=co_units,
        reason=reason,
        data={"previous_unit": ticket.main_unit_id},
    )


@transaction.atomic
def accept(actor, ticket, *, at: datetime | None = None) -> Ticket:
    ticket = _lock(actor, ticket, "accept")
    at, old = _now(at), ticket.status
    ticket.status, ticket.accepted_at = Status.IN_PROGRESS, at
    ticket.overdue_at = ticket.escalated_at = None
    ticket.save(update_fields=["status", "accepted_at", "overdue_at", "escalated_at", "updated_at"])
    _event(
        ticket,
        "accept",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        data={"on_time": ticket.accept_by is None or at <= ticket.accept_by},
    )
    return ticket


@transaction.atomic
def return_ticket(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """退单: the unit says the ticket is not theirs; the dispatcher rules on it."""
    ticket = _lock(actor, ticket, "return")
    reason = _required_text(reason, "reason", "退单理由", 4)
    at, old = _now(at), ticket.status
    ticket.status = Status.RETURNED
    ticket.save(update_fields=["status", "updated_at"])
    _event(ticket, "return", actor, old, at=at, unit=ticket.main_unit, reason=reason)
    return ticket


@transaction.atomic
def uphold_return(
    actor,
    ticket,
    unit,
    *,
    reason: str = "",
    category: Category | None = None,
    urgency: str | None = None,
    co_units=None,
    at: datetime | None = None,
) -> Ticket:
    """The return was right: dispatch elsewhere. The returning unit is not charged."""
    ticket = _lock(actor, ticket, "uphold_return")
    unit = _unit_for(actor, unit)
    if unit.pk == ticket.main_unit_id:
        raise ValidationError({"unit": "同意退单时须改派给其他单位"})
    return _assign(
        actor,
        ticket,
        "uphold_return",
        unit,
        at=_now(at),
        category=category,
        urgency=urgency,
        co_units=co_units,
        reason=reason.strip(),
        data={"returned_by": ticket.main_unit_id},
    )


@transaction.atomic
def reject_return(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """The return was wrong: the ticket goes back to the same unit, with its first deadline."""
    ticket = _lock(actor, ticket, "reject_return")
    reason = _required_text(reason, "reason", "驳回理由")
    at, old = _now(at), ticket.status
    ticket.status = Status.DISPATCHED
    ticket.save(update_fields=["status", "updated_at"])
    _event(
        ticket,
        "reject_return",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        due_at=ticket.accept_by,
        reason=reason,
    )
    _notify(
        "return_rejected",
        ticket,
        f"退单被驳回：{ticket.title}",
        f"工单 {ticket.number} 的退单申请被驳回，请尽快接单。理由：{reason}",
        unit=ticket.main_unit,
    )
    return ticket


# --- handling ---------------------------------------------------------------------------------


@transaction.atomic
def request_extension(
    actor, ticket, until: datetime | None, reason: str, *, at: datetime | None = None
) -> Ticket:
    ticket = _lock(actor, ticket, "request_extension")
    reason = _required_text(reason, "reason", "延期理由", 4)
    if until is None:
        raise ValidationError({"until": "请填写申请延期到的时间"})
    if ticket.extension_requested_until is not None:
        raise Conflict("extension_pending", "已有一项延期申请待审批")
    if ticket.reply_by and until <= ticket.reply_by:
        raise ValidationError({"until": "延期后的时限必须晚于现在的答复时限"})
    at, old = _now(at), ticket.status
    ticket.extension_requested_until = until
    ticket.save(update_fields=["extension_requested_until", "updated_at"])
    _event(
        ticket,
        "request_extension",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        due_at=until,
        reason=reason,
    )
    return ticket


@transaction.atomic
def decide_extension(
    actor, ticket, approve: bool, reason: str = "", *, at: datetime | None = None
) -> Ticket:
    ticket = _lock(actor, ticket, "decide_extension")
    if ticket.extension_requested_until is None:
        raise Conflict("no_extension_pending", "没有待审批的延期申请")
    if not approve:
        reason = _required_text(reason, "reason", "不同意延期的理由")
    at, old = _now(at), ticket.status
    until = ticket.extension_requested_until
    fields = ["extension_requested_until", "updated_at"]
    if approve:
        ticket.reply_by = until
        ticket.overdue_at = ticket.escalated_at = None
        fields += ["reply_by", "overdue_at", "escalated_at"]
    ticket.extension_requested_until = None
    ticket.save(update_fields=fields)
    _event(
        ticket,
        "decide_extension",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        due_at=until,
        reason=reason.strip(),
        data={"approved": approve},
    )
    _notify(
        "extension",
        ticket,
        f"延期申请{'已批准' if approve else '未批准'}：{ticket.title}",
        f"工单 {ticket.number} 的延期申请{'已批准，答复时限延至' if approve else '未批准，答复时限仍为'}"
        f" {timezone.localtime(ticket.reply_by):%Y-%m-%d %H:%M}。{reason}",
        unit=ticket.main_unit,
    )
    return ticket


@transaction.atomic
def supervise(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """督办: flag the ticket for close watch and tell the unit."""
    ticket = _lock(actor, ticket, "supervise")
    reason = _required_text(reason, "reason", "督办意见")
    if ticket.is_supervised:
        raise Conflict("already_supervised", "该工单已在督办中")
    at, old = _now(at), ticket.status
    ticket.is_supervised = True
    ticket.save(update_fields=["is_supervised", "updated_at"])
    _event(ticket, "supervise", actor, old, at=at, unit=ticket.main_unit, reason=reason)
    if ticket.main_unit_id:
        _notify(
            "supervise",
            ticket,
            f"督办：{ticket.title}",
            f"工单 {ticket.number} 被督办：{reason}",
            unit=ticket.main_unit,
        )
    return ticket


DEFAULT_WHISTLE_HOURS = 8  # one working day


@transaction.atomic
def whistle(
    actor,
    ticket,
    units: list,
    reason: str,
    *,
    hours: float = DEFAULT_WHISTLE_HOURS,
    at: datetime | None = None,
) -> Ticket:
    """吹哨: call named departments in; each must report within `hours` working hours."""
    ticket = _lock(actor, ticket, "whistle")
    reason = _required_text(reason, "reason", "吹哨事由")
    if not units:
        raise ValidationError({"units": "请选择需要报到的部门"})
    if not (0 < float(hours) <= 240):
        raise ValidationError({"hours": "报到时限应在 0 到 240 个工作小时之间"})
    at, old = _now(at), ticket.status
    report_by = deadlines.add(deadlines.load_calendar(), at, hours, "work_hours")
    called = []
    for item in units:
        unit = _unit_for(actor, item, "units")
        if unit.pk == ticket.main_unit_id:
            raise ValidationError({"units": "不能向主办单位自身吹哨"})
        if TicketUnit.objects.filter(
            ticket=ticket, unit=unit, role=TicketUnit.Role.WHISTLE, reported_at__isnull=True
        ).exists():
            raise ValidationError({"units": f"{unit.name} 已被吹哨，尚未报到"})
        TicketUnit.objects.update_or_create(
            ticket=ticket,
            unit=unit,
            role=TicketUnit.Role.WHISTLE,
            defaults={"report_by": report_by, "reported_at": None, "report": ""},
        )
        called.append(unit)
        _notify(
            "whistle",
            ticket,
            f"吹哨报到：{ticket.title}",
            f"工单 {ticket.number} 需要贵单位于 {timezone.localtime(report_by):%Y-%m-%d %H:%M} 前报到。事由：{reason}",
            unit=unit,
        )
    ticket.save(update_fields=["updated_at"])
    _event(
        ticket,
        "whistle",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        due_at=report_by,
        reason=reason,
        data={"units": [u.pk for u in called]},
    )
    return ticket


@transaction.atomic
def whistle_report(actor, ticket, report: str, *, at: datetime | None = None) -> Ticket:
    ticket = _lock(actor, ticket, "whistle_report")
    report = _required_text(report, "report", "报到情况")
    call = (
        TicketUnit.objects.select_for_update()
        .filter(
            ticket=ticket,
            unit_id=actor.scope_unit_id,
            role=TicketUnit.Role.WHISTLE,
            reported_at__isnull=True,
        )
        .first()
    )
    if call is None:
        raise Conflict("not_whistled", "贵单位没有待报到的吹哨")
    at, old = _now(at), ticket.status
    call.reported_at, call.report = at, report
    call.save(update_fields=["reported_at", "report"])
    ticket.save(update_fields=["updated_at"])
    _event(
        ticket,
        "whistle_report",
        actor,
        old,
        at=at,
        unit=call.unit,
        due_at=call.report_by,
        reason=report,
        data={"on_time": call.report_by is None or at <= call.report_by},
    )
    return ticket


@transaction.atomic
def note(actor, ticket, text: str, *, at: datetime | None = None) -> Ticket:
    ticket = _lock(actor, ticket, "note")
    text = _required_text(text, "text", "办理记录")
    at, old = _now(at), ticket.status
    ticket.save(update_fields=["updated_at"])
    unit = actor.scope_unit if actor is not None and actor.scope_unit_id else ticket.main_unit
    _event(ticket, "note", actor, old, at=at, unit=unit, reason=text)
    return ticket


@transaction.atomic
def attach_photos(actor, ticket, files: list, *, at: datetime | None = None) -> Ticket:
    """Add photos to an open ticket: at most three in all, each checked for size and type."""
    ticket = _lock(actor, ticket, "attach")
    files = list(files or [])
    if not files:
        raise ValidationError({"files": "请选择要上传的照片"})
    if ticket.photos.count() + len(files) > MAX_PHOTOS:
        raise ValidationError({"files": f"每件工单最多 {MAX_PHOTOS} 张照片"})
    problems = [p for p in (photo_problem(f) for f in files) if p]
    if problems:
        raise ValidationError({"files": problems})
    at, old = _now(at), ticket.status
    for upload in files:
        TicketPhoto.objects.create(
            ticket=ticket, image=upload, content_type=_photo_type(upload), size=upload.size
        )
    ticket.save(update_fields=["updated_at"])
    _event(
        ticket,
        "attach",
        actor,
        old,
        at=at,
        reason=f"上传照片 {len(files)} 张",
        data={"photos": len(files)},
    )
    return ticket


@transaction.atomic
def reply(actor, ticket, text: str, *, at: datetime | None = None) -> Ticket:
    """办结答复: the unit's answer to the resident; the ticket waits for the callback."""
    ticket = _lock(actor, ticket, "reply")
    text = _required_text(text, "text", "答复内容", 5)
    at, old = _now(at), ticket.status
    ticket.status, ticket.replied_at, ticket.reply = Status.REPLIED, at, text
    ticket.overdue_at = ticket.escalated_at = None
    ticket.save(
        update_fields=["status", "replied_at", "reply", "overdue_at", "escalated_at", "updated_at"]
    )
    _event(
        ticket,
        "reply",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        due_at=ticket.reply_by,
        reason=text,
        data={"on_time": ticket.reply_by is None or at <= ticket.reply_by},
    )
    return ticket


@transaction.atomic
def callback(
    actor,
    ticket,
    *,
    solved: bool | None,
    satisfaction: str,
    remark: str = "",
    at: datetime | None = None,
    by_resident: bool = False,
) -> Ticket:
    """回访: solved or not, and 满意/基本满意/不满意. A good answer closes the ticket; a bad one
    puts it up for 重办 or a reasoned close."""
    ticket = _lock(actor, ticket, "callback")
    errors = {}
    if solved is None:
        errors["solved"] = ["请选择问题是否解决"]
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = ["满意度只能是 满意、基本满意 或 不满意"]
    if errors:
        raise ValidationError(errors)
    at, old = _now(at), ticket.status
    good = bool(solved) and satisfaction != Satisfaction.UNSATISFIED
    ticket.status = Status.CLOSED if good else Status.REVIEW
    ticket.solved, ticket.satisfaction = bool(solved), satisfaction
    fields = ["status", "solved", "satisfaction", "updated_at"]
    if good:
        ticket.closed_at = at
        fields.append("closed_at")
    ticket.save(update_fields=fields)
    _event(
        ticket,
        "callback",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        reason=remark.strip(),
        actor_label="诉求人本人" if by_resident else "",
        data={"solved": bool(solved), "satisfaction": satisfaction, "by_resident": by_resident},
    )
    if not good and ticket.main_unit_id:
        _notify(
            "callback_unsatisfied",
            ticket,
            f"回访未解决或不满意：{ticket.title}",
            f"工单 {ticket.number} 回访结果：{'已解决' if solved else '未解决'}，{satisfaction}。",
            unit=ticket.main_unit,
        )
    return ticket


@transaction.atomic
def reopen(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """重办: back to the same unit with a fresh reply-by."""
    ticket = _lock(actor, ticket, "reopen")
    reason = _required_text(reason, "reason", "重办理由")
    at, old = _now(at), ticket.status
    rule = deadlines.rule_for(ticket.category, ticket.urgency)
    ticket.reply_by = deadlines.add(
        deadlines.load_calendar(), at, rule.reply_amount, rule.reply_unit
    )
    ticket.status = Status.IN_PROGRESS
    ticket.replied_at = None
    ticket.overdue_at = ticket.escalated_at = None
    ticket.save(
        update_fields=[
            "status",
            "reply_by",
            "replied_at",
            "overdue_at",
            "escalated_at",
            "updated_at",
        ]
    )
    _event(
        ticket,
        "reopen",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        due_at=ticket.reply_by,
        reason=reason,
    )
    _notify(
        "reopen",
        ticket,
        f"工单重办：{ticket.title}",
        f"工单 {ticket.number} 回访未解决或不满意，需重新办理。{reason}",
        unit=ticket.main_unit,
    )
    return ticket


@transaction.atomic
def close(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    ticket = _lock(actor, ticket, "close")
    reason = _required_text(reason, "reason", "办结说明")
    at, old = _now(at), ticket.status
    ticket.status, ticket.closed_at = Status.CLOSED, at
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    _event(ticket, "close", actor, old, at=at, unit=ticket.main_unit, reason=reason)
    return ticket


@transaction.atomic
def merge(actor, ticket, into, reason: str = "", *, at: datetime | None = None) -> Ticket:
    """Merge a duplicate into the ticket that carries on."""
    into_pk = into.pk if isinstance(into, Ticket) else into
    if actor is not None and not access.visible_tickets(actor).filter(pk=into_pk).exists():
        raise ValidationError({"into": "目标工单不存在或不在您的管辖范围内"})
    ticket = _lock(actor, ticket, "merge")
    if into_pk == ticket.pk:
        raise ValidationError({"into": "不能与自身合并"})
    target = Ticket.objects.select_for_update().get(pk=into_pk)
    if target.status == Status.MERGED:
        raise ValidationError({"into": "目标工单本身已被合并，请选择它所并入的工单"})
    at, old = _now(at), ticket.status
    ticket.status, ticket.duplicate_of, ticket.closed_at = Status.MERGED, target, at
    ticket.save(update_fields=["status", "duplicate_of", "closed_at", "updated_at"])
    _event(
        ticket,
        "merge",
        actor,
        old,
        at=at,
        unit=ticket.main_unit,
        reason=reason.strip(),
        data={"into": target.pk, "into_number": target.number},
    )
    return ticket


# --- personal data ----------------------------------------------------------------------------


def read_phone(actor, ticket, via: str) -> str:
    """The full phone number, for a role that needs it; the look is logged."""
    if not access.visible_tickets(actor).filter(pk=ticket.pk).exists():
        raise Http404("不存在或无权查看")
    access.check(actor, "read_phone", ticket)
    PhoneRead.objects.create(user=actor, ticket=ticket, via=via[:40])
    return ticket.requester_phone


# --- the sweep --------------------------------------------------------------------------------


@dataclass
class SweepResult:
    overdue: int = 0
    escalated: int = 0
    whistle_reminders: int = 0


def sweep(now: datetime | None = None) -> SweepResult:
    """Mark overdue tickets, remind, and escalate the long overdue.

    Each row is claimed with a conditional UPDATE inside its own transaction, so two sweeps at
    once (or one run twice) do each piece of work exactly once.
    """
    now = _now(now)
    result = SweepResult()
    config = EngineSettings.current()
    calendar = deadlines.load_calendar(config)

    late_accept = Ticket.objects.filter(
        status=Status.DISPATCHED, accept_by__lt=now, overdue_at__isnull=True
    )
    late_reply = Ticket.objects.filter(
        status=Status.IN_PROGRESS, reply_by__lt=now, overdue_at__isnull=True
    )
    for clock, qs in (("accept", late_accept), ("reply", late_reply)):
        for pk in list(qs.values_list("pk", flat=True)):
            with transaction.atomic():
                if not Ticket.objects.filter(pk=pk, overdue_at__isnull=True).update(overdue_at=now):
                    continue
                ticket = Ticket.objects.select_related("main_unit").get(pk=pk)
                due = ticket.accept_by if clock == "accept" else ticket.reply_by
                _event(
                    ticket,
                    "overdue",
                    None,
                    ticket.status,
                    at=now,
                    unit=ticket.main_unit,
                    due_at=due,
                    data={"clock": clock},
                )
                _notify(
                    "overdue",
                    ticket,
                    f"工单超时：{ticket.title}",
                    f"工单 {ticket.number} 已超过{'接单' if clock == 'accept' else '答复'}时限"
                    f"（{timezone.localtime(due):%Y-%m-%d %H:%M}），请尽快办理。",
                    unit=ticket.main_unit,
                    dedupe_key=f"overdue:{pk}:{clock}:{due.isoformat()}",
                )
                result.overdue += 1

    candidates = Ticket.objects.filter(
        status__in=[Status.DISPATCHED, Status.IN_PROGRESS],
        overdue_at__isnull=False,
        escalated_at__isnull=True,
    ).values_list("pk", "status", "accept_by", "reply_by")
    for pk, status, accept_by, reply_by in list(candidates):
        due = accept_by if status == Status.DISPATCHED else reply_by
        if due is None:
            continue
        try:
            line = calendar.add_working_hours(
                due, config.escalate_after_days * calendar.hours_per_day
            )
        except deadlines.CalendarUnknown:
            continue
        if line > now:
            continue
        with transaction.atomic():
            if not Ticket.objects.filter(pk=pk, escalated_at__isnull=True).update(
                escalated_at=now, is_supervised=True
            ):
                continue
            ticket = Ticket.objects.select_related("main_unit").get(pk=pk)
            _event(
                ticket,
                "escalate",
                None,
                ticket.status,
                at=now,
                unit=ticket.main_unit,
                due_at=due,
                reason=f"超过时限 {config.escalate_after_days} 个工作日，自动升级督办",
            )
            _notify(
                "escalate",
                ticket,
                f"超时升级督办：{ticket.title}",
                f"工单 {ticket.number}（{ticket.main_unit}）超时超过 {config.escalate_after_days} 个工作日，已升级督办。",
                unit=ticket.main_unit,
                recipient="督办员",
                dedupe_key=f"escalate:{pk}:{due.isoformat()}",
            )
            result.escalated += 1

    late_calls = TicketUnit.objects.filter(
        role=TicketUnit.Role.WHISTLE,
        reported_at__isnull=True,
        report_by__lt=now,
        ticket__status__in=states.OPEN,
    ).select_related("ticket", "unit")
    for call in list(late_calls):
        key = f"whistle:{call.pk}:{call.report_by.isoformat()}"
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Notification.objects.create(
                        kind="whistle_overdue",
                        ticket=call.ticket,
                        unit=call.unit,
                        subject=f"吹哨报到超时：{call.ticket.title}",
                        body=f"贵单位应于 {timezone.localtime(call.report_by):%Y-%m-%d %H:%M} 前就工单 "
                        f"{call.ticket.number} 报到，至今未报到。",
                        dedupe_key=key,
                    )
            except IntegrityError:
                continue
            result.whistle_reminders += 1
    return result
