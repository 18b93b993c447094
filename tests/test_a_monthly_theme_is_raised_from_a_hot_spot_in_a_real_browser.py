"""每月一题 from the hot-spot page, in Debian's Chromium: a dispatcher sees a growing cluster,
raises it as a theme (its tickets, place and words filled in), names the lead unit, plan and
deadline, and lands on the theme's page with the cluster's tickets; a new matching request is
linked by itself."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng import factories
from jiceng.tickets.models import Theme

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PLANT = [
    ("丽发新城附近搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和灰尘太大"),
    ("投诉丽发新城搅拌站噪音", "丽发新城附近搅拌站夜间作业噪音扰民，灰尘很大"),
    ("丽发新城搅拌站灰尘污染", "丽发新城小区附近搅拌站灰尘噪音污染严重"),
    ("丽发新城搅拌站扰民何时解决", "丽发新城附近的搅拌站噪音扰民问题何时解决"),
]


def test_a_dispatcher_raises_a_hot_spot_as_a_monthly_theme(
    world, users, live_server, browser, sign_in, tmp_path
):
    now = timezone.now()
    cluster = [
        factories.ticket(world["jiashun"], title=t, content=b, at=now - timedelta(days=3 - i))
        for i, (t, b) in enumerate(PLANT)
    ]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = sign_in(context, live_server.url, "erin")
    page.goto(f"{live_server.url}/dashboard/hotspots/?days=7")
    page.click("a.raise-theme")
    page.wait_for_selector("#theme-form")
    assert "搅拌站" in page.input_value("#t-keywords")
    assert page.locator("#theme-form fieldset li").count() == 4
    page.fill("#t-title", "丽发新城搅拌站噪音扰民")
    page.fill("#t-plan", "生态环境局夜间执法检查，搅拌站加装围挡和降噪设施，22 点后停工")
    page.select_option("#t-lead", label="嘉顺社区")
    page.select_option("#t-co", label="昌吉市住建局")
    page.fill("#t-deadline", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.click("#theme-form button[type=submit]")
    page.wait_for_selector("#theme-tickets")
    theme = Theme.objects.get()
    assert theme.links.count() == 4 and theme.region == world["jiashun"]
    numbers = page.locator("#theme-tickets tbody tr td:first-child").all_inner_texts()
    assert sorted(numbers) == sorted(t.number for t in cluster)

    later = factories.ticket(
        world["jiashun"], title="搅拌站又在夜间施工", content="丽发新城搅拌站半夜还在施工"
    )
    page.reload()
    assert later.number in page.locator("#theme-tickets").inner_text()
    assert "自动关联" in page.locator("#theme-tickets").inner_text()
    page.screenshot(path=str(tmp_path / "theme.png"), full_page=True)
    context.close()
