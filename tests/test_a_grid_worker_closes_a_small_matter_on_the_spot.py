"""网格员: any grid worker of a unit, scoped to the unit or to its place, closes a small matter on
the spot with a photo, through the transition table; it is never counted in 响应率. Their
phone view lists their grid's open tickets, and a patrol report may carry where they stood."""

import pytest
from django.http import Http404
from django.test import Client

from jiceng import factories
from jiceng.tickets import rates, services
from jiceng.tickets.models import Ticket, TicketEvent


@pytest.fixture
def walker(world):
    """The demo's kind of grid worker: scoped to 嘉顺社区 (a place), holding a 网格员 post of
    嘉顺社区居委会 in its first grid."""
    user = factories.account(
        "walker",
        ["grid_worker"],
        scope_region=world["jiashun"],
        who=world["jiashun_grid_worker"],
    )
    client = Client()
    client.force_login(user)
    return user, client


def report(client, world, **extra):
    return client.post(
        "/work/grid-report/",
        {
            "grid": world["jiashun_grid"].pk,
            "content": "2单元楼道堆放纸箱，堵住了消防通道",
            "address": "嘉顺小区2单元",
            **extra,
        },
    )


def test_a_grid_worker_scoped_to_a_place_closes_on_the_spot_with_a_photo(world, walker):
    _user, client = walker
    answer = report(
        client,
        world,
        on_spot="on",
        result="已联系住户当场清理",
        photos=[factories.photo("spot.jpg")],
        latitude="44.012345",
        longitude="87.308765",
    )
    assert answer.status_code == 302, answer.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.main_unit, ticket.channel) == (
        "closed",
        world["jiashun_unit"],
        "grid",
    )
    assert (str(ticket.latitude), str(ticket.longitude)) == ("44.012345", "87.308765")
    assert ticket.photos.count() == 1
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("id"))
    assert [e.action for e in events] == ["receive", "follow_up", "close_on_spot"]
    assert (events[2].from_status, events[2].to_status) == ("received", "closed")
    assert events[2].unit == world["jiashun_unit"] and events[2].reason == "已联系住户当场清理"


def test_a_matter_closed_on_the_spot_never_counts_in_the_response_rate(world, walker):
    _user, client = walker
    report(client, world, on_spot="on", result="当场清理", photos=[factories.photo()])
    counts = rates.rate_counts("2026")
    assert all(c.dispatched == 0 and c.on_time == 0 for c in counts)


def test_without_a_photo_nothing_is_saved_and_the_error_is_by_the_field(world, walker):
    _user, client = walker
    answer = report(client, world, on_spot="on", result="当场清理")
    assert answer.status_code == 200
    assert "现场办结须附至少一张现场照片" in answer.content.decode()
    assert Ticket.objects.count() == 0


def test_another_grid_worker_of_the_unit_closes_a_colleagues_report(world, walker):
    user, _client = walker
    ticket = services.report_from_grid(
        user,
        services.Intake(
            title="",
            content="路灯不亮",
            region=world["jiashun"],
            grid=world["jiashun_grid"],
        ),
    )
    colleague = factories.account("li", ["grid_worker"], scope_unit=world["jiashun_unit"])
    page = Client()
    page.force_login(colleague)
    assert 'data-action="close_on_spot"' in page.get(f"/work/tickets/{ticket.pk}/").content.decode()
    done = page.post(
        f"/work/tickets/{ticket.pk}/close_on_spot/",
        {"text": "已更换灯泡", "files": [factories.photo()]},
    )
    assert done.status_code == 302, done.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.photos.count() == 1


def test_a_grid_worker_of_another_unit_cannot_close_it(world, walker):
    user, _ = walker
    ticket = services.report_from_grid(
        user,
        services.Intake(
            title="", content="井盖松动", region=world["jiashun"], grid=world["jiashun_grid"]
        ),
    )
    neighbour = factories.account("zhao", ["grid_worker"], scope_unit=world["jianguo_unit"])
    with pytest.raises(Http404):  # not theirs: they do not even see it
        services.close_on_spot(neighbour, ticket, "越权办结")
    ticket.refresh_from_db()
    assert ticket.status != "closed"


def test_a_residents_request_cannot_be_closed_on_the_spot(world, walker):
    user, _ = walker
    ticket = factories.ticket(world["jiashun"])
    with pytest.raises(services.Conflict) as caught:
        services.close_on_spot(user, ticket, "当场处理")
    assert caught.value.code == "not_a_patrol_report"


def test_the_phone_view_lists_the_grids_open_tickets(world, walker):
    _user, client = walker
    mine = factories.ticket(world["jiashun"], grid=world["jiashun_grid"], title="路面积水")
    other_grid = factories.grid(world["jiashun"], 2)
    elsewhere = factories.ticket(world["jiashun"], grid=other_grid, title="垃圾满溢")
    page = client.get("/work/tickets/")
    assert page.status_code == 200
    assert page.context["current"] == "grid"
    listed = [t.pk for t in page.context["page"].object_list]
    assert mine.pk in listed and elsewhere.pk not in listed
    assert "我的网格" in page.content.decode()


def test_the_api_closes_on_the_spot_only_with_a_photo(world, walker):
    _user, client = walker
    refused = client.post(
        "/api/v1/grid-reports",
        {
            "content": "楼道堆物",
            "grid_code": world["jiashun_grid"].code,
            "handled_on_spot": True,
            "result": "已当场清理",
        },
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "photos"
    done = client.post(
        "/api/v1/grid-reports/on-spot",
        {
            "content": "楼道堆物",
            "grid_code": world["jiashun_grid"].code,
            "result": "已当场清理",
            "files": [factories.photo()],
        },
    )
    assert done.status_code == 201, done.content.decode()
    assert done.json()["status"] == "closed" and done.json()["main_unit"]["name"] == "嘉顺社区"


def test_a_closed_patrol_report_shows_no_dispatch_advice(world, walker, dispatch_model):
    _user, client = walker
    report(client, world, on_spot="on", result="当场清理", photos=[factories.photo()])
    ticket = Ticket.objects.get()
    page = client.get(f"/work/tickets/{ticket.pk}/").content.decode()
    assert 'id="advice"' not in page
