"""Issue 28, finding 3: staff home pages showed master-data counts (区划 190 / 网格 519 / 人员
1498), not the day's work; the grid worker did not land on 我的网格; a tracking code typed into
the search of the 待派单 tab found "没有工单" when the ticket sat in another tab."""

import re

from jiceng import factories
from jiceng.tickets import services


def tile(page: str, key: str) -> tuple[int, str]:
    found = re.search(rf'href="([^"]+)" id="work-{key}"><b>(\d+)</b>', page)
    assert found, key
    return int(found[2]), found[1]


def test_a_dispatcher_sees_each_queue_with_its_count_and_a_link(world, users, login):
    factories.ticket(world["jiashun"])
    returned = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], returned, world["jiashun_unit"])
    services.return_ticket(users["dave"], returned, "不属于本社区管辖范围")
    page = login("erin").get("/").content.decode()
    assert tile(page, "received") == (1, "/work/tickets/?view=received")
    assert tile(page, "returned") == (1, "/work/tickets/?view=returned")
    assert tile(page, "inbox")[0] == 1  # the return's message
    assert "管辖范围内" not in page  # master data is for administrators


def test_a_handler_sees_what_waits_for_their_unit(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    page = login("dave").get("/").content.decode()
    assert tile(page, "todo") == (1, "/work/tickets/?view=todo")


def test_an_administrator_still_sees_what_the_scope_holds(world, users, login):
    page = login("alice").get("/").content.decode()
    assert "管辖范围内" in page and "承办单位" in page


def test_a_grid_worker_lands_on_my_grid(world, users, login):
    worker = factories.account("gwen", ["grid_worker"], scope_unit=world["jiashun_unit"])
    client = login("dave")
    client.force_login(worker)
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"] == "/work/tickets/?view=grid"


def test_a_tracking_code_typed_in_one_tab_finds_the_ticket_in_another(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    erin = login("erin")
    answer = erin.get("/work/tickets/", {"view": "received", "q": ticket.tracking_code})
    assert answer.status_code == 302 and "view=all" in answer["Location"]
    page = erin.get(answer["Location"]).content.decode()
    assert ticket.number in page and "已在全部工单中查找" in page


def test_a_handler_sees_what_falls_due_within_a_day(world, users, login):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.tickets.models import Ticket

    near, far = factories.ticket(world["jiashun"]), factories.ticket(world["jiashun"])
    for ticket in (near, far):
        services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    Ticket.objects.filter(pk=near.pk).update(accept_by=timezone.now() + timedelta(hours=3))
    Ticket.objects.filter(pk=far.pk).update(accept_by=timezone.now() + timedelta(days=3))
    page = login("dave").get("/").content.decode()
    assert tile(page, "due_soon") == (1, "/work/tickets/?view=due_soon")
    listed = login("dave").get("/work/tickets/?view=due_soon").content.decode()
    assert near.number in listed and far.number not in listed
