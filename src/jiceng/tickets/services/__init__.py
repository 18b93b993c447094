"""Every change of a ticket, one function each (STYLE.md, habit 1).

Each function checks the actor's role and scope, checks the transition table, locks the row,
saves with `update_fields`, appends one `TicketEvent` and queues notifications in the outbox,
all in one transaction. Web views, the API, Open311, commands and tests call these and nothing
else writes `ticket.status`.

`actor=None` is the system itself (the sweep, an import, a resident's own callback through the
public pages); the callers of those paths are responsible for who may trigger them.
"""

from jiceng.core.errors import ServiceError

from .base import Conflict, as_system
from .bilingual import awaiting_summary, summarize, translate_reply
from .intake import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    Intake,
    attach_photos,
    close_on_spot,
    new_code,
    photo_problem,
    receive,
    receive_public,
    record_meeting,
    report_from_grid,
)
from .sweep import SweepResult, sweep
from .workflow import (
    DEFAULT_WHISTLE_HOURS,
    PUBLIC_DESCRIPTION_MAX,
    accept,
    ask_targets,
    ask_whistle,
    callback,
    close,
    decide_extension,
    dispatch,
    merge,
    moderate,
    note,
    read_phone,
    redispatch,
    reject_return,
    reopen,
    reply,
    request_extension,
    return_ticket,
    set_co_units,
    supervise,
    uphold_return,
    whistle,
    whistle_report,
    whistle_targets,
)

__all__ = [
    "DEFAULT_WHISTLE_HOURS",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "PUBLIC_DESCRIPTION_MAX",
    "Conflict",
    "Intake",
    "ServiceError",
    "SweepResult",
    "accept",
    "as_system",
    "ask_targets",
    "ask_whistle",
    "attach_photos",
    "awaiting_summary",
    "callback",
    "close",
    "close_on_spot",
    "decide_extension",
    "dispatch",
    "merge",
    "moderate",
    "new_code",
    "note",
    "photo_problem",
    "read_phone",
    "receive",
    "receive_public",
    "record_meeting",
    "redispatch",
    "reject_return",
    "reopen",
    "reply",
    "report_from_grid",
    "request_extension",
    "return_ticket",
    "set_co_units",
    "summarize",
    "supervise",
    "sweep",
    "translate_reply",
    "uphold_return",
    "whistle",
    "whistle_report",
    "whistle_targets",
]
