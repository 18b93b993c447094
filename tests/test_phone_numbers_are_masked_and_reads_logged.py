"""A resident's number is masked (139********) everywhere; the roles that must call back can
ask for the full number, and every such look is logged. Others cannot."""

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import PhoneRead


def test_the_full_number_is_given_to_a_handler_and_the_look_logged(world, users, login):
    ticket = factories.ticket(world["jiashun"], phone="13912345678")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    dave = login("dave")
    assert dave.get(f"/api/v1/tickets/{ticket.pk}").json()["requester_phone"] == "139********"
    assert dave.get("/api/v1/tickets").json()["items"][0].get("requester_phone") is None
    assert dave.get(f"/api/v1/tickets/{ticket.pk}/phone").json() == {"phone": "13912345678"}
    read = PhoneRead.objects.get()
    assert (read.user, read.ticket, read.via) == (users["dave"], ticket, "api")


def test_a_supervisor_sees_the_masked_number_only(world, users, login):
    ticket = factories.ticket(world["jiashun"], phone="13912345678")
    sam = login("sam")
    assert sam.get(f"/api/v1/tickets/{ticket.pk}").json()["requester_phone"] == "139********"
    refused = sam.get(f"/api/v1/tickets/{ticket.pk}/phone")
    assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"
    assert PhoneRead.objects.count() == 0


def test_the_admin_ticket_page_does_not_show_the_number(world, users, login):
    ticket = factories.ticket(world["jiashun"], phone="13912345678")
    page = login("alice").get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    assert "13912345678" not in page.content.decode()
