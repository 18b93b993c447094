"""担当我先行 pages: a selection through its stages, and the public 公示 page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jiceng.core.errors import ServiceError
from jiceng.core.limits import limit
from jiceng.core.text import is_id
from jiceng.orgs.access import get_for_user, visible
from jiceng.orgs.models import Person
from jiceng.regions.models import Region

from .. import access as evaluation_access
from .. import (
    flows,
    selection,
    transitions,
)
from ..models import (
    Nomination,
    Objection,
    Selection,
)
from .common import refusal


def _selections(request):
    return visible(request.user, Selection.objects.select_related("region"))


# the stages in which the proposed winners are public
RESULT_STATES = [Selection.State.PUBLICITY, Selection.State.DONE]


@login_required
def selection_list(request):
    return render(
        request,
        "evaluation/selections.html",
        {"selections": _selections(request), "may_create": _may_create(request.user)},
    )


def _may_create(user) -> bool:
    roles = evaluation_access.WHO[("selection", flows.SELECTION.creating)]
    return bool(user.is_superuser or user.has_role(*roles))


def _number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


@login_required
@require_http_methods(["GET", "POST"])
def selection_new(request):
    """建立评选: a new “担当我先行” selection over a place in the assessor's scope."""
    if not _may_create(request.user):
        raise PermissionDenied("只有考评员可以建立评选")
    places = visible(
        request.user, Region.objects.filter(level__in=selection.SELECTION_LEVELS)
    ).order_by("code")
    values = {
        k: request.POST.get(k, default).strip()
        for k, default in (("name", ""), ("region", ""), ("seats", "10"), ("publicity_days", "5"))
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        # a place outside the scope is not offered, and not accepted: as if none was chosen
        region = places.filter(code=values["region"]).first() if values["region"] else None
        try:
            made = selection.create_selection(
                request.user,
                name=values["name"],
                region=region,
                seats=_number(values["seats"]),
                publicity_days=_number(values["publicity_days"]),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except ServiceError as exc:
            errors = {"region": [refusal(exc)]}
        else:
            messages.success(request, "已建立评选：现在可以推荐人选")
            return redirect("selection-detail", made.pk)
    return render(
        request,
        "evaluation/selection_new.html",
        {"places": places[:300], "values": values, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def selection_detail(request, pk: int):
    contest = get_for_user(request.user, _selections(request), pk=pk)
    post = request.POST
    if request.method == "POST":
        action = post.get("action", "")
        try:
            if action == "nominate":
                person = get_for_user(request.user, Person, pk=post.get("person") or 0)
                selection.nominate(request.user, contest, person, post.get("deeds", ""))
            elif action == "review":
                nomination = contest.nominations.get(pk=post.get("nomination") or 0)
                selection.review(
                    request.user, nomination, post.get("eligible") == "1", post.get("note", "")
                )
            elif action == "vote":
                selection.vote(
                    request.user,
                    contest,
                    [int(x) for x in post.getlist("nominations") if is_id(x)],
                )
            elif action == "resolve":
                objection = Objection.objects.get(
                    pk=post.get("objection") or 0, nomination__selection=contest
                )
                selection.resolve(
                    request.user,
                    objection,
                    post.get("upheld") == "1",
                    post.get("resolution", ""),
                    spam=post.get("upheld") == "spam",
                )
            elif action == "step":
                selection.step(request.user, contest, post.get("step", ""))
            elif action == "decide_tie":
                selection.decide_tie(
                    request.user,
                    contest,
                    [int(x) for x in post.getlist("chosen") if is_id(x)],
                    post.get("reason", ""),
                )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except ServiceError as exc:
            messages.error(request, exc.message)
        except (Nomination.DoesNotExist, Objection.DoesNotExist):
            messages.error(request, "不存在的人选或异议")
        else:
            messages.success(request, "已保存")
        return redirect("selection-detail", pk)
    nominations = contest.nominations.select_related("person").prefetch_related("objections")
    standing = selection.standing(contest)
    tie = None
    if not standing.resolved and contest.state in (
        Selection.State.VOTING,
        Selection.State.RUNOFF,
        Selection.State.PUBLICITY,
    ):
        tie = {
            "how": standing.how,
            "open_seats": standing.open_seats,
            "nominations": [n for n in nominations if n.pk in standing.tied],
        }
    may_decide = evaluation_access.may(
        request.user, "selection", "decide_tie", contest
    ) and flows.SELECTION.allowed("decide_tie", contest.state)
    people = visible(request.user, Person.objects.filter(posts__kind="书记").distinct()).order_by(
        "name"
    )[:500]
    return render(
        request,
        "evaluation/selection.html",
        {
            "contest": contest,
            "nominations": nominations,
            "people": people,
            "may_vote": selection.may_vote(request.user, contest),
            "winners": selection.winners(contest) if contest.state in RESULT_STATES else [],
            "how": standing.how,
            # the counts are shown once the vote (and any run-off) is over, never while
            # people are still voting
            "counts_public": contest.state in RESULT_STATES,
            # a tie tells how the count stands: only those who resolve it see it
            "tie": tie if may_decide else None,
            "may_decide": may_decide,
            "steps": [  # a tie: the steps that resolve it, not those it blocks
                (step, label)
                for step, label in transitions.buttons(request.user, "selection", contest)
                if (step == "open_runoff") == bool(tie)
                or step not in ("open_runoff", "close_voting", "close_runoff", "announce")
            ],
            "events": transitions.history("selection", contest),
            "publicity_url": request.build_absolute_uri(f"/publicity/{contest.pk}/"),
        },
    )


@limit("objection_ip")
@require_http_methods(["GET", "POST"])
def publicity(request, pk: int):
    """The public 公示 page: who is proposed, and a form to object. No account needed."""
    contest = Selection.objects.filter(pk=pk, state__in=RESULT_STATES).first()
    if contest is None:
        raise Http404
    error = ""
    if request.method == "POST" and contest.state == Selection.State.PUBLICITY:
        nomination = contest.nominations.filter(pk=request.POST.get("nomination") or 0).first()
        try:
            if nomination is None:
                raise ValidationError(_("请选择异议所针对的人选"))
            selection.object_to(
                nomination, request.POST.get("text", ""), request.POST.get("contact", "")
            )
        except ValidationError as exc:
            error = _("；").join(exc.messages)
        except ServiceError as exc:
            error = exc.message
        else:
            return render(request, "evaluation/objection_done.html", {"contest": contest})
    return render(
        request,
        "evaluation/publicity.html",
        {
            "contest": contest,
            "winners": selection.winners(contest),
            "error": error,
            "window_open": selection.objections_open(contest),
        },
        status=422 if error else 200,
    )
