"""Pages of records: the Excel export of a search and the printable notices. Thin: the
search is `selectors.search`, the workbook is `records.workbook`."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from . import access, records, selectors
from .models import TicketEvent, TicketUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export(request):
    """The tickets of the work list's search (its filters, in the user's scope) with their
    history, as .xlsx."""
    tickets = access.visible_tickets(request.user)
    tab = request.GET.get("view", "")
    if tab in selectors.QUEUES:  # the work-list tab the search was made in
        tickets = tickets.filter(selectors.queue_q(tab, request.user))
    found = selectors.search(tickets, request.GET)
    if found.problems:
        return HttpResponse("；".join(found.problems), status=400, content_type="text/plain")
    title = "工单导出" + (f"（检索：{found.q}）" if found.q else "")
    data, count, cut = records.workbook(found.tickets, title=title)
    response = HttpResponse(data, content_type=XLSX)
    name = f"工单导出-{count}件.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    if cut:
        response["X-Truncated"] = "1"
    return response


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
