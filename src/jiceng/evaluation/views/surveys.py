"""满意度测评 pages: the resident's ballot (no account, a one-time code) and the assessor's
campaign pages. Thin: parse, fetch through access, call `surveys`, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.errors import ServiceError
from jiceng.core.limits import limit
from jiceng.orgs.access import get_for_user, visible
from jiceng.regions.models import Region

from .. import access as evaluation_access
from .. import (
    flows,
    surveys,
    transitions,
)
from ..models import (
    ANSWERS,
    Campaign,
    VoterGroup,
)
from .common import refusal

SESSION_CODE = "survey_code"

# the three answers as a voter reads them (the stored values stay Chinese)
RESIDENT_ANSWERS = {
    "满意": gettext_lazy("满意"),
    "基本满意": gettext_lazy("基本满意"),
    "不满意": gettext_lazy("不满意"),
}


@limit("vote_ip")
@require_http_methods(["GET", "POST"])
def vote(request):
    """Step one: the code. Step two: the ballot. The code is kept in the session in between."""
    code = request.session.get(SESSION_CODE, "")
    campaign = surveys.find_open_campaign(code) if code else None
    error = ""
    if request.method == "POST" and "code" in request.POST:
        code = request.POST["code"].strip().upper()
        campaign = surveys.find_open_campaign(code) if code else None
        if campaign is None:
            error = _("投票码无效、已经使用，或测评不在投票期内")
            request.session.pop(SESSION_CODE, None)
        else:
            request.session[SESSION_CODE] = code
    elif request.method == "POST" and campaign is not None:
        answers = {r.pk: request.POST.get(f"r{r.pk}", "") for r in campaign.ratees.all()}
        try:
            surveys.cast_ballot(campaign, code, answers)
        except ValidationError:
            error = _("请对每一位被测评人作出评价")
        except ServiceError as exc:
            error = exc.message
            request.session.pop(SESSION_CODE, None)
            campaign = None
        else:
            request.session.pop(SESSION_CODE, None)
            return render(request, "evaluation/voted.html", {"campaign": campaign})
    rows = []
    if campaign is not None:
        rows = [
            (r, request.POST.get(f"r{r.pk}", "")) for r in campaign.ratees.select_related("person")
        ]
    answers = [(a, RESIDENT_ANSWERS[a]) for a in ANSWERS]
    context = {"campaign": campaign, "rows": rows, "answers": answers, "error": error}
    return render(request, "evaluation/vote.html", context, status=422 if error else 200)


def _campaigns(request):
    return visible(request.user, Campaign.objects.select_related("region"))


@login_required
def campaign_list(request):
    return render(request, "evaluation/campaigns.html", {"campaigns": _campaigns(request)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    villages = visible(request.user, Region.objects.filter(level="village")).order_by("code")
    code = request.GET.get("region") or request.POST.get("region", "")
    region = villages.filter(code=code).first() if code else None
    posts = []
    if region is not None:
        posts = surveys.committee_posts(region)
    error = ""
    if request.method == "POST":
        chosen = [p for p in posts if str(p.pk) in request.POST.getlist("posts")]
        try:
            campaign = surveys.create_campaign(
                request.user,
                name=request.POST.get("name", ""),
                region=region,
                people=[(p.person, p.kind) for p in chosen],
                flag_below=float(request.POST.get("flag_below") or 60),
                weights={g: request.POST.get(f"weight_{g}", "") for g in VoterGroup.values},
            )
        except (ValidationError, ValueError) as exc:
            error = "；".join(getattr(exc, "messages", [str(exc)]))
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, "已建立测评，请发放投票码")
            return redirect("survey-detail", campaign.pk)
    return render(
        request,
        "evaluation/campaign_new.html",
        {
            "villages": villages[:2000],
            "region": region,
            "posts": posts,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
def campaign_detail(request, pk: int):
    campaign = get_for_user(request.user, _campaigns(request), pk=pk)
    return render(
        request,
        "evaluation/campaign.html",
        {
            "campaign": campaign,
            "result": surveys.results(campaign),
            "steps": transitions.buttons(request.user, "campaign", campaign),
            "may_issue": evaluation_access.may(request.user, "campaign", "issue_codes", campaign)
            and flows.CAMPAIGN.allowed("issue_codes", campaign.state),
            "events": transitions.history("campaign", campaign),
        },
    )


@login_required
@require_POST
def campaign_state(request, pk: int):
    campaign = get_for_user(request.user, _campaigns(request), pk=pk)
    try:
        step = request.POST.get("step", "")
        if step not in ("open", "close"):
            raise ServiceError("unknown_step", "未知的操作", status=400)
        transitions.apply(request.user, "campaign", campaign, step)
    except ServiceError as exc:
        messages.error(request, refusal(exc))
    return redirect("survey-detail", pk)


@login_required
@require_POST
def campaign_codes(request, pk: int):
    """Issue codes and show them once, as a sheet of slips to print and cut."""
    campaign = get_for_user(request.user, _campaigns(request), pk=pk)
    try:
        codes = surveys.issue_codes(
            request.user,
            campaign,
            int(request.POST.get("count") or 0),
            request.POST.get("group") or VoterGroup.PUBLIC,
        )
    except (ValidationError, ValueError):
        messages.error(request, f"一次可发放 1 到 {surveys.MAX_CODES} 个投票码")
        return redirect("survey-detail", pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("survey-detail", pk)
    vote_url = request.build_absolute_uri("/vote/")
    slips = [(code, surveys.slip_qr(vote_url, code)) for code in codes]
    return render(
        request,
        "evaluation/slips.html",
        {
            "campaign": campaign,
            "codes": codes,
            "slips": slips,
            "vote_url": vote_url,
            "group": VoterGroup(request.POST.get("group") or VoterGroup.PUBLIC).label,
        },
    )
