"""Staff pages: the ticket queues of each role, a ticket with its history and the actions the
user may take, and the hotline intake form. Thin: parse, fetch through access, call the
service, render."""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.errors import ServiceError
from jiceng.core.redact import redact
from jiceng.core.text import initials, is_id
from jiceng.orgs.access import visible
from jiceng.orgs.models import RoleCode, Unit
from jiceng.regions.labels import places
from jiceng.regions.models import Grid, Region

from . import access, batch, hooks, rates, selectors, services, states
from .forms import GridReportForm, HotlineForm, MeetingForm
from .models import Category, Channel, Satisfaction, TextLanguage, Ticket, TicketEvent, Urgency
from .states import STATUS_LABELS, Status

R = RoleCode

QUEUES = selectors.QUEUES
ROLE_QUEUES = [
    (
        R.DISPATCHER,
        ["received", "bilingual", "returned", "extension", "review", "overdue", "supervised"],
    ),
    (R.HANDLER, ["todo", "doing", "due_soon", "overdue"]),
    (R.GRID_WORKER, ["grid", "todo", "doing", "due_soon"]),
    (R.INTAKE, ["callback", "received", "bilingual", "translate"]),
    (R.SUPERVISOR, ["due_today", "overdue", "escalated", "supervised"]),
]


def queues_for(user) -> list[str]:
    keys: list[str] = []
    for role, names in ROLE_QUEUES:
        if user.is_superuser or user.has_role(role):
            keys += [k for k in names if k not in keys]
    return [*keys, "all"]


def work_today(user) -> list[tuple[str, str, int, str]]:
    """The day's work of `user`: each of their queues (but 全部) as (key, label, count, link),
    for the home page. One count a queue, inside the user's scope."""
    visible = access.visible_tickets(user)
    out = []
    for key in queues_for(user):
        if key == "all":
            continue
        count = visible.filter(selectors.queue_q(key, user)).count()
        out.append((key, QUEUES[key][0], count, f"{reverse('work-tickets')}?view={key}"))
    return out


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
    tickets = tickets.filter(selectors.queue_q(current, request.user))
    search = selectors.search(tickets, request.GET)
    tickets = search.tickets
    for problem in search.problems:
        messages.error(request, problem)
    q, status, period, measure = search.q, search.status, search.period, search.measure
    sort = request.GET.get("sort", "")
    if sort not in dict(SORTS):
        sort = SORTS[0][0]
    if sort.startswith("-"):
        order = [F(sort[1:]).desc(nulls_last=True), "-id"]
    else:
        order = [F(sort).asc(nulls_last=True), "id"]
    if q and current != "all" and not tickets.exists():
        # a number or tracking code typed in one tab finds the ticket in whichever tab it is
        elsewhere = selectors.search(access.visible_tickets(request.user), request.GET).tickets
        if elsewhere.exists():
            messages.info(request, f"“{QUEUES[current][0]}”中没有，已在全部工单中查找")
            params = request.GET.copy()
            params["view"] = "all"
            return redirect(f"{reverse('work-tickets')}?{params.urlencode()}")
    page = Paginator(tickets.order_by(*order), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/work/list.html",
        {
            "tabs": [(k, QUEUES[k][0]) for k in tabs],
            # the 双语受理 queue with its ages, for those who write the summaries
            "bilingual": selectors.bilingual_queue(access.visible_tickets(request.user))
            if "bilingual" in tabs
            else None,
            "current": current,
            "page": page,
            "q": q,
            "query": request.GET.urlencode(),
            "measure": rates.MEASURES[measure][0] if measure else "",
            "sorts": SORTS,
            "sort": sort,
            # a search inside a drill-down stays inside it
            "kept": [
                (name, request.GET[name])
                for name in ("unit", "period", "measure", "region", "category", "channel", "sort")
                if request.GET.get(name)
            ],
            "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
            # the place subtree and category pickers: counties and townships in scope, and the
            # first two levels of categories
            "places": visible(
                request.user, Region.objects.filter(level__in=["county", "township"])
            ).order_by("code")[:500],
            "category_choices": Category.objects.filter(is_active=True, level__lte=2).order_by(
                "code"
            ),
            "region": request.GET.get("region", "").strip()[:12],
            "category": request.GET.get("category", "").strip()[:20],
            "channels": Channel.choices,
            "status": status,
            "date_from": request.GET.get("from", "")[:10],
            "date_to": request.GET.get("to", "")[:10],
            "measure_period": period,
            "may_batch": batch.may_batch(request.user),
            "batch_units": visible(request.user, Unit.objects.filter(is_active=True)).order_by(
                "region__code", "type__sort", "name"
            )[:2000]
            if batch.may_batch(request.user)
            else [],
            "back": request.get_full_path(),
        },
    )


