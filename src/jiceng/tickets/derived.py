"""The 三率's facts, rebuilt from the events: `jiceng metrics rebuild [--check]`.

The services keep each event's derived columns as later events arrive (`services.base._derive`,
in the event's own transaction): `superseded_at`, `accepted_at`, and a callback's `solved` and
`satisfaction`. These are the facts the 三率 group by month (two partial covering indexes), at
the grain the definition needs: an assignment per ticket and dispatch, a callback per ticket
and callback (a ticket called back twice in a year counts its last callback of each month,
quarter and year). The events themselves stay the only source of truth. This module computes
every fact again from the raw events alone, as the definition states it:

- an assigning event's `superseded_at` is the earliest `at` of a later assigning event of the
  same ticket, and its `accepted_at` the earliest `at` of a later accept by the same unit;
- a callback's `counted` is False when its `data` says so (a resident's rating of a ticket the
  handling unit's own staff filed), and `by_resident` when the resident gave it;
- a callback's `superseded_at` is the earliest `at` of a later counted callback of the same
  ticket;
- a callback's `solved` and `satisfaction` are the answer in its `data`.

`check()` counts the events whose stored facts differ from the rebuilt ones (none, unless a
row was changed outside the services); `rebuild()` writes the rebuilt ones and drops every
month the rollup keeps, so the next read recounts each month from the events.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from .models import RateCell, RateMonth, TicketEvent
from .states import ASSIGNING

ASSIGNING_ACTIONS = sorted(ASSIGNING)


def _earliest_later(**match) -> Subquery:
    later = (
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), id__gt=OuterRef("id"), **match)
        .order_by()
        .values("ticket_id")
        .annotate(first=Min("at"))
        .values("first")
    )
    return Subquery(later[:1])


def _differs(column: str, expected: str) -> Q:
    """The stored column is not the rebuilt value (NULL on either side included)."""
    return (
        Q(**{f"{column}__isnull": True}, **{f"{expected}__isnull": False})
        | Q(**{f"{column}__isnull": False}, **{f"{expected}__isnull": True})
        | (~Q(**{column: F(expected)}) & Q(**{f"{expected}__isnull": False}))
    )


def _assignments():
    return TicketEvent.objects.filter(action__in=ASSIGNING_ACTIONS).annotate(
        want_superseded=_earliest_later(action__in=ASSIGNING_ACTIONS),
        want_accepted=_earliest_later(action="accept", unit_id=OuterRef("unit_id")),
    )


def _solved() -> Case:
    return Case(
        When(data__solved=True, then=Value(True)),
        When(data__solved=False, then=Value(False)),
        default=Value(None),
        output_field=BooleanField(null=True),
    )


def _satisfaction() -> Coalesce:
    return Coalesce(KT("data__satisfaction"), Value(""), output_field=CharField())


def _counted() -> Case:
    """A callback counts unless its data says it does not (provenance)."""
    return Case(
        When(data__counted=False, then=Value(False)),
        default=Value(True),
        output_field=BooleanField(),
    )


def _by_resident() -> Case:
    return Case(
        When(data__by_resident=True, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _callbacks():
    return TicketEvent.objects.filter(action="callback").annotate(
        want_superseded=_earliest_later(action="callback", counted=True),
        want_solved=_solved(),
        want_satisfaction=_satisfaction(),
        want_counted=_counted(),
        want_by_resident=_by_resident(),
    )


def _wrong_assignments():
    return _assignments().filter(
        _differs("superseded_at", "want_superseded") | _differs("accepted_at", "want_accepted")
    )


def _wrong_callbacks():
    return _callbacks().filter(
        _differs("superseded_at", "want_superseded")
        | _differs("solved", "want_solved")
        | ~Q(satisfaction=F("want_satisfaction"))
        | ~Q(counted=F("want_counted"))
        | ~Q(by_resident=F("want_by_resident"))
        | Q(accepted_at__isnull=False)
    )


def _wrong_others():
    """Events of other kinds carry no facts."""
    return TicketEvent.objects.exclude(action__in=[*ASSIGNING_ACTIONS, "callback"]).filter(
        Q(superseded_at__isnull=False)
        | Q(accepted_at__isnull=False)
        | Q(solved__isnull=False)
        | ~Q(satisfaction="")
        | Q(counted=False)
        | Q(by_resident=True)
    )


@dataclass
class Report:
    examined: int
    wrong: int
    examples: list[int]  # ids of a few wrong events
    months_dropped: int = 0


def check(examples: int = 10) -> Report:
    wrong = [
        *_wrong_assignments().values_list("id", flat=True),
        *_wrong_callbacks().values_list("id", flat=True),
        *_wrong_others().values_list("id", flat=True),
    ]
    return Report(TicketEvent.objects.count(), len(wrong), sorted(wrong)[:examples])


def rebuild() -> Report:
    """Write every fact as the events say it, in one transaction, and drop the rollup's months.
    Returns what was wrong before."""
    with transaction.atomic():
        before = check()
        TicketEvent.objects.filter(action__in=ASSIGNING_ACTIONS).update(
            superseded_at=_earliest_later(action__in=ASSIGNING_ACTIONS),
            accepted_at=_earliest_later(action="accept", unit_id=OuterRef("unit_id")),
            solved=None,
            satisfaction="",
        )
        callbacks = TicketEvent.objects.filter(action="callback")
        # whether each counts first: which callback supersedes which follows from it
        callbacks.update(counted=_counted(), by_resident=_by_resident())
        callbacks.update(
            superseded_at=_earliest_later(action="callback", counted=True),
            accepted_at=None,
            solved=_solved(),
            satisfaction=_satisfaction(),
        )
        _wrong_others().update(
            superseded_at=None,
            accepted_at=None,
            solved=None,
            satisfaction="",
            counted=True,
            by_resident=False,
        )
        RateCell.objects.all().delete()
        before.months_dropped, _ = RateMonth.objects.all().delete()
    return before
