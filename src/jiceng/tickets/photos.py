"""A ticket's photos, served only to those who may see the ticket.

Staff: the ticket must be in their scope (anonymous users have no scope, so 404). The
resident: the ticket must be one their session has proven (the tracking code and the last 4
digits of the phone). `/media/` itself is never served.
"""

from django.http import Http404
from django.views.decorators.http import require_GET

from jiceng.core import files

from . import access
from .models import TicketPhoto
from .views import _own_ticket  # the session check of the tracking pages


def _answer(photo: TicketPhoto, size: str):
    if size == "thumb" and photo.thumbnail:
        return files.serve(photo.thumbnail, download_name=f"照片{photo.pk}-缩略图")
    if size not in ("thumb", "full"):
        raise Http404
    return files.serve(photo.image, download_name=f"照片{photo.pk}")


@require_GET
def staff_photo(request, pk: int, size: str = "full"):
    photo = TicketPhoto.objects.filter(pk=pk).only("pk", "ticket_id", "image", "thumbnail").first()
    if photo is None:
        raise Http404
    access.get_ticket_for_user(request.user, photo.ticket_id)  # 404 outside the scope
    return _answer(photo, size)


@require_GET
def resident_photo(request, code: str, pk: int, size: str = "full"):
    ticket = _own_ticket(request, code)
    photo = TicketPhoto.objects.filter(pk=pk, ticket=ticket).first()
    if photo is None:
        raise Http404
    return _answer(photo, size)
