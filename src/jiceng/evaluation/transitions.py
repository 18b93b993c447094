"""The one function that takes a step in an evaluation workflow.

`apply` checks who may take the step (`access.check`: scope, then role), locks the object's row,
checks the workflow's table (`flows.py`), runs the step's own checks and changes, moves the state
and writes the event row, all in one transaction. The services of `periods.py`, `selection.py`
and `surveys.py` call it for every change of state and every recorded step; two people taking
steps on the same object at once are serialised by the row lock, and the second meets the state
the first left.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Model

from jiceng.core.errors import ServiceError

from . import access, flows
from .models import (
    AssessmentPeriod,
    Campaign,
    Diagnosis,
    EvaluationEvent,
    OrgMeeting,
    Rectification,
    ReservePerson,
    Selection,
)

MODELS: dict[str, type[Model]] = {
    "period": AssessmentPeriod,
    "selection": Selection,
    "campaign": Campaign,
    "diagnosis": Diagnosis,
    "rectification": Rectification,
    "reserve": ReservePerson,
    "meeting": OrgMeeting,
}
RELATED = {
    "period": ["scheme__region"],
    "selection": ["region"],
    "campaign": ["region"],
    "diagnosis": ["party_org__region", "party_org__unit__region"],
    "rectification": ["diagnosis__party_org__region", "diagnosis__party_org__unit__region"],
    "reserve": ["region"],
    "meeting": ["party_org__region", "party_org__unit__region"],
}


def lock(flow: str, obj) -> Model:
    model = MODELS[flow]
    # only the object's own row: its places are read with it, through outer joins that
    # PostgreSQL will not lock
    return (
        model.objects.select_for_update(of=("self",)).select_related(*RELATED[flow]).get(pk=obj.pk)
    )


def refuse(flow: flows.Flow, step: str, state: str) -> ServiceError:
    hint = f"；{flow.hints[state]}" if state in flow.hints else ""
    return ServiceError(
        "invalid_transition",
        f"{flow.label}当前为“{flow.states.get(state, state)}”，不能{flow.steps[step].label}{hint}",
        status=409,
    )


@transaction.atomic
def apply(
    actor,
    flow_name: str,
    obj,
    step: str,
    *,
    note: str = "",
    check: Callable | None = None,
    change: Callable | None = None,
    data: dict | None = None,
):
    """Take `step` on `obj` as `actor`; returns the locked, changed object.

    `check(locked)` may refuse the step (raising a `ServiceError` or a `ValidationError`) after
    the table allowed it; `change(locked)` makes the step's own changes and may return a dict
    to add to the event's data. The state is saved after `change`."""
    flow = flows.FLOWS[flow_name]
    locked = lock(flow_name, obj)
    access.check(actor, flow_name, step, locked)
    access.check_duties(actor, flow_name, step, locked)
    before = locked.state
    if not flow.allowed(step, before):
        raise refuse(flow, step, before)
    if check is not None:
        check(locked)
    extra = (change(locked) if change is not None else None) or {}
    after = flow.target(step, before)
    if after != before:
        locked.state = after
        locked.save(update_fields=["state"])
    if flow.steps[step].recorded:
        note = extra.pop("note", note)
        record(actor, flow_name, locked, step, before, note, {**(data or {}), **extra})
    return locked


@transaction.atomic
def create(
    actor,
    flow_name: str,
    draft,
    build: Callable,
    *,
    place=None,
    note: str = "",
    data: dict | None = None,
):
    """Create a record as the first step of its workflow (the step no state leads from):
    `access.check` on `draft` (an unsaved object that says where the record will sit, or
    `place`), then `build()` validates and makes the rows and returns the record, then the
    event row, all in one transaction. `build` may return (record, note, data) to say what the
    event records."""
    step = flows.FLOWS[flow_name].creating
    access.check(actor, flow_name, step, draft, place=place)
    made = build()
    if isinstance(made, tuple):
        made, note, data = made
    record(actor, flow_name, made, step, "", note, data)
    return made


def record(actor, flow_name: str, obj, step: str, before: str, note="", data=None):
    """The event row of a step (inside the step's transaction)."""
    return EvaluationEvent.objects.create(
        flow=flow_name,
        object_id=obj.pk,
        action=step,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_state=before,
        to_state=getattr(obj, "state", "") or flows.FLOWS[flow_name].steps[step].target or "",
        note=(note or "")[:300],
        data=data or {},
    )


def history(flow_name: str, obj, limit: int = 30):
    """The latest event rows of an object, newest first."""
    return (
        EvaluationEvent.objects.filter(flow=flow_name, object_id=obj.pk)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def buttons(actor, flow_name: str, obj) -> list[tuple[str, str]]:
    """(step, label) of the steps `actor` may take on `obj` now, from the table: what the
    object's page shows as buttons."""
    flow = flows.FLOWS[flow_name]
    return [
        (step, flow.steps[step].label)
        for step in flow.steps_from(obj.state)
        if flow.steps[step].button and access.may(actor, flow_name, step, obj)
    ]
