"""每月一题 pages: the leader's list with each theme's trend, raising a theme (from a hot spot
or from tickets), and a theme's page with its plan, progress, tickets and 主动治理 items.
Thin: parse, call `themes`, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.errors import ServiceError
from jiceng.core.text import is_id
from jiceng.orgs.access import get_for_user, visible
from jiceng.orgs.models import Unit
from jiceng.regions.models import Region

from . import themes
from .models import Category, Channel, Theme, ThemeTicket, Ticket


def _units(user):
    return visible(user, Unit.objects.filter(is_active=True)).order_by(
        "region__code", "type__sort", "name"
    )[:2000]


@login_required
def theme_list(request):
    found = list(
        themes.visible(request.user)
        .select_related("region", "lead_unit")
        .order_by("state", "-planned_at")
    )
    linked = themes.counts(found)
    rows = [{"theme": t, "tickets": linked.get(t.pk, 0), "trend": themes.trend(t)} for t in found]
    return render(
        request,
        "tickets/themes/list.html",
        {"rows": rows, "may_raise": themes.may_raise(request.user)},
    )


def _ids(text: str) -> list[int]:
    return [int(x) for x in text.replace(",", " ").split() if is_id(x)][:500]


@login_required
@require_http_methods(["GET", "POST"])
def theme_new(request):
    if not themes.may_raise(request.user):
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    ids = _ids(source.get("tickets", ""))
    picked = list(
        visible(request.user, Ticket.objects.select_related("region"))
        .filter(pk__in=ids)
        .order_by("-received_at")
    )
    region = Region.objects.filter(code=source.get("region", "").strip()).first()
    category = Category.objects.filter(code=source.get("category", "").strip()).first()
    errors: dict = {}
    if request.method == "POST":
        try:
            deadline = parse_date(source.get("deadline", "").strip())
        except ValueError:
            deadline = None
        try:
            theme = themes.raise_theme(
                request.user,
                title=source.get("title", ""),
                description=source.get("description", ""),
                plan=source.get("plan", ""),
                region=region.pk if region else None,
                category=category,
                keywords=source.get("keywords", ""),
                lead_unit=int(source["lead_unit"]) if is_id(source.get("lead_unit", "")) else None,
                co_units=[int(x) for x in source.getlist("co_units") if is_id(x)],
                deadline=deadline,
                tickets=[t.pk for t in picked],
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except ServiceError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, f"已确立每月一题：{theme.title}")
            return redirect("theme-detail", theme.pk)
    return render(
        request,
        "tickets/themes/new.html",
        {
            "picked": picked,
            "ids": " ".join(str(t.pk) for t in picked),
            "region": region,
            "category": category,
            "regions": visible(request.user, Region.objects.all()).order_by("code")[:3000],
            "units": _units(request.user),
            "values": source,
            "co_ids": {int(x) for x in source.getlist("co_units") if is_id(x)},
            "errors": errors,
            "today": timezone.localdate(),
        },
        status=422 if errors else 200,
    )


@login_required
def theme_detail(request, pk: int, errors: dict | None = None, failed: str = ""):
    theme = get_for_user(
        request.user,
        Theme.objects.select_related("region", "lead_unit", "category", "created_by"),
        pk=pk,
    )
    links = (
        ThemeTicket.objects.filter(theme=theme)
        .select_related("ticket", "ticket__region", "ticket__main_unit")
        .order_by("-ticket__received_at")
    )
    return render(
        request,
        "tickets/themes/detail.html",
        {
            "theme": theme,
            "co_units": list(theme.co_units.all()),
            "links": [tt for tt in links if tt.ticket.channel != Channel.PROACTIVE],
            "proactive": [tt for tt in links if tt.ticket.channel == Channel.PROACTIVE],
            "events": theme.events.all(),
            "trend": themes.trend(theme),
            "may_work": themes.may_work_on(request.user, theme),
            "may_finish": themes.may_raise(request.user) and theme.state == Theme.State.OPEN,
            "places": visible(
                request.user, Region.objects.filter(path__startswith=theme.region.path)
            ).order_by("code")[:500],
            "errors": errors or {},
            "failed": failed,
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def theme_act(request, pk: int, action: str):
    theme = get_for_user(request.user, Theme.objects.all(), pk=pk)
    p, user = request.POST, request.user
    try:
        if action == "note":
            themes.add_note(user, theme, p.get("text", ""))
            done = "已记录推进情况"
        elif action == "link":
            themes.link(user, theme, p.get("numbers", "").replace(",", " ").split())
            done = "已关联工单"
        elif action == "proactive":
            place = Region.objects.filter(code=p.get("region", "").strip()).first()
            ticket = themes.open_proactive(
                user,
                theme,
                content=p.get("content", ""),
                region=place,
                address=p.get("address", ""),
            )
            done = f"已新建主动治理事项 {ticket.number}"
        elif action == "finish":
            themes.finish(user, theme, p.get("summary", ""))
            done = "已确认完成"
        else:
            raise Http404
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return theme_detail(request, pk, errors=errors, failed=action)
    except ServiceError as exc:
        return theme_detail(request, pk, errors={"__all__": [exc.message]}, failed=action)
    messages.success(request, done)
    return redirect("theme-detail", pk)
