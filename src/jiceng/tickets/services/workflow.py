"""The workflow after intake: dispatch, accept, return and its ruling, extensions, 督办,
吹哨, notes, the reply, the callback, 重办, close and merge; and logged phone reads."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import ServiceError
from jiceng.core.redact import redact
from jiceng.core.text import clean_text
from jiceng.orgs import whistling
from jiceng.orgs.models import RoleCode as R
from jiceng.orgs.models import Unit, User, WhistleRule

from .. import access, deadlines, hooks, residents, states
from ..models import (
    Category,
    Channel,
    PhoneRead,
    ResidentToken,
    Satisfaction,
    Ticket,
    TicketEvent,
    TicketUnit,
    Urgency,
)
from ..states import ASSIGNING, Status
from ..texts import callback_text, reply_text
from .base import Conflict, Notice, _lock, _now, _required_text, _unit_for, transition

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
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationError({"urgency": "紧急程度只能是 紧急、一般 或 复杂"})
    category = category if category is not None else ticket.category
    urgency = urgency if urgency is not None else ticket.urgency
    accept_by, reply_by, provisional = deadlines.deadlines(category, urgency, at)
    previous = ticket.main_unit if ticket.main_unit_id not in (None, unit.pk) else None
    ticket.main_unit = unit  # the co-handlers are read against the new main unit
    co = _change_co_units(actor, ticket, co_units)
    transition(
        ticket,
        action,
        actor,
        at=at,
        changes={
            "category": category,
            "urgency": urgency,
            "main_unit": unit,
            "accept_by": accept_by,
            "reply_by": reply_by,
            "clocks_started_at": at,
            "deadlines_provisional": provisional,
            "accepted_at": None,
            "overdue_at": None,
            "escalated_at": None,
            "extension_requested_until": None,
        },
        due_at=accept_by,
        reason=reason,
        data={
            "reply_by": reply_by.isoformat(),
            "provisional": provisional,
            "urgency": urgency,
            "category": category.code if category is not None else None,
            **co,
            **(data or {}),
        },
        notices=[
            Notice(
                "dispatched",
                f"新工单待接单：{ticket.title}",
                f"工单 {ticket.number} 已派至{unit.name}，请于 {timezone.localtime(accept_by):%Y-%m-%d %H:%M} 前接单。"
                + ("（时限按法定节假日暂定，官方放假安排公布后重算）" if provisional else ""),
                unit=unit,
            ),
            # the unit it was taken from is told, with where it went and why
            Notice(
                "taken_back",
                f"工单已改派：{ticket.title}",
                f"工单 {ticket.number} 已{'同意退单并' if action == 'uphold_return' else ''}改派至{unit.name}，"
                f"贵单位无需再办理。" + (f"理由：{reason}" if reason else ""),
                unit=previous,
            )
            if previous is not None
            else None,
            *_co_notices(ticket, co, unit),
        ],
    )
    if actor is not None and ticket.category_id:
        # A person chose (or kept) the category: the dispatch model learns from it.
        hooks.call("assigned", actor, ticket)
    return ticket


def _change_co_units(actor, ticket: Ticket, wanted) -> dict:
    """Make the ticket's co-handlers `wanted` (None: keep them) and say what it now has: the
    event's `co_units` is always the ticket's own list. The main unit is never its own
    co-handler: a co-handler made main unit leaves the list."""
    rows = TicketUnit.objects.filter(ticket=ticket, role=TicketUnit.Role.CO)
    before = set(rows.values_list("unit_id", flat=True))
    if wanted is None:
        after = before - {ticket.main_unit_id}
    else:
        after = set()
        for item in wanted:
            co = _unit_for(actor, item, "co_units")
            if co.pk == ticket.main_unit_id:
                raise ValidationError({"co_units": "协办单位不能与主办单位相同"})
            after.add(co.pk)
    if before - after:
        rows.exclude(unit_id__in=after).delete()
    TicketUnit.objects.bulk_create(
        [TicketUnit(ticket=ticket, unit_id=pk, role=TicketUnit.Role.CO) for pk in after - before]
    )
    return {
        "co_units": sorted(after),
        "added": sorted(after - before),
        "removed": sorted(before - after),
    }


def _to_co_handlers(ticket: Ticket, kind: str, subject: str, body: str) -> list[Notice]:
    """The same news for each of the ticket's co-handlers."""
    co = TicketUnit.objects.filter(ticket=ticket, role=TicketUnit.Role.CO).select_related("unit")
    return [Notice(kind, subject, body, unit=row.unit) for row in co]