def available_actions(user, ticket: Ticket) -> list[str]:
    hidden = states.SYSTEM_ACTIONS
    found = [
        name
        for name in states.ACTIONS
        if name not in hidden
        and states.allowed(name, ticket.status)
        and access.may(user, name, ticket)
        and not (name == "decide_extension" and ticket.extension_requested_until is None)
        and not (name == "request_extension" and ticket.extension_requested_until is not None)
        and not (name == "supervise" and ticket.is_supervised)
        and not (name == "whistle_report" and not _whistled(user, ticket))
        and not (name == "close_on_spot" and ticket.channel != Channel.GRID)
        and not (name == "callback" and not services.staff_may_call_back(ticket))
        and not (name == "summarize" and ticket.text_language == TextLanguage.CHINESE)
        and not (
            name == "translate_reply"
            and (ticket.language == settings.LANGUAGE_CODE or not ticket.reply)
        )
    ]
    # a whistle needs someone to call; a request to whistle needs a township to ask
    if "whistle" in found and not services.whistle_targets(user, ticket):
        found.remove("whistle")
    if "ask_whistle" in found and (
        "whistle" in found
        or not services.ask_targets(ticket)
        or ticket.units.filter(role="asked", reported_at__isnull=True).exists()
    ):
        found.remove("ask_whistle")
    return found


def _whistled(user, ticket) -> bool:
    own = access.unit_of(user)
    return (
        own is not None
        and ticket.units.filter(unit_id=own, role="whistle", reported_at__isnull=True).exists()
    )


# the ticket page without a dispatch app: no suggestion, no routed unit
NO_ADVICE = SimpleNamespace(suggestion=None, top=[], unit=None, reason="")

NOTICES = [("supervise", "督办通知单"), ("whistle", "吹哨通知单")]


FILED_BY = {
    "resident": "群众本人（网上提交）",
    "client": "Open311 客户端",
    "hotline": "热线中心",
    "system": "系统导入",
}


def _provenance(ticket: Ticket) -> SimpleNamespace:
    """Who filed the ticket, and whether a resident's rating of it counts (docs/metrics.md)."""
    kind = ticket.filed_by_kind
    if kind == "staff":
        label = f"{ticket.filed_by_unit.name}工作人员"
        if ticket.created_by_id:
            label += f"（{ticket.created_by}）"
    else:
        label = FILED_BY[kind]
        if kind == "hotline" and ticket.created_by_id:
            label += f"（{ticket.created_by}）"
    return SimpleNamespace(
        kind=kind,
        label=label,
        unit=ticket.filed_by_unit if kind == "staff" else None,
        independent=services.independent(ticket),
    )


def _answers(ticket: Ticket) -> list[SimpleNamespace]:
    """Every callback with its round, who gave it and whether it counts in the 三率."""
    rows, round_number = [], 0
    events = TicketEvent.objects.filter(ticket=ticket, action__in=[*states.REPLYING, "callback"])
    for event in events.order_by("id"):
        if event.action in states.REPLYING:
            round_number += 1
            continue
        rows.append(
            SimpleNamespace(
                round=event.data.get("round", round_number),
                at=event.at,
                by="诉求人本人" if event.by_resident else (event.actor_label or "热线回访"),
                how="群众本人评价" if event.by_resident else "热线回访",
                solved=event.solved,
                satisfaction=event.satisfaction,
                counted=event.counted,
                superseded=event.superseded_at is not None,
            )
        )
    return rows


