"""Assessment period pages: the list, a period with its results and its steps, the figures
sheet and its import, and the 通报 export."""

import tempfile
from datetime import date
from io import BytesIO
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from jiceng.core.errors import ServiceError
from jiceng.core.tabular import ImportRefused, defuse
from jiceng.core.text import is_id
from jiceng.orgs.access import get_for_user, scope_of, visible
from jiceng.regions.models import Region

from .. import access as evaluation_access
from .. import (
    annual,
    figures,
    flows,
    periods,
    scoring,
    transitions,
)
from ..models import (
    AssessmentPeriod,
    Scheme,
)
from .common import MAX_UPLOAD, XLSX, _more, refusal


def _may_create(user, flow: str, model) -> bool:
    """Whether `user` is offered the 新建 button: the role `access.WHO` asks for (the place is
    checked when the record is made)."""
    roles = evaluation_access.WHO[(flow, flows.FLOWS[flow].creating)]
    return bool(user.is_superuser or user.has_role(*roles))


def _date(text: str):
    try:
        return date.fromisoformat((text or "").strip()) if (text or "").strip() else None
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def period_new(request):
    """建立考评期: a new round of a scheme in the assessor's scope."""
    if not _may_create(request.user, "period", AssessmentPeriod):
        raise PermissionDenied("只有考评员可以建立考评期")
    schemes = visible(request.user, Scheme.objects.select_related("region")).order_by("name")
    values = {
        k: request.POST.get(k, "").strip() for k in ("scheme", "label", "starts_on", "ends_on")
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        # a scheme outside the scope is not offered, and not accepted: as if none was chosen
        scheme = schemes.filter(pk=values["scheme"]).first() if is_id(values["scheme"]) else None
        starts_on, ends_on = _date(values["starts_on"]), _date(values["ends_on"])
        bad_dates = {
            name: ["日期应写成 2026-10-01"]
            for name, parsed in (("starts_on", starts_on), ("ends_on", ends_on))
            if values[name] and parsed is None
        }
        try:
            period = periods.create_period(
                request.user, scheme, label=values["label"], starts_on=starts_on, ends_on=ends_on
            )
        except ValidationError as exc:
            errors = {**exc.message_dict, **bad_dates}  # a date not read is said as such
        except ServiceError as exc:
            errors = {"scheme": [refusal(exc)]}
        else:  # (a date that did not parse reached the service as missing, and was refused)
            messages.success(request, "已建立考评期：请录入或导入各村（社区）的数值")
            return redirect("period-detail", period.pk)
    return render(
        request,
        "evaluation/period_new.html",
        {"schemes": schemes[:500], "values": values, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
def period_list(request):
    found = visible(request.user, AssessmentPeriod.objects.select_related("scheme__region"))
    years = sorted(
        {
            (p.scheme_id, p.scheme.name, p.ends_on.year)
            for p in found
            if p.state == AssessmentPeriod.State.PUBLISHED
        },
        key=lambda t: (-t[2], t[1]),
    )
    return render(
        request,
        "evaluation/periods.html",
        {
            "periods": found,
            "years": years,
            "may_create": _may_create(request.user, "period", AssessmentPeriod),
        },
    )


@login_required
def period_export(request, pk: int):
    """The 通报: the period's table as the Excel file county offices pass around."""
    period = get_for_user(
        request.user, AssessmentPeriod.objects.select_related("scheme__region"), pk=pk
    )
    rows = periods.rows_in_scope(request.user, period)
    names = [w["indicator"] for w in period.results.get("weights", []) if w["weight"]]
    book = Workbook()
    sheet = book.active
    sheet.title = "考评通报"
    trial = bool(period.results.get("trial"))
    state = "试算，非最终结果" if trial else period.get_state_display()
    sheet.append([f"{period.scheme.name} {period.label} 考评结果通报（{state}）"])
    sheet["A1"].font = Font(size=14, bold=True)
    if trial:
        sheet.append(["试算：计算时数据尚未收齐，本表不是最终结果，不得用于通报或任用。"])
        sheet["A2"].font = Font(bold=True, color="B71C1C")
    sheet.append(
        [
            f"规则：{period.results.get('rules', '')}。星级：{period.results.get('stars', '')}。"
            f"缺数据：{period.results.get('missing_policy', '')}"
        ]
    )
    sheet.append(["县市", "排名", "村（社区）", "得分", "星级", "等次", *names, "说明"])
    for cell in sheet[sheet.max_row]:
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


GRADE_ORDER = {"优秀": 0, "良好": 1, "差": 2, "未评定": 3}


def _periods(request):
    return AssessmentPeriod.objects.select_related("scheme__region", "revision_of")


def _may_act(user, period) -> bool:
    """An assessor whose scope holds the scheme's region (what the services check)."""
    return evaluation_access.may(user, "period", "compute", period)


@login_required
def period_detail(request, pk: int, errors=None):
    period = get_for_user(request.user, _periods(request), pk=pk)
    rows = periods.rows_in_scope(request.user, period)
    counties: dict[str, list] = {}
    for row in rows:
        counties.setdefault(row.get("county_name", row["county"]), []).append(row)
    assessor = _may_act(request.user, period)
    actions = transitions.buttons(request.user, "period", period)
    held_apart = evaluation_access.held_apart(request.user, period)
    if held_apart:  # the service would refuse them: say why instead of offering them
        actions = [(step, label) for step, label in actions if step not in ("review", "publish")]
    steps = [step for step, _ in actions]
    computing = [step for step in ("compute", "trial") if step in steps]
    grades: dict[str, int] = {}
    for row in period.results.get("rows", []):
        grades[row.get("grade") or "未评定"] = grades.get(row.get("grade") or "未评定", 0) + 1
    context = {
        "period": period,
        "counties": counties,
        # 计算 and 试算 come with the missing values and the choice of how to treat them;
        # 发布 with a confirmation of what it freezes
        "plain_actions": [(s, label) for s, label in actions if s not in ("compute", "trial")],
        "computing": computing,
        "missing": periods.missing_values(period) if computing else None,
        "policies": list(scoring.MISSING_POLICIES.items()),
        "default_policy": period.scheme.missing_policy,
        "confirm_publish": "publish" in steps and request.GET.get("confirm") == "publish",
        "grades": sorted(grades.items(), key=lambda kv: GRADE_ORDER.get(kv[0], 9)),
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
        if action in ("compute", "trial"):
            policy = request.POST.get("missing", "")
            if (
                policy not in scoring.MISSING_POLICIES
                and flows.PERIOD.allowed(action, period.state)
                and periods.missing_values(period)["count"]
            ):
                messages.error(
                    request, "有缺项：请先选择缺项的处理方式（按比例折算或视为 0），再计算"
                )
                return redirect(reverse("period-detail", args=[pk]) + "#compute")
            periods.compute(
                request.user, period, missing_policy=policy or None, trial=action == "trial"
            )
            messages.success(
                request,
                "已试算：结果标明“试算，非最终结果”，确认数据已收齐后须重新计算"
                if action == "trial"
                else "已计算：请核对排名与依据后审核",
            )
        elif action == "publish" and request.POST.get("confirm") != "1":
            # what publishing freezes is shown first, and confirmed
            return redirect(reverse("period-detail", args=[pk]) + "?confirm=publish#confirm")
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
        messages.error(request, refusal(exc))
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
            return period_detail(request, pk, errors=[refusal(exc)])
    messages.success(
        request,
        f"已导入：新增或修改 {count} 个数值" if count else "已导入：与已录入的数值相同，未作改动",
    )
    return redirect("period-detail", pk)


def _annual(request, scheme_id: int, year: int):
    """The scheme (404 unless one of its periods is visible) and its year, rows in scope."""
    period = (
        visible(request.user, AssessmentPeriod.objects.select_related("scheme__region"))
        .filter(scheme_id=scheme_id)
        .first()
    )
    if period is None or not 2000 <= year <= 2100:
        raise Http404("不存在或无权查看")
    result = annual.annual(period.scheme, year)
    scope = scope_of(request.user)
    if not scope.everything:
        inside = set(
            Region.objects.filter(path__startswith=scope.path or "-", level="village").values_list(
                "code", flat=True
            )
        )
        result.rows = [r for r in result.rows if r["region"] in inside]
    return result


@login_required
def period_annual(request, scheme_id: int, year: int):
    """The year's 361 of a scheme, by the stated roll-up rule, with 抓两头."""
    result = _annual(request, scheme_id, year)
    counties: dict[str, list] = {}
    for row in result.rows:
        counties.setdefault(row.get("county_name", row["county"]), []).append(row)
    return render(
        request,
        "evaluation/annual.html",
        {"annual": result, "counties": counties, **annual.follow_up(result.rows, year)},
    )


@login_required
def period_annual_export(request, scheme_id: int, year: int):
    """The year's 通报, as the Excel file county offices pass around."""
    result = _annual(request, scheme_id, year)
    book = Workbook()
    sheet = book.active
    sheet.title = "年度通报"
    moving = (
        ""
        if result.complete
        else (
            f"（进行中：应有 {result.expected} 期，已发布 {len(result.periods)} 期，结果还会变化）"
        )
    )
    sheet.append([f"{result.scheme.name} {year} 年度考评结果通报{moving}"])
    sheet["A1"].font = Font(size=14, bold=True)
    sheet.append([f"年度规则：{result.rule}。361 规则：{result.rules}"])
    labels = [p.label for p in result.periods]
    sheet.append(["县市", "排名", "村（社区）", "年度得分", "星级", "等次", *labels, "说明"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for r in result.rows:
        sheet.append(
            [
                r.get("county_name", r["county"]),
                r.get("rank"),
                r["name"],
                r.get("score"),
                r.get("stars"),
                r.get("grade"),
                *(r.get("scores") or [None] * len(labels)),
                r.get("reason", ""),
            ]
        )
    out = BytesIO()
    defuse(book)
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=annual-{result.scheme.pk}-{year}.xlsx"
    return response
