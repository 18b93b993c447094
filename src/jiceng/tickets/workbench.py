"""Staff pages: the ticket queues of each role, a ticket with its history and the actions the
user may take, and the hotline intake form. Thin: parse, fetch through access, call the
service, render."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.errors import ServiceError
from jiceng.core.redact import redact
from jiceng.dispatch import selectors as dispatch_selectors
from jiceng.orgs.access import visible
from jiceng.orgs.models import RoleCode, Unit
from jiceng.regions.models import Grid

from . import access, selectors, services, states
from .forms import GridReportForm, HotlineForm, MeetingForm
from .models import Category, Channel, Satisfaction, Ticket, TicketEvent, Urgency
from .states import OPEN, STATUS_LABELS, Status

R = RoleCode
OPEN_VALUES = [s.value for s in OPEN]

# (key, label, filter) — the queues; each role sees the tabs that matter to it.
QUEUES = {
    "received": ("待派单", Q(status=Status.RECEIVED)),
    "returned": ("退单待审", Q(status=Status.RETURNED)),
    "extension": (
        "延期申请",
        Q(extension_requested_until__isnull=False, status=Status.IN_PROGRESS),
    ),
    "review": ("回访未满意", Q(status=Status.REVIEW)),
    "todo": ("待接单", Q(status=Status.DISPATCHED)),
    "doing": ("办理中", Q(status=Status.IN_PROGRESS)),
    "callback": ("待回访", Q(status=Status.REPLIED)),
    "due_today": ("今日到期", None),  # computed below
    "overdue": ("已超时", Q(overdue_at__isnull=False, status__in=OPEN_VALUES)),
    "escalated": ("超时升级", Q(escalated_at__isnull=False, status__in=OPEN_VALUES)),
    "supervised": ("督办中", Q(is_supervised=True, status__in=OPEN_VALUES)),
    "all": ("全部", Q()),
}
ROLE_QUEUES = [
    (R.DISPATCHER, ["received", "returned", "extension", "review", "overdue", "supervised"]),
    (R.HANDLER, ["todo", "doing", "overdue"]),
    (R.GRID_WORKER, ["todo", "doing"]),
    (R.INTAKE, ["callback", "received"]),
    (R.SUPERVISOR, ["due_today", "overdue", "escalated", "supervised"]),
]


def queues_for(user) -> list[str]:
    keys: list[str] = []
    for role, names in ROLE_QUEUES:
        if user.is_superuser or user.has_role(role):
            keys += [k for k in names if k not in keys]
    return [*keys, "all"]


def _queue_filter(key: str) -> Q:
    if key == "due_today":
        today = timezone.localdate()
        start = timezone.make_aware(datetime.combine(today, time.min))
        end = start + timedelta(days=1)
        return Q(status=Status.DISPATCHED, accept_by__gte=start, accept_by__lt=end) | Q(
            status=Status.IN_PROGRESS, reply_by__gte=start, reply_by__lt=end
        )
    return QUEUES[key][1]


SORTS = [
    ("-received_at", "最新受理"),
    ("received_at", "最早受理"),
    ("accept_by", "接单时限"),
    ("reply_by", "答复时限"),
]


@login_required
def ticket_list(request):
    tabs = queues_for(request.user)
    current = request.GET.get("view") or tabs[0]
    if current not in QUEUES:
        current = "all"
    tickets = access.visible_tickets(request.user).select_related("region", "main_unit", "category")
    tickets = tickets.filter(_queue_filter(current))
    q = request.GET.get("q", "").strip()[:100]
    if q:
        tickets = tickets.filter(selectors.search_q(q))
    status = request.GET.get("status", "").strip()
    if status in {s.value for s in Status}:
        tickets = tickets.filter(status=status)
    elif status:
        messages.error(request, "状态参数不正确，已忽略")
    for param, lookup in [("from", "received_at__gte"), ("to", "received_at__lt")]:
        raw = request.GET.get(param, "").strip()
        if not raw:
            continue
        try:
            day = parse_date(raw) if len(raw) == 10 else None
        except ValueError:  # well formed, but no such day (2026-13-01)
            day = None
        if day is None:
            messages.error(request, f"日期“{raw[:20]}”不正确，应为 2026-12-01 的形式，已忽略")
            continue
        if param == "to":
            day += timedelta(days=1)  # the end day is included
        tickets = tickets.filter(**{lookup: timezone.make_aware(datetime.combine(day, time.min))})
    unit = request.GET.get("unit", "").strip()
    if unit and not unit.isdigit():
        messages.error(request, "承办单位参数不正确，已忽略")
        unit = ""
    period = request.GET.get("period", "").strip()
    if period:
        try:
            start, end = selectors.metrics.period_bounds(period)
        except selectors.metrics.BadPeriod as exc:
            messages.error(request, f"统计期不正确，已忽略：{exc}")
            period = ""
    measure = request.GET.get("measure", "").strip()
    if measure and (measure not in selectors.MEASURES or not period):
        messages.error(request, "统计口径参数不正确，已忽略")
        measure = ""
    if measure:
        # the tickets behind a figure of the 三率 ranking: its unit's events in its period
        tickets = tickets.filter(
            pk__in=selectors.measured_tickets(measure, period, unit_id=int(unit) if unit else None)
        )
    else:
        if unit:
            tickets = tickets.filter(main_unit_id=unit)
        if period:
            tickets = tickets.filter(received_at__gte=start, received_at__lt=end)
    channel = request.GET.get("channel", "").strip()
    if channel in Channel.values:
        tickets = tickets.filter(channel=channel)
    elif channel:
        messages.error(request, "受理渠道参数不正确，已忽略")
    for param, lookup in [
        ("category", "category__code__startswith"),
        ("region", "region__path__contains"),
    ]:
        value = request.GET.get(param, "").strip()
        if value:
            tickets = tickets.filter(**{lookup: f"/{value}/" if param == "region" else value})
    sort = request.GET.get("sort", "")
    if sort not in dict(SORTS):
        sort = SORTS[0][0]
    if sort.startswith("-"):
        order = [F(sort[1:]).desc(nulls_last=True), "-id"]
    else:
        order = [F(sort).asc(nulls_last=True), "id"]
    page = Paginator(tickets.order_by(*order), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/work/list.html",
        {
            "tabs": [(k, QUEUES[k][0]) for k in tabs],
            "current": current,
            "page": page,
            "q": q,
            "query": request.GET.urlencode(),
            "measure": selectors.MEASURES[measure][0] if measure else "",
            "sorts": SORTS,
            "sort": sort,
            # a search inside a drill-down stays inside it
            "kept": [
                (name, request.GET[name])
                for name in ("unit", "period", "measure", "region", "category", "channel", "sort")
                if request.GET.get(name)
            ],
            "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
            "channels": Channel.choices,
            "status": status,
            "date_from": request.GET.get("from", "")[:10],
            "date_to": request.GET.get("to", "")[:10],
            "measure_period": period,
        },
    )


def available_actions(user, ticket: Ticket) -> list[str]:
    hidden = states.SYSTEM_ACTIONS
    return [
        name
        for name in states.ACTIONS
        if name not in hidden
        and states.allowed(name, ticket.status)
        and access.may(user, name, ticket)
        and not (name == "decide_extension" and ticket.extension_requested_until is None)
        and not (name == "request_extension" and ticket.extension_requested_until is not None)
        and not (name == "supervise" and ticket.is_supervised)
        and not (name == "whistle_report" and not _whistled(user, ticket))
    ]


def _whistled(user, ticket) -> bool:
    return (
        bool(user.scope_unit_id)
        and ticket.units.filter(
            unit_id=user.scope_unit_id, role="whistle", reported_at__isnull=True
        ).exists()
    )


def _detail_context(request, ticket: Ticket, errors: dict | None = None, failed: str = "") -> dict:
    units = visible(request.user, Unit.objects.filter(is_active=True).select_related("type"))
    actions = available_actions(request.user, ticket)
    dispatching = bool({"dispatch", "redispatch", "uphold_return"} & set(actions))
    advice = dispatch_selectors.advice(request.user, ticket)
    return {
        "ticket": ticket,
        "events": TicketEvent.objects.filter(ticket=ticket)
        .select_related("unit")
        .order_by("at", "id"),
        "co_units": [tu for tu in ticket.units.select_related("unit")],
        "actions": actions,
        "labels": {name: a.label for name, a in states.ACTIONS.items()},
        "units": units.order_by("region__code", "type__sort", "name")[:2000],
        "advice": advice,
        # the routed unit, unless it already has the ticket (a re-dispatch goes elsewhere)
        "suggested": advice.unit
        if dispatching and advice.unit and advice.unit.pk != ticket.main_unit_id
        else None,
        "urgencies": Urgency.choices,
        "satisfactions": Satisfaction.values,
        "errors": errors or {},
        "failed": failed,
        "may_read_phone": access.may(request.user, "read_phone", ticket),
        "similar": dispatch_selectors.similar_open(request.user, ticket)
        if "merge" in actions
        else [],
        # what the moderator starts from: the published text, or the resident's, redacted
        "public_text": ticket.public_description
        if ticket.published_at
        else redact(ticket.content)[: services.PUBLIC_DESCRIPTION_MAX],
    }


@login_required
def ticket_detail(request, pk: int):
    ticket = access.get_ticket_for_user(
        request.user,
        pk,
        Ticket.objects.select_related("region", "main_unit", "category", "grid", "duplicate_of"),
    )
    return render(request, "tickets/work/detail.html", _detail_context(request, ticket))


@login_required
@require_POST
def read_phone(request, pk: int):
    ticket = access.get_ticket_for_user(request.user, pk)
    try:
        phone = services.read_phone(request.user, ticket, via="web")
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return HttpResponse(f'<span class="phone">{phone}</span>')


def _unit(request, name="unit"):
    value = request.POST.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _category(request):
    code = request.POST.get("category", "").strip()
    if not code:
        return None
    found = Category.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise ValidationError({"category": "分类编码不存在"})
    return found


def _when(request, name):
    text = request.POST.get(name, "").strip()
    try:
        moment = parse_datetime(text) if text else None
    except ValueError:  # well-formed but impossible, such as 2026-02-30T10:00
        raise ValidationError({name: f"时间“{text[:20]}”不存在，请重新选择日期和时间"}) from None
    if moment is None:
        raise ValidationError({name: "请选择日期和时间"})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _hours(text: str | None) -> float:
    """吹哨's report-by, in working hours: a number from 0.5 to 720."""
    if not (text or "").strip():
        return services.DEFAULT_WHISTLE_HOURS
    try:
        hours = float(text)
    except ValueError:
        raise ValidationError({"hours": "报到时限须填写小时数，例如 4"}) from None
    if not 0.5 <= hours <= 720:  # also refuses nan and inf
        raise ValidationError({"hours": "报到时限应在 0.5 到 720 小时之间"})
    return hours


