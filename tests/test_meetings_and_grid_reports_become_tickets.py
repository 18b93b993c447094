"""A 民情恳谈 meeting record turns each matter raised into a ticket; a grid worker's report is
a ticket too, and a small matter settled on the spot is closed at once with its history."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import Ticket, TicketEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def test_a_meeting_with_three_matters_makes_three_tickets(world, login):
    response = login("ivan").post(
        "/api/v1/meetings",
        {
            "region_code": "652301004012",
            "held_at": "2026-11-20T15:00:00+08:00",
            "place": "嘉顺社区党群服务中心",
            "host": "王书记",
            "attendees": 36,
            "matters": [
                {"content": "小区东门路面坑洼，雨天积水", "requester_name": "马师傅"},
                {"content": "希望增设老年食堂", "category_code": "12"},
                {"content": "3号楼电梯经常停运", "urgency": "urgent"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    numbers = response.json()["tickets"]
    assert len(numbers) == 3
    tickets = Ticket.objects.filter(number__in=numbers)
    assert {t.channel for t in tickets} == {"meeting"}
    assert {t.region.code for t in tickets} == {"652301004012"}
    assert tickets.get(urgency="urgent").meeting.host == "王书记"


def test_a_grid_worker_reports_from_patrol(world):
    worker = factories.account("wang", ["grid_worker"], scope_unit=world["jiashun_unit"])
    ticket = services.report_from_grid(
        worker,
        services.Intake(
            title="井盖缺失",
            content="5号楼前井盖缺失",
            region=world["jiashun"],
            grid=world["jiashun_grid"],
        ),
    )
    assert (ticket.channel, ticket.status, ticket.grid) == (
        "grid",
        "received",
        world["jiashun_grid"],
    )


def test_a_small_matter_settled_on_the_spot_is_closed_with_its_history(world):
    worker = factories.account("wang", ["grid_worker"], scope_unit=world["jiashun_unit"])
    ticket = services.report_from_grid(
        worker,
        services.Intake(
            title="楼道堆物",
            content="2单元楼道堆放杂物",
            region=world["jiashun"],
            photos=(factories.photo("a.png", "PNG"),),
        ),
        handled_on_spot=True,
        result="已联系住户当场清理",
    )
    assert ticket.status == "closed" and ticket.main_unit == world["jiashun_unit"]
    # one step of the transition table; no dispatch, so 响应率 never counts it
    events = TicketEvent.objects.filter(ticket=ticket).order_by("id")
    assert list(events.values_list("action", flat=True)) == [
        "receive",
        "follow_up",
        "close_on_spot",
    ]
    assert ticket.photos.count() == 1


def test_photos_are_checked_for_type_size_and_count(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    ivan = login("ivan")
    url = f"/api/v1/tickets/{ticket.pk}/photos"
    fake = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", "image/jpeg")
    refused = ivan.post(url, {"files": [fake]})
    assert refused.status_code == 422 and "JPEG" in refused.json()["errors"][0]["message"]
    big = SimpleUploadedFile("big.png", PNG + b"\0" * (5 * 1024 * 1024), "image/png")
    assert "5 MB" in ivan.post(url, {"files": [big]}).json()["errors"][0]["message"]
    four = [factories.photo(f"{i}.png", "PNG") for i in range(4)]
    assert "3 张" in ivan.post(url, {"files": four}).json()["errors"][0]["message"]
    assert ticket.photos.count() == 0
    ok = ivan.post(url, {"files": [factories.photo("ok.png", "PNG")]})
    assert ok.status_code == 200 and len(ok.json()["photos"]) == 1


def test_a_grid_worker_reports_through_the_api_and_sees_the_report(world, login):
    worker = factories.account("wang", ["grid_worker"], scope_unit=world["jiashun_unit"])
    client = Client()
    client.force_login(worker)
    response = client.post(
        "/api/v1/grid-reports",
        {"content": "6号楼前路灯杆倾斜", "grid_code": world["jiashun_grid"].code},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["channel"] == "grid" and ticket["status"] == "received"
    assert client.get(f"/api/v1/tickets/{ticket['id']}").status_code == 200
    # the neighbouring community's handler does not see it
    assert login("gina").get(f"/api/v1/tickets/{ticket['id']}").status_code == 404
    missing = client.post(
        "/api/v1/grid-reports", {"content": "x", "grid_code": ""}, content_type="application/json"
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "grid_code"
    closed = client.post(
        "/api/v1/grid-reports/on-spot",
        {
            "content": "楼道堆物",
            "grid_code": world["jiashun_grid"].code,
            "result": "已当场清理",
            "files": [factories.photo()],
        },
    )
    assert closed.json()["status"] == "closed" and closed.json()["main_unit"]["name"] == "嘉顺社区"
