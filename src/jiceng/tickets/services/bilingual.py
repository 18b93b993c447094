"""双语受理: requests written in Uyghur or Kazakh, and replies put into the resident's language.

Intake reads the script of each request (`scripts`). One written in another language than
Chinese gets no advice and is never dispatched by the model: it waits in the 双语受理 queue
(`awaiting_summary`) until a bilingual operator writes a Chinese summary. The model then reads
the summary, a person dispatches as usual, and the original stays on the ticket beside it.

When the unit's reply is in, the operator may put it into the resident's language; the
resident's page shows that translation with the Chinese original beneath it.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import hooks
from ..models import NEEDS_SUMMARY, Ticket
from ..states import OPEN
from .base import Conflict, _lock, _now, _required_text, transition

SUMMARY_MAX = 1000
REPLY_MAX = 5000


def awaiting_summary(tickets):
    """The 双语受理 queue: open requests in another language, still without a summary."""
    return tickets.filter(text_language__in=NEEDS_SUMMARY, summary="", status__in=OPEN)


def _bounded(text: str, field: str, label: str, maximum: int) -> str:
    text = _required_text(text, field, label, 5)
    if len(text) > maximum:
        raise ValidationError({field: [f"{label}不能超过 {maximum} 字"]})
    return text


def _unchanged(value: str, expected: str | None, code: str, label: str) -> None:
    """Two operators editing the same text at once: the second is told, not overwritten."""
    if expected is not None and value != expected:
        raise Conflict(code, f"{label}刚被他人修改，请刷新页面看过后再改")


def summarize(
    actor, ticket, text: str, *, expected: str | None = None, at: datetime | None = None
) -> Ticket:
    """Write (or correct) the Chinese summary of a request and let the model read it. One
    transaction with its event; the model's advice is read before it, as at intake.
    `expected` is the summary the operator saw: if another wrote one meanwhile, refused."""
    text = _bounded(text, "summary", "中文摘要", SUMMARY_MAX)
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    peek = Ticket.objects.select_related("category", "region").filter(pk=pk).first()
    advice = None
    if peek is not None:
        advice = hooks.call("advise", text, peek.category, peek.region)
    with transaction.atomic():
        ticket = _lock(actor, pk, "summarize")
        _unchanged(ticket.summary, expected, "summary_changed", "中文摘要")
        first = not ticket.summary
        transition(
            ticket,
            "summarize",
            actor,
            at=_now(at),
            changes={"summary": text},
            unit=None,
            reason=text,
            data={"language": ticket.text_language, "first": first},
        )
        if advice is not None:
            hooks.call("received", ticket, advice)
    return ticket


@transaction.atomic
def translate_reply(
    actor, ticket, text: str, *, expected: str | None = None, at: datetime | None = None
) -> Ticket:
    """Put the unit's reply into the resident's language (the reply itself is unchanged)."""
    ticket = _lock(actor, ticket, "translate_reply")
    _unchanged(ticket.reply_local, expected, "translation_changed", "答复译文")
    text = _bounded(text, "reply_local", "答复译文", REPLY_MAX)
    transition(
        ticket,
        "translate_reply",
        actor,
        at=_now(at),
        changes={"reply_local": text},
        unit=None,
        reason=text,
    )
    return ticket
