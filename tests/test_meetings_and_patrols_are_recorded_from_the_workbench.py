"""The intake operator records a 民情恳谈 meeting whose matters become tickets (all or none),
and a grid worker reports from patrol, closing a small matter on the spot."""

from django.test import Client

from jiceng import factories
from jiceng.tickets.models import Meeting, Ticket

PLACE = {"county": "652301000000", "township": "652301004000", "village": "652301004012"}


def test_a_meeting_with_two_matters_makes_two_tickets(world, login):
    response = login("ivan").post(
        "/work/meetings/new/",
        {
            **PLACE,
            "held_at": "2026-11-20T15:00",
            "host": "王书记",
            "attendees": "30",
            "rows": "3",
            "m0-content": "小区东门路面坑洼",
            "m0-name": "马师傅",
            "m1-content": "希望增设老年食堂",
            "m1-urgency": "normal",
            "m2-content": "",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.host == "王书记" and meeting.tickets.count() == 2
    assert {t.channel for t in Ticket.objects.all()} == {"meeting"}


def test_a_meeting_with_a_bad_matter_saves_nothing_and_keeps_what_was_typed(world, login):
    response = login("ivan").post(
        "/work/meetings/new/",
        {
            **PLACE,
            "held_at": "2026-11-20T15:00",
            "rows": "2",
            "m0-content": "小区东门路面坑洼",
            "m1-content": "电梯坏了",
            "m1-phone": "123",
        },
    )
    page = response.content.decode()
    assert response.status_code == 422 and "第 2 项" in page and "手机号" in page
    assert "小区东门路面坑洼" in page
    assert Meeting.objects.count() == 0 and Ticket.objects.count() == 0


def test_a_grid_worker_closes_a_small_matter_on_the_spot(world):
    worker = factories.account("wang", ["grid_worker"], scope_unit=world["jiashun_unit"])
    client = Client()
    client.force_login(worker)
    page = client.get("/work/grid-report/").content.decode()
    assert world["jiashun_grid"].name in page and "巡查上报" in page
    response = client.post(
        "/work/grid-report/",
        {
            "grid": world["jiashun_grid"].pk,
            "content": "2单元楼道堆放杂物",
            "on_spot": "on",
            "result": "已联系住户当场清理",
            "photos": [factories.photo("a.png", "PNG")],
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.channel, ticket.photos.count()) == ("closed", "grid", 1)
    refused = client.post(
        "/work/grid-report/",
        {"grid": world["jiashun_grid"].pk, "content": "井盖缺失", "on_spot": "on"},
    )
    assert "现场处置情况" in refused.content.decode() and Ticket.objects.count() == 1


def test_a_grid_worker_cannot_pick_another_communitys_grid(world):
    worker = factories.account("wang", ["grid_worker"], scope_unit=world["jiashun_unit"])
    client = Client()
    client.force_login(worker)
    response = client.post(
        "/work/grid-report/", {"grid": world["jianguo_grid"].pk, "content": "井盖缺失"}
    )
    assert "选择一个有效的选项" in response.content.decode() or response.status_code == 200
    assert Ticket.objects.count() == 0


def menu(page: str) -> str:
    """The page's navigation only (the search form lists channels by name)."""
    return page.split("<nav", 1)[1].split("</nav>", 1)[0]


def test_the_menu_follows_the_roles(world, login):
    handler_menu = menu(login("dave").get("/work/tickets/").content.decode())
    assert "巡查上报" not in handler_menu and "民情恳谈" not in handler_menu
    assert "民情恳谈" in menu(login("ivan").get("/work/tickets/").content.decode())
