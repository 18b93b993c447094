"""Two handlers of one unit press 接单 on the same ticket at the same moment: exactly one wins,
the other is told the ticket has moved on, and there is one accept event."""

import threading

import pytest
from django.db import connection

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import TicketEvent
from jiceng.tickets.services import Conflict


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_handlers_accepting_at_once_only_one_wins(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def press_accept(name: str) -> None:
        try:
            barrier.wait()
            services.accept(users[name], ticket)
            outcomes[name] = "won"
        except Conflict as refused:
            outcomes[name] = refused.code
        finally:
            connection.close()

    threads = [threading.Thread(target=press_accept, args=(n,)) for n in ("dave", "frank")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes.values()) == ["invalid_transition", "won"]
    assert TicketEvent.objects.filter(ticket=ticket, action="accept").count() == 1
    winner = next(n for n, o in outcomes.items() if o == "won")
    assert TicketEvent.objects.get(ticket=ticket, action="accept").actor == users[winner]
