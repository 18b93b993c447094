"""Pages of records: the Excel export of a search and the printable notices. Thin: the
search is `selectors.search`, the workbook is `records.workbook`."""

from io import BytesIO
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from openpyxl import Workbook

from jiceng.core.tabular import defuse

from . import access, exports, metrics, records
from . import integrity as integrity_leads
from .models import ExportJob, TicketEvent, TicketUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export(request):
    """The tickets of the work list's search (its filters, in the user's scope) with their
    history, as .xlsx; a large one is made by the background worker (`exports`), and the
    browser is sent to its progress page."""
    found = exports.searched(request.user, request.GET.urlencode())
    if found.problems:
        return HttpResponse("；".join(found.problems), status=400, content_type="text/plain")
    title = "工单导出" + (f"（检索：{found.q}）" if found.q else "")
    total = found.tickets.count()
    if total > exports.BACKGROUND_FROM:
        job = exports.start(
            request.user, request.GET.urlencode(), title, min(total, records.MAX_EXPORT)
        )
        return redirect("export-status", job.pk)
    data, count, cut = records.workbook(found.tickets, title=title)
    response = HttpResponse(data, content_type=XLSX)
    name = f"工单导出-{count}件.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    if cut:
        response["X-Truncated"] = "1"
    return response


@login_required
def export_status(request, pk: int):
    """A background export: its progress while it is made (the page refreshes itself), then
    its file, for a day. Another person's export is not found."""
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    recent = ExportJob.objects.filter(user=request.user).exclude(pk=job.pk)[:10]
    return render(request, "tickets/work/export.html", {"job": job, "recent": recent})


@login_required
def export_file(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user, state=ExportJob.State.DONE)
    if not job.file or job.expires_at <= timezone.now():
        raise Http404("导出文件已过期（保留一天），请重新导出")
    name = f"工单导出-{job.total}件.xlsx"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


@login_required
def notice(request, pk: int, kind: str):
    """督办通知单 (`kind="supervise"`) or 吹哨通知单 (`"whistle"`), for print."""
    if kind not in ("supervise", "whistle"):
        raise Http404
    ticket = access.get_ticket_for_user(request.user, pk)
    event = TicketEvent.objects.filter(ticket=ticket, action=kind).order_by("-at", "-id").first()
    if event is None:
        raise Http404("该工单没有督办或吹哨记录")
    calls = []
    if kind == "whistle":
        calls = list(
            TicketUnit.objects.filter(
                ticket=ticket, role=TicketUnit.Role.WHISTLE, unit_id__in=event.data.get("units", [])
            ).select_related("unit")
        )
    return render(
        request,
        "tickets/work/notice.html",
        {"ticket": ticket, "event": event, "kind": kind, "calls": calls},
    )


def _integrity_period(request):
    """The period asked for (default: the current month), or the reason it is not one."""
    text = request.GET.get("period", "").strip() or f"{timezone.localtime():%Y-%m}"
    try:
        return metrics.parse_period(text), ""
    except metrics.BadPeriod as exc:
        return None, str(exc)


@login_required
def integrity(request):
    """评价异常线索: patterns worth a look, each with the tickets behind it (never a penalty)."""
    if not integrity_leads.may_read(request.user):
        raise Http404
    period, problem = _integrity_period(request)
    found = integrity_leads.leads(request.user, *period.bounds()) if period else []
    return render(
        request,
        "tickets/work/integrity.html",
        {
            "period": period.text if period else request.GET.get("period", ""),
            "period_label": period.label if period else "",
            "problem": problem,
            "leads": found,
            "kinds": integrity_leads.KINDS,
            "limits": integrity_leads,
        },
        status=400 if problem else 200,
    )


@login_required
def integrity_export(request):
    """The same leads as .xlsx, one row each, with its tickets' numbers."""
    if not integrity_leads.may_read(request.user):
        raise Http404
    period, problem = _integrity_period(request)
    if problem:
        return HttpResponse(
            f"统计期不正确：{problem}", status=400, content_type="text/plain; charset=utf-8"
        )
    book = Workbook()
    sheet = book.active
    sheet.title = "评价异常线索"
    sheet.append([f"评价异常线索（{period.label}）：仅供核查，不作为扣分依据"])
    sheet.append(["类型", "单位", "说明", "工单数", "工单编号"])
    for lead in integrity_leads.leads(request.user, *period.bounds()):
        numbers = "、".join(number for _, number in lead.tickets)
        sheet.append([lead.label, lead.unit, lead.detail, len(lead.tickets), numbers])
    defuse(book)
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"评价异常线索-{period.text}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