# what an event's data says about units other than its own, as the 流转记录 names them
EVENT_UNITS = [
    ("units", "被吹哨单位"),
    ("added", "增加协办"),
    ("removed", "取消协办"),
    ("previous_unit", "原承办单位"),
    ("returned_by", "退单单位"),
]


def _with_units(events) -> list:
    """Each event, with `involves`: the other units it concerns, by name (被吹哨单位：城管局)."""
    events = list(events)
    wanted = set()
    for e in events:
        for key, _label in EVENT_UNITS:
            value = (e.data or {}).get(key)
            wanted |= set(value) if isinstance(value, list) else ({value} if value else set())
        if e.action == "dispatch" and (e.data or {}).get("co_units"):
            wanted |= set(e.data["co_units"])
    names = dict(Unit.objects.filter(pk__in=wanted).values_list("pk", "name"))
    for e in events:
        parts = []
        data = e.data or {}
        for key, label in EVENT_UNITS:
            value = data.get(key)
            if key == "added" and e.action == "dispatch":
                label = "协办单位"
            ids = value if isinstance(value, list) else ([value] if value else [])
            if ids:
                parts.append(f"{label}：{'、'.join(names.get(i, '（已删除）') for i in ids)}")
        e.involves = "；".join(parts)
    return events


# The step a ticket waits for, in the order a role meets it: the first of these that a user
# may take leads the page, open; 答复 comes with 办理记录. The rest fold under 更多操作.
NEXT_STEPS = [
    "summarize",
    "dispatch",
    "accept",
    "reply",
    "uphold_return",
    "reject_return",
    "decide_extension",
    "whistle_report",
    "callback",
    "close_on_spot",
]
WITH_NEXT = {"reply": ["note"]}


def next_steps(actions: list[str]) -> tuple[list[str], list[str]]:
    """(the leading actions, the others) of `actions`."""
    lead = next((a for a in NEXT_STEPS if a in actions), None)
    if lead is None:
        return [], list(actions)
    primary = [lead, *[a for a in WITH_NEXT.get(lead, []) if a in actions]]
    return primary, [a for a in actions if a not in primary]


def _unit_choices(units, ticket: Ticket, suggested) -> list[dict]:
    """The units of the pickers, searchable by name and pinyin initials: the suggested unit
    first, then the units of the ticket's county, then the rest."""
    county = ticket.region.path.split("/")[:4]
    county_path = "/".join(county) + "/" if len(county) == 4 else ticket.region.path

    def order(u):
        return (
            0 if suggested is not None and u.pk == suggested.pk else 1,
            0 if u.region.path.startswith(county_path) else 1,
            u.region.code,
            u.name,
        )

    chosen = sorted(units.select_related("region"), key=order)
    seen: dict[str, int] = {}
    for u in chosen:
        seen[u.name] = seen.get(u.name, 0) + 1
    # a name that appears twice (住建局 in every county) says where each one is
    where = places(u.region for u in chosen if seen[u.name] > 1)
    return [
        {
            "pk": u.pk,
            "name": f"{u.name}（{where[u.region_id]}）" if u.region_id in where else u.name,
            "initials": initials(u.name),
        }
        for u in chosen
    ]


