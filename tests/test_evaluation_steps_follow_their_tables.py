"""Every evaluation workflow is one table (`evaluation/flows.py`) and one table of who may take
each step (`evaluation/access.WHO`), applied by one function (`transitions.apply`). These tests
walk every (state, step, role) cell of each workflow: a step the role may not take is refused
(out of scope 404, without the role 403) whatever the state; a step the role may take happens
exactly when the table allows it from that state, moves to the table's target and writes one
event row (none for a ballot or a vote); a refused step changes nothing and writes nothing."""

from datetime import date

import pytest
from django.db import transaction
from django.http import Http404

from jiceng import factories
from jiceng.core.errors import ServiceError
from jiceng.evaluation import flows, transitions
from jiceng.evaluation.models import (
    AssessmentPeriod,
    Campaign,
    ChecklistItem,
    Diagnosis,
    EvaluationEvent,
    Rectification,
    Scheme,
    Selection,
)

ROLES = ["assessor", "admin", "leader", "handler", "far_assessor", "resident"]

# Who may take each step, written out by hand for these accounts (not derived from WHO):
# assessor, admin and leader of 昌吉市; a handler of 嘉顺社区's unit (inside 建国路街道); an
# assessor of 玛纳斯县; a resident without an account.
MAY = {
    "period": {step: {"assessor"} for step in flows.PERIOD.steps},
    "selection": {
        "create": {"assessor"},  # a step no state leads from: apply always refuses it
        "nominate": {"assessor", "admin", "leader", "handler"},  # inside or above the region
        "close_nominations": {"assessor"},
        "review_nominee": {"assessor"},
        "open_voting": {"assessor"},
        "vote": {"handler"},  # only accounts inside the region vote
        "close_voting": {"assessor"},
        "open_runoff": {"assessor"},
        "close_runoff": {"assessor"},
        "decide_tie": {"assessor"},
        "object": set(ROLES),  # anyone, during the 公示
        "resolve": {"assessor"},
        "announce": {"assessor"},
    },
    "diagnosis": {"record": {"assessor"}, "complete": {"assessor"}},
    "rectification": {
        "assign": {"assessor", "admin"},
        "report": {"assessor", "admin", "responsible"},  # the named person, by their account
        "verify": {"assessor"},
        "send_back": {"assessor"},
    },
    "campaign": {
        "create": {"assessor", "admin"},
        "issue_codes": {"assessor", "admin"},
        "open": {"assessor", "admin"},
        "close": {"assessor", "admin"},
        "ballot": set(ROLES),  # anyone with a code
    },
}


@pytest.fixture
def actors(world):
    city, manas = world["changji_city"], world["manas"]
    return {
        "assessor": factories.account("a1", ["assessor"], scope_region=city),
        "admin": factories.account("a2", ["admin"], scope_region=city),
        "leader": factories.account("a3", ["leader"], scope_region=city),
        "handler": factories.account("a4", ["handler"], scope_unit=world["jiashun_unit"]),
        "far_assessor": factories.account("a5", ["assessor"], scope_region=manas),
        "resident": None,
        # 嘉顺社区's secretary's own account, with no staff role: responsible for its 整改
        "responsible": factories.account(
            "a6", ["grid_worker"], scope_region=world["jiashun"], who=world["jiashun_secretary"]
        ),
    }


def make(flow: str, state: str, world):
    if flow == "period":
        scheme = Scheme.objects.create(name="星级评定", region=world["jianguolu"])
        return AssessmentPeriod.objects.create(
            scheme=scheme,
            label="2026年第三季度",
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 9, 30),
            state=state,
        )
    if flow == "selection":
        return Selection.objects.create(name="担当我先行", region=world["jianguolu"], state=state)
    if flow in ("diagnosis", "rectification"):
        diagnosis = Diagnosis.objects.create(
            party_org=world["jiashun_branch"],
            assessed_on=date(2026, 11, 1),
            good_dimensions=4,
            grade="四个好",
            state=state if flow == "diagnosis" else "rectifying",
        )
        if flow == "diagnosis":
            return diagnosis
        return Rectification.objects.create(
            diagnosis=diagnosis,
            item=ChecklistItem.objects.first(),
            problem="工作机制好：三会一课记录缺失",
            due_on=date(2026, 12, 1),
            responsible=world["jiashun_secretary"],
            state=state,
        )
    return Campaign.objects.create(name="测评", region=world["jiashun"], state=state, salt="x")


class Undo(Exception):
    """Raised to roll a cell back."""


