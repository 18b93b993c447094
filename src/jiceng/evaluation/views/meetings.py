"""Organization life pages: the meetings of the scope, and recording one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods

from jiceng.core.errors import ServiceError
from jiceng.orgs.access import get_for_user, visible
from jiceng.orgs.models import PartyOrg

from .. import (
    life,
)
from ..models import (
    MeetingKind,
    OrgMeeting,
)
from .common import _pick_orgs


@login_required
def meeting_list(request):
    found = visible(request.user, OrgMeeting.objects.select_related("party_org"))
    picker = _pick_orgs(request, visible(request.user, PartyOrg.objects.all()))
    return render(request, "evaluation/meetings.html", {"meetings": found[:200], **picker})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    org = get_for_user(
        request.user, PartyOrg, pk=request.GET.get("org") or request.POST.get("org") or 0
    )
    members = [p.person for p in org.posts.select_related("person").order_by("person__name")]
    errors: dict = {}
    post = request.POST
    if request.method == "POST":
        held = parse_date(post.get("held_on", "") or "")
        attendance = [
            (m, f"present-{m.pk}" in post, post.get(f"reason-{m.pk}", "")) for m in members
        ]
        try:
            meeting = life.record_meeting(
                request.user,
                org,
                kind=post.get("kind", ""),
                held_on=held,
                topic=post.get("topic", ""),
                speaker=post.get("speaker", ""),
                minutes=post.get("minutes", ""),
                attachment=request.FILES.get("attachment"),
                attendance=attendance,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except ServiceError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, f"已登记：{meeting}")
            return redirect("meeting-list")
    rows = [
        (m, (f"present-{m.pk}" in post) if post else True, post.get(f"reason-{m.pk}", ""))
        for m in members
    ]
    context = {
        "org": org,
        "rows": rows,
        "kinds": MeetingKind.choices,
        "errors": errors,
        "post": post,
    }
    return render(request, "evaluation/meeting_new.html", context, status=422 if errors else 200)