def _detail_context(request, ticket: Ticket, errors: dict | None = None, failed: str = "") -> dict:
    units = visible(request.user, Unit.objects.filter(is_active=True).select_related("type"))
    actions = available_actions(request.user, ticket)
    primary, more = next_steps(actions)
    kinds = set(
        TicketEvent.objects.filter(ticket=ticket, action__in=["supervise", "whistle"]).values_list(
            "action", flat=True
        )
    )
    dispatching = bool({"dispatch", "redispatch", "uphold_return"} & set(actions))
    # a closed or merged ticket needs no dispatch advice
    # the model's advice (and its percentages) is for those who dispatch, not for handlers
    advice = (
        hooks.call("advice", request.user, ticket, default=NO_ADVICE)
        if ticket.status in states.OPEN
        and (request.user.is_superuser or request.user.has_role(R.DISPATCHER, R.INTAKE))
        else NO_ADVICE
    )
    return {
        "ticket": ticket,
        "provenance": _provenance(ticket),
        "answers": _answers(ticket),
        "notices": [(k, label) for k, label in NOTICES if k in kinds],
        "events": _with_units(
            TicketEvent.objects.filter(ticket=ticket).select_related("unit").order_by("at", "id")
        ),
        "co_units": [tu for tu in ticket.units.select_related("unit")],
        "co_unit_ids": {tu.unit_id for tu in ticket.units.all() if tu.role == "co"},
        "whistle_targets": services.whistle_targets(request.user, ticket)
        if "whistle" in actions
        else [],
        "ask_targets": [u.name for u in services.ask_targets(ticket)]
        if "ask_whistle" in actions
        else [],
        "actions": actions,
        "primary": primary,
        "more": more,
        "unit_choices": _unit_choices(units, ticket, advice.unit),
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
        "similar": hooks.call("similar_open", request.user, ticket, default=[])
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
        Ticket.objects.select_related(
            "region", "main_unit", "category", "grid", "duplicate_of", "filed_by_unit", "created_by"
        ),
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
    return int(value) if is_id(value) else None


def _units(request, name: str) -> list[int]:
    values = request.POST.getlist(name)
    if any(not is_id(v) for v in values):
        raise ValidationError({name: "单位参数不正确"})
    return [int(v) for v in values]


def _category(request):
    code = request.POST.get("category", "").strip()
    if not code:
        return None
    found = selectors.category(code)
    if found is None:
        raise ValidationError({"category": "分类编码不存在或已停用"})
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
        if p.get("co_units_given"):  # the form lists the co-handlers wanted, perhaps none
            kwargs["co_units"] = _units(request, "co_units")
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
        "co_handle": lambda: services.set_co_units(
            u, ticket, _units(request, "co_units"), reason=reason
        ),
        "whistle": lambda: services.whistle(
            u,
            ticket,
            _units(request, "units"),
            reason,
            hours=_hours(p.get("hours")),
        ),
        "whistle_report": lambda: services.whistle_report(u, ticket, p.get("report", "")),
        "ask_whistle": lambda: services.ask_whistle(u, ticket, reason),
        "close_on_spot": lambda: _close_on_spot(request, ticket),
        "note": lambda: services.note(u, ticket, p.get("text", "")),
        "summarize": lambda: services.summarize(
            u, ticket, p.get("text", ""), expected=p.get("expected")
        ),
        "translate_reply": lambda: services.translate_reply(
            u, ticket, p.get("text", ""), expected=p.get("expected")
        ),
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


@transaction.atomic
def _close_on_spot(request, ticket):
    """The photo taken on the spot and the close, together or not at all."""
    if request.FILES.getlist("files"):
        services.attach_photos(request.user, ticket, request.FILES.getlist("files"))
    return services.close_on_spot(request.user, ticket, request.POST.get("text", ""))


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
    form = HotlineForm(request.POST or None, channels=access.filing_channels(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            category = None
            if data["category"]:
                category = selectors.category(data["category"])
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
                    language=data["language"],
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
            placed = ""
            if ticket.placed_by != "chosen":
                placed = f"；{ticket.get_placed_by_display()}定位到 {ticket.region.full_name or ticket.region.name}"
                if not ticket.place_certain:
                    placed += "（不确定，请核对）"
            messages.success(request, f"已受理，工单编号 {ticket.number}{placed}")
            return redirect("work-ticket", ticket.pk)
    categories = Category.objects.filter(is_active=True, level__lte=2).order_by("code")
    return render(request, "tickets/work/new.html", {"form": form, "categories": categories})


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
                    latitude=data["latitude"],
                    longitude=data["longitude"],
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
