"""Tickets in the JSON API: thin endpoints over `services` and `selectors`."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jiceng.core import files
from jiceng.core.errors import ServiceError
from jiceng.core.pagination import Page
from jiceng.regions import lookup
from jiceng.regions.models import Grid, Region

from . import access, metrics, rates, selectors, services
from .access import get_ticket_for_user, visible_tickets
from .models import Category, Ticket, TicketEvent, TicketPhoto, TicketUnit
from .schemas import (
    AskWhistleIn,
    CallbackIn,
    CategoryOut,
    CoUnitsIn,
    DecisionIn,
    DispatchIn,
    EditIn,
    ExtensionIn,
    GridReportIn,
    MeetingIn,
    MeetingOut,
    MergeIn,
    PhoneOut,
    RatesOut,
    ReasonIn,
    ReportIn,
    TextIn,
    TicketBrief,
    TicketEventOut,
    TicketIn,
    TicketOut,
    WhistleIn,
)

router = Router(tags=["接诉即办"])


def _tickets(request):
    return (
        visible_tickets(request.user)
        .select_related(
            "category__parent", "region", "grid", "main_unit", "duplicate_of", "filed_by_unit"
        )
        .prefetch_related("units__unit", "photos")
    )


def _ticket(request, ticket_id: int) -> Ticket:
    return get_ticket_for_user(request.user, ticket_id, _tickets(request))


def _fresh(request, ticket_id: int) -> Ticket:
    return _tickets(request).get(pk=ticket_id)


def _region(code: str | None, field: str = "region_code") -> Region | None:
    if not code:
        return None
    region = lookup.region(code)
    if region is None:
        raise ValidationError({field: f"区划代码 {code} 不存在"})
    return region


def _category(code: str | None, field: str = "category_code") -> Category | None:
    if not code:
        return None
    found = selectors.category(code)
    if found is None:
        raise ValidationError({field: f"分类编码 {code} 不存在或已停用"})
    return found


def _grid(code: str | None) -> Grid | None:
    if not code:
        return None
    grid = Grid.objects.filter(code=code.strip()).select_related("region").first()
    if grid is None:
        raise ValidationError({"grid_code": f"网格编码 {code} 不存在"})
    return grid


@router.get("/categories", response=list[CategoryOut], summary="诉求分类")
@paginate(Page)
def list_categories(request, parent: str | None = None, level: int | None = None, q: str = ""):
    categories = Category.objects.filter(is_active=True).select_related("parent")
    if parent:
        categories = categories.filter(parent__code=parent)
    if level:
        categories = categories.filter(level=level)
    if q:
        categories = categories.filter(full_name__contains=q)
    return categories


@router.get("/tickets", response=list[TicketBrief], summary="工单列表（管辖范围内）")
@paginate(Page)
def list_tickets(
    request,
    status: str | None = None,
    unit_id: int | None = None,
    region: str | None = None,
    q: str = "",
    channel: str = "",
    category: str = Query("", description="分类编码（含其下级分类）"),
    date_from: str = Query("", alias="from", description="受理日期起，如 2026-12-01"),
    date_to: str = Query("", alias="to", description="受理日期止（含当天）"),
    overdue: bool | None = None,
    supervised: bool | None = None,
):
    tickets = visible_tickets(request.user).select_related("region", "main_unit", "filed_by_unit")
    if status:
        tickets = tickets.filter(status__in=status.split(","))
    # the work list's search, the same selector: number, tracking code, words, a full phone,
    # unit, place subtree, category, channel and dates
    found = selectors.search(
        tickets,
        {
            "q": q,
            "unit": str(unit_id or ""),
            "region": region or "",
            "channel": channel,
            "category": category,
            "from": date_from,
            "to": date_to,
        },
    )
    if found.problems:
        raise ValidationError({"query": found.problems})
    tickets = found.tickets
    if overdue is not None:
        tickets = tickets.filter(overdue_at__isnull=not overdue)
    if supervised is not None:
        tickets = tickets.filter(is_supervised=supervised)
    return tickets.order_by("-received_at", "-id")


@router.post("/tickets", response={200: TicketOut, 201: TicketOut}, summary="受理一件诉求")
def create_ticket(
    request: HttpRequest,
    payload: TicketIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="同一键重试不会重复建单"
    ),
):
    channel = payload.channel or next(iter(access.filing_channels(request.user)), "hotline")
    intake = services.Intake(
        title=payload.title,
        content=payload.content,
        region=_region(payload.region_code),
        channel=channel,
        requester_name=payload.requester_name,
        requester_phone=payload.requester_phone,
        category=_category(payload.category_code),
        urgency=payload.urgency,
        grid=_grid(payload.grid_code),
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        language=payload.language,
    )
    if channel not in {"hotline", "web", "grid"}:
        raise ValidationError({"channel": "接口受理的渠道只能是 hotline、web 或 grid"})
    ticket, created = services.receive(
        request.user, intake, client=f"user:{request.user.pk}", idempotency_key=idempotency_key
    )
    if not created:  # a retry: answer with the ticket as it is now
        return Status(200, _fresh(request, ticket.pk))
    # A new ticket carries what we just gave it, and has no co-units or API photos yet:
    # answer without reading anything back (this is the hottest path of the API).
    ticket._prefetched_objects_cache = {
        "units": TicketUnit.objects.none(),
        "photos": TicketPhoto.objects.none(),
    }
    return Status(201, ticket)


@router.get("/tickets/{ticket_id}", response=TicketOut, summary="一件工单")
def get_ticket(request, ticket_id: int):
    return _ticket(request, ticket_id)


@router.get("/tickets/{ticket_id}/events", response=list[TicketEventOut], summary="工单流转记录")
def list_events(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    return TicketEvent.objects.filter(ticket=ticket).select_related("unit").order_by("at", "id")


@router.get("/tickets/{ticket_id}/phone", response=PhoneOut, summary="诉求人完整电话（查看留痕）")
def get_phone(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    return {"phone": services.read_phone(request.user, ticket, via="api")}


@router.post("/tickets/{ticket_id}/photos", response=TicketOut, summary="上传照片（最多 3 张）")
def add_photos(request, ticket_id: int, files: list[UploadedFile] = File(...)):
    ticket = _ticket(request, ticket_id)
    services.attach_photos(request.user, ticket, files)
    return _fresh(request, ticket_id)


_PHOTO_TYPES = {
    kind: {"schema": {"type": "string", "format": "binary"}} for kind in files.IMAGES_MIME
}


@router.get(
    "/tickets/{ticket_id}/photos/{photo_id}",
    summary="照片文件（full 原图 / thumb 缩略图）",
    openapi_extra={"responses": {200: {"description": "照片", "content": _PHOTO_TYPES}}},
)
def get_photo(request, ticket_id: int, photo_id: int, size: Literal["full", "thumb"] = "full"):
    ticket = get_ticket_for_user(request.user, ticket_id)
    photo = ticket.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404("不存在或无权查看")
    if size == "thumb" and photo.thumbnail:
        return files.serve(photo.thumbnail, download_name=f"照片{photo.pk}-缩略图")
    return files.serve(photo.image, download_name=f"照片{photo.pk}")


def _action(path: str, summary: str):
    return router.post(f"/tickets/{{ticket_id}}/{path}", response=TicketOut, summary=summary)


@_action("dispatch", "派单")
def dispatch(request, ticket_id: int, payload: DispatchIn):
    ticket = _ticket(request, ticket_id)
    services.dispatch(
        request.user,
        ticket,
        payload.unit_id,
        category=_category(payload.category_code),
        urgency=payload.urgency,
        co_units=payload.co_unit_ids,
        reason=payload.reason,
    )
    return _fresh(request, ticket_id)


@_action("redispatch", "改派")
def redispatch(request, ticket_id: int, payload: DispatchIn):
    ticket = _ticket(request, ticket_id)
    services.redispatch(
        request.user,
        ticket,
        payload.unit_id,
        reason=payload.reason,
        category=_category(payload.category_code),
        urgency=payload.urgency,
        co_units=payload.co_unit_ids,
    )
    return _fresh(request, ticket_id)


@_action("accept", "接单")
def accept(request, ticket_id: int):
    services.accept(request.user, _ticket(request, ticket_id))
    return _fresh(request, ticket_id)


@_action("return", "退单")
def return_ticket(request, ticket_id: int, payload: ReasonIn):
    services.return_ticket(request.user, _ticket(request, ticket_id), payload.reason)
    return _fresh(request, ticket_id)


@_action("return/uphold", "同意退单并改派")
def uphold_return(request, ticket_id: int, payload: DispatchIn):
    services.uphold_return(
        request.user,
        _ticket(request, ticket_id),
        payload.unit_id,
        reason=payload.reason,
        category=_category(payload.category_code),
        urgency=payload.urgency,
        co_units=payload.co_unit_ids,
    )
    return _fresh(request, ticket_id)


@_action("return/reject", "驳回退单")
def reject_return(request, ticket_id: int, payload: ReasonIn):
    services.reject_return(request.user, _ticket(request, ticket_id), payload.reason)
    return _fresh(request, ticket_id)


@_action("extension", "申请延期")
def request_extension(request, ticket_id: int, payload: ExtensionIn):
    services.request_extension(
        request.user, _ticket(request, ticket_id), payload.until, payload.reason
    )
    return _fresh(request, ticket_id)


@_action("extension/decide", "审批延期")
def decide_extension(request, ticket_id: int, payload: DecisionIn):
    services.decide_extension(
        request.user, _ticket(request, ticket_id), payload.approve, payload.reason
    )
    return _fresh(request, ticket_id)


@_action("supervise", "督办")
def supervise(request, ticket_id: int, payload: ReasonIn):
    services.supervise(request.user, _ticket(request, ticket_id), payload.reason)
    return _fresh(request, ticket_id)


@_action("co-units", "调整协办单位")
def co_units(request, ticket_id: int, payload: CoUnitsIn):
    services.set_co_units(
        request.user, _ticket(request, ticket_id), payload.unit_ids, reason=payload.reason
    )
    return _fresh(request, ticket_id)


@_action("whistle/ask", "提请乡镇（街道）吹哨")
def ask_whistle(request, ticket_id: int, payload: AskWhistleIn):
    services.ask_whistle(request.user, _ticket(request, ticket_id), payload.reason)
    return _fresh(request, ticket_id)


@_action("whistle", "吹哨")
def whistle(request, ticket_id: int, payload: WhistleIn):
    services.whistle(
        request.user,
        _ticket(request, ticket_id),
        payload.unit_ids,
        payload.reason,
        hours=payload.hours,
    )
    return _fresh(request, ticket_id)


@_action("whistle/report", "吹哨报到")
def whistle_report(request, ticket_id: int, payload: ReportIn):
    services.whistle_report(request.user, _ticket(request, ticket_id), payload.report)
    return _fresh(request, ticket_id)


@_action("notes", "办理记录")
def add_note(request, ticket_id: int, payload: TextIn):
    services.note(request.user, _ticket(request, ticket_id), payload.text)
    return _fresh(request, ticket_id)


@_action("summary", "双语受理：写中文摘要（诉求不是中文时）")
def summarize(request, ticket_id: int, payload: EditIn):
    services.summarize(
        request.user, _ticket(request, ticket_id), payload.text, expected=payload.expected
    )
    return _fresh(request, ticket_id)


@_action("reply-translation", "双语受理：把答复译成诉求人的语言")
def translate_reply(request, ticket_id: int, payload: EditIn):
    services.translate_reply(
        request.user, _ticket(request, ticket_id), payload.text, expected=payload.expected
    )
    return _fresh(request, ticket_id)


@_action("reply", "答复")
def reply(request, ticket_id: int, payload: TextIn):
    services.reply(request.user, _ticket(request, ticket_id), payload.text)
    return _fresh(request, ticket_id)


@_action("callback", "回访")
def callback(request, ticket_id: int, payload: CallbackIn):
    services.callback(
        request.user,
        _ticket(request, ticket_id),
        solved=payload.solved,
        satisfaction=payload.satisfaction,
        remark=payload.remark,
    )
    return _fresh(request, ticket_id)


@_action("reopen", "重办")
def reopen(request, ticket_id: int, payload: ReasonIn):
    services.reopen(request.user, _ticket(request, ticket_id), payload.reason)
    return _fresh(request, ticket_id)


@_action("close", "办结")
def close(request, ticket_id: int, payload: ReasonIn):
    services.close(request.user, _ticket(request, ticket_id), payload.reason)
    return _fresh(request, ticket_id)


@_action("merge", "合并重复件")
def merge(request, ticket_id: int, payload: MergeIn):
    services.merge(request.user, _ticket(request, ticket_id), payload.into_id, payload.reason)
    return _fresh(request, ticket_id)


def _grid_intake(payload: GridReportIn, photos=()) -> "services.Intake":
    grid = _grid(payload.grid_code)
    if grid is None:
        raise ValidationError({"grid_code": "请填写巡查所在网格"})
    return services.Intake(
        title=payload.title,
        content=payload.content,
        region=grid.region,
        grid=grid,
        address=payload.address,
        category=_category(payload.category_code),
        urgency=payload.urgency,
        latitude=payload.latitude,
        longitude=payload.longitude,
        photos=tuple(photos),
    )


@router.post("/grid-reports", response={201: TicketOut}, summary="网格员巡查上报")
def create_grid_report(request, payload: GridReportIn):
    if payload.handled_on_spot:
        raise ValidationError(
            {
                "photos": "现场办结须附现场照片：请以 multipart 表单调用 "
                "POST /api/v1/grid-reports/on-spot"
            }
        )
    ticket = services.report_from_grid(request.user, _grid_intake(payload))
    return Status(201, _fresh(request, ticket.pk))


@router.post(
    "/grid-reports/on-spot",
    response={201: TicketOut},
    summary="网格员巡查发现并现场办结（multipart 表单，须附照片）",
)
def create_grid_report_on_spot(
    request, payload: Form[GridReportIn], files: list[UploadedFile] = File(...)
):
    ticket = services.report_from_grid(
        request.user,
        _grid_intake(payload, files),
        handled_on_spot=True,
        result=payload.result,
    )
    return Status(201, _fresh(request, ticket.pk))


@router.post("/meetings", response={201: MeetingOut}, summary="录入民情恳谈会及其诉求")
def create_meeting(request, payload: MeetingIn):
    matters = [
        services.Intake(
            title=m.title,
            content=m.content,
            region=_region(m.region_code, f"matters.{i}.region_code"),
            requester_name=m.requester_name,
            requester_phone=m.requester_phone,
            category=_category(m.category_code, f"matters.{i}.category_code"),
            urgency=m.urgency,
            address=m.address,
        )
        for i, m in enumerate(payload.matters)
    ]
    meeting = services.record_meeting(
        request.user,
        region=_region(payload.region_code),
        held_at=payload.held_at,
        matters=matters,
        place=payload.place,
        host=payload.host,
        attendees=payload.attendees,
        summary=payload.summary,
    )
    return Status(201, meeting)


@router.get("/metrics", response=RatesOut, summary="三率与综合得分排名（管辖范围内）")
def get_metrics(request, period: str, by: str = "unit", level: str = "county", view: str = ""):
    """`period` is a month (2026-10), a quarter (2026-Q4) or a year (2026). With `view`
    (kind: units by kind; region: regions by level) each group is ranked on its own, as in
    the 通报; otherwise one ranking `by` unit, region (at `level`) or channel."""
    if by not in {"unit", "region", "channel"}:
        raise ServiceError("invalid", "by 只能是 unit、region 或 channel", status=422)
    if level not in rates.LEVEL_DIGITS:
        raise ServiceError("invalid", "level 只能是 county、township 或 village", status=422)
    if view and view not in rates.VIEWS:
        raise ServiceError("invalid", "view 只能是 kind 或 region", status=422)
    try:
        return rates.report(period, by=by, level=level, view=view, user=request.user)
    except metrics.BadPeriod as exc:
        raise ServiceError("invalid_period", str(exc), status=422) from None