def _run(action: str, request, ticket):
    p, u = request.POST, request.user
    reason = p.get("reason", "")
    if action in ("dispatch", "redispatch", "uphold_return"):
        fn = getattr(services, action)
        kwargs = {"category": _category(request), "urgency": p.get("urgency") or None}
        return fn(u, ticket, _unit(request), reason=reason, **kwargs)
    calls = {
        "accept": lambda: services.accept(u, ticket),
        "return": lambda: services.return_ticket(u, ticket, reason),
        "reject_return": lambda: services.reject_return(u, ticket, reason),
        "request_extension": lambda: services.request_extension(
            u, ticket, _when(request, "until"), reason
        ),
        "decide_extension": lambda: services.decide_extension(
            u, ticket, p.get("approve") == "1", reason
        ),
        "supervise": lambda: services.supervise(u, ticket, reason),
        "whistle": lambda: services.whistle(
            u,
            ticket,
            [int(x) for x in p.getlist("units") if x.isdigit()],
            reason,
            hours=_hours(p.get("hours")),
        ),
        "whistle_report": lambda: services.whistle_report(u, ticket, p.get("report", "")),
        "note": lambda: services.note(u, ticket, p.get("text", "")),
        "attach": lambda: services.attach_photos(u, ticket, request.FILES.getlist("files")),
        "reply": lambda: services.reply(u, ticket, p.get("text", "")),
        "callback": lambda: services.callback(
            u,
            ticket,
            solved={"1": True, "0": False}.get(p.get("solved", "")),
            satisfaction=p.get("satisfaction", ""),
            remark=p.get("remark", ""),
        ),
        "reopen": lambda: services.reopen(u, ticket, reason),
        "close": lambda: services.close(u, ticket, reason),
        "merge": lambda: services.merge(u, ticket, _merge_target(u, p.get("into", "")), reason),
        "moderate": lambda: services.moderate(
            u, ticket, p.get("text", ""), publish=p.get("publish") != "0"
        ),
    }
    return calls[action]()


