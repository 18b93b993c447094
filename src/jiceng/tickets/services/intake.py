"""Taking requests in: the API, the hotline, 民情恳谈 meetings, grid workers' patrols, photos."""

import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import crypto, files
from jiceng.core.errors import ServiceError
from jiceng.core.text import clean_text, long_enough
from jiceng.orgs import access as org_access
from jiceng.orgs.models import Unit
from jiceng.regions import lookup, placing
from jiceng.regions.models import Grid, Region

from .. import access, scripts
from ..models import (
    Category,
    Channel,
    IntakeKey,
    Meeting,
    Ticket,
    TicketEvent,
    TicketPhoto,
    TicketUnit,
    Urgency,
)
from ..rates import rollup
from ..states import Status
from . import followup
from .base import (
    Conflict,
    _lock,
    _notifications_on,
    _now,
    _required_text,
    as_system,
    transition,
)

# --- intake -------------------------------------------------------------------------------

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


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
    language: str = ""  # the resident's language (settings.LANGUAGES); Chinese when blank
    # where the request is known to be when no place was chosen (an Open311 key's region): the
    # words and coordinates place it inside, and it lands here when they name nothing
    within: Region | None = None


_proactive: ContextVar[bool] = ContextVar("proactive", default=False)


@contextmanager
def proactive_work():
    """Inside this block intake takes channel 主动治理 (`themes.open_proactive` only)."""
    token = _proactive.set(True)
    try:
        yield
    finally:
        _proactive.reset(token)


def _validate_intake(actor, intake: Intake) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    title = clean_text(intake.title).strip()
    content = clean_text(intake.content).strip()
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
    elif intake.channel == Channel.PROACTIVE and not _proactive.get():
        # 主动治理 is never counted in 三率: only a theme's page may open one, never an
        # intake form or API client that could hide a request from the rates this way
        fail("channel", "主动治理事项只能在每月一题页面新建")
    elif actor is not None and not _proactive.get():
        # an account files only through its role's channels (a grid worker's filing is a
        # patrol report; only the hotline centre files as 热线)
        if refusal := access.channel_refusal(actor, intake.channel):
            fail("channel", refusal)
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
    location = _locate(actor, intake)
    region = location.region
    if location.problem:
        fail("latitude", location.problem)
    if region is None:
        fail("region", "请选择诉求所在的区划，或在地址中写明县市、乡镇（街道）或村（社区）")
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
    language = intake.language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        fail("language", "群众语言只能是 zh-hans、ug 或 kk-arab")
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
        fail("photos", _("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS})
    cleaned = []
    for upload in photos[:MAX_PHOTOS]:
        try:
            cleaned.append(files.clean_photo(upload, limit=MAX_PHOTO_BYTES))
        except files.Refused as exc:
            fail("photos", str(exc))
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "content": content,
        "requester_phone": phone,
        "requester_name": clean_text(intake.requester_name).strip(),
        "address": clean_text(intake.address).strip(),
        "lat": None if lat is None else round(float(lat), 6),
        "lon": None if lon is None else round(float(lon), 6),
        "photos": cleaned,
        "language": language,
        "text_language": scripts.language_of(f"{title}\n{content}"),
        "location": location,
    }


def _placed(location: placing.Location) -> dict:
    """How the place was found, for the receive event: the way, its certainty, the names read."""
    placed = {"how": location.how, "certain": location.certain}
    if location.names:
        placed["names"] = list(location.names)
    return placed


def _locate(actor, intake: Intake) -> placing.Location:
    """Where the request is (regions/placing.py), searched inside the filer's scope."""
    within = intake.within
    if within is None and actor is not None and not actor.is_superuser:
        scope = org_access.scope_of(actor)
        if scope.path:
            within = lookup.region(scope.path.strip("/").split("/")[-1])
    words = "\n".join(x for x in (intake.address, intake.title, intake.content) if x)
    return placing.locate(
        chosen=intake.region,
        text=clean_text(words),
        latitude=intake.latitude,
        longitude=intake.longitude,
        within=within,
        default=intake.within,
    )


def photo_problem(upload) -> str:
    """Why an uploaded file is not an acceptable photo, or ''."""
    try:
        files.clean_photo(upload, limit=MAX_PHOTO_BYTES)
    except files.Refused as exc:
        return str(exc)
    return ""


def _store_photo(ticket: Ticket, photo: "files.Clean") -> TicketPhoto:
    """Keep a cleaned photo (and its thumbnail) under random names."""
    thumb = files.thumbnail(photo)
    return TicketPhoto.objects.create(
        ticket=ticket,
        image=photo.content,
        thumbnail=thumb.content,
        content_type=photo.content_type,
        size=photo.size,
    )


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(length))


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


