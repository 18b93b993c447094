"""Survey pages: the voter's ballot (no account, a one-time code) and the assessor's campaign
pages. Thin: parse, fetch through access, call `surveys`, render."""

import tempfile
from io import BytesIO
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from jiceng.core.errors import ServiceError
from jiceng.core.limits import limit
from jiceng.core.tabular import ImportRefused, defuse
from jiceng.orgs.access import get_for_user, scope_of, visible
from jiceng.orgs.models import PartyOrg, Person
from jiceng.regions.models import Region

from . import access as evaluation_access
from . import (
    coverage,
    diagnoses,
    figures,
    flows,
    life,
    periods,
    selection,
    surveys,
    transitions,
)
from .models import (
    ANSWERS,
    AssessmentPeriod,
    Campaign,
    ChecklistItem,
    Diagnosis,
    Dimension,
    EvaluationEvent,
    MeetingKind,
    Nomination,
    Objection,
    OrgMeeting,
    Rectification,
    Selection,
    VoterGroup,
)

SESSION_CODE = "survey_code"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
            error = "投票码无效、已经使用，或测评不在投票期内"
            request.session.pop(SESSION_CODE, None)
        else:
            request.session[SESSION_CODE] = code
    elif request.method == "POST" and campaign is not None:
        answers = {r.pk: request.POST.get(f"r{r.pk}", "") for r in campaign.ratees.all()}
        try:
            surveys.cast_ballot(campaign, code, answers)
        except ValidationError:
            error = "请对每一位被测评人选择 满意、基本满意 或 不满意"
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
    context = {"campaign": campaign, "rows": rows, "answers": ANSWERS, "error": error}
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
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
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


@login_required
def period_list(request):
    found = visible(request.user, AssessmentPeriod.objects.select_related("scheme__region"))
    return render(request, "evaluation/periods.html", {"periods": found})


def _period_rows(request, period) -> list[dict]:
    rows = period.results.get("rows", [])
    scope = scope_of(request.user)
    if not scope.everything:
        inside = set(
            Region.objects.filter(path__startswith=scope.path or "-", level="village").values_list(
                "code", flat=True
            )
        )
        rows = [r for r in rows if r["region"] in inside]
    return sorted(rows, key=lambda r: (r["county"], r["rank"] is None, r["rank"] or 0))


