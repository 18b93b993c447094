"""The messages a resident gets by SMS, each in the resident's own language: the receipt with
the tracking code, the reply with the rating link, and what a phone callback recorded. Pure
text: they read the ticket and settings, and change nothing."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Ticket
from .residents import LINK_PLACEHOLDER


def received_text(ticket: Ticket) -> str:
    """The SMS a resident gets when a request is taken in: the tracking code and where to
    follow it (the last 4 digits of the phone are the other half of the check)."""
    site = settings.SITE_URL.rstrip("/")
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        return _(
            "您反映的诉求已受理，工单编号 %(number)s，查询码 %(code)s。"
            "可在 %(site)s/track/ 凭查询码和手机号后 4 位查询办理进度，办结后请您评价。"
        ) % {"number": ticket.number, "code": ticket.tracking_code, "site": site}


def reply_text(ticket: Ticket) -> str:
    """The SMS that tells the resident the answer is ready: the single-use rating link and how
    long it lasts (the request's own words are not repeated, so the message stays short and in
    one language)."""
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        return _(
            "您的诉求（查询码 %(code)s）已答复，请查看并评价：%(link)s（%(days)s 天内有效）"
        ) % {
            "code": ticket.tracking_code,
            "link": LINK_PLACEHOLDER,
            "days": settings.RATING_LINK_DAYS,
        }


def callback_text(ticket: Ticket) -> str:
    """The SMS that tells the resident what a phone callback recorded, with the link to give
    their own rating."""
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        answer = _("已解决") if ticket.solved else _("未解决")
        words = {"满意": _("满意"), "基本满意": _("基本满意"), "不满意": _("不满意")}
        return _(
            "热线回访记录您对诉求（查询码 %(code)s）的评价为：%(answer)s，%(satisfaction)s。"
            "如与您的意见不符，请用此链接给出您自己的评价：%(link)s（%(days)s 天内有效）"
        ) % {
            "code": ticket.tracking_code,
            "answer": answer,
            "satisfaction": words.get(ticket.satisfaction, ticket.satisfaction),
            "link": LINK_PLACEHOLDER,
            "days": settings.RATING_LINK_DAYS,
        }
