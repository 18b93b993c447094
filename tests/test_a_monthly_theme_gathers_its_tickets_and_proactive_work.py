"""每月一题 and 未诉先办: a set of tickets is raised as a theme with a lead unit, co-units, a
plan and a deadline; new tickets that match it are linked as they come in; proactive work
items are handled like tickets but never counted in 三率, and no intake can file one."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from jiceng import factories
from jiceng.tickets import rates, services, themes
from jiceng.tickets.models import Theme, ThemeTicket


def heating(world, n, days_ago):
    at = timezone.now() - timedelta(days=days_ago)
    return [
        factories.ticket(
            world["jiashun"], title="暖气不热", content="家里暖气不热，只有十五度", at=at
        )
        for _ in range(n)
    ]


@pytest.fixture
def theme(world, users):
    raised_from = heating(world, 3, 20)
    return themes.raise_theme(
        users["erin"],
        title="嘉顺社区冬季供暖不热",
        plan="供热公司逐户排查，管网末端加装循环泵，每周通报进度",
        region=world["jiashun"],
        keywords="暖气 供暖",
        lead_unit=world["jiashun_unit"],
        co_units=[world["changji_zjj"]],
        deadline=timezone.localdate() + timedelta(days=30),
        tickets=raised_from,
    )


def test_a_theme_is_raised_from_tickets_with_its_lead_plan_and_deadline(theme, world):
    assert theme.state == "open" and theme.lead_unit == world["jiashun_unit"]
    assert list(theme.co_units.all()) == [world["changji_zjj"]]
    assert theme.links.filter(how="raised").count() == 3
    assert [e.action for e in theme.events.all()] == ["raise"]


def test_a_new_matching_ticket_is_linked_and_others_are_not(theme, world):
    match = factories.ticket(world["jiashun"], title="暖气片冰凉", content="三号楼暖气片冰凉")
    other_place = factories.ticket(world["jianguo"], title="暖气不热", content="暖气不热")
    other_words = factories.ticket(world["jiashun"], title="路灯不亮", content="路灯坏了")
    linked = set(ThemeTicket.objects.filter(theme=theme).values_list("ticket_id", "how"))
    assert (match.pk, "auto") in linked
    assert other_place.pk not in {t for t, _ in linked}
    assert other_words.pk not in {t for t, _ in linked}


def test_the_leaders_page_shows_the_trend_before_and_after_the_plan(theme, world, users, login):
    heating(world, 1, 0)  # after the plan: linked automatically
    page = login("erin").get("/work/themes/")
    assert page.status_code == 200
    row = page.context["rows"][0]
    assert row["tickets"] == 4
    # a week still running is not compared: one day's ticket is not a week's rate
    assert sum(row["trend"].weeks_before) == 3 and row["trend"].after_avg is None
    assert "未满一周" in page.content.decode()
    later = themes.trend(theme, now=theme.planned_at + timedelta(days=8))
    assert later.weeks_after == [1] and later.after_avg == 1.0
    assert later.before_avg == round(3 / 8, 1) and later.change == "+150%"
    detail = login("erin").get(f"/work/themes/{theme.pk}/").content.decode()
    assert "嘉顺社区冬季供暖不热" in detail and "立题前 8 周" in detail


def test_progress_notes_come_from_the_lead_unit_and_others_are_refused(theme, users, login):
    answer = login("dave").post(f"/work/themes/{theme.pk}/note/", {"text": "已排查 3 号楼"})
    assert answer.status_code == 302
    assert theme.events.filter(action="note").get().text == "已排查 3 号楼"
    # gina's community is neither lead nor co-unit: it does not even see the theme
    assert login("gina").get(f"/work/themes/{theme.pk}/").status_code == 404
    assert login("gina").post(f"/work/themes/{theme.pk}/note/", {"text": "越权"}).status_code == 404


def test_a_proactive_item_is_handled_like_a_ticket_and_never_counted(
    theme, world, users, login, every_unit_ranked
):
    answer = login("erin").post(
        f"/work/themes/{theme.pk}/proactive/",
        {"region": world["jiashun"].code, "content": "入冬前主动检查 5 号楼供暖管网"},
    )
    assert answer.status_code == 302, answer.content.decode()
    item = theme.links.get(how="proactive").ticket
    assert item.channel == "proactive" and item.status == "received"
    services.dispatch(users["erin"], item, world["jiashun_unit"])
    services.accept(users["dave"], item)
    services.reply(users["dave"], item, "已检查并更换阀门")
    services.callback(users["ivan"], item, solved=True, satisfaction="满意")
    year = str(timezone.localdate().year)
    assert all(c.dispatched == 0 and c.callbacks == 0 for c in rates.rate_counts(year))
    week_on = themes.trend(theme, now=theme.planned_at + timedelta(days=8))
    assert week_on.proactive == 1 and week_on.weeks_after == [0]  # not a resident's request


def test_no_intake_can_file_a_proactive_item(world, users, login):
    with pytest.raises(ValidationError) as caught:
        services.receive(
            users["ivan"],
            services.Intake(
                title="", content="藏起来的诉求", region=world["jiashun"], channel="proactive"
            ),
        )
    assert "主动治理" in str(caught.value)


def test_a_theme_needs_its_plan_words_lead_and_deadline(world, users):
    with pytest.raises(ValidationError) as caught:
        themes.raise_theme(
            users["erin"],
            title="题",
            plan="",
            region=world["jiashun"],
            keywords="",
            lead_unit=world["jiashun_unit"],
            deadline=None,
        )
    assert set(caught.value.message_dict) >= {"title", "plan", "keywords", "deadline"}
    assert not Theme.objects.exists()


def test_a_handler_cannot_raise_a_theme(world, users, login):
    assert login("dave").get("/work/themes/new/").status_code == 404


def test_finishing_stops_the_linking(theme, world, users):
    themes.finish(users["erin"], theme, "管网改造完成，室温达标")
    factories.ticket(world["jiashun"], title="暖气不热", content="暖气不热")
    assert not theme.links.filter(how="auto").exists()


def test_the_lead_units_handler_opens_a_proactive_item_in_its_place(theme, world, users):
    item = themes.open_proactive(users["dave"], theme, content="主动走访 7 号楼独居老人供暖情况")
    assert item.channel == "proactive" and item.created_by == users["dave"]
    assert theme.links.filter(ticket=item, how="proactive").exists()
    # a handler of another community cannot, and cannot take in tickets either
    with pytest.raises(Http404):
        themes.open_proactive(users["gina"], theme, content="越权新建")
