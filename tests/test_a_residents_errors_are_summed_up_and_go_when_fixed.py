"""Issue 28, finding 5: errors stayed on screen after the field was fixed, and there was no
summary at the top. Now the form opens with the list of what to fix, each line leading to
its field, and a line goes (with the message beside its field) as soon as the field changes."""

import pytest


def post(client, world, **changes):
    data = {
        "content": "小区门口的路灯坏了一个多月",
        "county": world["changji_city"].code,
        "township": world["jianguolu"].code,
        "village": world["jiashun"].code,
        "phone": "13912345678",
        **changes,
    }
    return client.post("/submit/", data)


def test_the_summary_lists_each_error_with_a_link_to_its_field(world, client):
    page = post(client, world, phone="139", content="太短").content.decode()
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert "请修改下面 2 处后再提交" in summary
    assert 'href="#id_phone"' in summary and 'href="#id_content"' in summary


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_chromium_on_a_phone_a_fixed_field_loses_its_error(world, live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_content", "小区门口的路灯坏了一个多月")
    page.select_option("#id_county", world["changji_city"].code)
    page.fill("#id_phone", "139")
    page.click("main button[type=submit]")
    assert page.locator("#error-summary li").count() == 1
    page.fill("#id_phone", "13912345678")
    assert page.locator("#error-summary").count() == 0
    assert page.locator("#id_phone ~ .errorlist").count() == 0
    context.close()