@login_required
def period_export(request, pk: int):
    """The 通报: the period's table as the Excel file county offices pass around."""
    period = get_for_user(
        request.user, AssessmentPeriod.objects.select_related("scheme__region"), pk=pk
    )
    rows = _period_rows(request, period)
    names = [w["indicator"] for w in period.results.get("weights", []) if w["weight"]]
    book = Workbook()
    sheet = book.active
    sheet.title = "考评通报"
    sheet.append(
        [f"{period.scheme.name} {period.label} 考评结果通报（{period.get_state_display()}）"]
    )
    sheet["A1"].font = Font(size=14, bold=True)
    sheet.append(
        [f"规则：{period.results.get('rules', '')}。星级：{period.results.get('stars', '')}"]
    )
    sheet.append(["县市", "排名", "村（社区）", "得分", "星级", "等次", *names, "说明"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for r in rows:
        raw = {p["name"]: p["raw"] for p in r["parts"]}
        sheet.append(
            [
                r.get("county_name", r["county"]),
                r["rank"],
                r["name"],
                r["score"],
                r["stars"],
                r["grade"],
                *[raw.get(n) for n in names],
                r["reason"],
            ]
        )
    out = BytesIO()
    defuse(book)
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=period-{period.pk}.xlsx"
    return response


def _periods(request):
    return AssessmentPeriod.objects.select_related("scheme__region", "revision_of")


def _may_act(user, period) -> bool:
    """An assessor whose scope holds the scheme's region (what the services check)."""
    return evaluation_access.may(user, "period", "compute", period)


@login_required
def period_detail(request, pk: int, errors=None):
    period = get_for_user(request.user, _periods(request), pk=pk)
    rows = _period_rows(request, period)
    counties: dict[str, list] = {}
    for row in rows:
        counties.setdefault(row.get("county_name", row["county"]), []).append(row)
    assessor = _may_act(request.user, period)
    actions = transitions.buttons(request.user, "period", period)
    held_apart = periods.held_apart(request.user, period)
    if held_apart:  # the service would refuse them: say why instead of offering them
        actions = [(step, label) for step, label in actions if step not in ("review", "publish")]
    context = {
        "period": period,
        "counties": counties,
        "assessor": assessor,
        "actions": actions,
        "held_apart": held_apart,
        "open_for_figures": period.state
        in (AssessmentPeriod.State.OPEN, AssessmentPeriod.State.COLLECTED),
        "enterable": periods.enterable(period),
        "entered": period.values.count(),
        "events": transitions.history("period", period),
        "revisions": list(period.revisions.all()),
        "errors": errors or [],
    }
    return render(request, "evaluation/period.html", context, status=422 if errors else 200)


@login_required
@require_POST
def period_act(request, pk: int):
    period = get_for_user(request.user, _periods(request), pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "compute":
            periods.compute(request.user, period)
            messages.success(request, "已计算：请核对排名与依据后审核")
        elif action in periods.ADVANCE:
            periods.advance(request.user, period, periods.ADVANCE[action])
            messages.success(request, "已发布，结果已冻结" if action == "publish" else "已保存")
        elif action == "reopen":
            periods.reopen(request.user, period)
            messages.success(request, "已退回录入：修改数值后重新确认收齐、计算")
        elif action == "revise":
            revision = periods.revise(request.user, period)
            messages.success(request, "已建立更正期：补正数值后重新计算、审核、发布")
            return redirect("period-detail", revision.pk)
        else:
            messages.error(request, "未知的操作")
    except ServiceError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    return redirect("period-detail", pk)


@login_required
def period_values_template(request, pk: int):
    """The figures sheet to fill in, with what is entered so far."""
    period = get_for_user(request.user, _periods(request), pk=pk)
    if not evaluation_access.may(request.user, "period", "enter", period):
        raise PermissionDenied("只有考评员可以下载录入表")
    existing = {(v.region_id, v.indicator_id): v for v in period.values.all()}
    data = figures.template(periods.subjects(period), periods.enterable(period), existing)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=period-{period.pk}-values.xlsx"
    return response


@login_required
@require_POST
def period_values(request, pk: int):
    """Import the filled-in figures sheet: all rows or none, with a row-numbered report."""
    period = get_for_user(request.user, _periods(request), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        return period_detail(request, pk, errors=["请选择要导入的文件（.xlsx 或 .csv）"])
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        return period_detail(
            request, pk, errors=[f"不支持的文件类型 {suffix or '（无）'}，请使用 .xlsx 或 .csv"]
        )
    if upload.size > MAX_UPLOAD:
        return period_detail(request, pk, errors=["文件超过 5 MB"])
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        try:
            count = periods.import_values(request.user, period, handle.name, upload.name)
        except ImportRefused as exc:
            return period_detail(
                request, pk, errors=[str(p) for p in exc.problems[:50]] + _more(exc.problems)
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from None
            return period_detail(request, pk, errors=[exc.message])
    messages.success(
        request,
        f"已导入：新增或修改 {count} 个数值" if count else "已导入：与已录入的数值相同，未作改动",
    )
    return redirect("period-detail", pk)


MAX_UPLOAD = 5 * 1024 * 1024


def _more(problems) -> list[str]:
    return [f"……另有 {len(problems) - 50} 处问题未列出"] if len(problems) > 50 else []


def _pick_orgs(request, orgs) -> dict:
    """The organization picker: a name search over the orgs in scope (a county has over a
    thousand), showing the first matches."""
    q = request.GET.get("q", "").strip()[:50]
    if q:
        orgs = orgs.filter(name__icontains=q)
    orgs = orgs.order_by("name")
    shown = list(orgs.select_related("region")[:PICK_LIMIT])
    return {"q": q, "orgs": shown, "more": len(shown) == PICK_LIMIT and orgs.count() > PICK_LIMIT}


PICK_LIMIT = 30


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
    if not found.exists() and not _rectifications_for(request.user).filter(diagnosis_id=pk):
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
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
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


def _selections(request):
    return visible(request.user, Selection.objects.select_related("region"))


# the stages in which the proposed winners are public
RESULT_STATES = [Selection.State.PUBLICITY, Selection.State.DONE]


@login_required
def selection_list(request):
    return render(request, "evaluation/selections.html", {"selections": _selections(request)})


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
                    [int(x) for x in post.getlist("nominations") if x.isdigit()],
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
                    [int(x) for x in post.getlist("chosen") if x.isdigit()],
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
            "tie": tie,
            "may_decide": evaluation_access.may(request.user, "selection", "decide_tie", contest)
            and flows.SELECTION.allowed("decide_tie", contest.state),
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
                raise ValidationError("请选择异议所针对的人选")
            selection.object_to(
                nomination, request.POST.get("text", ""), request.POST.get("contact", "")
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
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


@login_required
def person_record(request, pk: int):
    """A secretary's or 两委 member's record: posts and sources, training, ratings over time."""
    person = get_for_user(request.user, Person.objects.select_related("region"), pk=pk)
    ratings = []
    for ratee in person.ratings.select_related("campaign").order_by("-campaign__created_at"):
        result = next(  # None while the campaign is open: its tallies are hidden
            (p for p in surveys.results(ratee.campaign)["people"] if p.ratee.pk == ratee.pk), None
        )
        ratings.append((ratee.campaign, ratee.post, result))
    trainings = person.trainings.all()
    return render(
        request,
        "evaluation/person.html",
        {
            "person": person,
            "posts": person.posts.select_related("party_org", "unit", "grid"),
            "trainings": trainings,
            "training_hours": sum(t.hours for t in trainings),
            "ratings": ratings,
            "nominations": Nomination.objects.filter(person=person).select_related("selection"),
        },
    )