def walk(flow_name: str, world, actors, roles=ROLES) -> int:
    flow = flows.FLOWS[flow_name]
    cells = 0
    for state in flow.states:
        for step in flow.steps:
            for role in roles:
                cells += 1
                try:
                    with transaction.atomic():
                        check_cell(flow, state, step, role, world, actors[role])
                        raise Undo
                except Undo:
                    pass
    return cells


def check_cell(flow, state, step, role, world, actor):
    obj = make(flow.name, state, world)
    cell = (flow.name, state, step, role)
    may = role in MAY[flow.name][step]
    allowed = flow.allowed(step, state)
    if may and allowed:
        done = transitions.apply(actor, flow.name, obj, step)
        assert done.state == (flow.steps[step].target or state), cell
        events = list(EvaluationEvent.objects.filter(flow=flow.name, object_id=obj.pk))
        if flow.steps[step].recorded:
            assert len(events) == 1, cell
            e = events[0]
            assert (e.action, e.from_state, e.to_state) == (step, state, done.state), cell
            assert e.actor == actor, cell
        else:
            assert events == [], cell
        return
    with pytest.raises((ServiceError, Http404)) as refused:
        transitions.apply(actor, flow.name, obj, step)
    error = refused.value
    if may:  # the role may, the state may not
        assert error.code == "invalid_transition", cell
    elif role == "resident":  # nobody acts without a name
        assert error.code == "actor_required", cell
    elif step != "vote" and (
        role == "far_assessor"
        or (role == "handler" and flow.name not in ("campaign", "diagnosis", "rectification"))
    ):
        # the object is not inside their scope (嘉顺社区's handler holds the campaign's
        # village, not the township of the period and the selection): not even its existence
        # is confirmed
        assert isinstance(error, Http404), cell
    elif step == "vote":  # inside the scope, but not inside the selection's region
        assert (error.code, error.status) == ("not_eligible", 403), cell
    else:
        assert (error.code, error.status) == ("not_permitted", 403), cell
    obj.refresh_from_db()
    assert obj.state == state, cell
    assert not EvaluationEvent.objects.filter(flow=flow.name, object_id=obj.pk).exists(), cell


def test_every_cell_of_the_period_table(world, actors):
    assert walk("period", world, actors) == 5 * 10 * len(ROLES)


def test_every_cell_of_the_selection_table(world, actors):
    assert walk("selection", world, actors) == 6 * 13 * len(ROLES)


def test_every_cell_of_the_diagnosis_table(world, actors):
    assert walk("diagnosis", world, actors) == 2 * 2 * len(ROLES)


def test_every_cell_of_the_rectification_table(world, actors):
    roles = [*ROLES, "responsible"]
    assert walk("rectification", world, actors, roles) == 3 * 4 * len(roles)


def test_every_cell_of_the_survey_campaign_table(world, actors):
    assert walk("campaign", world, actors) == 3 * 5 * len(ROLES)


def test_the_buttons_are_the_steps_the_table_and_the_role_allow(world, actors):
    period = make("period", "computed", world)
    assert transitions.buttons(actors["assessor"], "period", period) == [
        ("review", "审核通过"),  # forward first: the main button
        ("compute", "计算"),
        ("reopen", "退回录入（修改数值）"),  # back last
    ]
    assert transitions.buttons(actors["leader"], "period", period) == []
    assert transitions.buttons(actors["far_assessor"], "period", period) == []
    selection = make("selection", "voting", world)
    assert transitions.buttons(actors["assessor"], "selection", selection) == [
        ("close_voting", "结束投票，进入公示"),
        ("open_runoff", "平票加试投票"),  # the page shows one of the two, by the count
    ]


def test_recording_a_meeting_follows_the_same_table(world, actors):
    from datetime import date as day

    from jiceng.core.errors import Forbidden
    from jiceng.evaluation import life

    outcomes = {}
    for role in ROLES:
        try:
            meeting = life.record_meeting(
                actors[role],
                world["jiashun_branch"],
                kind="members",
                held_on=day(2026, 11, 2),
                topic="学习党的二十届四中全会精神",
            )
            assert meeting.events.get().action == "record"
            outcomes[role] = "recorded"
        except Http404:
            outcomes[role] = "404"
        except Forbidden as refused:
            outcomes[role] = refused.code
    assert outcomes == {
        "assessor": "recorded",
        "admin": "recorded",
        "leader": "not_permitted",
        "handler": "not_permitted",
        "far_assessor": "404",
        "resident": "actor_required",
    }