def _co_notices(ticket: Ticket, change: dict, main: Unit | None) -> list[Notice]:
    """Each co-handler added is asked to help; each removed is told it no longer needs to."""
    units = Unit.objects.in_bulk([*change.get("added", []), *change.get("removed", [])])
    notices = [
        Notice(
            "co_handle",
            f"协办：{ticket.title}",
            f"工单 {ticket.number} 请贵单位协助{main.name if main else ''}办理。",
            unit=units[pk],
        )
        for pk in change.get("added", [])
        if pk in units
    ]
    notices += [
        Notice(
            "co_handle_removed",
            f"协办已取消：{ticket.title}",
            f"工单 {ticket.number} 不再需要贵单位协办。",
            unit=units[pk],
        )
        for pk in change.get("removed", [])
        if pk in units
    ]
    return notices


@transaction.atomic
def set_co_units(actor, ticket, units, *, reason: str = "", at: datetime | None = None) -> Ticket:
    """调整协办: add or remove co-handlers of a ticket being handled, as one event."""
    ticket = _lock(actor, ticket, "co_handle")
    change = _change_co_units(actor, ticket, list(units or []))
    if not change["added"] and not change["removed"]:
        raise Conflict("co_units_unchanged", "协办单位没有变化")
    transition(
        ticket,
        "co_handle",
        actor,
        at=_now(at),
        reason=reason.strip(),
        data=change,
        notices=_co_notices(ticket, change, ticket.main_unit if ticket.main_unit_id else None),
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
    data: dict | None = None,
) -> Ticket:
    """`data` goes into the event (the dispatch model's auto-dispatch says so there)."""
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
        data=data,
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
    at = _now(at)
    due = deadlines.latest_due(ticket, "accept")
    transition(
        ticket,
        "accept",
        actor,
        at=at,
        changes={"accepted_at": at, "overdue_at": None, "escalated_at": None},
        data={"on_time": due is None or at <= due},
    )
    return ticket


