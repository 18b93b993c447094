"""Issue 28, done when: a Chromium test per role walks its day on a phone (360 px). The
resident's photo through a validation error is walked in
test_the_resident_keeps_the_photo_through_an_error.py; here the dispatcher with a co-handler,
the co-handler's inbox, the handler's reply, the grid worker, the leader's ranking with a
window, and the assessor's confirmation before publishing."""

from datetime import date

import pytest

from jiceng import factories
from jiceng.evaluation import periods
from jiceng.evaluation.models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator
from jiceng.tickets import services
from jiceng.tickets.models import RankingSettings, Ticket, TicketUnit

PHONE = {"width": 360, "height": 740}
# the live server commits: the migrations' rows (roles, unit types) are put back after each
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def phone(browser, live_server, sign_in):
    """phone(username) → a page on a 360 px screen, signed in."""
    contexts = []

    def open_as(username):
        context = browser.new_context(viewport=PHONE)
        contexts.append(context)
        context.new_page()
        return sign_in(context, live_server.url, username)

    yield open_as
    for context in contexts:
        context.close()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_the_dispatcher_dispatches_with_a_co_handler_who_hears_of_it(
    world, users, live_server, phone
):
    ticket = factories.ticket(world["jiashun"], title="小区门口积水")
    erin = phone("erin")
    erin.goto(f"{live_server.url}/work/tickets/{ticket.pk}/")
    erin.select_option("#dispatch-unit", str(world["jiashun_unit"].pk))
    erin.fill("#dispatch-co-filter", "zjj")  # 住建局 by its pinyin initials
    shown = erin.locator("#dispatch-co label:visible")
    assert shown.count() == 1 and "住建局" in shown.first.inner_text()
    shown.first.locator("input").check()
    erin.locator("#action-dispatch button[type=submit]").click()
    erin.wait_for_load_state()
    no_sideways_scroll(erin)
    assert TicketUnit.objects.filter(
        ticket=ticket, unit=world["changji_zjj"], role=TicketUnit.Role.CO
    ).exists()
    # the co-handler's bell counts it; the message leads to the ticket
    zoe = phone("zoe")
    assert zoe.locator("#inbox-bell .count").inner_text() == "1"
    zoe.click("#inbox-bell")
    zoe.locator("text=协办：小区门口积水").first.click()
    zoe.wait_for_url(f"**/work/tickets/{ticket.pk}/")
    assert "小区门口积水" in zoe.locator("h1").inner_text()


def test_the_handler_accepts_and_replies_with_the_reply_first(world, users, live_server, phone):
    ticket = factories.ticket(world["jiashun"], title="楼道灯不亮")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    dave = phone("dave")
    dave.goto(f"{live_server.url}/work/tickets/{ticket.pk}/")
    dave.locator("#action-accept button[type=submit]").click()
    dave.wait_for_load_state()
    reply = dave.locator("#action-reply")
    assert reply.get_attribute("open") is not None  # the next step leads, open
    box = reply.bounding_box()
    assert box is not None and box["y"] < 2 * PHONE["height"]  # near the top, not the end
    reply.locator("textarea").first.fill("已更换楼道灯泡，经现场确认照明恢复正常。")
    reply.locator("button[type=submit]").click()
    dave.wait_for_load_state()
    assert Ticket.objects.get(pk=ticket.pk).status == "replied"
    assert dave.locator("#advice").count() == 0  # no model percentages for handlers
    no_sideways_scroll(dave)


def test_the_grid_worker_lands_on_my_grid(world, users, live_server, browser, sign_in):
    factories.account("gwen", ["grid_worker"], scope_unit=world["jiashun_unit"])
    context = browser.new_context(viewport=PHONE)
    context.new_page()
    page = sign_in(context, live_server.url, "gwen")
    page.wait_for_url("**/work/tickets/?view=grid")
    assert "我的网格" in page.locator("main").inner_text()
    no_sideways_scroll(page)
    context.close()


def test_the_leader_reads_a_windowed_ranking_as_cards_and_taps_an_interval(
    world, users, live_server, phone
):
    config = RankingSettings.current()
    config.windows = {"社区和村": 3}
    config.save()
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)  # on time: a 响应率 with its interval
    alice = phone("alice")
    this_month = f"{ticket.received_at.astimezone(ticket.received_at.tzinfo):%Y-%m}"
    alice.goto(f"{live_server.url}/dashboard/?period={this_month}")
    heading = alice.locator("section.ranking-group[data-group='社区和村'] h3").inner_text()
    assert "近 3 个月" in heading
    card = alice.locator("table.ranking tbody tr").first
    assert card.evaluate("el => getComputedStyle(el).display") == "grid"  # a card, not a row
    summary = card.locator("td.rate details.ci summary").first
    summary.click()
    assert "95% 置信区间" in card.locator("td.rate details.ci[open]").first.inner_text()
    no_sideways_scroll(alice)


def test_the_assessor_confirms_the_missing_values_and_the_publication(
    world, users, live_server, phone
):
    scheme = Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(code="income", name="集体经济收入", kind="entered", high=100)
    SchemeIndicator.objects.create(scheme=scheme, indicator=income, weight="1")
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    factories.account("rui", ["assessor"], scope_region=world["changji_city"])
    periods.enter_value(ann, period, world["jiashun"], income, 80, "财务报表")
    periods.advance(ann, period, AssessmentPeriod.State.COLLECTED)
    page = phone("ann")
    page.goto(f"{live_server.url}/evaluation/periods/{period.pk}/")
    assert "集体经济收入：1 个村（社区）缺" in page.locator("#compute").inner_text()
    page.locator("#compute input[value=rescale]").check()
    page.locator("#compute button[value=compute]").click()
    page.wait_for_load_state()
    assert AssessmentPeriod.objects.get(pk=period.pk).state == "computed"
    reviewer = phone("rui")
    reviewer.goto(f"{live_server.url}/evaluation/periods/{period.pk}/")
    reviewer.locator("button", has_text="审核通过").click()
    reviewer.wait_for_load_state()
    reviewer.locator("button", has_text="发布（结果冻结）").click()
    reviewer.wait_for_url("**confirm=publish**")
    confirm = reviewer.locator("#confirm").inner_text()
    assert "将冻结 2 个村（社区）" in confirm and "发布后不能修改" in confirm
    assert AssessmentPeriod.objects.get(pk=period.pk).state == "reviewed"
    reviewer.locator("#confirm button[type=submit]").click()
    reviewer.wait_for_load_state()
    assert AssessmentPeriod.objects.get(pk=period.pk).state == "published"
    no_sideways_scroll(reviewer)
