"""A unit chooses how its staff hear of work besides the inbox: SMS to its accounts' phones, or
a 政务微信 / 钉钉 group robot. Robots get signed HTTPS posts (钉钉's 加签), tested against a fake
robot on this machine; a failing robot keeps the message for a retry; more messages in an hour
than the setting allows arrive as one digest; the same message is not said twice."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from jiceng import factories
from jiceng.orgs.models import NotifyChannel
from jiceng.tickets import notify, services
from jiceng.tickets.models import EngineSettings, Notification

SECRET = "SEC0123456789abcdef"


class FakeRobot(BaseHTTPRequestHandler):
    received: list = []
    answer = b'{"errcode": 0, "errmsg": "ok"}'

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeRobot.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(FakeRobot.answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeRobot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeRobot.received, FakeRobot.answer = [], b'{"errcode": 0, "errmsg": "ok"}'
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    notify.outbox.clear()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _choose(unit, channel, url="", secret=""):
    unit.notify_channel, unit.notify_webhook, unit.notify_secret = channel, url, secret
    unit.full_clean()
    unit.save()


def _dispatch(world, users, title="楼道灯不亮"):
    ticket = factories.ticket(world["jiashun"], title=title)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    return ticket


def test_a_dingtalk_robot_gets_the_assignment_signed_with_its_secret(robot, world, users):
    _choose(
        world["jiashun_unit"], NotifyChannel.DINGTALK, f"{robot}/robot/send?access_token=T", SECRET
    )
    ticket = _dispatch(world, users)
    with time_machine.travel(timezone.now()):
        notify.send_pending()
    path, body = next(
        (p, b) for p, b in FakeRobot.received if ticket.number in json.dumps(b, ensure_ascii=False)
    )
    assert body["msgtype"] == "text" and "待接单" in body["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query["access_token"] == ["T"]
    stamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    row = Notification.objects.get(ticket=ticket, unit=world["jiashun_unit"], kind="dispatched")
    assert row.state == "sent" and row.channel == "dingtalk"


def test_a_wecom_robot_that_refuses_keeps_the_message_for_a_retry(robot, world, users):
    _choose(world["jiashun_unit"], NotifyChannel.WECOM, f"{robot}/cgi-bin/webhook/send?key=K")
    FakeRobot.answer = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    ticket = _dispatch(world, users)
    notify.send_pending()
    row = Notification.objects.get(ticket=ticket, unit=world["jiashun_unit"], kind="dispatched")
    assert row.state == "pending" and row.attempts == 1
    assert "政务微信群机器人拒收" in row.last_error and row.next_attempt_at is not None
    FakeRobot.answer = b'{"errcode": 0}'
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        notify.send_pending()
    row.refresh_from_db()
    assert row.state == "sent" and row.channel == "wecom"


def test_a_robot_channel_needs_its_webhook_address(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        _choose(world["jiashun_unit"], NotifyChannel.WECOM, "")
    assert "Webhook" in str(error.value)


def test_sms_goes_to_every_phone_of_the_units_accounts(robot, world, users):
    dave = users["dave"]
    dave.person = factories.person(world["jiashun"], phone="13900001111")
    dave.save()
    frank = users["frank"]
    frank.person = factories.person(world["jiashun"], phone="13900002222")
    frank.save()
    _choose(world["jiashun_unit"], NotifyChannel.SMS)
    ticket = _dispatch(world, users)
    notify.send_pending()
    to_staff = [n for n in notify.outbox if n.kind == "staff_notice"]
    assert sorted(n.recipient for n in to_staff) == ["13900001111", "13900002222"]
    assert all(ticket.number in n.body for n in to_staff)
    assert to_staff[0].template_values["number"] == ticket.number


def test_more_than_the_hourly_limit_arrive_as_one_digest(robot, world, users):
    config = EngineSettings.current()
    config.staff_messages_per_hour = 3
    config.save()
    _choose(world["jiashun_unit"], NotifyChannel.WECOM, f"{robot}/send?key=K")
    first = [_dispatch(world, users, f"第{i}件路灯不亮") for i in range(2)]
    notify.send_pending()
    assert len(FakeRobot.received) == 2  # under the limit: one post each
    later = [_dispatch(world, users, f"第{i}件井盖缺失") for i in range(2, 7)]
    notify.send_pending()
    assert len(FakeRobot.received) == 3  # five waiting would pass 3: one digest
    digest = FakeRobot.received[-1][1]["text"]["content"]
    assert "合并为一条（共 5 条）" in digest and all(t.number in digest for t in later)
    assert "/work/inbox/" in digest
    rows = Notification.objects.filter(unit=world["jiashun_unit"], kind="dispatched")
    assert rows.filter(state="sent").count() == 7
    assert rows.exclude(digest=None).count() == 5
    # the hour is used up: the next message waits until the first of the hour ages out
    _dispatch(world, users, "第8件垃圾未清运")
    notify.send_pending()
    assert len(FakeRobot.received) == 3
    waiting = rows.get(state="pending")
    assert waiting.next_attempt_at > timezone.now() + timedelta(minutes=50)
    with time_machine.travel(waiting.next_attempt_at + timedelta(seconds=1)):
        notify.send_pending()
    assert len(FakeRobot.received) == 4
    assert first  # the first two were sent alone
    # every message is in each account's inbox all the same
    assert users["dave"].inbox.filter(kind="dispatched").count() == 8


def test_the_same_message_to_a_unit_is_not_said_twice(world, users):
    ticket = _dispatch(world, users)
    from jiceng.tickets.services.base import Notice, remind

    notice = Notice(
        "due_soon", "即将超时", f"工单 {ticket.number} 即将超时", unit=world["jiashun_unit"]
    )
    assert remind(ticket, notice) is True
    assert remind(ticket, notice) is False
    assert Notification.objects.filter(ticket=ticket, kind="due_soon").count() == 1
    assert users["dave"].inbox.filter(kind="due_soon").count() == 1


def test_taken_back_and_assigned_again_is_news_each_time(world, users):
    ticket = _dispatch(world, users)
    services.redispatch(users["erin"], ticket, world["jianguo_unit"], reason="派错了")
    services.redispatch(users["erin"], ticket, world["jiashun_unit"], reason="还是嘉顺社区的")
    kinds = list(
        Notification.objects.filter(ticket=ticket, unit=world["jiashun_unit"])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds.count("dispatched") == 2 and "taken_back" in kinds


def test_co_handlers_hear_of_a_reopen_and_a_supervision(world, users):
    ticket = factories.ticket(world["jiashun"], title="小区门口积水")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], co_units=[world["changji_zjj"]])
    services.supervise(users["erin"], ticket, "群众反映多次，请加快")
    zoe = users["zoe"]  # 住建局's handler, the co-handler
    assert zoe.inbox.filter(kind="supervise", ticket=ticket).exists()
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "已组织抽排积水并疏通管道。")
    services.callback(users["erin"], ticket, solved=False, satisfaction="不满意")
    services.reopen(users["erin"], ticket, "群众说还在积水")
    assert zoe.inbox.filter(kind="reopen", ticket=ticket).exists()


def test_a_rectification_falling_due_reaches_its_responsible_person_once(world, users):
    from jiceng.evaluation import diagnoses, reminders
    from jiceng.evaluation.models import ChecklistItem, Rectification

    scores = {i.pk: (i.points, "台账齐全") for i in ChecklistItem.objects.all()}
    for i in ChecklistItem.objects.filter(dimension__name="班子好"):
        scores[i.pk] = (round(float(i.points) * 0.7, 1), "部分台账不全")
    assessor = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    secretary = factories.account(
        "sec", ["grid_worker"], scope_region=world["jiashun"], who=world["jiashun_secretary"]
    )
    diagnosis = diagnoses.record(assessor, world["jiashun_branch"], scores)
    item = diagnosis.rectifications.get()
    Rectification.objects.filter(pk=item.pk).update(due_on=timezone.localdate() + timedelta(days=2))
    assert reminders.remind_rectifications() == 1
    assert reminders.remind_rectifications() == 0  # once, however often the sweep runs
    message = secretary.inbox.get(kind="rectification_due")
    assert item.problem in message.body
    from django.test import Client

    browser = Client()
    browser.force_login(secretary)
    answer = browser.get(f"/work/inbox/{message.pk}/")
    assert answer.status_code == 302 and "/evaluation/rectifications/" in answer["Location"]
    Rectification.objects.filter(pk=item.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    assert reminders.remind_rectifications() == 1
    assert secretary.inbox.filter(kind="rectification_late").exists()
