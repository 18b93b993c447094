"""The leaders' dashboard (三率 看板) and the 通报 export. Views only; reads in selectors."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from jiceng.core.tabular import defuse
from jiceng.orgs.access import scope_of
from jiceng.tickets import metrics
from jiceng.tickets import selectors as ticket_selectors

from . import selectors


def _period(request) -> tuple[str, str]:
    period = request.GET.get("period", "").strip() or selectors.default_period()
    try:
        metrics.period_bounds(period)
    except metrics.BadPeriod as exc:
        return selectors.default_period(), str(exc)
    return period, ""


def _period_choices(current: str) -> list[tuple[str, str]]:
    """The last 24 months and the last two years; a period typed into the address that is
    not among them is offered too, so the menu always names what is shown."""
    months = selectors.months_back(selectors.default_period(), 24)[::-1]
    year = int(selectors.default_period()[:4])
    years = [str(year), str(year - 1)]
    if len(current) == 7 and current not in months:
        months.insert(0, current)
    if len(current) == 4 and current not in years:
        years.append(current)
    return [(m, f"{m[:4]}年{int(m[5:])}月") for m in months] + [(y, f"{y}年全年") for y in years]


def _scope_name(user) -> str:
    scope = scope_of(user)
    if scope.everything:
        return "全部"
    if user.scope_unit_id:
        return user.scope_unit.name
    return user.scope_region.name if user.scope_region_id else "无"


@login_required
def dashboard(request):
    period, problem = _period(request)
    ranking = selectors.ranking(request.user, period)
    chart = {
        "units": [r["name"] for r in ranking if r["score"] is not None][:15],
        "scores": [r["score"] for r in ranking if r["score"] is not None][:15],
        "trend": selectors.trend(request.user, period),
        "categories": selectors.by_category(request.user, period),
    }
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "period": period,
            "problem": problem,
            "ranking": ranking,
            "chart": chart,
            "slowest": selectors.slowest_units(request.user, period),
            "hot_spots": selectors.hot_spots(request.user, period),
            "scope_name": _scope_name(request.user),
            "periods": _period_choices(period),
            "weights": ticket_selectors.weights(),
        },
    )


@login_required
def export(request):
    period, _ = _period(request)
    ranking = selectors.ranking(request.user, period)
    book = Workbook()
    sheet = book.active
    sheet.title = "三率通报"
    title = f"{_scope_name(request.user)} {period} 接诉即办三率通报"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=11)
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    w = ticket_selectors.weights()
    sheet.append(
        [
            f"综合得分 = {w.response:.2f}×响应率 + {w.solved:.2f}×解决率 + {w.satisfied:.2f}×满意率；数据来自工单流转记录"
        ]
    )
    header = [
        "排名",
        "单位编码",
        "单位",
        "派单数",
        "按时接单",
        "响应率(%)",
        "回访数",
        "已解决",
        "解决率(%)",
        "满意率(%)",
        "综合得分",
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for r in ranking:
        sheet.append(
            [
                r["rank"],
                r["key"],
                r["name"],
                r["dispatched"],
                r["on_time"],
                r["response_rate"],
                r["callbacks"],
                r["solved"],
                r["solved_rate"],
                r["satisfied_rate"],
                r["score"],
            ]
        )
    for column, width in zip("ABCDEFGHIJK", [6, 16, 28, 8, 10, 10, 8, 8, 10, 10, 10], strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    defuse(book)
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename=sanlv-{period}.xlsx"
    return response


HOTSPOT_WINDOWS = [(7, "近 7 天"), (30, "近 30 天"), (90, "近 90 天")]


@login_required
def hotspots(request):
    """Tickets of a recent window clustered by what they say, within each township: the
    hottest first (size, growth, likes), each with a few representative tickets."""
    from jiceng.dispatch import selectors as dispatch_selectors

    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    if days not in dict(HOTSPOT_WINDOWS):
        days = 30
    clusters, looked_at = dispatch_selectors.hot_spots(request.user, days=days)
    return render(
        request,
        "dashboards/hotspots.html",
        {
            "clusters": clusters,
            "looked_at": looked_at,
            "days": days,
            "windows": HOTSPOT_WINDOWS,
            "scope_name": _scope_name(request.user),
        },
    )
