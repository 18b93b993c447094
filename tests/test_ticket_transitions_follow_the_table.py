"""Every action from every state: allowed ones land where the table says with one event;
forbidden ones are refused with `invalid_transition` and change nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jiceng import factories
from jiceng.orgs.models import Unit
from jiceng.tickets import services, states
from jiceng.tickets.models import Satisfaction, Ticket, TicketEvent, TicketPhoto, TicketUnit
from jiceng.tickets.services import Conflict
from jiceng.tickets.states import Status

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
LATER = datetime(2026, 3, 4, 10, 0, tzinfo=TZ)


@pytest.fixture
def root(world):
    return factories.account("root", superuser=True)


def ticket_in(
    world, status: Status, pending_extension: bool = False, in_round: bool = False
) -> Ticket:
    """A ticket put straight into `status`, as the table test's starting point."""
    ticket = factories.ticket(world["jiashun"], at=MONDAY)
    # the street office its community asks to whistle (提请吹哨)
    if not Unit.objects.filter(type__code="street_office").exists():
        factories.unit(world["jianguolu"], "street_office", name="建国路街道办事处")
    fields = {"status": status}
    if status != Status.RECEIVED:
        fields |= {"main_unit": world["jiashun_unit"], "accept_by": LATER, "reply_by": LATER}
    if status == Status.MERGED:
        fields["duplicate_of"] = factories.ticket(world["jiashun"], at=MONDAY)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    if pending_extension:  # so that "decide_extension" has something to decide
        Ticket.objects.filter(pk=ticket.pk).update(extension_requested_until=LATER.replace(day=20))
    if in_round:  # so that "callback" has a round: an answer, and from closed or review a
        # resident's rating that does not count (the unit filed the ticket itself), which the
        # hotline's independent 回访 may still follow
        Ticket.objects.filter(pk=ticket.pk).update(filed_by_unit=world["jiashun_unit"])
        event = {"ticket": ticket, "at": MONDAY, "unit": world["jiashun_unit"]}
        TicketEvent.objects.create(
            action="reply", from_status="in_progress", to_status="replied", **event
        )
        if status in (Status.CLOSED, Status.REVIEW):
            TicketEvent.objects.create(
                action="callback",
                from_status="replied",
                to_status=status,
                by_resident=True,
                counted=False,
                data={
                    "by_resident": True,
                    "counted": False,
                    "solved": True,
                    "satisfaction": "满意",
                },
                **event,
            )
    return Ticket.objects.get(pk=ticket.pk)


def run(action: str, ticket: Ticket, world, root, zoe=None):
    zjj, at = world["changji_zjj"], MONDAY
    calls = {
        "dispatch": lambda: services.dispatch(root, ticket, world["jiashun_unit"], at=at),
        "redispatch": lambda: services.redispatch(
            root, ticket, zjj, reason="属于住建局职责", at=at
        ),
        "accept": lambda: services.accept(root, ticket, at=at),
        "return": lambda: services.return_ticket(root, ticket, "不属于本社区管辖", at=at),
        "uphold_return": lambda: services.uphold_return(root, ticket, zjj, at=at),
        "reject_return": lambda: services.reject_return(root, ticket, "属于社区职责", at=at),
        "request_extension": lambda: services.request_extension(
            root, ticket, LATER.replace(day=25), "需要协调施工队", at=at
        ),
        "decide_extension": lambda: services.decide_extension(root, ticket, True, at=at),
        "supervise": lambda: services.supervise(root, ticket, "群众反映强烈", at=at),
        "whistle": lambda: services.whistle(root, ticket, [world["jianguo_unit"]], "需协助", at=at),
        "whistle_report": lambda: services.whistle_report(zoe, ticket, "已到场查看", at=at),
        "note": lambda: services.note(root, ticket, "已联系物业", at=at),
        "summarize": lambda: services.summarize(root, ticket, "楼道灯不亮，请物业维修", at=at),
        "translate_reply": lambda: services.translate_reply(
            root, ticket, "كىرىش ئېغىزىدىكى چىراغ ئالماشتۇرۇلدى.", at=at
        ),
        "attach": lambda: services.attach_photos(root, ticket, [png()], at=at),
        "reply": lambda: services.reply(root, ticket, "已更换楼道灯泡", at=at),
        "callback": lambda: services.callback(
            root, ticket, solved=True, satisfaction=Satisfaction.SATISFIED, at=at
        ),
        "reopen": lambda: services.reopen(root, ticket, "群众反映仍未修好", at=at),
        "close": lambda: services.close(root, ticket, "多次联系诉求人未接听", at=at),
        "merge": lambda: services.merge(
            root, ticket, factories.ticket(world["jiashun"], at=MONDAY), "同一楼道", at=at
        ),
        "moderate": lambda: services.moderate(root, ticket, "楼道灯不亮", at=at),
        "co_handle": lambda: services.set_co_units(root, ticket, [zjj], reason="需配合", at=at),
        "ask_whistle": lambda: services.ask_whistle(root, ticket, "需住建局到场", at=at),
        "close_on_spot": lambda: on_spot(world, ticket, at),
    }
    return calls[action]


