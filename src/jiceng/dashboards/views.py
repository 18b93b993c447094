"""The leaders' dashboard (三率 看板) and the 通报 export. Views only; reads in selectors."""

from io import BytesIO

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from jiceng.core.tabular import defuse
from jiceng.orgs.access import get_for_user, scope_of
from jiceng.orgs.models import Unit
from jiceng.tickets import metrics, rates, themes
from jiceng.tickets import selectors as ticket_selectors

from . import selectors


def _period(request) -> tuple[str, str]:
    """The period asked for, written the one canonical way; by default the last complete
    month. A bad period falls back to the default with the reason."""
    text = request.GET.get("period", "").strip()
    if not text:
        return selectors.default_period(), ""
    try:
        return metrics.parse_period(text).text, ""
    except metrics.BadPeriod as exc:
        return selectors.default_period(), str(exc)


def _view(request) -> str:
    view = request.GET.get("view", "")
    return view if view in rates.VIEWS else "kind"


def _scope_name(user, lens=None) -> str:
    if lens is not None and lens.region is not None:
        return lens.region.name
    scope = scope_of(user)
    if scope.everything:
        return "全部"
    if user.scope_unit_id:
        return user.scope_unit.name
    return user.scope_region.name if user.scope_region_id else "无"


ROWS_SHOWN = 50


@login_required
def dashboard(request):
    period, problem = _period(request)
    view = _view(request)
    lens = selectors.lens_for(request.user, request.GET.get("region", "").strip())
    groups = selectors.ranking(lens, period, view)
    # a page shows each group's first rows (the 通报 export holds them all)
    limit = None if request.GET.get("rows") == "all" else ROWS_SHOWN
    for g in groups:
        g["shown"] = g["rows"][:limit]
        g["hidden"] = len(g["rows"]) - len(g["shown"])
    counted = selectors.received(lens, period)  # one scan for channels, trend and categories
    ranked = [r for g in groups for r in g["rows"] if r["rank"] is not None]
    # the chart shows the group with the most ranked rows (a month's communities are often
    # all 样本不足; its departments are not)
    shown = max(groups, key=lambda g: g["ranked"], default=None)
    top = shown["rows"] if shown else []
    chart = {
        "group": shown["label"] if shown else "",
        "window": shown["window"] if shown else "",
        "units": [r["name"] for r in top if r["rank"] is not None][:15],
        "scores": [r["score"] for r in top if r["rank"] is not None][:15],
        "trend": selectors.trend(lens, period),
        "categories": selectors.by_category(lens, period, counted),
        "channels": selectors.channel_trend(lens, period, counted),
        "map": selectors.county_map(lens, period),
    }
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "period": period,
            "period_label": metrics.parse_period(period).label,
            "in_progress": selectors.is_in_progress(period),
            "problem": problem,
            "view": view,
            "views": rates.VIEWS,
            "groups": groups,
            "ranked_count": len(ranked),
            "chart": chart,
            "channels": selectors.by_channel(lens, period, counted),
            "slowest": selectors.slowest_units(lens, period),
            "answers": selectors.lens_answers(lens, period),
            "bilingual": ticket_selectors.bilingual_queue(lens.tickets()),
            "hot_spots": selectors.hot_spots(lens, period),
            "scope_name": _scope_name(request.user, lens),
            "lens": lens,
            "map_script": f"vendor/china-cities/{settings.CHANGJI_MAP}",
            "periods": selectors.period_choices(period),
            "weights": rates.weights(),
            "minimum": rates.min_sample(),
            "map_rates": MAP_RATES,
        },
    )


MAP_RATES = [
    ("score", "综合得分"),
    ("response", "响应率"),
    ("solved", "解决率"),
    ("satisfied", "满意率"),
]


def _sheet_name(label: str, used: set[str]) -> str:
    name = "".join(ch for ch in label if ch not in "[]:*?/\\")[:28] or "通报"
    base, n = name, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name


