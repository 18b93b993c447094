"""Issue 26, finding 3: a phone callback recorded first by the 受理员 showed on the resident's
page as "您的评价：已解决，满意" and locked the resident out of their own rating; after a proven
不满意, a reopen, a reply and a 受理员's 满意 brought the unit back to 100 % with nothing to show
whether anyone had called.

Now each reply opens a round. Within it the resident's proven rating is final and supersedes a
phone callback recorded before it; every phone callback is sent to the resident with a link to
give their own; earlier rounds of a reopened ticket stay on the pages."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jiceng import factories
from jiceng.orgs.tokens import create_token
from jiceng.tickets import notify, rates, services
from jiceng.tickets.models import Ticket

PHONE = "13912342005"


pytestmark = pytest.mark.usefixtures("memory_sms")


@pytest.fixture
def replied(world, users):
    ticket = factories.ticket(world["jiashun"], phone=PHONE)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    return services.reply(users["dave"], ticket, "已联系物业修好楼道灯。")


def last_sms(kind: str) -> str:
    notify.send_pending()
    sent = [n for n in notify.outbox if n.recipient == PHONE and n.kind == kind]
    assert sent, f"no {kind} message"
    return sent[-1].body


def open_link(body: str) -> Client:
    resident = Client()
    secret = re.search(r"/r/#([A-Za-z0-9_\-]+)", body).group(1)
    assert resident.post("/r/", {"secret": secret}).status_code == 302
    return resident


def counts(unit):
    now = timezone.now()
    rows = rates.rate_counts((now - timedelta(days=30), now + timedelta(days=30)))
    row = next(c for c in rows if c.key == unit.code)
    return row.callbacks, row.solved, row.answers["满意"] + row.answers["基本满意"]


def test_a_phone_callback_recorded_first_does_not_lock_the_resident_out(replied, users, world):
    services.callback(users["ivan"], replied, solved=True, satisfaction="满意")
    # the resident is told what was recorded, with a link to give their own rating
    body = last_sms("resident_callback")
    assert "热线回访记录" in body and "已解决，满意" in body and "/r/#" in body
    resident = open_link(body)
    page = resident.get(f"/track/{replied.tracking_code}/").content.decode()
    assert "您的评价" not in page  # what staff recorded is never shown as the resident's own
    assert "热线回访记录（工作人员电话回访时记下）：已解决，满意" in page
    assert "提交评价" in page
    rated = resident.post(
        f"/track/{replied.tracking_code}/rate/", {"solved": "0", "satisfaction": "不满意"}
    )
    assert rated.status_code == 302
    ticket = Ticket.objects.get(pk=replied.pk)
    assert (ticket.status, ticket.satisfaction) == ("review", "不满意")
    # the resident's own answer supersedes the phone's in the 三率
    assert counts(world["jiashun_unit"]) == (1, 0, 0)
    page = resident.get(f"/track/{replied.tracking_code}/").content.decode()
    assert "您的评价：未解决，不满意" in page and "热线回访记录（" not in page
    staff = Client()
    staff.force_login(users["erin"])
    detail = staff.get(f"/work/tickets/{replied.pk}/").content.decode()
    assert "热线回访" in detail and "群众本人评价" in detail and "已被本人评价取代" in detail


def test_after_the_residents_own_rating_a_phone_callback_is_refused(replied, users):
    notify.send_pending()
    resident = open_link(last_sms("resident_reply"))
    resident.post(f"/track/{replied.tracking_code}/rate/", {"solved": "1", "satisfaction": "满意"})
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['ivan'], 't')}")
    refused = api.post(
        f"/api/v1/tickets/{replied.pk}/callback",
        {"solved": False, "satisfaction": "不满意"},
        content_type="application/json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "resident_rated"
    assert Ticket.objects.get(pk=replied.pk).satisfaction == "满意"


def test_the_resident_rates_once_a_round(replied, users):
    services.callback(users["ivan"], replied, solved=True, satisfaction="满意")
    resident = open_link(last_sms("resident_callback"))
    resident.post(f"/track/{replied.tracking_code}/rate/", {"solved": "1", "satisfaction": "满意"})
    again = resident.post(
        f"/track/{replied.tracking_code}/rate/",
        {"solved": "0", "satisfaction": "不满意"},
        follow=True,
    )
    assert "已经评价过" in again.content.decode()
    assert Ticket.objects.get(pk=replied.pk).satisfaction == "满意"


def test_a_reopened_ticket_keeps_its_earlier_rounds(replied, users, world):
    resident = open_link(last_sms("resident_reply"))
    resident.post(
        f"/track/{replied.tracking_code}/rate/", {"solved": "0", "satisfaction": "不满意"}
    )
    services.reopen(users["erin"], replied, "群众反映灯仍不亮")
    services.reply(users["dave"], replied, "已更换整条线路。")
    services.callback(users["ivan"], replied, solved=True, satisfaction="满意")
    # the second round's phone answer went to the resident, who may still give their own
    assert "/r/#" in last_sms("resident_callback")
    staff = Client()
    staff.force_login(users["erin"])
    detail = staff.get(f"/work/tickets/{replied.pk}/").content.decode()
    assert "第 1 轮答复 · 群众本人评价 · 未解决，不满意" in detail
    assert "第 2 轮答复 · 热线回访 · 已解决，满意" in detail
    month = f"{timezone.localtime():%Y-%m}"
    unit_page = staff.get(
        f"/dashboard/units/{world['jiashun_unit'].pk}/?period={month}"
    ).content.decode()
    assert "重办 1 件" in unit_page
    # the unit's page lists each round's answer too
    rounds = unit_page.split('id="rounds"')[1].split("</section>")[0]
    assert "第 1 轮" in rounds and "第 2 轮" in rounds and "群众本人评价" in rounds
    # the last answer that counts is the phone's of round 2, and the page says so
    assert "群众本人评价（短信链接或验证码）0 件，热线电话回访 1 件" in unit_page
    board = staff.get(f"/dashboard/?period={month}").content.decode()
    assert "重办 1 件" in board and "热线电话回访 1 件" in board


def test_a_ticket_closed_by_a_ruling_takes_no_more_callbacks(replied, users):
    services.callback(users["ivan"], replied, solved=False, satisfaction="不满意")
    services.close(users["erin"], replied, "诉求人要求超出政策范围，已解释")
    assert not services.resident_may_rate(Ticket.objects.get(pk=replied.pk))
    with pytest.raises(services.Conflict):
        services.callback(users["ivan"], replied, solved=True, satisfaction="满意")
