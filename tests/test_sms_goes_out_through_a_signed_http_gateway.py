"""Messages for residents go out through a generic HTTP SMS gateway (how most 政务短信平台
are reached): signed JSON, tested against a fake gateway on this machine. A failing gateway
keeps the message for a retry and parks it after five tries; the resident pages promise an
SMS only when a backend sends one."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from jiceng import factories
from jiceng.tickets import notify, residents, services
from jiceng.tickets.models import Notification, ResidentToken

SECRET = "gateway-shared-secret"


class FakeGateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeGateway.received.append((dict(self.headers), body))
        self.send_response(FakeGateway.status)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGateway.received, FakeGateway.status = [], 200
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.HttpSmsBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/sms/send"
    settings.SMS_HTTP_SECRET = SECRET
    settings.SMS_HTTP_BODY = '{"to": "{phone}", "msg": {"text": "{text}"}, "ref": "{id}"}'
    yield FakeGateway
    server.shutdown()


@pytest.fixture
def replied(world, users):
    ticket = factories.ticket(world["jiashun"], phone="13912342005")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    return services.reply(users["dave"], ticket, "已联系物业修好楼道灯。")


@pytest.fixture
def only_the_reply(replied):
    """The tests of retries follow the reply alone (the receipt SMS would be tried first)."""
    Notification.objects.exclude(kind="resident_reply").delete()
    return replied


def test_a_reply_reaches_the_residents_phone_signed(gateway, replied):
    _sent, failed = notify.send_pending()
    assert failed == 0
    to_phone = [(h, b) for h, b in gateway.received if b"13912342005" in b]
    received, _reply = [json.loads(b)["msg"]["text"] for _, b in to_phone]
    assert "已受理" in received and "查询码" in received  # the tracking code, when taken in
    sms = [(h, json.loads(b)) for h, b in to_phone if b"/r/#" in b]
    assert len(sms) == 1
    headers, body = sms[0]
    assert body["to"] == "13912342005" and "/r/" in body["msg"]["text"]
    raw = next(b for _, b in to_phone if b"/r/#" in b)
    expected = hmac.new(
        SECRET.encode(), headers["X-Jiceng-Timestamp"].encode() + b"\n" + raw, hashlib.sha256
    ).hexdigest()
    assert headers["X-Jiceng-Signature"] == expected
    assert ResidentToken.objects.filter(kind="link").count() == 1
    assert Notification.objects.get(kind="resident_reply").state == "sent"


def test_a_failing_gateway_is_retried_with_backoff_and_parked_after_five_tries(
    gateway, only_the_reply
):
    gateway.status = 503
    now = timezone.now()
    waits = []
    with time_machine.travel(now, tick=False) as clock:
        for attempt in range(1, 6):
            notify.send_pending()
            message = Notification.objects.get(kind="resident_reply")
            assert message.attempts == attempt and "503" in message.last_error
            if attempt < 5:
                waits.append(message.next_attempt_at - timezone.now())
                notify.send_pending()  # too early: nothing is tried again
                assert Notification.objects.get(pk=message.pk).attempts == attempt
                clock.shift(waits[-1])
    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8]
    assert message.state == "failed"
    assert not ResidentToken.objects.exists()  # links of failed attempts were rolled back


def test_an_administrator_queues_a_parked_message_again(gateway, only_the_reply, users):
    gateway.status = 503
    Notification.objects.filter(kind="resident_reply").update(attempts=4)
    notify.send_pending()
    parked = Notification.objects.get(kind="resident_reply")
    assert parked.state == "failed"
    admin = Client()
    admin.force_login(users["alice"])
    listing = admin.get("/admin/tickets/notification/", {"state__exact": "failed"})
    assert "短信网关返回 503" in listing.content.decode()
    admin.post(
        "/admin/tickets/notification/",
        {"action": "queue_again", "_selected_action": [parked.pk]},
    )
    again = Notification.objects.get(pk=parked.pk)
    assert (again.state, again.attempts) == ("pending", 0)
    gateway.status = 200
    assert notify.send_pending() == (1, 0)


def test_the_pages_promise_an_sms_only_when_one_can_be_sent(world, replied, settings):
    resident = Client()
    resident.post("/track/", {"code": replied.tracking_code, "last4": "2005"})
    page = resident.get(f"/track/{replied.tracking_code}/").content.decode()
    assert "暂未开通短信" in page and "获取短信验证码" not in page  # LogBackend reaches nobody
    refused = resident.post(f"/track/{replied.tracking_code}/code/", follow=True)
    assert "暂未开通短信" in refused.content.decode()
    assert not Notification.objects.filter(kind="rating_code").exists()
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.HttpSmsBackend"
    page = resident.get(f"/track/{replied.tracking_code}/").content.decode()
    assert "获取短信验证码" in page


def test_a_rating_code_is_sent_at_once(gateway, replied):
    resident = Client()
    resident.post("/track/", {"code": replied.tracking_code, "last4": "2005"})
    resident.post(f"/track/{replied.tracking_code}/code/")
    codes = [json.loads(b)["msg"]["text"] for _, b in gateway.received if "验证码".encode() in b]
    assert len(codes) == 1 and residents.CODE_PLACEHOLDER not in codes[0]


def test_a_caller_gets_the_tracking_code_by_sms_and_history_sends_nothing(world, users):
    from jiceng.tickets.services import Intake

    ticket, _ = services.receive(
        users["ivan"],
        Intake(
            title="暖气不热",
            content="3号楼暖气不热",
            region=world["jiashun"],
            requester_phone="13912342005",
        ),
    )
    receipt = Notification.objects.get(kind="resident_received", ticket=ticket)
    assert receipt.recipient == "13912342005"
    assert ticket.tracking_code in receipt.body and "/track/" in receipt.body
    with services.as_system("台账导入", notify=False):
        services.receive(
            None,
            Intake(
                title="旧工单",
                content="去年的诉求",
                region=world["jiashun"],
                requester_phone="13912349999",
            ),
        )
    assert Notification.objects.filter(kind="resident_received").count() == 1