def _merge_target(user, number: str) -> int:
    found = (
        access.visible_tickets(user)
        .filter(number=number.strip())
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise ValidationError({"into": "找不到该工单编号，或不在您的管辖范围内"})
    return found


@login_required
@require_POST
def act(request, pk: int, action: str):
    ticket = access.get_ticket_for_user(request.user, pk)
    if action not in states.ACTIONS or action in states.SYSTEM_ACTIONS:
        return HttpResponse("未知操作", status=404)
    try:
        _run(action, request, ticket)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    except ServiceError as exc:
        errors = {"__all__": [exc.message]}
    else:
        messages.success(request, f"已{states.ACTIONS[action].label}")
        return redirect("work-ticket", pk)
    ticket.refresh_from_db()
    context = _detail_context(request, ticket, errors, failed=action)
    return render(request, "tickets/work/detail.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def new_ticket(request):
    form = HotlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            category = None
            if data["category"]:
                category = Category.objects.filter(code=data["category"].strip()).first()
                if category is None:
                    raise ValidationError({"category": "分类编码不存在"})
            ticket, _ = services.receive(
                request.user,
                services.Intake(
                    title=data["title"],
                    content=data["content"],
                    region=form.region(),
                    channel=data["channel"],
                    requester_name=data["requester_name"],
                    requester_phone=data["requester_phone"],
                    category=category,
                    urgency=data["urgency"],
                    address=data["address"],
                ),
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for message in msgs:
                    form.add_error(
                        field
                        if field in form.fields
                        else ("county" if field == "region" else None),
                        message,
                    )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已受理，工单编号 {ticket.number}")
            return redirect("work-ticket", ticket.pk)
    categories = Category.objects.filter(is_active=True, level__lte=2).order_by("code")
    return render(request, "tickets/work/new.html", {"form": form, "categories": categories})


@login_required
@require_POST
def suggest(request):
    """While a request is typed in: the model's likely categories and open tickets nearby that
    say the same (an htmx fragment under the text box)."""
    from jiceng.dispatch import services as dispatch_services
    from jiceng.regions.models import Region

    if not access.may(request.user, "receive"):
        return HttpResponse(status=403)
    text = (request.POST.get("content") or "").strip()[:5000]
    context = {"top": [], "similar": [], "problem": ""}
    if len(text) >= 6:
        try:
            _version, top = dispatch_services.predict(text)
            context["top"] = [dict(t, percent=round(100 * t["p"])) for t in top if t["code"]]
        except LookupError:
            context["problem"] = "尚未训练派单模型"
        except Exception:  # a broken model: the form works on, without suggestions
            context["problem"] = "派单模型暂不可用"
        code = request.POST.get("village") or request.POST.get("township") or ""
        region = Region.objects.filter(code=code).first() if code else None
        context["similar"] = dispatch_selectors.similar_to_text(request.user, text, region)
    return render(request, "tickets/work/_suggest.html", context)


MATTER_ROWS = 5


@login_required
@require_http_methods(["GET", "POST"])
def new_meeting(request):
    """民情恳谈: record the meeting; each matter raised becomes a ticket, all or none."""
    form = MeetingForm(request.POST or None)
    rows = (
        _matter_rows(request.POST) if request.method == "POST" else [{} for _ in range(MATTER_ROWS)]
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matters = [
            services.Intake(
                title="",
                content=row["content"],
                region=None,
                requester_name=row["name"],
                requester_phone=row["phone"],
                urgency=row["urgency"] or Urgency.NORMAL,
            )
            for row in rows
            if row["content"].strip()
        ]
        try:
            meeting = services.record_meeting(
                request.user,
                region=form.region(),
                held_at=data["held_at"],
                matters=matters,
                place=data["place"],
                host=data["host"],
                attendees=data["attendees"],
                summary=data["summary"],
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except ServiceError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, f"已录入民情恳谈会，生成工单 {meeting.tickets.count()} 件")
            return redirect(f"{reverse('work-tickets')}?view=received")
    return render(
        request,
        "tickets/work/meeting.html",
        {
            "form": form,
            "rows": rows,
            "errors": errors,
            "urgencies": Urgency.choices,
        },
        status=422 if errors else 200,
    )


MAX_MATTER_ROWS = 50


def _matter_rows(post) -> list[dict]:
    """The matter rows of the meeting form; the row count is read, never trusted (a huge one
    once burnt 23 s of CPU)."""
    count = post.get("rows") or ""
    count = int(count) if count.isdigit() else MATTER_ROWS
    rows = []
    for i in range(max(1, min(count, MAX_MATTER_ROWS))):
        rows.append(
            {
                "content": post.get(f"m{i}-content", ""),
                "name": post.get(f"m{i}-name", ""),
                "phone": post.get(f"m{i}-phone", ""),
                "urgency": post.get(f"m{i}-urgency", ""),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def grid_report(request):
    """A grid worker's patrol finding, in the worker's own grids; small matters close on the spot."""
    grids = visible(request.user, Grid.objects.select_related("region")).order_by("code")
    form = GridReportForm(request.POST or None, request.FILES or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = data["grid"]
        try:
            ticket = services.report_from_grid(
                request.user,
                services.Intake(
                    title="",
                    content=data["content"],
                    region=grid.region,
                    grid=grid,
                    address=data["address"],
                    photos=tuple(data["photos"]),
                ),
                handled_on_spot=data["on_spot"],
                result=data["result"],
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for message in msgs:
                    form.add_error(field if field in form.fields else None, message)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            done = "已现场办结" if ticket.status == Status.CLOSED else "已上报"
            messages.success(request, f"{done}，工单编号 {ticket.number}")
            return redirect("work-ticket", ticket.pk)
    return render(request, "tickets/work/grid_report.html", {"form": form})
