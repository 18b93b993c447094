"""In Debian's Chromium: an intake clerk types a request into the hotline form and the likely
categories appear under the text (a click fills the category in); the dispatcher then sees
the model's suggestion on the ticket, with the routed unit pre-selected.

Needs /usr/bin/chromium and Playwright for Python; without them this test is skipped (-rs)."""

import pytest

from jiceng.dispatch.models import DispatchSettings
from jiceng.tickets.models import Ticket

TEXT = "学校要求家长统一购买课外辅导资料，收费不合理，请教育部门查一查"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_categories_appear_while_typing_and_the_dispatcher_sees_the_suggestion(
    world, users, live_server, browser, sign_in, dispatch_model
):
    DispatchSettings.objects.update_or_create(pk=1, defaults={"auto_dispatch": False})
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = sign_in(desk, base, "ivan")
    page.goto(f"{base}/work/tickets/new/")
    page.select_option("#id_county", "652301000000")
    page.locator("#id_township option").nth(1).wait_for(state="attached")
    page.select_option("#id_township", "652301004000")
    page.locator("#id_village option").nth(2).wait_for(state="attached")
    page.select_option("#id_village", "652301004012")
    page.locator("#id_content").press_sequentially(TEXT, delay=5)
    page.wait_for_selector("#suggest-box button")
    assert "教育文体" in page.locator("#suggest-box").inner_text()
    page.locator("#suggest-box button", has_text="教育文体").click()
    code = page.input_value("#id_category")
    assert code and code == world_category_code("教育文体")
    page.fill("#id_requester_phone", "13912345678")
    page.click("button.primary")
    ticket = Ticket.objects.get(content=TEXT)
    assert ticket.category.name == "教育文体" and ticket.suggestion.top[0]["name"] == "教育文体"

    page = sign_in(desk, base, "erin")
    page.goto(f"{base}/work/tickets/{ticket.pk}/")
    advice = page.locator("#advice").inner_text()
    assert "智能派单建议" in advice and "教育文体" in advice and "%" in advice
    chosen = page.locator("form[data-action=dispatch] select[name=unit] option:checked")
    assert chosen.inner_text().startswith("★ 建议：")


def world_category_code(name):
    from jiceng.tickets.models import Category

    return Category.objects.get(level=1, name=name).code
