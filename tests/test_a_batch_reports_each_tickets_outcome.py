"""Batches: a dispatcher selects tickets in the work list and dispatches, merges or supervises
them together. Each ticket is its own service call and event; one that fails is named with
its reason, and nothing of it changes."""

from jiceng import factories
from jiceng.tickets import services
from jiceng.tickets.models import Ticket, TicketEvent


def test_a_batch_dispatch_with_one_failure_names_it_and_changes_nothing_of_it(world, users, login):
    first = factories.ticket(world["jiashun"], title="路灯不亮")
    second = factories.ticket(world["jiashun"], title="井盖缺失")
    taken = factories.ticket(world["jiashun"], title="垃圾清运")
    services.dispatch(users["erin"], taken, world["jianguo_unit"])  # no longer 待派单
    before = TicketEvent.objects.filter(ticket=taken).count()
    erin = login("erin")
    listing = erin.get("/work/tickets/?view=received").content.decode()
    assert 'form="batch"' in listing and f'value="{first.pk}"' in listing

    answer = erin.post(
        "/work/tickets/batch/",
        {
            "op": "dispatch",
            "unit": world["jiashun_unit"].pk,
            "ids": [first.pk, taken.pk, second.pk],
        },
    )
    assert answer.status_code == 200
    failed = answer.context["failed"]
    assert [o.number for o in failed] == [taken.number]
    assert "不能派单" in failed[0].message
    assert sorted(o.pk for o in answer.context["done"]) == sorted([first.pk, second.pk])
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.status == "dispatched" and ticket.main_unit == world["jiashun_unit"]
        assert TicketEvent.objects.filter(ticket=ticket, action="dispatch").count() == 1
    taken.refresh_from_db()
    assert taken.main_unit == world["jianguo_unit"]
    assert TicketEvent.objects.filter(ticket=taken).count() == before
    assert taken.number in answer.content.decode()


def test_a_batch_merge_and_a_batch_supervision(world, users, login):
    keep = factories.ticket(world["jiashun"], title="暖气不热")
    dups = [factories.ticket(world["jiashun"], title="暖气不热") for _ in range(2)]
    erin = login("erin")
    merged = erin.post(
        "/work/tickets/batch/",
        {"op": "merge", "into": keep.number, "ids": [d.pk for d in dups] + [keep.pk]},
    )
    assert [o.pk for o in merged.context["failed"]] == [keep.pk]  # not into itself
    assert Ticket.objects.filter(duplicate_of=keep).count() == 2

    sam = login("sam")
    services.dispatch(users["erin"], keep, world["jiashun_unit"])
    watched = sam.post(
        "/work/tickets/batch/", {"op": "supervise", "ids": [keep.pk], "reason": "群众反映强烈"}
    )
    assert [o.ok for o in watched.context["outcomes_all"]] == [True]
    keep.refresh_from_db()
    assert keep.is_supervised


def test_a_ticket_out_of_scope_is_refused_like_a_missing_one(world, users, login):
    elsewhere = factories.ticket(world["baojiadian_village"])  # 玛纳斯县, outside erin's scope
    answer = login("erin").post(
        "/work/tickets/batch/",
        {"op": "supervise", "ids": [elsewhere.pk], "reason": "越界督办"},
    )
    assert [o.message for o in answer.context["failed"]] == ["不存在或不在您的管辖范围内"]
    assert elsewhere.number not in answer.content.decode()
    elsewhere.refresh_from_db()
    assert not elsewhere.is_supervised


def test_a_handler_has_no_batch(world, users, login):
    dave = login("dave")
    assert 'form="batch"' not in dave.get("/work/tickets/").content.decode()
    assert dave.post("/work/tickets/batch/", {"op": "supervise", "ids": [1]}).status_code == 404


def test_an_empty_or_oversized_batch_is_refused_in_words(world, users, login):
    erin = login("erin")
    empty = erin.post("/work/tickets/batch/", {"op": "supervise", "reason": "督办"})
    assert empty.status_code == 422 and "请先勾选工单" in empty.content.decode()
    huge = erin.post(
        "/work/tickets/batch/",
        {"op": "supervise", "reason": "督办", "ids": list(range(1, 200))},
    )
    assert huge.status_code == 422 and "一次最多处理 100 件" in huge.content.decode()
