"""四个一批 pages: secretaries by source, 换届 within six months, the 后备力量 pool."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiceng.core.errors import ServiceError
from jiceng.orgs.access import visible
from jiceng.orgs.models import Person

from .. import access as evaluation_access
from .. import secretaries
from ..models import ReservePerson
from .common import refusal


@login_required
def secretary_overview(request):
    if not evaluation_access.may_read_evaluation(request.user):
        raise PermissionDenied("只有考评员、领导和管理员可以查看书记队伍")
    today = timezone.localdate()
    q = request.GET.get("q", "").strip()[:20]
    candidates = []
    if q:
        candidates = list(
            visible(request.user, Person.objects.filter(name__contains=q))
            .filter(region__level="village")
            .select_related("region")
            .order_by("name")[:30]
        )
    return render(
        request,
        "evaluation/secretaries.html",
        {
            **secretaries.by_source(request.user),
            "ending": secretaries.terms_ending(request.user, today),
            "reserve": secretaries.reserve(request.user, today),
            "today": today,
            "q": q,
            "candidates": candidates,
            # who may add and remove (access.WHO: the service checks each entry's place)
            "may_manage": evaluation_access.may_manage_reserve(request.user),
        },
    )


@login_required
@require_POST
def reserve_add(request):
    person = visible(request.user, Person.objects.all()).filter(pk=request.POST.get("person") or 0)
    person = person.select_related("region").first()
    if person is None:
        raise Http404("不存在或无权查看")
    try:
        secretaries.add_reserve(request.user, person, person.region, request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except ServiceError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"已将 {person.name} 纳入后备力量")
    return redirect("secretary-overview")


@login_required
@require_POST
def reserve_remove(request, pk: int):
    entry = visible(request.user, ReservePerson.objects.all()).filter(pk=pk).first()
    if entry is None:
        raise Http404("不存在或无权查看")
    try:
        secretaries.remove_reserve(request.user, entry, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except ServiceError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, "已移出后备力量")
    return redirect("secretary-overview")
