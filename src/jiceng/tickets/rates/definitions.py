"""What the 三率 count, defined once: the events each figure reads and the weights the
assessors set. The rollup (`rollup.compute`) and the reads (`reads`) both count from these, so
a month kept and a month counted live can never disagree on the rule."""

from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from .. import metrics
from ..models import Channel, EngineSettings, RankingSettings, Ticket, TicketEvent
from ..states import ASSIGNING, Status


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


def min_sample() -> metrics.MinSample:
    config = RankingSettings.current()
    return metrics.MinSample(config.min_dispatched, config.min_callbacks)


# 三率 count residents' requests only: 主动治理 items (未诉先办) are staff's own work. Few
# tickets, looked up once as a hashed sub-select, as the returns awaiting a ruling are.
COUNTED = ~Q(ticket_id__in=Ticket.objects.filter(channel=Channel.PROACTIVE).values("id"))


def final_assignments(start: datetime, end: datetime, as_of: datetime | None = None) -> QuerySet:
    """Assigning events in [start, end) that were the ticket's last: the unit kept the ticket.

    Each is annotated `on_time` (the unit accepted by its accept-by) and `pending`: not
    accepted, and either its accept-by is still ahead of `as_of` (now) or the unit's return
    waits for a dispatcher's ruling. A pending ticket is neither on time nor late yet.

    Reads the derived columns `superseded_at` and `accepted_at` (see `TicketEvent`), one row
    per ticket from the partial index `event_final_assignment`."""
    as_of = as_of or timezone.now()
    return (
        TicketEvent.objects.filter(
            # sorted, as in the partial index's condition, so PostgreSQL matches the two
            action__in=sorted(ASSIGNING),
            superseded_at__isnull=True,
            at__gte=start,
            at__lt=end,
        )
        .filter(COUNTED)
        .annotate(
            on_time=ExpressionWrapper(
                Q(accepted_at__isnull=False, accepted_at__lte=F("due_at")),
                output_field=BooleanField(),
            ),
            pending=ExpressionWrapper(
                Q(accepted_at__isnull=True)
                & (
                    Q(due_at__gt=as_of)
                    # a return waiting for its ruling: few tickets, looked up once, no join
                    | Q(ticket_id__in=Ticket.objects.filter(status=Status.RETURNED).values("id"))
                ),
                output_field=BooleanField(),
            ),
        )
    )


def last_callbacks(start: datetime, end: datetime) -> QuerySet:
    """Each ticket's last counted callback event in [start, end): none of the ticket's later
    counted callbacks falls before `end`. A callback that does not count (a resident's rating
    of a ticket the unit's own staff filed, see `services.workflow.callback`) is never read."""
    return (
        TicketEvent.objects.filter(action="callback", counted=True, at__gte=start, at__lt=end)
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=end))
        .filter(COUNTED)
    )
