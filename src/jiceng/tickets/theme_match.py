"""Which open 每月一题 a new ticket belongs to, and the link made inside the follow-up's
transaction. Models only: the follow-up (below the theme services) reads this, and the theme
services (`themes`, which take requests in through the ticket services) sit above both."""

from datetime import datetime

from .models import Channel, Theme, ThemeTicket, Ticket


def matches(theme: Theme, ticket: Ticket) -> bool:
    """A ticket matches an open theme when it is inside the theme's place, in its category
    (if the theme has one and the ticket has been classified), and says one of its words."""
    if theme.state != Theme.State.OPEN or ticket.channel == Channel.PROACTIVE:
        return False
    if not ticket.region.path.startswith(theme.region.path):
        return False
    if theme.category_id and ticket.category_id:
        if not ticket.category.full_name.startswith(theme.category.full_name):
            return False
    text = f"{ticket.title}\n{ticket.content}"
    return any(word in text for word in theme.words)


def auto_link(ticket: Ticket, at: datetime) -> list[int]:
    """Link a new ticket to every open theme it matches."""
    themes = [
        t
        for t in Theme.objects.filter(state=Theme.State.OPEN).select_related("region", "category")
        if matches(t, ticket)
    ]
    ThemeTicket.objects.bulk_create(
        [ThemeTicket(theme=t, ticket=ticket, how="auto", linked_at=at) for t in themes],
        ignore_conflicts=True,
    )
    return [t.pk for t in themes]
