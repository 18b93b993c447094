"""The staff inbox (消息): the bell on every staff page with the count of unread messages, the
list, and a message opened (marked read, then its ticket)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .models import InboxItem


def unread(request) -> dict:
    """Context processor: the bell's count, for a signed-in member of staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": InboxItem.objects.filter(user=user, read_at__isnull=True).count()}


@login_required
@require_GET
def inbox(request):
    items = InboxItem.objects.filter(user=request.user).select_related("ticket")
    if request.GET.get("show") == "unread":
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(
        request, "tickets/work/inbox.html", {"page": page, "show": request.GET.get("show", "")}
    )


@login_required
@require_GET
def open_item(request, pk: int):
    item = get_object_or_404(InboxItem, pk=pk, user=request.user)  # another's is not found
    if item.read_at is None:
        InboxItem.objects.filter(pk=item.pk).update(read_at=timezone.now())
    if item.ticket_id:
        return redirect("work-ticket", item.ticket_id)
    if item.link.startswith("/") and not item.link.startswith("//"):
        return redirect(item.link)
    return redirect("inbox")


@login_required
@require_POST
def read_all(request):
    InboxItem.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("inbox")
