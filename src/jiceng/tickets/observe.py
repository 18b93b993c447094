"""What the request log says a staff request is about: its ticket, by number."""

from .models import Ticket

_TICKET_KWARGS = ("pk", "ticket_id")


def ticket_of(request) -> str | None:
    """The ticket a staff route is about, by its number (one indexed look-up)."""
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else ""
    if not (route.startswith("work/tickets/<") or route.startswith("api/v1/tickets/<")):
        return None
    value = next((match.kwargs[k] for k in _TICKET_KWARGS if k in match.kwargs), None)
    if value is None:
        return None
    try:
        return Ticket.objects.filter(pk=int(value)).values_list("number", flat=True).first()
    except (TypeError, ValueError):
        return None