@login_required
def export(request):
    """The 通报 as Excel: one sheet per group (or only `group`), every rate with its counts and
    its 95 % interval, 样本不足 rows after the ranked ones."""
    period, problem = _period(request)
    if problem:
        # an export of another period than the one asked for would mislead: say so instead
        return HttpResponse(
            f"统计期不正确：{problem}。未生成通报。",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    view = _view(request)
    lens = selectors.lens_for(request.user, request.GET.get("region", "").strip())
    groups = selectors.ranking(lens, period, view)
    wanted = request.GET.get("group", "").strip()
    if wanted:
        groups = [g for g in groups if g["label"] == wanted]
    p = metrics.parse_period(period)
    w = rates.weights()
    m = rates.min_sample()
    notes = [
        f"综合得分 = {w.response:.2f}×响应率 + {w.solved:.2f}×解决率 + {w.satisfied:.2f}×满意率；"
        "全部由工单流转记录计算。",
        f"派单少于 {m.dispatched} 件或回访少于 {m.callbacks} 件的单位列为“样本不足”，不参加排名。"
        "区间为 95% Wilson 置信区间。",
        "已派单但未接单、且接单时限未到（或退单待审核）的工单不计入响应率，单列为“待接单”。",
    ]
    if selectors.is_in_progress(period):
        notes.append(f"{p.label}尚未结束（进行中），数字还会变化。")
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    widths = [6, 18, 24] + [11] * (len(metrics.REPORT_COLUMNS) - 3)
    for group in groups or [{"label": "三率通报", "rows": []}]:
        sheet = book.create_sheet(_sheet_name(group["label"], used))
        title = f"{_scope_name(request.user, lens)} {period} 接诉即办三率通报 · {group['label']}"
        if group.get("window"):
            title += f"：{group['window']}"
        sheet.append([title])
        sheet.merge_cells(
            start_row=1, start_column=1, end_row=1, end_column=len(metrics.REPORT_COLUMNS)
        )
        sheet["A1"].font = Font(size=14, bold=True)
        sheet["A1"].alignment = Alignment(horizontal="center")
        for note in notes:
            sheet.append([note])
        if group.get("window"):
            sheet.append(
                [f"本组本期多数单位样本不足，按{group['window']}排名（统计期 {group['period']}）。"]
            )
        sheet.append([label for label, _ in metrics.REPORT_COLUMNS])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in group["rows"]:
            sheet.append([value(row) for _, value in metrics.REPORT_COLUMNS])
        if not group["rows"]:
            sheet.append(["本期没有派单或回访。"])
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=4)
    out = BytesIO()
    defuse(book)
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename=sanlv-{period}-{view}.xlsx"
    return response


HOTSPOT_WINDOWS = [(7, "近 7 天"), (30, "近 30 天"), (90, "近 90 天")]


@login_required
def hotspots(request):
    """Tickets of a recent window clustered by what they say, within each township: the
    hottest first (size, growth, likes), each with a few representative tickets."""
    from jiceng.dispatch import hotspot_cache

    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    if days not in dict(HOTSPOT_WINDOWS):
        days = 30
    # kept per scope and recounted by the worker (clustering a month takes seconds)
    clusters, looked_at, counted_at = hotspot_cache.read(request.user, days)
    return render(
        request,
        "dashboards/hotspots.html",
        {
            "clusters": clusters,
            "may_raise": themes.may_raise(request.user),
            "looked_at": looked_at,
            "counted_at": counted_at,
            "days": days,
            "windows": HOTSPOT_WINDOWS,
            "scope_name": _scope_name(request.user),
        },
    )


@login_required
def unit_page(request, pk: int):
    """A unit's own page: its 三率 over twelve months with its rank each month, its slowest
    tickets, and its returns with their rulings. Every number links to its tickets."""
    unit = get_for_user(request.user, Unit.objects.select_related("region", "type"), pk=pk)
    period, problem = _period(request)
    county, _ = selectors.peers_of(unit)
    history = selectors.unit_history(unit, period)
    group = next(
        (label for label, kinds in rates.KIND_GROUPS if unit.type.category in kinds),
        "其他单位",
    )
    return render(
        request,
        "dashboards/unit.html",
        {
            "unit": unit,
            "county": county,
            "group": group,
            "period": period,
            "problem": problem,
            "periods": selectors.period_choices(period),
            "history": history,
            "answers": selectors.answers(period, Q(unit_id=unit.pk)),
            "rounds": selectors.unit_answers(unit, period),
            "chart": {
                "months": [h["month"] for h in history],
                "response": [h["response_rate"] for h in history],
                "solved": [h["solved_rate"] for h in history],
                "satisfied": [h["satisfied_rate"] for h in history],
                "rank": [h["rank"] for h in history],
            },
            "slowest": selectors.slowest_tickets(unit, period),
            "returns": selectors.returns_with_rulings(unit, period),
            "whistles": selectors.whistle_reports(unit, period),
            "minimum": rates.min_sample(),
        },
    )
