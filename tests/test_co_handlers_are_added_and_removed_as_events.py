"""协办: a dispatcher names co-handlers in the web dispatch form, adds and removes them later,
and every change is an event whose list of co-handlers is the ticket's own."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import TicketEvent, TicketUnit


def co_ids(ticket) -> list[int]:
    return sorted(ticket.units.filter(role=TicketUnit.Role.CO).values_list("unit_id", flat=True))


def last_event(ticket) -> TicketEvent:
    return TicketEvent.objects.filter(ticket=ticket).latest("id")


def test_the_web_dispatch_form_names_co_handlers(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    erin = login("erin")
    page = erin.get(f"/work/tickets/{ticket.pk}/")
    assert 'name="co_units"' in page.content.decode()
    answer = erin.post(
        f"/work/tickets/{ticket.pk}/dispatch/",
        {
            "unit": world["jiashun_unit"].pk,
            "co_units_given": "1",
            "co_units": [world["jiashun_property"].pk],
            "urgency": "normal",
        },
    )
    assert answer.status_code == 302
    assert co_ids(ticket) == [world["jiashun_property"].pk]
    assert last_event(ticket).data["co_units"] == [world["jiashun_property"].pk]
    # the co-handler sees the ticket
    assert login("zoe").get(f"/work/tickets/{ticket.pk}/").status_code == 404
    pat = Client()
    pat.force_login(factories.account("pat", ["handler"], scope_unit=world["jiashun_property"]))
    assert pat.get(f"/work/tickets/{ticket.pk}/").status_code == 200


def test_a_co_handler_is_added_and_removed_each_time_with_its_event(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    erin = login("erin")
    added = erin.post(
        f"/work/tickets/{ticket.pk}/co_handle/",
        {"co_units": [world["changji_zjj"].pk], "reason": "需住建局配合"},
    )
    assert added.status_code == 302, added.content.decode()
    event = last_event(ticket)
    assert event.action == "co_handle"
    assert event.data == {
        "co_units": [world["changji_zjj"].pk],
        "added": [world["changji_zjj"].pk],
        "removed": [],
    }
    assert co_ids(ticket) == [world["changji_zjj"].pk]

    removed = erin.post(f"/work/tickets/{ticket.pk}/co_handle/", {"reason": "住建局已不需配合"})
    assert removed.status_code == 302
    event = last_event(ticket)
    assert event.data == {"co_units": [], "added": [], "removed": [world["changji_zjj"].pk]}
    assert co_ids(ticket) == []


def test_nothing_changed_is_refused_and_writes_no_event(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    before = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(services.Conflict) as caught:
        services.set_co_units(users["erin"], ticket, [], reason="没有变化")
    assert caught.value.code == "co_units_unchanged"
    assert TicketEvent.objects.filter(ticket=ticket).count() == before


def test_the_main_unit_cannot_be_its_own_co_handler(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    with pytest.raises(ValidationError):
        services.set_co_units(users["erin"], ticket, [world["jiashun_unit"]], reason="同一单位")
    assert co_ids(ticket) == []


def test_an_upheld_return_says_which_co_handlers_the_ticket_keeps(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(
        users["erin"], ticket, world["jiashun_unit"], co_units=[world["jiashun_property"]]
    )
    services.return_ticket(users["dave"], ticket, "不属于本社区职责")
    services.uphold_return(users["erin"], ticket, world["changji_zjj"], reason="改派住建局")
    event = last_event(ticket)
    assert event.action == "uphold_return"
    assert event.data["co_units"] == co_ids(ticket) == [world["jiashun_property"].pk]


def test_a_co_handler_made_main_unit_stops_being_a_co_handler(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], co_units=[world["changji_zjj"]])
    services.redispatch(users["erin"], ticket, world["changji_zjj"], reason="住建局主办")
    event = last_event(ticket)
    assert co_ids(ticket) == event.data["co_units"] == []
    assert event.data["removed"] == [world["changji_zjj"].pk]


def test_a_handler_cannot_change_co_handlers(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    with pytest.raises(services.ServiceError) as caught:
        services.set_co_units(users["dave"], ticket, [world["changji_zjj"]], reason="自己加")
    assert caught.value.status == 403
