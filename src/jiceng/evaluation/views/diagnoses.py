"""五个好 pages: 把脉问诊 (record and read), coverage by county, and the 整改清单."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.errors import ServiceError
from jiceng.orgs.access import get_for_user, visible
from jiceng.orgs.models import PartyOrg, Person
from jiceng.regions.models import Region

from .. import access as evaluation_access
from .. import (
    coverage,
    diagnoses,
    flows,
)
from ..models import (
    ChecklistItem,
    Diagnosis,
    Dimension,
    EvaluationEvent,
    Rectification,
)
from .common import _pick_orgs, refusal


@login_required
def diagnosis_list(request):
    found = visible(request.user, Diagnosis.objects.select_related("party_org"))
    picker = _pick_orgs(request, visible(request.user, PartyOrg.objects.filter(kind="党支部")))
    return render(request, "evaluation/diagnoses.html", {"diagnoses": found[:200], **picker})


@login_required
def diagnosis_coverage(request):
    """How many of each county's branches were diagnosed in a year, by grade."""
    if not evaluation_access.may_read_evaluation(request.user):
        raise PermissionDenied("只有考评员和领导可以查看覆盖情况")
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year + 1:
        year = this_year
    return render(
        request,
        "evaluation/coverage.html",
        {
            "year": year,
            "years": range(this_year, this_year - 5, -1),
            **coverage.by_county(request.user, year),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_new(request):
    org = get_for_user(
        request.user, PartyOrg, pk=request.GET.get("org") or request.POST.get("org") or 0
    )
    dimensions = Dimension.objects.prefetch_related("items")
    errors: dict = {}
    if request.method == "POST":
        scores = {}
        for item in ChecklistItem.objects.filter(is_active=True):
            scores[item.pk] = (
                request.POST.get(f"s{item.pk}", "").strip(),
                request.POST.get(f"e{item.pk}", ""),
                request.FILES.get(f"f{item.pk}"),
            )
        try:
            diagnosis = diagnoses.record(request.user, org, scores)
        except ValidationError as exc:
            errors = exc.message_dict
        except ServiceError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, f"已完成把脉问诊：{diagnosis.grade}")
            return redirect("diagnosis-detail", diagnosis.pk)
    post = request.POST
    sections = [
        (
            d,
            [
                (i, post.get(f"s{i.pk}", ""), post.get(f"e{i.pk}", ""))
                for i in d.items.all()
                if i.is_active
            ],
        )
        for d in dimensions
    ]
    context = {"org": org, "sections": sections, "errors": errors}
    return render(request, "evaluation/diagnosis_new.html", context, status=422 if errors else 200)


def _rectifications_for(user):
    """整改 items the user may see: inside their scope, or those they are responsible for."""
    mine = Q(responsible_id=user.person_id) if user.person_id else Q(pk__in=[])
    inside = visible(user, Rectification.objects.all()).values("pk")
    return Rectification.objects.filter(Q(pk__in=inside) | mine).select_related(
        "diagnosis__party_org__region",
        "diagnosis__party_org__unit__region",
        "responsible",
        "item",
    )


@login_required
def diagnosis_detail(request, pk: int):
    found = visible(request.user, Diagnosis.objects.all()).filter(pk=pk)
    if (
        not found.exists()
        and not _rectifications_for(request.user).filter(diagnosis_id=pk).exists()
    ):
        raise Http404("不存在或无权查看")
    diagnosis = Diagnosis.objects.select_related("party_org", "assessor").get(pk=pk)
    scores = list(diagnosis.scores.select_related("item__dimension"))
    items = []
    for r in diagnosis.rectifications.select_related("item", "responsible", "reported_by"):
        may = {
            step: evaluation_access.may(request.user, "rectification", step, r)
            and flows.RECTIFICATION.allowed(step, r.state)
            for step in flows.RECTIFICATION.steps
        }
        if r.reported_by_id == request.user.pk:
            may["verify"] = False  # whoever reported an item cannot verify it
        items.append((r, may))
    before = diagnoses.previous(diagnosis)
    now_by_item = {s.item_id: s.score for s in scores}
    fixed = []
    if before is not None:
        for r in before.rectifications.select_related("item"):
            fixed.append((r, now_by_item.get(r.item_id)))
    responsible_choices = (
        visible(request.user, Person.objects.all())
        .filter(Q(region=diagnosis.region) | Q(posts__party_org=diagnosis.party_org))
        .distinct()
        .order_by("name")[:200]
    )
    return render(
        request,
        "evaluation/diagnosis.html",
        {
            "diagnosis": diagnosis,
            "scores": scores,
            "items": items,
            "previous": before,
            "fixed": fixed,
            "people": responsible_choices,
            # the diagnosis's record and its items', newest first
            "events": EvaluationEvent.objects.filter(
                Q(flow="diagnosis", object_id=diagnosis.pk)
                | Q(flow="rectification", object_id__in=[r.pk for r, _ in items])
            )
            .select_related("actor")
            .order_by("-at", "-id")[:50],
        },
    )


@login_required
@require_POST
def rectification_act(request, pk: int):
    item = _rectifications_for(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("不存在或无权查看")
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "assign":
            person = (
                visible(request.user, Person.objects.all())
                .filter(pk=post.get("responsible") or 0)
                .first()
            )
            diagnoses.assign(request.user, item, person, parse_date(post.get("due_on", "")))
        elif action == "report":
            diagnoses.report(
                request.user, item, post.get("evidence", ""), request.FILES.get("attachment")
            )
        elif action == "verify":
            diagnoses.verify(request.user, item)
        elif action == "send_back":
            diagnoses.send_back(request.user, item, post.get("reason", ""))
        else:
            raise ServiceError("unknown_step", "未知的操作", status=400)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except ServiceError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, "已保存")
    return redirect(f"{reverse('diagnosis-detail', args=[item.diagnosis_id])}#r{item.pk}")


@login_required
def rectification_list(request):
    """整改清单 across the user's scope: overdue first, counted by county."""
    items = _rectifications_for(request.user)
    show = request.GET.get("show", "overdue")
    today = timezone.localdate()
    pending = items.exclude(state=Rectification.State.VERIFIED)
    if show == "overdue":
        items = pending.filter(due_on__lt=today)
    elif show == "reported":
        items = items.filter(state=Rectification.State.REPORTED)
    elif show == "open":
        items = pending
    else:
        show = "all"
    counties = dict(Region.objects.filter(level="county").values_list("code", "name"))
    by_county: dict[str, int] = {}
    for r in pending.filter(due_on__lt=today):
        region = r.region
        name = counties.get(region.code[:6].ljust(12, "0"), "—") if region else "—"
        by_county[name] = by_county.get(name, 0) + 1
    return render(
        request,
        "evaluation/rectifications.html",
        {
            "items": items.order_by("due_on", "id")[:500],
            "show": show,
            "overdue_by_county": sorted(by_county.items(), key=lambda kv: -kv[1]),
            "today": today,
        },
    )
