"""Issue 12, part 2: 阿里云短信 and 腾讯云短信 through their official SDKs (the `aliyun` and
`tencent` extras), each tested against a fake platform on this machine, never the internet.
Both are template platforms: each kind of resident message goes as its registered template
with named values, and the rating link made for the message works."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client

from jiceng import factories
from jiceng.tickets import notify, services
from jiceng.tickets.models import Notification

PHONE = "13912342005"
TEMPLATES = {
    "resident_received": "T_RECEIVED",
    "resident_reply": "T_REPLY",
    "rating_code": "T_CODE",
}


class FakePlatform(BaseHTTPRequestHandler):
    received: list = []
    answer: dict = {}

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        FakePlatform.received.append((self.path, dict(self.headers), body))
        out = json.dumps(FakePlatform.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def platform():
    server = HTTPServer(("127.0.0.1", 0), FakePlatform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakePlatform.received = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def replied(world, users):
    ticket = factories.ticket(world["jiashun"], phone=PHONE)
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "已联系物业修好楼道灯。")
    return ticket


@pytest.fixture
def aliyun(platform, settings):
    pytest.importorskip("alibabacloud_dysmsapi20170525", reason="the aliyun extra is missing")
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.AliyunSmsBackend"
    settings.ALIYUN_SMS_ENDPOINT = platform
    settings.ALIYUN_SMS_ACCESS_KEY_ID, settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "ak", "sk"
    settings.ALIYUN_SMS_SIGN_NAME = "昌吉州12345"
    settings.SMS_TEMPLATES = json.dumps(TEMPLATES)
    FakePlatform.answer = {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}
    return FakePlatform


@pytest.fixture
def tencent(platform, settings):
    pytest.importorskip("tencentcloud.sms", reason="the tencent extra is missing")
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.TencentSmsBackend"
    settings.TENCENT_SMS_ENDPOINT = platform
    settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY = "id", "key"
    settings.TENCENT_SMS_SDK_APP_ID, settings.TENCENT_SMS_SIGN_NAME = "1400000000", "昌吉州12345"
    settings.SMS_TEMPLATES = json.dumps(TEMPLATES)
    FakePlatform.answer = {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "s",
                    "PhoneNumber": f"+86{PHONE}",
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "r",
        }
    }
    return FakePlatform


def _aliyun_calls():
    calls = []
    for path, _headers, body in FakePlatform.received:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
        query.update(dict(urllib.parse.parse_qsl(body.decode())))
        calls.append(query)
    return calls


def test_aliyun_sends_each_resident_message_as_its_template(aliyun, replied):
    sent, failed = notify.send_pending()
    assert failed == 0
    calls = {c["TemplateCode"]: c for c in _aliyun_calls()}
    assert set(calls) == {"T_RECEIVED", "T_REPLY"}
    received = json.loads(calls["T_RECEIVED"]["TemplateParam"])
    assert received == {"number": replied.number, "tracking": replied.tracking_code}
    reply = calls["T_REPLY"]
    assert (reply["PhoneNumbers"], reply["SignName"]) == (PHONE, "昌吉州12345")
    values = json.loads(reply["TemplateParam"])
    assert values["title"] == "楼道灯不亮" and values["days"] == "15"
    secret = values["link"].split("/r/#")[1]
    opened = Client().post("/r/", {"secret": secret}, follow=True)
    assert "提交评价" in opened.content.decode()  # the link the platform carried works
    assert Notification.objects.filter(state="sent").count() == sent


def test_aliyun_refusing_keeps_the_message_with_its_code(aliyun, replied):
    aliyun.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控", "RequestId": "r"}
    notify.send_pending()
    waiting = Notification.objects.get(kind="resident_received")
    assert waiting.state == "pending" and "isv.BUSINESS_LIMIT_CONTROL" in waiting.last_error


def test_tencent_sends_the_values_in_the_templates_order(tencent, replied):
    _sent, failed = notify.send_pending()
    assert failed == 0
    bodies = [json.loads(body) for _, _, body in FakePlatform.received]
    by_template = {b["TemplateId"]: b for b in bodies}
    reply = by_template["T_REPLY"]
    assert reply["PhoneNumberSet"] == [f"+86{PHONE}"] and reply["SmsSdkAppId"] == "1400000000"
    title, link, days = reply["TemplateParamSet"]
    assert title == "楼道灯不亮" and "/r/#" in link and days == "15"
    assert by_template["T_RECEIVED"]["TemplateParamSet"] == [replied.number, replied.tracking_code]
    signed = [headers for _, headers, _ in FakePlatform.received]
    assert all("TC3-HMAC-SHA256" in h.get("Authorization", "") for h in signed)


def test_a_kind_without_a_template_is_kept_and_says_so(tencent, replied, settings):
    settings.SMS_TEMPLATES = json.dumps({"resident_reply": "T_REPLY"})
    notify.send_pending()
    waiting = Notification.objects.get(kind="resident_received")
    assert (
        waiting.state == "pending" and "没有为 resident_received 配置短信模板" in waiting.last_error
    )
