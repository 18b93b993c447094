"""Issue 28, first finding: nobody heard about their work. A co-handler added in the dispatch
form got no message; the unit a redispatch took the ticket from was never told; a return
reached no dispatcher. Each now reaches the people concerned, in their inbox (the bell on every
staff page), as well as the unit's outbox."""

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import InboxItem


def inbox(user):
    return list(InboxItem.objects.filter(user=user).values_list("kind", "subject"))


def test_a_co_handler_added_in_the_dispatch_is_told(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], co_units=[world["changji_zjj"]])
    assert ("co_handle", f"协办：{ticket.title}") in inbox(users["zoe"])  # 住建局's handler
    assert ("dispatched", f"新工单待接单：{ticket.title}") in inbox(users["dave"])


def test_the_unit_a_redispatch_takes_the_ticket_from_is_told(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["changji_zjj"])
    services.redispatch(users["erin"], ticket, world["jiashun_unit"], reason="属地问题，归社区")
    told = [
        body
        for kind, body in InboxItem.objects.filter(user=users["zoe"]).values_list("kind", "body")
        if kind == "taken_back"
    ]
    assert told and "改派至嘉顺社区" in told[0] and "属地问题" in told[0]


def test_a_removed_co_handler_is_told_it_no_longer_needs_to_help(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], co_units=[world["changji_zjj"]])
    services.set_co_units(users["erin"], ticket, [], reason="无需协办")
    assert ("co_handle_removed", f"协办已取消：{ticket.title}") in inbox(users["zoe"])


def test_a_return_reaches_the_dispatcher_who_dispatched_it(world, users):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.return_ticket(users["dave"], ticket, "不属于本社区管辖范围")
    assert ("returned", f"退单待审：{ticket.title}") in inbox(users["erin"])
    services.uphold_return(users["erin"], ticket, world["changji_zjj"], reason="改由住建局办理")
    bodies = InboxItem.objects.filter(user=users["dave"], kind="taken_back").values_list(
        "body", flat=True
    )
    assert any("同意退单并改派至" in b for b in bodies)


def test_the_bell_counts_unread_and_opening_a_message_reads_it_and_shows_the_ticket(
    world, users, login
):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    dave = login("dave")
    page = dave.get("/work/tickets/").content.decode()
    assert 'id="inbox-bell"' in page and '<span class="count">1</span>' in page
    item = InboxItem.objects.get(user=users["dave"])
    opened = dave.get(f"/work/inbox/{item.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/work/tickets/{ticket.pk}/"
    item.refresh_from_db()
    assert item.read_at is not None
    assert '<span class="count">' not in dave.get("/work/inbox/").content.decode()
    # another's message is not found
    assert login("frank").get(f"/work/inbox/{item.pk}/").status_code == 404


def test_the_timeline_names_every_other_unit_an_event_involves(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"], co_units=[world["changji_zjj"]])
    services.redispatch(users["erin"], ticket, world["jianguo_unit"], reason="属地调整")
    page = login("erin").get(f"/work/tickets/{ticket.pk}/").content.decode()
    timeline = page.split("流转记录")[-1]
    assert "协办单位：昌吉市住建局" in timeline
    assert "原承办单位：嘉顺社区" in timeline