def reimport(ticket: Ticket, fields: dict, *, at: datetime | None = None) -> Ticket:
    """A ledger's ticket taken in again from the start (`receive(existing=…)`, the ledger
    import only, as the system): its events, units and idempotency keys are removed, the months
    they counted in are recounted, and the ticket takes the ledger's fields. Removing history
    is a step of its own: its `reimport` event says how many rows went."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    events = TicketEvent.objects.filter(ticket=ticket)
    rollup.invalidate(events.values_list("at", flat=True))
    removed = {
        "events": events.delete()[0],
        "units": TicketUnit.objects.filter(ticket=ticket).delete()[0],
        "keys": IntakeKey.objects.filter(ticket=ticket).delete()[0],
    }
    changes = {k: v for k, v in {**fields, **RESTART_FIELDS}.items() if k != "status"}
    transition(
        ticket,
        "reimport",
        None,
        at=_now(at),
        changes=changes,
        unit=None,
        data={"removed": removed},
    )
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
    suggest: bool = True,
    auto_dispatch: bool = True,
) -> tuple[Ticket, bool]:
    """Take in a new request. Returns (ticket, created).

    With an `idempotency_key`, a retry by the same `client` returns the first ticket and
    `created=False`, however often and however concurrently it is sent. An import gives the
    ledger's `number`, and `existing` to take a ticket in again from the start (its events
    already removed by the caller).

    A new ticket then gets the dispatch model's suggestion, its 每月一题 and, when the model is
    sure enough (`auto_dispatch`), a dispatch: in the background (`followup`), from a task
    queued in this transaction. That step never fails the intake: a missing or broken model
    or a stopped queue leaves the ticket to manual dispatch, and says why.
    """
    if actor is not None and not _proactive.get():
        # (a theme's lead or co-unit opens 主动治理 items: themes.open_proactive checks it)
        access.check(actor, "receive")
    key = (idempotency_key or "").strip()
    if len(key) > 200:
        raise ValidationError({"idempotency_key": "Idempotency-Key 不能超过 200 个字符"})
    clean = _validate_intake(actor, intake)
    fingerprint = _fingerprint(intake, clean) if key else ""
    at = _now(at)
    # The model's advice, a confident auto-dispatch and the 每月一题 link come after, off the
    # request path: a task queued in this transaction (followup.py).
    follow = existing is None
    receipt = _notifications_on.get()
    fields = {
        "channel": intake.channel,
        "requester_name": clean["requester_name"],
        "requester_phone": clean["requester_phone"],
        "title": clean["title"],
        "content": clean["content"],
        "category": intake.category,
        "urgency": intake.urgency,
        "region": clean["location"].region,
        "placed_by": clean["location"].how,
        "place_certain": clean["location"].certain,
        "grid": intake.grid,
        "address": clean["address"],
        "latitude": clean["lat"],
        "longitude": clean["lon"],
        "received_at": at,
        "meeting": meeting,
        "created_by": actor,
        # provenance: the filer's unit, which a rating of this ticket must be independent of
        "filed_by_unit_id": access.unit_of(actor) if actor is not None else None,
        "status": Status.RECEIVED,
        "number": number,
        "follow_up_pending": follow,
        "language": clean["language"],
        "text_language": clean["text_language"],
        "summary": "",
    }
    # No look-up of the key first: the unique (client, key) row decides, so a retry costs a
    # rolled-back insert and a first request costs nothing. A clash of a random number or
    # tracking code (rare) is retried with new ones.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if existing is not None:
                    ticket = reimport(existing, fields)
                else:
                    _codes(fields, at, given=bool(number))
                    ticket = Ticket.objects.create(**fields)
                for photo in clean["photos"]:
                    _store_photo(ticket, photo)
                if key:
                    IntakeKey.objects.create(
                        client=client, key=key, ticket=ticket, fingerprint=fingerprint
                    )
                transition(
                    ticket,
                    "receive",
                    actor,
                    at=at,
                    unit=None,
                    actor_label=actor_label,
                    data={
                        "channel": intake.channel,
                        "placed": _placed(clean["location"]),
                        **(extra or {}),
                        # history taken in quietly (an import): the sweep sends no receipt
                        **({} if receipt else {"receipt": False}),
                    },
                )
                if follow:  # the receipt SMS too, so intake writes nothing more
                    followup.enqueue(
                        ticket, suggest=suggest, auto_dispatch=auto_dispatch, receipt=receipt
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
                    if found.fingerprint and found.fingerprint != fingerprint:
                        raise ServiceError(
                            "idempotency_mismatch",
                            "该 Idempotency-Key 已用于内容不同的另一条诉求；新诉求请换一个键",
                            status=422,
                        ) from None
                    return found.ticket, False
            if number and Ticket.objects.filter(number=number).exists():
                raise ServiceError(
                    "duplicate_number", f"工单编号 {number} 已存在", status=409
                ) from None
            if existing is not None:
                raise
    raise ServiceError("code_exhausted", "工单编号生成失败，请重试", status=503)


def _fingerprint(intake: Intake, clean: dict) -> str:
    """What a request asks for, as one digest (photos by their size)."""
    import json

    asked = {
        "title": clean["title"],
        "content": clean["content"],
        "phone": clean["requester_phone"],
        "name": clean["requester_name"],
        "address": clean["address"],
        "region": intake.region.pk if intake.region else None,
        "grid": intake.grid.pk if intake.grid else None,
        "category": intake.category.pk if intake.category else None,
        "urgency": intake.urgency,
        "channel": intake.channel,
        "lat": str(clean["lat"]),
        "lon": str(clean["lon"]),
        "photos": [getattr(p, "size", 0) for p in clean["photos"]],
    }
    # keyed: the digest of a request that holds a phone must not be a way to guess the phone
    return crypto.keyed_digest(json.dumps(asked, sort_keys=True, ensure_ascii=False).encode())


def receive_public(intake: Intake, *, at: datetime | None = None) -> Ticket:
    """A resident's own request from the public form: no account, a phone number required,
    and at most a few requests per phone and per place in any hour."""
    errors: dict[str, list[str]] = {}
    phone = (intake.requester_phone or "").strip()
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        errors["requester_phone"] = [_("请填写 11 位手机号，用于查询进度和回访")]
    if not long_enough((intake.content or "").strip()):
        errors["content"] = [_("请把诉求写清楚（至少 5 个汉字，或 3 个词）")]
    if intake.region is None or intake.region.level not in ("county", "township", "village"):
        errors["region"] = [_("请选择诉求所在的县市、乡镇（街道）和村（社区）")]
    elif intake.region.level != "village" and not (intake.address or "").strip():
        errors["address"] = [_("没有选到村（社区）时，请填写详细地址")]
    if errors:
        raise ValidationError(errors)
    at = _now(at)
    hour_ago = at - timedelta(hours=1)
    recent = Ticket.objects.filter(channel=Channel.WEB, received_at__gte=hour_ago)
    if (
        recent.filter(requester_phone_index=crypto.blind(phone)).count()
        >= settings.PUBLIC_LIMIT_PER_PHONE_HOUR
    ):
        raise ValidationError(
            {"requester_phone": [_("该号码一小时内提交次数过多，请稍后再试或拨打 12345 热线")]}
        )
    same_place = recent.filter(region=intake.region, address=(intake.address or "").strip())
    if same_place.count() >= settings.PUBLIC_LIMIT_PER_ADDRESS_HOUR:
        raise ValidationError(
            {"address": [_("该地点一小时内已收到多件诉求，我们正在处理，请勿重复提交")]}
        )
    intake.channel = Channel.WEB
    with as_system("群众（网上提交）"):
        ticket, _created = receive(None, intake, at=at)
    return ticket


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
    """A grid worker's patrol finding. A small matter settled on the spot (with a photo) is
    received and closed on the spot in one transaction (`close_on_spot`); any other goes to
    dispatch like every request."""
    access.check(actor, "receive")
    intake.channel = Channel.GRID
    if handled_on_spot:
        if access.unit_of(actor) is None:
            raise ValidationError(
                {"handled_on_spot": "您的账号没有所属单位或网格员任职，不能现场办结"}
            )
        result = _required_text(result, "result", "现场处置情况")
        if not intake.photos:
            raise ValidationError({"photos": "现场办结须附至少一张现场照片"})
    with transaction.atomic():
        ticket, _created = receive(actor, intake, auto_dispatch=not handled_on_spot)
        if handled_on_spot:
            ticket = close_on_spot(actor, ticket, result, at=ticket.received_at)
    return ticket


@transaction.atomic
def close_on_spot(actor, ticket, result: str, *, at: datetime | None = None) -> Ticket:
    """现场办结: a grid worker of the unit closes their own patrol finding, which must carry a
    photo. The unit becomes the main unit; there is no dispatch, so 响应率 never counts it,
    and no callback. It is counted apart as 现场办结."""
    ticket = _lock(actor, ticket, "close_on_spot")
    result = _required_text(result, "result", "现场处置情况")
    if ticket.channel != Channel.GRID:
        raise Conflict("not_a_patrol_report", "只有网格员巡查上报的事项可以现场办结")
    unit = Unit.objects.get(pk=access.unit_of(actor))
    if ticket.created_by_id and ticket.created_by_id != actor.pk:
        filer = access.unit_of(ticket.created_by)
        if filer != unit.pk:
            raise Conflict("not_your_report", "只能现场办结本单位网格员上报的事项")
    if not ticket.photos.exists():
        raise ValidationError({"photos": "现场办结须附至少一张现场照片"})
    at = _now(at)
    transition(
        ticket,
        "close_on_spot",
        actor,
        at=at,
        changes={"main_unit": unit, "replied_at": at, "closed_at": at, "reply": result},
        unit=unit,
        reason=result,
        data={"on_spot": True, "photos": ticket.photos.count()},
    )
    return ticket


@transaction.atomic
def attach_photos(actor, ticket, uploads: list, *, at: datetime | None = None) -> Ticket:
    """Add photos to an open ticket: at most three in all, each decoded and re-encoded."""
    ticket = _lock(actor, ticket, "attach")
    uploads = list(uploads or [])
    if not uploads:
        raise ValidationError({"files": "请选择要上传的照片"})
    if ticket.photos.count() + len(uploads) > MAX_PHOTOS:
        raise ValidationError({"files": f"每件工单最多 {MAX_PHOTOS} 张照片"})
    cleaned, problems = [], []
    for upload in uploads:
        try:
            cleaned.append(files.clean_photo(upload, limit=MAX_PHOTO_BYTES))
        except files.Refused as exc:
            problems.append(str(exc))
    if problems:
        raise ValidationError({"files": problems})
    for photo in cleaned:
        _store_photo(ticket, photo)
    transition(
        ticket,
        "attach",
        actor,
        at=_now(at),
        unit=None,
        reason=f"上传照片 {len(uploads)} 张",
        data={"photos": len(uploads)},
    )
    return ticket
