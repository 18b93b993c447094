"""Issue 11, finding 1: a handler read the tracking code and the phone's last 4 digits off the
staff page, then rated their own reply as the resident. Now staff never see anything that
proves the phone: the number is masked to its prefix, rating needs the single-use link sent to
the phone or a code sent by SMS, and no account of the handling unit can call back."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from jiceng import factories
from jiceng.orgs.tokens import create_token
from jiceng.tickets import notify, services
from jiceng.tickets.models import Notification, ResidentToken, Ticket

PHONE = "13912342005"


@pytest.fixture(autouse=True)
def memory_sms(settings):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    notify.outbox.clear()


@pytest.fixture
def replied(world, users):
    ticket = factories.ticket(world["jiashun"], phone=PHONE)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    return services.reply(users["dave"], ticket, "已联系物业修好楼道灯。")


def sms_to(phone: str, kind: str) -> str:
    sent = [n for n in notify.outbox if n.recipient == phone and n.kind == kind]
    assert sent, f"no {kind} message to {phone}"
    return sent[-1].body


def secret_in(body: str) -> str:
    return re.search(r"/r/#([A-Za-z0-9_\-]+)", body).group(1)


def open_link(client, body: str, **kw):
    """What the link page's script does: post the fragment's secret."""
    return client.post("/r/", {"secret": secret_in(body)}, **kw)


def test_what_staff_see_does_not_complete_the_tracking_check(replied, login, users):
    page = login("dave").get(f"/work/tickets/{replied.pk}/").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['dave'], 't')}")
    shown = api.get(f"/api/v1/tickets/{replied.pk}").json()["requester_phone"]
    assert shown == "139********" and PHONE[-7:] not in page and "2005" not in shown
    # the attack of the finding: the code and the digits staff were shown
    handler = Client()
    refused = handler.post("/track/", {"code": replied.tracking_code, "last4": shown[-4:]})
    assert "不正确" in refused.content.decode()
    assert handler.get(f"/track/{replied.tracking_code}/").status_code == 404


def test_following_progress_does_not_let_anyone_rate(replied):
    # even someone who knows the last 4 digits only follows progress
    someone = Client()
    someone.post("/track/", {"code": replied.tracking_code, "last4": "2005"})
    page = someone.get(f"/track/{replied.tracking_code}/").content.decode()
    assert "已联系物业修好楼道灯" in page and "获取短信验证码" in page and "提交评价" not in page
    rated = someone.post(
        f"/track/{replied.tracking_code}/rate/", {"solved": "1", "satisfaction": "满意"}
    )
    assert rated.status_code == 302
    assert Ticket.objects.get(pk=replied.pk).status == "replied"


def test_the_rating_link_goes_only_to_the_phone_and_works_once(replied, caplog):
    stored = Notification.objects.get(kind="resident_reply")
    assert "/r/" not in stored.body and "{rating_link}" in stored.body  # the outbox, the admin
    notify.send_pending()
    body = sms_to(PHONE, "resident_reply")
    assert "/r/#" in body and "15 天内有效" in body
    resident = Client()
    opened = open_link(resident, body, follow=True)
    assert "提交评价" in opened.content.decode()
    rated = resident.post(
        f"/track/{replied.tracking_code}/rate/", {"solved": "1", "satisfaction": "满意"}
    )
    assert rated.status_code == 302
    ticket = Ticket.objects.get(pk=replied.pk)
    assert (ticket.status, ticket.satisfaction) == ("closed", "满意")
    event = ticket.events.get(action="callback")
    assert event.actor_label == "诉求人本人" and event.data["proof"] == "link"
    # single use
    assert open_link(Client(), body).status_code == 410


def test_the_rating_link_expires(replied, settings):
    settings.RATING_LINK_DAYS = 15
    notify.send_pending()
    body = sms_to(PHONE, "resident_reply")
    with time_machine.travel(timezone.now() + timedelta(days=15, minutes=1)):
        assert open_link(Client(), body).status_code == 410
    assert Client().get("/r/forged-secret/").status_code == 410


def test_a_code_by_sms_proves_the_phone_and_is_limited(replied):
    resident = Client()
    resident.post("/track/", {"code": replied.tracking_code, "last4": "2005"})
    url = f"/track/{replied.tracking_code}"
    sent = resident.post(f"{url}/code/", follow=True).content.decode()
    assert "验证码已发送到 139********" in sent
    body = sms_to(PHONE, "rating_code")
    code = body.split("验证码为 ")[1][:6]
    stored = Notification.objects.get(kind="rating_code").body
    assert code not in stored  # the outbox keeps the placeholder only
    # one a minute
    again = resident.post(f"{url}/code/", follow=True).content.decode()
    assert "1 分钟后再试" in again and len(notify.outbox) == 1
    wrong = "000000" if code != "000000" else "111111"
    bad = resident.post(f"{url}/verify/", {"code": wrong})
    assert bad.status_code == 422 and "验证码不正确" in bad.content.decode()
    assert resident.post(f"{url}/verify/", {"code": code}).status_code == 302
    resident.post(f"{url}/rate/", {"solved": "1", "satisfaction": "基本满意"})
    ticket = Ticket.objects.get(pk=replied.pk)
    assert ticket.satisfaction == "基本满意"
    assert ticket.events.get(action="callback").data["proof"] == "code"


def test_five_wrong_codes_kill_the_code(replied):
    resident = Client()
    resident.post("/track/", {"code": replied.tracking_code, "last4": "2005"})
    url = f"/track/{replied.tracking_code}"
    resident.post(f"{url}/code/")
    code = sms_to(PHONE, "rating_code").split("验证码为 ")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        resident.post(f"{url}/verify/", {"code": wrong})
    assert resident.post(f"{url}/verify/", {"code": code}).status_code == 422
    assert ResidentToken.objects.get(kind="code").attempts == 5


def test_no_account_of_the_handling_unit_can_call_back(replied, world, login):
    # an account of the handling unit that also holds the hotline roles
    factories.account("hank", ["dispatcher", "intake", "handler"], scope_unit=world["jiashun_unit"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(world_user('hank'), 't')}")
    called = api.post(
        f"/api/v1/tickets/{replied.pk}/callback",
        {"solved": True, "satisfaction": "满意"},
        content_type="application/json",
    )
    assert called.status_code == 403, called.json()
    page = Client()
    page.force_login(world_user("hank"))
    assert f"/work/tickets/{replied.pk}/callback/" not in actions_on(page, replied)
    posted = page.post(
        f"/work/tickets/{replied.pk}/callback/", {"solved": "1", "satisfaction": "满意"}
    )
    assert posted.status_code in (403, 404, 422)
    assert Ticket.objects.get(pk=replied.pk).status == "replied"
    # the hotline's 回访, by a role outside the unit, stays as it is
    done = login("ivan").post(
        f"/work/tickets/{replied.pk}/callback/", {"solved": "1", "satisfaction": "满意"}
    )
    assert done.status_code == 302
    assert Ticket.objects.get(pk=replied.pk).status == "closed"


def test_the_log_backend_writes_no_number_link_or_code(replied, settings, caplog):
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.LogBackend"
    residents_code = Client()
    residents_code.post("/track/", {"code": replied.tracking_code, "last4": "2005"})
    from jiceng.tickets import residents

    with caplog.at_level("INFO", logger="jiceng.notify"):
        residents.request_code(replied)
        notify.send_pending()
    text = caplog.text
    assert "评价验证码" in text and "已答复" in text
    assert PHONE not in text and "/r/#…" in text and "验证码为 ******" in text
    token_links = [t for t in ResidentToken.objects.filter(kind="link")]
    assert token_links  # a link was made and sent, and only its digest is kept


def world_user(name):
    from jiceng.orgs.models import User

    return User.objects.get(username=name)


def actions_on(client, ticket) -> str:
    return client.get(f"/work/tickets/{ticket.pk}/").content.decode()


def test_a_number_the_resident_wrote_into_the_request_is_masked_for_staff(world, users, login):
    words = f"我是张桂芳，电话{PHONE}，楼道灯坏了一个月"
    ticket = factories.ticket(world["jiashun"], content=words, title="", phone=PHONE)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    page = login("dave").get(f"/work/tickets/{ticket.pk}/").content.decode()
    listing = login("dave").get("/work/tickets/?view=all").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['dave'], 't')}")
    one = api.get(f"/api/v1/tickets/{ticket.pk}").json()
    many = api.get("/api/v1/tickets").json()
    for shown in (page, listing, one["title"], one["content"], str(many)):
        assert PHONE not in shown and PHONE[-7:] not in shown
    assert "楼道灯坏了一个月" in page
    assert Ticket.objects.get(pk=ticket.pk).content == words  # stored as the resident wrote it
