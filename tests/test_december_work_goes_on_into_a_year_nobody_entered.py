"""Late December 2026: chinesecalendar knows nothing of 2027, yet intake, dispatch, accept,
reply, the sweep and 三率 all work. Deadlines that reach into 2027 are provisional and say
so; the sweep does not call them late while the official arrangement could still move them;
entering the arrangement recomputes them, each with an event, and the marks go away."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import Client

from jiceng.orgs.tokens import create_token
from jiceng.tickets.models import Ticket
from jiceng.tickets.services import sweep

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def bearer(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'test')}")


def take_in(client, title, urgency):
    made = client.post(
        "/api/v1/tickets",
        {
            "title": title,
            "content": f"嘉顺社区{title}，请尽快处理。",
            "region_code": "652301004012",
            "requester_phone": "13912345678",
            "urgency": urgency,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    return made.json()["id"]


def test_the_last_weeks_of_december_run_on_a_provisional_2027(world, users, login, tmp_path):
    ivan, erin, dave = bearer(users["ivan"]), bearer(users["erin"]), bearer(users["dave"])
    unit = world["jiashun_unit"].pk
    with time_machine.travel(at(2026, 12, 21, 10), tick=False):  # Monday
        complex_id = take_in(ivan, "小区供水管网改造", "complex")
        normal_id = take_in(ivan, "楼道灯不亮", "normal")
        complex_ = erin.post(
            f"/api/v1/tickets/{complex_id}/dispatch", {"unit_id": unit}, "application/json"
        ).json()
        normal = erin.post(
            f"/api/v1/tickets/{normal_id}/dispatch", {"unit_id": unit}, "application/json"
        ).json()
        # 15 working days: 22–31 December (8), 元旦 Friday rests, 4–8 and 11–12 January
        assert moment(complex_["reply_by"]) == at(2027, 1, 12, 10)
        assert complex_["deadlines_provisional"] is True
        # 5 working days stay inside 2026, on the official calendar
        assert moment(normal["reply_by"]) == at(2026, 12, 28, 10)
        assert normal["deadlines_provisional"] is False
        page = login("erin").get(f"/work/tickets/{complex_id}/").content.decode()
        assert "暂定" in page
        assert "暂定" not in login("erin").get(f"/work/tickets/{normal_id}/").content.decode()

    with time_machine.travel(at(2026, 12, 22, 11), tick=False):
        for pk in (complex_id, normal_id):
            assert dave.post(f"/api/v1/tickets/{pk}/accept").status_code == 200
        replied = dave.post(
            f"/api/v1/tickets/{normal_id}/reply", {"text": "已更换灯泡"}, "application/json"
        )
        assert replied.status_code == 200
        called = ivan.post(
            f"/api/v1/tickets/{normal_id}/callback",
            {"solved": True, "satisfaction": "满意"},
            "application/json",
        )
        assert called.json()["status"] == "closed"
        assert sweep().overdue == 0
        rates = erin.get("/api/v1/metrics", {"period": "2026-12"})
        assert rates.status_code == 200, rates.json()

    # 13 January 2027, noon: past the provisional 12 January, but the official arrangement
    # could still give 30–31 December off (调休 for 元旦), which would put it at 14 January.
    with time_machine.travel(at(2027, 1, 13, 12), tick=False):
        assert sweep().overdue == 0
        assert Ticket.objects.get(pk=complex_id).overdue_at is None

        arrangement = tmp_path / "2027.csv"
        arrangement.write_text(
            "日期,安排,名称\n"
            "2027-01-01,放假,元旦\n"
            "2027-01-04,放假,元旦（示例：补休一天）\n"
            "2027-02-05,放假,春节\n2027-02-06,放假,春节\n2027-02-07,放假,春节\n"
            "2027-02-08,放假,春节\n2027-02-09,放假,春节\n2027-02-10,放假,春节\n"
            "2027-02-11,放假,春节\n2027-02-20,上班,春节调休\n",
            encoding="utf-8",
        )
        call_command("calendar", "import", str(arrangement), "--note", "测试用安排")
        ticket = Ticket.objects.get(pk=complex_id)
        assert ticket.reply_by == at(2027, 1, 13, 10)  # one more day off moved it
        assert not ticket.deadlines_provisional
        event = ticket.events.get(action="recompute_deadlines")
        assert event.actor_label == "节假日安排录入"
        assert [moment(x) for x in event.data["reply_by"]] == [
            at(2027, 1, 12, 10),
            at(2027, 1, 13, 10),
        ]
        assert "暂定" not in login("erin").get(f"/work/tickets/{complex_id}/").content.decode()
        # now the deadline is official, and it has passed
        assert sweep().overdue == 1


def test_calendar_status_says_which_years_are_official_entered_or_provisional(db, capsys):
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        call_command("calendar", "status")
    out = capsys.readouterr().out
    assert "2026  official" in out
    assert "2027  provisional" in out and "暂定" in out
    assert "2027 年的官方放假安排尚未录入" in out


def test_administrators_see_a_banner_naming_the_year_from_november(world, users, login):
    with time_machine.travel(at(2026, 10, 31, 10), tick=False):
        assert "官方放假安排尚未录入" not in login("alice").get("/").content.decode()
    with time_machine.travel(at(2026, 11, 1, 10), tick=False):
        page = login("alice").get("/").content.decode()
        assert "2027 年的官方放假安排尚未录入" in page
        assert "官方放假安排尚未录入" not in login("dave").get("/").content.decode()
        health = Client().get("/healthz").json()["calendar"]
        assert health["status"] == "warn" and health["missing_years"] == [2027]
        assert health["provisional_days"] == 1  # the 60 days end on 30 December
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        health = Client().get("/healthz").json()["calendar"]
        # the eve of 元旦 may still be given off by the 2027 arrangement
        assert health["first_provisional_day"] == "2026-12-30"


def test_a_bad_holiday_file_is_refused_whole_with_row_numbers(db, tmp_path):
    import pytest
    from django.core.management.base import CommandError

    from jiceng.tickets.models import CalendarYear, Holiday

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "日期,安排\n2027-01-01,放假\n2027-02-30,放假\n2027-03-01,休假\n2027-01-01,放假\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("calendar", "import", str(bad))
    report = str(refused.value)
    assert "第 3 行（日期）" in report and "第 4 行（安排）" in report and "第 5 行" in report
    statutory_work = tmp_path / "work.csv"
    statutory_work.write_text("日期,安排\n2027-10-01,上班\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("calendar", "import", str(statutory_work))
    assert "法定节假日" in str(refused.value)
    assert not Holiday.objects.exists() and not CalendarYear.objects.exists()
