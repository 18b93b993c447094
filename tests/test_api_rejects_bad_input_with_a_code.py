"""Bad input to the tickets API is a 4xx with a stable code and a Chinese message, never a
500, and never leaves half a ticket behind."""

import pytest

from jiceng.tickets.models import Meeting, Ticket, TicketEvent

GOOD = {"content": "路灯不亮", "region_code": "652301004012"}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"content": ""}, "content", "诉求内容"),
        ({"content": "字" * 5001}, "content", "5000"),
        ({"region_code": "999999999999"}, "region_code", "不存在"),
        ({"region_code": "652324102200"}, "region", "管辖范围"),  # 玛纳斯县: not ivan's
        ({"requester_phone": "12345"}, "requester_phone", "手机号"),
        ({"urgency": "very"}, "urgency", "紧急程度"),
        ({"channel": "open311"}, "channel", "渠道"),
        ({"category_code": "99"}, "category_code", "分类"),
        ({"grid_code": "nope"}, "grid_code", "网格"),
        ({"latitude": 44.0}, "latitude", "同时填写"),
    ],
)
def test_each_bad_field_is_named_in_chinese(world, login, change, field, fragment):
    response = login("ivan").post(
        "/api/v1/tickets", {**GOOD, **change}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] in {"invalid", "malformed"}
    assert any(e["field"] == field and fragment in e["message"] for e in body["errors"]), body
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    ['{"content": "x"', "[]", '{"content": 5, "region_code": []}', "null", ""],
)
def test_a_malformed_body_is_a_422(world, login, raw):
    response = login("ivan").post("/api/v1/tickets", raw, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["code"] in {"malformed", "bad_request", "invalid"}


def test_an_action_with_a_missing_reason_is_refused_and_changes_nothing(world, login):
    ticket = login("ivan").post("/api/v1/tickets", GOOD, content_type="application/json").json()
    erin = login("erin")
    url = f"/api/v1/tickets/{ticket['id']}"
    erin.post(
        f"{url}/dispatch", {"unit_id": world["jiashun_unit"].pk}, content_type="application/json"
    )
    refused = login("dave").post(f"{url}/return", {"reason": " "}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    assert Ticket.objects.get().status == "dispatched"
    # dispatching again is not a validation matter but a state conflict
    again = erin.post(f"{url}/dispatch", {"unit_id": 999999}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_dispatching_to_a_unit_outside_the_scope_is_refused(world, users, login):
    from jiceng import factories

    outside = factories.unit(world["baojiadian_village"], "village", name="外县村委会")
    ticket = login("ivan").post("/api/v1/tickets", GOOD, content_type="application/json").json()
    response = login("erin").post(
        f"/api/v1/tickets/{ticket['id']}/dispatch",
        {"unit_id": outside.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "管辖范围" in response.json()["errors"][0]["message"]
    assert Ticket.objects.get().status == "received"


def test_a_meeting_with_one_bad_matter_saves_nothing(world, login):
    response = login("ivan").post(
        "/api/v1/meetings",
        {
            "region_code": "652301004012",
            "held_at": "2026-11-20T15:00:00+08:00",
            "host": "王书记",
            "matters": [{"content": "小区路面坑洼"}, {"content": ""}],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "matters.1.content"
    assert Meeting.objects.count() == 0 and Ticket.objects.count() == 0


def test_an_unknown_period_for_the_rates_is_a_422(world, login):
    response = login("erin").get("/api/v1/metrics?period=2026-13")
    assert response.status_code == 422 and response.json()["code"] == "invalid_period"


def test_without_a_login_the_api_answers_401(world, client):
    response = client.get("/api/v1/tickets")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer jc_wrong").status_code == 401
