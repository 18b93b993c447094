"""Reads over tickets and events: lists for the pages and the API, and the 三率 counts."""

from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from jiceng.orgs.access import Scope, scope_of
from jiceng.orgs.models import Unit
from jiceng.regions.models import Region

from . import metrics
from .models import EngineSettings, TicketEvent
from .states import ASSIGNING

LEVEL_DIGITS = {"county": 6, "township": 9, "village": 12}


def weights() -> metrics.Weights:
    config = EngineSettings.current()
    return metrics.Weights(
        response=float(config.weight_response),
        solved=float(config.weight_solved),
        satisfied=float(config.weight_satisfied),
        credit={
            "满意": float(config.credit_satisfied),
            "基本满意": float(config.credit_basic),
            "不满意": float(config.credit_unsatisfied),
        },
    )


def _scope_q(scope: Scope | None, by: str) -> Q:
    if scope is None or scope.everything:
        return Q()
    if scope.empty:
        return Q(pk__in=[])
    if scope.unit_id:
        return Q(unit_id=scope.unit_id)
    if by == "region":
        return Q(ticket__region__path__startswith=scope.path)
    return Q(unit__region__path__startswith=scope.path)


def final_assignments(start: datetime, end: datetime) -> QuerySet:
    """Assigning events in [start, end) that were the ticket's last: the unit kept the ticket."""
    later = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"), action__in=ASSIGNING, id__gt=OuterRef("id")
    )
    accepted_in_time = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        action="accept",
        unit_id=OuterRef("unit_id"),
        id__gt=OuterRef("id"),
        at__lte=OuterRef("due_at"),
    )
    return (
        TicketEvent.objects.filter(action__in=ASSIGNING, at__gte=start, at__lt=end)
        .filter(~Exists(later))
        .annotate(on_time=Exists(accepted_in_time))
    )


def last_callbacks(start: datetime, end: datetime) -> QuerySet:
    """Each ticket's last callback event in [start, end)."""
    later = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"), action="callback", id__gt=OuterRef("id"), at__lt=end
    )
    return TicketEvent.objects.filter(action="callback", at__gte=start, at__lt=end).filter(
        ~Exists(later)
    )


def rate_counts(
    period: str | tuple,
    *,
    by: str = "unit",
    level: str = "county",
    scope: Scope | None = None,
    user=None,
) -> list[metrics.Counts]:
    """Per-unit (or per-region) counts for the 三率 of `period` ("2026-03", "2026", or a
    (start, end) pair of aware datetimes), inside the scope."""
    start, end = period if isinstance(period, tuple) else metrics.period_bounds(period)
    if user is not None:
        scope = scope_of(user)
    where = _scope_q(scope, by)
    if by == "unit":
        key = F("unit_id")
    elif by == "region":
        key = Substr("ticket__region__code", 1, LEVEL_DIGITS[level])
    else:
        raise ValueError(by)

    dispatched = (
        final_assignments(start, end)
        .filter(where)
        .annotate(k=key)
        .values("k")
        .annotate(n=Count("id"), on=Count("id", filter=Q(on_time=True)))
    )
    answered = (
        last_callbacks(start, end)
        .filter(where)
        .annotate(k=key)
        .values("k")
        .annotate(
            n=Count("id"),
            solved=Count("id", filter=Q(data__solved=True)),
            s1=Count("id", filter=Q(data__satisfaction="满意")),
            s2=Count("id", filter=Q(data__satisfaction="基本满意")),
            s3=Count("id", filter=Q(data__satisfaction="不满意")),
        )
    )
    table: dict[str, dict] = {}
    for row in dispatched:
        if row["k"] is None:
            continue
        table.setdefault(str(row["k"]), {})["d"] = row
    for row in answered:
        if row["k"] is None:
            continue
        table.setdefault(str(row["k"]), {})["c"] = row
    names = _names(by, list(table), level)
    result = []
    for k, parts in table.items():
        d, c = parts.get("d", {}), parts.get("c", {})
        code, name = names.get(k, (k, k))
        result.append(
            metrics.Counts(
                key=code,
                name=name,
                dispatched=d.get("n", 0),
                on_time=d.get("on", 0),
                callbacks=c.get("n", 0),
                solved=c.get("solved", 0),
                answers={
                    "满意": c.get("s1", 0),
                    "基本满意": c.get("s2", 0),
                    "不满意": c.get("s3", 0),
                },
            )
        )
    return result


def _names(by: str, keys: list[str], level: str) -> dict[str, str]:
    """key -> (code, name): a unit's code, or a region's full 12-digit code."""
    if by == "unit":
        rows = Unit.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {str(pk): (code, name) for pk, code, name in rows}
    codes = {k.ljust(12, "0"): k for k in keys}
    rows = Region.objects.filter(code__in=codes).values_list("code", "name")
    return {codes[code]: (code, name) for code, name in rows}


def ranking(
    period: str, *, by: str = "unit", level: str = "county", scope: Scope | None = None, user=None
) -> list[metrics.Row]:
    return metrics.rank(rate_counts(period, by=by, level=level, scope=scope, user=user), weights())


def scope_rates(start, end, scope: Scope) -> metrics.Row:
    """The 三率 of everything the units inside `scope` handled in [start, end), as one row."""
    counts = rate_counts((start, end), scope=scope)
    answers: dict[str, int] = {}
    for c in counts:
        for k, v in c.answers.items():
            answers[k] = answers.get(k, 0) + v
    total = metrics.Counts(
        key="scope",
        name="合计",
        dispatched=sum(c.dispatched for c in counts),
        on_time=sum(c.on_time for c in counts),
        callbacks=sum(c.callbacks for c in counts),
        solved=sum(c.solved for c in counts),
        answers=answers,
    )
    return metrics.rate(total, weights())