def on_spot(world, ticket, at):
    """A grid worker of the unit closes the ticket, made their patrol report with a photo."""
    worker = factories.account("walker", ["grid_worker"], scope_unit=world["jiashun_unit"])
    Ticket.objects.filter(pk=ticket.pk).update(channel="grid", created_by=worker)
    TicketPhoto.objects.create(ticket=ticket, image="tickets/x.jpg", size=1)
    return services.close_on_spot(worker, ticket, "当场清理", at=at)


def png():
    return factories.photo("现场.png", "PNG")


PEOPLE_ACTIONS = [a for a in states.ACTIONS if a not in states.SYSTEM_ACTIONS]


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", PEOPLE_ACTIONS)
def test_each_action_is_allowed_exactly_where_the_table_says(world, users, root, action, status):
    ticket = ticket_in(
        world,
        status,
        pending_extension=action == "decide_extension",
        in_round=action == "callback",
    )
    # 住建局 has been whistled to every ticket, so that its handler zoe can report
    TicketUnit.objects.create(ticket=ticket, unit=world["changji_zjj"], role="whistle")
    call = run(action, ticket, world, root, zoe=users["zoe"])
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    if states.allowed(action, status):
        changed = call()
        assert changed.status == (
            Status.CLOSED if action == "callback" else states.target(action, status)
        )
        assert Ticket.objects.get(pk=ticket.pk).status == changed.status
        events = TicketEvent.objects.filter(ticket=ticket).order_by("id")
        assert events.count() == events_before + 1
        event = events.last()
        assert (event.action, event.from_status, event.to_status) == (
            action,
            status,
            changed.status,
        )
    else:
        with pytest.raises(Conflict) as refused:
            call()
        assert refused.value.code == "invalid_transition"
        assert Ticket.objects.get(pk=ticket.pk).status == status
        assert TicketEvent.objects.filter(ticket=ticket).count() == events_before


def test_whistled_department_reports_back(world, users):
    ticket = ticket_in(world, Status.IN_PROGRESS)
    services.whistle(users["erin"], ticket, [world["changji_zjj"]], "需住建局到场", at=MONDAY)
    services.whistle_report(users["zoe"], ticket, "已派人到现场查看管网", at=MONDAY)
    call = TicketUnit.objects.get(ticket=ticket, role="whistle")
    assert call.reported_at == MONDAY and call.report == "已派人到现场查看管网"
    with pytest.raises(Conflict) as twice:
        services.whistle_report(users["zoe"], ticket, "再次报到", at=MONDAY)
    assert twice.value.code == "not_whistled"


def test_the_transition_table_reaches_every_state_from_received():
    seen, todo = {Status.RECEIVED}, [Status.RECEIVED]
    while todo:
        for nxt in states.TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)
    # a closed ticket moves again only by a callback within its round (the resident's own
    # rating, or the hotline's independent 回访 of a ticket the unit filed itself)
    assert states.TRANSITIONS[Status.CLOSED] == {Status.CLOSED, Status.REVIEW}
    # a merged request moves only when the ticket it joined is answered (并案答复, a system
    # action): its resident gets the reply and a rating round of their own (issue 26)
    assert states.TRANSITIONS[Status.MERGED] == {Status.REPLIED}
