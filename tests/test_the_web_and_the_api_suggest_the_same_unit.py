"""The ticket page and `GET /api/v1/tickets/{id}/suggestion` give the same suggested unit and
reason: both ask `dispatch.selectors.advice`, which routes the ticket's category as it is now."""

from jiceng import factories
from jiceng.tickets.models import Category


def test_after_the_category_changes_both_suggest_the_new_route(world, users, login):
    ticket = factories.ticket(world["jiashun"], title="公租房申请进度")  # no category yet
    erin = login("erin")
    before = erin.get(f"/api/v1/tickets/{ticket.pk}/suggestion").json()
    page = erin.get(f"/work/tickets/{ticket.pk}/")
    assert before.get("unit") is None or before["unit"]["name"] == page.context["suggested"].name

    ticket.category = Category.objects.get(full_name="城乡建设/住房保障与房地产/其他")
    ticket.save(update_fields=["category"])
    api = erin.get(f"/api/v1/tickets/{ticket.pk}/suggestion").json()
    web = erin.get(f"/work/tickets/{ticket.pk}/").context
    assert api["unit"]["name"] == web["suggested"].name == "昌吉市住建局"
    assert api["route"] == web["advice"].reason == "派单规则：城乡建设 → 所在地住建局"


def test_a_unit_out_of_scope_is_suggested_by_neither(world, users, login):
    ticket = factories.ticket(world["jiashun"], title="公租房申请进度")
    ticket.category = Category.objects.get(full_name="城乡建设/住房保障与房地产/其他")
    ticket.save(update_fields=["category"])
    # bob administers 嘉顺社区 only: 昌吉市住建局 is outside his scope
    bob = login("bob")
    assert bob.get(f"/api/v1/tickets/{ticket.pk}/suggestion").json().get("unit") is None
