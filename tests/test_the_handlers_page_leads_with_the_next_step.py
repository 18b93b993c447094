"""Issue 28, finding 4: after accepting, the handler's open panel was 申请延期 and 答复 was the
last collapsed item of a long page; handlers saw the model's internal percentages; the
co-handler picker was a Ctrl-click multi-select of about 300 units."""

import re

from jiceng import factories
from jiceng.dispatch.models import Suggestion
from jiceng.tickets import services


def panels(page: str) -> list[tuple[str, bool]]:
    """(action, open) of each action panel, in page order."""
    return [
        (m[2], bool(m[1])) for m in re.finditer(r'<details( open)? id="action-([a-z_]+)"', page)
    ]


def test_after_accepting_the_reply_leads_open_and_the_rest_fold_under_more(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    dave = login("dave")
    before = panels(dave.get(f"/work/tickets/{ticket.pk}/").content.decode())
    assert before[0] == ("accept", True)
    services.accept(users["dave"], ticket)
    page = dave.get(f"/work/tickets/{ticket.pk}/").content.decode()
    found = panels(page)
    assert found[:2] == [("reply", True), ("note", True)]
    assert all(not is_open for _, is_open in found[2:])
    assert 'id="more-actions"' in page and "更多操作" in page
    assert page.index('id="action-reply"') < page.index('id="more-actions"')


def test_handlers_see_no_model_percentages_but_dispatchers_do(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    Suggestion.objects.create(ticket=ticket, problem="", top=[])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    assert 'id="advice"' not in login("dave").get(f"/work/tickets/{ticket.pk}/").content.decode()
    assert 'id="advice"' in login("erin").get(f"/work/tickets/{ticket.pk}/").content.decode()


def test_the_co_handler_picker_is_a_searchable_list_with_pinyin_initials(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    page = login("erin").get(f"/work/tickets/{ticket.pk}/").content.decode()
    assert 'class="pick-list" id="dispatch-co"' in page
    assert 'data-initials="cjszjj"><input type="checkbox" name="co_units"' in page
    assert "按住 Ctrl" not in page
