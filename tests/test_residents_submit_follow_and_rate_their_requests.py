"""The resident pages: a request from a phone with no account, errors in Chinese next to the
field with nothing lost, abuse limits, a honeypot, and the callback through the signed link."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiceng.tickets import notify, services
from jiceng.tickets.models import Notification, Ticket

GOOD = {
    "content": "嘉顺社区3号楼暖气不热，屋里只有15度。",
    "county": "652301000000",
    "township": "652301004000",
    "village": "652301004012",
    "address": "3号楼",
    "phone": "13912345678",
    "name": "李女士",
}


def test_a_request_gets_a_tracking_code(world, client):
    response = client.post("/submit/", GOOD)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/submitted/{ticket.tracking_code}/"
    assert (ticket.channel, ticket.region.code, ticket.requester_phone) == (
        "web",
        "652301004012",
        "13912345678",
    )
    assert ticket.tracking_code in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"content": "太短"}, "至少 5 个汉字，或 3 个词"),
        ({"phone": "12345"}, "11 位手机号"),
        ({"county": ""}, "请选择县市"),
        ({"village": "", "address": ""}, "请填写详细地址"),
    ],
)
def test_errors_show_next_to_the_field_and_nothing_typed_is_lost(world, client, change, message):
    response = client.post("/submit/", {**GOOD, **change})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert GOOD["name"] in page and "3号楼" in page
    assert Ticket.objects.count() == 0


def test_a_fake_photo_is_refused(world, client):
    fake = SimpleUploadedFile("a.jpg", b"not an image at all", "image/jpeg")
    page = client.post("/submit/", {**GOOD, "photos": [fake]}).content.decode()
    assert "只接受 JPEG、PNG 或 WebP" in page and Ticket.objects.count() == 0


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(world, client):
    response = client.post("/submit/", {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 200 and "谢谢" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_one_phone_cannot_flood_the_form(world, settings):
    settings.PUBLIC_LIMIT_PER_PHONE_HOUR = 2
    for n in range(2):
        assert Client().post("/submit/", {**GOOD, "address": f"{n}号楼"}).status_code == 302
    page = Client().post("/submit/", {**GOOD, "address": "9号楼"}).content.decode()
    assert "提交次数过多" in page and Ticket.objects.count() == 2


def test_one_place_cannot_flood_the_form(world, settings):
    settings.PUBLIC_LIMIT_PER_ADDRESS_HOUR = 2
    for n in range(2):
        Client().post("/submit/", {**GOOD, "phone": f"1391234567{n}"})
    page = Client().post("/submit/", {**GOOD, "phone": "13912345679"}).content.decode()
    assert "请勿重复提交" in page and Ticket.objects.count() == 2


def test_the_reply_carries_a_link_that_opens_the_ticket_and_takes_one_rating(
    world, users, client, settings
):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    notify.outbox.clear()
    client.post("/submit/", GOOD)
    ticket = Ticket.objects.get()
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "供热公司已上门排气处理。")
    message = Notification.objects.get(kind="resident_reply")
    assert message.recipient == "13912345678" and "{rating_link}" in message.body
    notify.send_pending()
    secret = re.search(r"/r/#([A-Za-z0-9_\-]+)", notify.outbox[-1].body).group(1)
    stranger = Client()
    opened = stranger.post("/r/", {"secret": secret}, follow=True)
    assert opened.status_code == 200 and "供热公司已上门排气处理" in opened.content.decode()
    assert Client().get(f"/track/{ticket.tracking_code}/").status_code == 404
    rated = stranger.post(
        f"/track/{ticket.tracking_code}/rate/", {"solved": "1", "satisfaction": "满意"}
    )
    assert rated.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == ("closed", "满意")
    again = stranger.post(
        f"/track/{ticket.tracking_code}/rate/",
        {"solved": "0", "satisfaction": "不满意"},
        follow=True,
    )
    assert "已经评价过" in again.content.decode()
    ticket.refresh_from_db()
    assert ticket.satisfaction == "满意"
