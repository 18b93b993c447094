"""The JSON API carries a request from intake to callback, with each person on their own
account, and every step is in the ticket's history."""

import pytest
from django.test import Client

from jiceng.orgs.tokens import create_token


def bearer(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'test')}")


def test_a_request_goes_from_intake_to_a_satisfied_callback(world, users, login):
    ivan, erin, dave = bearer(users["ivan"]), login("erin"), bearer(users["dave"])
    made = ivan.post(
        "/api/v1/tickets",
        {
            "title": "小区暖气不热",
            "content": "嘉顺社区3号楼暖气温度只有15度，老人孩子受不了。",
            "region_code": "652301004012",
            "requester_name": "李大爷",
            "requester_phone": "13912345678",
            "category_code": "010208",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    ticket = made.json()
    assert ticket["status"] == "received" and ticket["public_status"] == "已受理"
    assert ticket["requester_phone"] == "139********"
    assert ticket["category"]["full_name"] == "城乡建设/城市建设和市政管理/冬季采暖"
    url = f"/api/v1/tickets/{ticket['id']}"

    step = erin.post(
        f"{url}/dispatch", {"unit_id": world["jiashun_unit"].pk}, content_type="application/json"
    )
    assert step.status_code == 200, step.json()
    assert step.json()["main_unit"]["name"] == "嘉顺社区" and step.json()["accept_by"]

    assert dave.post(f"{url}/accept").json()["public_status"] == "办理中"
    assert (
        dave.post(
            f"{url}/notes", {"text": "已联系供热公司排查"}, content_type="application/json"
        ).status_code
        == 200
    )
    replied = dave.post(
        f"{url}/reply", {"text": "供热公司已排气，室温恢复到20度"}, content_type="application/json"
    )
    assert replied.json()["status"] == "replied" and replied.json()["public_status"] == "已办结"
    done = ivan.post(
        f"{url}/callback", {"solved": True, "satisfaction": "满意"}, content_type="application/json"
    )
    assert done.json()["status"] == "closed" and done.json()["satisfaction"] == "满意"

    history = erin.get(f"{url}/events").json()
    assert [e["action"] for e in history] == [
        "receive",
        "follow_up",
        "dispatch",
        "accept",
        "note",
        "reply",
        "callback",
    ]
    assert history[3]["actor"].startswith("dave") and history[3]["unit"]["name"] == "嘉顺社区"


def test_a_handler_may_not_dispatch_and_a_dispatcher_may_not_accept(world, users, login):
    ticket = (
        bearer(users["ivan"])
        .post(
            "/api/v1/tickets",
            {"content": "路灯不亮", "region_code": "652301004012"},
            content_type="application/json",
        )
        .json()
    )
    url = f"/api/v1/tickets/{ticket['id']}"
    dave = bearer(users["dave"])
    refused = dave.post(
        f"{url}/dispatch", {"unit_id": world["jiashun_unit"].pk}, content_type="application/json"
    )
    assert refused.status_code == 404  # not dispatched to dave's unit yet: not his to see
    login("erin").post(
        f"{url}/dispatch", {"unit_id": world["jiashun_unit"].pk}, content_type="application/json"
    )
    assert (
        dave.post(
            f"{url}/dispatch",
            {"unit_id": world["jiashun_unit"].pk},
            content_type="application/json",
        ).json()["code"]
        == "not_permitted"
    )
    assert login("erin").post(f"{url}/accept").json() == {
        "code": "not_permitted",
        "message": "您的角色无权执行此操作",
    }


def test_accepting_twice_is_a_409_with_a_clear_message(world, users, login):
    ticket = (
        bearer(users["ivan"])
        .post(
            "/api/v1/tickets",
            {"content": "路灯不亮", "region_code": "652301004012"},
            content_type="application/json",
        )
        .json()
    )
    url = f"/api/v1/tickets/{ticket['id']}"
    login("erin").post(
        f"{url}/dispatch", {"unit_id": world["jiashun_unit"].pk}, content_type="application/json"
    )
    assert bearer(users["dave"]).post(f"{url}/accept").status_code == 200
    again = bearer(users["frank"]).post(f"{url}/accept")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert again.json()["message"] == "工单当前状态为“办理中”，不能接单"


@pytest.mark.parametrize("who", ["gina", "carol"])
def test_a_ticket_of_another_community_is_not_found(world, users, login, who):
    ticket = (
        bearer(users["ivan"])
        .post(
            "/api/v1/tickets",
            {"content": "路灯不亮", "region_code": "652301004012"},
            content_type="application/json",
        )
        .json()
    )
    login("erin").post(
        f"/api/v1/tickets/{ticket['id']}/dispatch",
        {"unit_id": world["jiashun_unit"].pk},
        content_type="application/json",
    )
    other = login(who)
    for path in ["", "/events", "/phone"]:
        response = other.get(f"/api/v1/tickets/{ticket['id']}{path}")
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert (
        other.post(
            f"/api/v1/tickets/{ticket['id']}/notes",
            {"text": "看看"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert ticket["id"] not in {t["id"] for t in other.get("/api/v1/tickets").json()["items"]}
