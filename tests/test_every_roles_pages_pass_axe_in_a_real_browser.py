"""Pages every role can use: axe-core (from npm, `node_modules/axe-core`) runs in Debian's
Chromium over each role's main pages and the residents' pages, and a serious or critical
violation of WCAG 2 A/AA fails the test with the page, the rule and the elements."""

from pathlib import Path

import pytest

from jiceng import factories
from jiceng.tickets import services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
  return r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def pages(world, ticket):
    t = f"/work/tickets/{ticket.pk}/"
    return {
        None: ["/", "/submit/", "/track/", "/vote/"],
        "erin": [
            "/work/tickets/",
            t,
            "/work/tickets/new/",
            "/work/meetings/new/",
            "/dashboard/hotspots/",
            "/work/themes/",
            "/work/themes/new/",
        ],
        "dave": ["/work/tickets/", t],
        "walker": ["/work/tickets/", "/work/grid-report/"],
        "ivan": ["/work/tickets/", "/work/tickets/new/"],
        "sam": ["/work/tickets/", "/work/integrity/"],
        "lead": ["/dashboard/", "/work/themes/"],
        "judge": [
            "/evaluation/periods/",
            "/evaluation/diagnoses/",
            "/evaluation/surveys/",
            "/evaluation/meetings/",
            "/evaluation/secretaries/",
            "/evaluation/selections/",
        ],
    }


def test_no_page_of_any_role_has_a_serious_accessibility_violation(
    world, users, live_server, browser, sign_in
):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core 未安装（make install 运行 npm ci）")
    factories.account(
        "walker", ["grid_worker"], scope_region=world["jiashun"], who=world["jiashun_grid_worker"]
    )
    factories.account("lead", ["leader"], scope_region=world["changji"])
    factories.account("judge", ["assessor"], scope_region=world["changji"])
    ticket = factories.ticket(world["jiashun"], title="楼道灯不亮")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    script = AXE.read_text("utf-8")
    found = []
    for who, urls in pages(world, ticket).items():
        context = browser.new_context(bypass_csp=True, locale="zh-CN")
        page = sign_in(context, live_server.url, who) if who else context.new_page()
        for url in urls:
            page.goto(live_server.url + url)
            page.add_script_tag(content=script)
            for violation in page.evaluate(RUN):
                found.append(f"{who or '居民'} {url}: {violation}")
        context.close()
    assert not found, "\n".join(found)


def test_a_dispatcher_dispatches_with_the_keyboard_alone(
    world, users, live_server, browser, sign_in
):
    ticket = factories.ticket(world["jiashun"], title="楼道灯不亮")
    context = browser.new_context(locale="zh-CN")
    page = sign_in(context, live_server.url, "erin")
    page.goto(f"{live_server.url}/work/tickets/{ticket.pk}/")
    assert page.title().startswith(f"工单 {ticket.number}")
    reached = []
    for _ in range(60):  # Tab through the page until the dispatch form's unit list
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
        if reached[-1] == "dispatch-unit":
            break
    assert reached[-1] == "dispatch-unit", reached
    page.keyboard.press("End")  # the last unit in the list
    chosen = page.evaluate("document.getElementById('dispatch-unit').value")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "派单":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and str(ticket.main_unit_id) == chosen
    context.close()