@transaction.atomic
def return_ticket(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """退单: the unit says the ticket is not theirs; the dispatcher rules on it."""
    ticket = _lock(actor, ticket, "return")
    reason = _required_text(reason, "reason", "退单理由", 4)
    transition(
        ticket,
        "return",
        actor,
        at=_now(at),
        reason=reason,
        notices=[
            Notice(
                "returned",
                f"退单待审：{ticket.title}",
                f"{ticket.main_unit.name if ticket.main_unit_id else ''}申请退回工单 {ticket.number}，"
                f"请裁定（同意并改派，或驳回）。理由：{reason}",
                users=tuple(_dispatchers_of(ticket)),
            )
        ],
    )
    return ticket


def _dispatchers_of(ticket: Ticket) -> list:
    """Who rules on a return: the person who assigned the ticket last; after an automatic
    dispatch, the dispatchers of the narrowest scope that holds the ticket's place."""
    last = (
        TicketEvent.objects.filter(ticket=ticket, action__in=ASSIGNING, actor__isnull=False)
        .order_by("-at", "-id")
        .values_list("actor", flat=True)
        .first()
    )
    if last is not None:
        return [User(pk=last)]
    holders = [
        u
        for u in User.objects.filter(
            is_active=True, roles__code="dispatcher", scope_region__isnull=False
        ).select_related("scope_region")
        if ticket.region.path.startswith(u.scope_region.path)
    ]
    if not holders:
        return []
    deepest = max(len(u.scope_region.path) for u in holders)
    return [u for u in holders if len(u.scope_region.path) == deepest]


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
    transition(
        ticket,
        "reject_return",
        actor,
        at=_now(at),
        due_at=ticket.accept_by,
        reason=reason,
        notices=[
            Notice(
                "return_rejected",
                f"退单被驳回：{ticket.title}",
                f"工单 {ticket.number} 的退单申请被驳回，请尽快接单。理由：{reason}",
                unit=ticket.main_unit,
            )
        ],
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
    transition(
        ticket,
        "request_extension",
        actor,
        at=_now(at),
        changes={"extension_requested_until": until},
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
    until = ticket.extension_requested_until
    changes: dict = {"extension_requested_until": None}
    if approve:
        # an approved date is a date a person chose, not a count of working days
        changes |= {
            "reply_by": until,
            "deadlines_provisional": False,
            "overdue_at": None,
            "escalated_at": None,
        }
    reply_by = until if approve else ticket.reply_by
    transition(
        ticket,
        "decide_extension",
        actor,
        at=_now(at),
        changes=changes,
        due_at=until,
        reason=reason.strip(),
        data={"approved": approve},
        notices=[
            Notice(
                "extension",
                f"延期申请{'已批准' if approve else '未批准'}：{ticket.title}",
                f"工单 {ticket.number} 的延期申请{'已批准，答复时限延至' if approve else '未批准，答复时限仍为'}"
                f" {timezone.localtime(reply_by):%Y-%m-%d %H:%M}。{reason}",
                unit=ticket.main_unit,
            )
        ],
    )
    return ticket


@transaction.atomic
def supervise(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """督办: flag the ticket for close watch and tell the unit."""
    ticket = _lock(actor, ticket, "supervise")
    reason = _required_text(reason, "reason", "督办意见")
    if ticket.is_supervised:
        raise Conflict("already_supervised", "该工单已在督办中")
    transition(
        ticket,
        "supervise",
        actor,
        at=_now(at),
        changes={"is_supervised": True},
        reason=reason,
        notices=[
            Notice(
                "supervise",
                f"督办：{ticket.title}",
                f"工单 {ticket.number} 被督办：{reason}",
                unit=ticket.main_unit,
            )
            if ticket.main_unit_id
            else None,
            *_to_co_handlers(
                ticket,
                "supervise",
                f"督办：{ticket.title}",
                f"贵单位协办的工单 {ticket.number} 被督办：{reason}",
            ),
        ],
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
    at = _now(at)
    report_by = deadlines.add(deadlines.load_calendar(), at, hours, "work_hours")
    called, notices = [], []
    for item in units:
        unit = _whistle_target(actor, item)
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
        notices.append(
            Notice(
                "whistle",
                f"吹哨报到：{ticket.title}",
                f"工单 {ticket.number} 需要贵单位于 {timezone.localtime(report_by):%Y-%m-%d %H:%M} 前报到。事由：{reason}",
                unit=unit,
            )
        )
    # a township that was asked to whistle (提请吹哨) has answered by whistling
    own = access.unit_of(actor)
    answered = TicketUnit.objects.filter(
        ticket=ticket, unit_id=own, role=TicketUnit.Role.ASKED, reported_at__isnull=True
    ).update(reported_at=at, report=f"已吹哨：{'、'.join(u.name for u in called)}")
    transition(
        ticket,
        "whistle",
        actor,
        at=at,
        due_at=report_by,
        reason=reason,
        data={
            "units": [u.pk for u in called],
            "by_unit": own,
            **({"answers_ask": True} if answered else {}),
        },
        notices=notices,
    )
    return ticket


def _whistle_target(actor, item) -> Unit:
    """A unit `actor` may call in: anyone in a dispatcher's scope; for a unit, whom the
    吹哨规则 let its kind of unit call (a township: its county's departments and companies)."""
    if actor is None or actor.is_superuser or actor.has_role(R.DISPATCHER):
        return _unit_for(actor, item, "units")
    pk = item.pk if isinstance(item, Unit) else item
    own = Unit.objects.select_related("type", "region").filter(pk=access.unit_of(actor)).first()
    found = whistling.targets(own, WhistleRule.Mode.CALL).filter(pk=pk).first()
    if found is None:
        raise ValidationError(
            {
                "units": "该单位不在贵单位可吹哨的范围内（见吹哨规则：乡镇、街道可召集本县市的部门和公共服务企业）"
            }
        )
    return found


def whistle_targets(actor, ticket: Ticket) -> list[Unit]:
    """The units the whistle form offers `actor` on `ticket`."""
    if actor.is_superuser or actor.has_role(R.DISPATCHER):
        from jiceng.orgs.access import visible

        units = visible(actor, Unit.objects.filter(is_active=True).select_related("type"))
        units = units.filter(
            type__category__in=["department", "public_service", "township"]
        ).order_by("region__code", "type__sort", "name")
        return list(units.exclude(pk=ticket.main_unit_id)[:2000])
    own = Unit.objects.select_related("type", "region").filter(pk=access.unit_of(actor)).first()
    return list(whistling.targets(own, WhistleRule.Mode.CALL).exclude(pk=ticket.main_unit_id))


def ask_targets(ticket: Ticket) -> list[Unit]:
    """Whom the unit holding `ticket` may ask to whistle: its township, by the rules."""
    if not ticket.main_unit_id:
        return []
    own = Unit.objects.select_related("type", "region").get(pk=ticket.main_unit_id)
    return list(whistling.targets(own, WhistleRule.Mode.ASK))


@transaction.atomic
def ask_whistle(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """提请吹哨: a community or village cannot call a department in; it asks its township,
    which sees the ticket from then on and whistles (or not) within a working day."""
    ticket = _lock(actor, ticket, "ask_whistle")
    reason = _required_text(reason, "reason", "提请事由")
    asked = ask_targets(ticket)
    if not asked:
        raise Conflict(
            "no_whistle_rule", "贵单位没有可提请吹哨的乡镇（街道）：请管理员检查吹哨规则"
        )
    if TicketUnit.objects.filter(
        ticket=ticket, role=TicketUnit.Role.ASKED, reported_at__isnull=True
    ).exists():
        raise Conflict("already_asked", "已提请吹哨，乡镇（街道）尚未回应")
    at = _now(at)
    answer_by = deadlines.add(deadlines.load_calendar(), at, DEFAULT_WHISTLE_HOURS, "work_hours")
    for unit in asked:
        TicketUnit.objects.update_or_create(
            ticket=ticket,
            unit=unit,
            role=TicketUnit.Role.ASKED,
            defaults={"report_by": answer_by, "reported_at": None, "report": ""},
        )
    transition(
        ticket,
        "ask_whistle",
        actor,
        at=at,
        due_at=answer_by,
        reason=reason,
        data={"units": [u.pk for u in asked]},
        notices=[
            Notice(
                "ask_whistle",
                f"提请吹哨：{ticket.title}",
                f"{ticket.main_unit.name}提请贵单位就工单 {ticket.number} 吹哨召集部门，"
                f"请于 {timezone.localtime(answer_by):%Y-%m-%d %H:%M} 前处理。事由：{reason}",
                unit=unit,
            )
            for unit in asked
        ],
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
            unit_id=access.unit_of(actor),
            role=TicketUnit.Role.WHISTLE,
            reported_at__isnull=True,
        )
        .first()
    )
    if call is None:
        raise Conflict("not_whistled", "贵单位没有待报到的吹哨")
    at = _now(at)
    TicketUnit.objects.filter(pk=call.pk).update(reported_at=at, report=report)
    transition(
        ticket,
        "whistle_report",
        actor,
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
    unit = actor.scope_unit if actor is not None and actor.scope_unit_id else ticket.main_unit
    transition(ticket, "note", actor, at=_now(at), unit=unit, reason=text)
    return ticket


@transaction.atomic
def reply(actor, ticket, text: str, *, at: datetime | None = None) -> Ticket:
    """办结答复: the unit's answer to the resident; the ticket waits for the callback."""
    ticket = _lock(actor, ticket, "reply")
    text = _required_text(text, "text", "答复内容", 5)
    at = _now(at)
    due = deadlines.latest_due(ticket, "reply")
    transition(
        ticket,
        "reply",
        actor,
        at=at,
        changes={"replied_at": at, "reply": text, "overdue_at": None, "escalated_at": None},
        due_at=ticket.reply_by,
        reason=text,
        data={"on_time": due is None or at <= due},
        notices=[_reply_notice(ticket)],
    )
    _share_reply(ticket, text, at)
    return ticket


def _reply_notice(ticket: Ticket) -> Notice | None:
    """The resident's SMS that the answer is ready (with the rating link), when they left a
    phone."""
    if not ticket.requester_phone:
        return None
    return Notice(
        "resident_reply", "您的诉求已答复", reply_text(ticket), recipient=ticket.requester_phone
    )


def _share_reply(main: Ticket, text: str, at: datetime) -> None:
    """并案答复: every request merged into `main` gets its reply, from its unit, and a rating
    round of its own: its resident is told, rates with their own link, and that answer counts
    for the unit like any other. A merge never buries a request."""
    merged = Ticket.objects.select_for_update().filter(duplicate_of=main, status=Status.MERGED)
    for dup in merged.order_by("id"):
        transition(
            dup,
            "share_reply",
            None,
            at=at,
            changes={
                "main_unit": main.main_unit,
                "reply": text,
                "replied_at": at,
                "closed_at": None,
            },
            reason=text,
            data={"of": main.pk, "of_number": main.number},
            actor_label=f"并入工单 {main.number} 的答复",
            notices=[_reply_notice(dup)],
        )


@dataclass(frozen=True)
class Round:
    """The callbacks of a ticket's current answer (each reply opens a round).

    `number` counts the replies so far; `open` is False once the round was ended by a ruling
    (重办, or a reasoned 办结) or before any reply. `resident` is the resident's own proven
    rating in the round, `phone` the hotline's 回访 recorded by staff, each the last of its
    kind (or None)."""

    number: int
    open: bool
    resident: TicketEvent | None
    phone: TicketEvent | None


def current_round(ticket: Ticket) -> Round:
    events = list(
        TicketEvent.objects.filter(
            ticket_id=ticket.pk, action__in=[*states.REPLYING, "callback", "reopen", "close"]
        ).order_by("id")
    )
    replies = [i for i, e in enumerate(events) if e.action in states.REPLYING]
    if not replies:
        return Round(0, False, None, None)
    since = events[replies[-1] + 1 :]
    callbacks = [e for e in since if e.action == "callback"]
    resident = [e for e in callbacks if e.by_resident]
    phone = [e for e in callbacks if not e.by_resident]
    return Round(
        number=len(replies),
        open=not any(e.action in ("reopen", "close") for e in since),
        resident=resident[-1] if resident else None,
        phone=phone[-1] if phone else None,
    )


def resident_may_rate(ticket: Ticket, now: datetime | None = None) -> bool:
    """Whether the resident may still give their own rating: the round is open and holds none
    of theirs yet. After a phone callback they may for `RATING_LINK_DAYS` (the link sent with
    what was recorded lasts as long)."""
    if ticket.status not in (Status.REPLIED, Status.CLOSED, Status.REVIEW):
        return False
    found = current_round(ticket)
    if not found.open or found.resident is not None:
        return False
    if ticket.status == Status.REPLIED:
        return True
    if found.phone is None:
        return False
    days = timedelta(days=int(getattr(settings, "RATING_LINK_DAYS", 15)))
    return _now(now) < found.phone.at + days


def _staff_refusal(ticket: Ticket, found: Round) -> Conflict | None:
    """Why a phone 回访 may not be recorded now, or None: the round must be open and hold no
    phone callback and no resident's rating that counts (a rating that does not count, on a
    ticket the unit filed itself, still waits for the hotline's independent 回访)."""
    closed = Conflict(
        "invalid_transition",
        f"工单当前状态为“{ticket.status_label}”，不能回访",
        status_now=ticket.status,
    )
    if ticket.status not in (Status.REPLIED, Status.CLOSED, Status.REVIEW) or not found.open:
        return closed
    if found.resident is not None and found.resident.counted:
        return Conflict(
            "resident_rated", "诉求人本人已通过短信验证评价，以本人评价为准，不能再录入回访"
        )
    if found.phone is not None:
        return Conflict("already_called_back", "本轮答复已录入回访")
    if found.resident is None and ticket.status != Status.REPLIED:
        return closed
    return None


def staff_may_call_back(ticket: Ticket) -> bool:
    """Whether a phone 回访 may be recorded now (see `_staff_refusal`)."""
    return _staff_refusal(ticket, current_round(ticket)) is None


def independent(ticket: Ticket) -> bool:
    """Whether a resident's rating of `ticket` is independent of the units handling it: the
    ticket was not filed by an account of its main unit or of a unit sharing it (co-handler,
    whistled, asked). Otherwise the unit could rate its own work with a phone of its choosing."""
    own = ticket.filed_by_unit_id
    if own is None:
        return True
    if own == ticket.main_unit_id:
        return False
    return not TicketUnit.objects.filter(ticket_id=ticket.pk, unit_id=own).exists()


@transaction.atomic
def callback(
    actor,
    ticket,
    *,
    solved: bool | None,
    satisfaction: str,
    remark: str = "",
    at: datetime | None = None,
    proof: int | None = None,
) -> Ticket:
    """回访: solved or not, and 满意/基本满意/不满意. A good answer closes the ticket; a bad one
    puts it up for 重办 or a reasoned close.

    Staff call back through their account (never an account of a unit handling the ticket:
    `access.may`). The resident rates with `actor=None` and `proof`, the id of the token that
    proved they hold the phone (the link sent to it, or a code sent by SMS); the token is
    spent here, in the same transaction, so it rates once. `actor=None` without proof is the
    system replaying history (a ledger import, the demo), signed by `as_system`.

    Rounds (docs/metrics.md): each reply opens one. Within it the resident's own proven rating
    is final, and supersedes a phone callback recorded before it; a phone callback after it is
    refused. Every phone callback is sent to the resident with a link to give their own.

    Provenance: a resident's rating of a ticket filed by the handling unit's own staff (or a
    co-handler's, see `independent`) is recorded and shown but does not count in the 三率;
    the hotline's independent 回访 may then still be made, and counts."""
    ticket = _lock(actor, ticket, "callback")
    by_resident = proof is not None
    this = current_round(ticket)
    if not this.open:
        raise Conflict(
            "invalid_transition",
            f"工单当前状态为“{ticket.status_label}”，不能回访",
            status_now=ticket.status,
        )
    token = None
    if by_resident:
        if not resident_may_rate(ticket, at):
            raise Conflict("already_rated", _("这件诉求已经评价过了，谢谢。"))
        token = residents.still_good(proof, ticket)
        if token is None:
            raise ServiceError(
                "proof_expired", _("评价链接或验证码已失效，请重新获取短信验证码"), status=403
            )
    elif refusal := _staff_refusal(ticket, this):  # staff, or the system replaying history
        raise refusal
    errors = {}
    if solved is None:
        errors["solved"] = ["请选择问题是否解决"]
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = ["满意度只能是 满意、基本满意 或 不满意"]
    if errors:
        raise ValidationError(errors)
    at = _now(at)
    counted = not by_resident or independent(ticket)
    good = bool(solved) and satisfaction != Satisfaction.UNSATISFIED
    if token is not None:  # spent in this transaction: the proof rates once
        ResidentToken.objects.filter(pk=token.pk).update(used_at=at)
    ticket.solved, ticket.satisfaction = bool(solved), satisfaction
    transition(
        ticket,
        "callback",
        actor,
        at=at,
        # the answer decides where the callback leads: one of the table's two outcomes
        outcome=Status.CLOSED if good else Status.REVIEW,
        changes={
            "solved": bool(solved),
            "satisfaction": satisfaction,
            "closed_at": at if good else None,
        },
        reason=remark.strip(),
        actor_label="诉求人本人" if by_resident else "",
        data={
            "solved": bool(solved),
            "satisfaction": satisfaction,
            "by_resident": by_resident,
            "round": this.number,
            **({"proof": token.kind} if token else {}),
            # provenance: a rating the handling unit's own staff could have given
            **({} if counted else {"counted": False, "why": "filed_by_handling_unit"}),
            **({"supersedes": this.phone.pk} if by_resident and this.phone else {}),
        },
        notices=[
            # what was recorded goes to the resident, with the link to give their own rating
            Notice(
                "resident_callback",
                "热线回访记录",
                callback_text(ticket),
                recipient=ticket.requester_phone,
            )
            if actor is not None and ticket.requester_phone
            else None,
            Notice(
                "callback_unsatisfied",
                f"回访未解决或不满意：{ticket.title}",
                f"工单 {ticket.number} 回访结果：{'已解决' if solved else '未解决'}，{satisfaction}。",
                unit=ticket.main_unit,
            )
            if not good and ticket.main_unit_id
            else None,
        ],
    )
    return ticket


@transaction.atomic
def reopen(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    """重办: back to the same unit with a fresh reply-by."""
    ticket = _lock(actor, ticket, "reopen")
    reason = _required_text(reason, "reason", "重办理由")
    at = _now(at)
    reply_by, provisional = deadlines.reply_deadline(ticket.category, ticket.urgency, at)
    transition(
        ticket,
        "reopen",
        actor,
        at=at,
        changes={
            "reply_by": reply_by,
            "deadlines_provisional": provisional,
            "clocks_started_at": at,
            "replied_at": None,
            "overdue_at": None,
            "escalated_at": None,
        },
        due_at=reply_by,
        reason=reason,
        data={"provisional": provisional},
        notices=[
            Notice(
                "reopen",
                f"工单重办：{ticket.title}",
                f"工单 {ticket.number} 回访未解决或不满意，需重新办理。{reason}",
                unit=ticket.main_unit,
            ),
            *_to_co_handlers(
                ticket,
                "reopen",
                f"工单重办：{ticket.title}",
                f"贵单位协办的工单 {ticket.number} 需重新办理，请继续协助{ticket.main_unit}。{reason}",
            ),
        ],
    )
    return ticket


@transaction.atomic
def close(actor, ticket, reason: str, *, at: datetime | None = None) -> Ticket:
    ticket = _lock(actor, ticket, "close")
    reason = _required_text(reason, "reason", "办结说明")
    at = _now(at)
    transition(ticket, "close", actor, at=at, changes={"closed_at": at}, reason=reason)
    return ticket


def _county(region) -> str:
    return region.code[:6]


def _merge_allowed(actor, ticket: Ticket, target: Ticket, reason: str) -> str:
    """Why a merge would bury a request, raised in words; else the reason, cleaned. Never
    into a closed ticket (its resident was answered, the new one would not be), never into
    主动治理 work (never counted), never across counties; across place or category only by a
    supervisor (督办员), with a reason."""
    reason = clean_text(reason or "").strip()
    if target.status == Status.CLOSED:
        raise ValidationError({"into": "目标工单已办结：新诉求不能并入已办结的工单，请单独办理"})
    if target.channel == Channel.PROACTIVE:
        raise ValidationError({"into": "目标是主动治理事项，群众诉求不能并入，请单独办理"})
    ticket = Ticket.objects.select_related("region").get(pk=ticket.pk)
    if _county(ticket.region) != _county(target.region):
        raise ValidationError({"into": "两件工单不在同一县市，不能合并"})
    same_place = ticket.region_id == target.region_id
    same_kind = (
        ticket.category_id is None
        or target.category_id is None
        or ticket.category_id == target.category_id
    )
    if same_place and same_kind:
        return reason
    what = "不同村（社区）" if not same_place else "不同分类"
    if actor is not None and not (actor.is_superuser or actor.has_role(R.SUPERVISOR)):
        raise ValidationError({"into": f"两件工单属于{what}：跨地点或跨分类合并须由督办员填写理由"})
    if len(reason) < 6:
        raise ValidationError({"reason": f"两件工单属于{what}：请填写合并理由（至少 6 个字）"})
    return reason


@transaction.atomic
def merge(actor, ticket, into, reason: str = "", *, at: datetime | None = None) -> Ticket:
    """Merge a duplicate into the ticket that carries on."""
    into_pk = into.pk if isinstance(into, Ticket) else into
    if actor is not None and not access.visible_tickets(actor).filter(pk=into_pk).exists():
        raise ValidationError({"into": "目标工单不存在或不在您的管辖范围内"})
    ticket = _lock(actor, ticket, "merge")
    if into_pk == ticket.pk:
        raise ValidationError({"into": "不能与自身合并"})
    target = Ticket.objects.select_for_update().select_related("region").get(pk=into_pk)
    if target.status == Status.MERGED:
        raise ValidationError({"into": "目标工单本身已被合并，请选择它所并入的工单"})
    reason = _merge_allowed(actor, ticket, target, reason)
    at = _now(at)
    transition(
        ticket,
        "merge",
        actor,
        at=at,
        changes={"duplicate_of": target, "closed_at": at},
        reason=reason,
        data={"into": target.pk, "into_number": target.number},
    )
    if target.status == Status.REPLIED:  # already answered: this resident gets it now
        _share_reply(target, target.reply, at)
        ticket.refresh_from_db()
    return ticket


# --- personal data ----------------------------------------------------------------------------


def read_phone(actor, ticket, via: str) -> str:
    """The full phone number, for a role that needs it; the look is logged."""
    if not access.visible_tickets(actor).filter(pk=ticket.pk).exists():
        raise Http404("不存在或无权查看")
    access.check(actor, "read_phone", ticket)
    PhoneRead.objects.create(user=actor, ticket=ticket, via=via[:40])
    return ticket.requester_phone


# --- publication ------------------------------------------------------------------------------

PUBLIC_DESCRIPTION_MAX = 500


@transaction.atomic
def moderate(
    actor, ticket, description: str, *, publish: bool = True, at: datetime | None = None
) -> Ticket:
    """公开审核 (FixMyStreet's moderation): what the public Open311 feed may show of a
    ticket. The description is redacted once more (names, numbers, plates never go out) and
    the resident's original text is kept as it was. `publish=False` withdraws it."""
    ticket = _lock(actor, ticket, "moderate")
    text = redact(clean_text(description)).strip()
    if len(text) > PUBLIC_DESCRIPTION_MAX:
        raise ValidationError(
            {"text": f"公开描述不能超过 {PUBLIC_DESCRIPTION_MAX} 字（现有 {len(text)} 字）"}
        )
    at = _now(at)
    transition(
        ticket,
        "moderate",
        actor,
        at=at,
        changes={
            "public_description": text if publish else "",
            "published_at": at if publish else None,
        },
        reason=("公开：" + (text or "（不公开描述）")) if publish else "撤回公开",
        data={"public": publish},
    )
    return ticket
