"""Who may see a ticket, and who may make each change (STYLE.md, habit 3).

Seeing follows the scope (`orgs.access`): a region scope sees the tickets of its places and of
the units inside it; a unit scope sees the tickets its unit handles, co-handles or was
whistled to. Acting needs a role too; `check()` is asked by every service.
"""

from django.db.models import Exists, OuterRef, Q

from jiceng.core.errors import Forbidden
from jiceng.orgs import access
from jiceng.orgs.access import Scope, get_for_user, visible
from jiceng.orgs.models import Post, PostKind, RoleCode, Unit
from jiceng.regions.models import Region

from .models import (
    Meeting,
    Notification,
    PhoneRead,
    ResidentToken,
    Theme,
    ThemeEvent,
    ThemeTicket,
    Ticket,
    TicketUnit,
)

R = RoleCode

# Which roles may take each action (the ticket must also be visible to the user).
ACTION_ROLES: dict[str, set[str]] = {
    "receive": {R.INTAKE, R.DISPATCHER, R.GRID_WORKER},
    "dispatch": {R.DISPATCHER},
    "redispatch": {R.DISPATCHER},
    "uphold_return": {R.DISPATCHER},
    "reject_return": {R.DISPATCHER},
    "decide_extension": {R.DISPATCHER},
    "merge": {R.DISPATCHER},
    "co_handle": {R.DISPATCHER},
    "reopen": {R.DISPATCHER},
    "close": {R.DISPATCHER, R.INTAKE},
    "close_on_spot": {R.GRID_WORKER},
    "callback": {R.INTAKE, R.DISPATCHER},
    "supervise": {R.SUPERVISOR, R.DISPATCHER},
    "whistle": {R.DISPATCHER, R.HANDLER},
    "ask_whistle": {R.HANDLER, R.GRID_WORKER},
    "whistle_report": {R.HANDLER},
    "accept": {R.HANDLER, R.GRID_WORKER},
    "return": {R.HANDLER, R.GRID_WORKER},
    "request_extension": {R.HANDLER, R.GRID_WORKER},
    "reply": {R.HANDLER, R.GRID_WORKER},
    "note": {R.HANDLER, R.GRID_WORKER, R.DISPATCHER, R.SUPERVISOR},
    "attach": {R.INTAKE, R.DISPATCHER, R.HANDLER, R.GRID_WORKER},
    "read_phone": {R.INTAKE, R.DISPATCHER, R.HANDLER, R.GRID_WORKER},
    "moderate": {R.DISPATCHER, R.SUPERVISOR},
    "summarize": {R.INTAKE, R.DISPATCHER},
    "translate_reply": {R.INTAKE, R.DISPATCHER},
}

# The channels each role files through (issue 26): a grid worker's filing is always a patrol
# report, and only the hotline centre's 受理员 (an intake account of no handling unit) files as
# 热线 or 网上. A unit's own 受理员 and a dispatcher record 民情恳谈 meetings.
FILING_CHANNELS: dict[str, tuple[str, ...]] = {
    R.INTAKE: ("hotline", "web", "meeting"),
    R.DISPATCHER: ("meeting",),
    R.GRID_WORKER: ("grid",),
}
CENTRE_ONLY = frozenset({"hotline", "web"})
CHANNEL_LABELS = {"hotline": "热线", "web": "网上", "grid": "网格员巡查", "meeting": "民情恳谈"}


def filing_channels(user) -> list[str]:
    """The channels `user` may file a request through, the usual one first."""
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser:
        return ["hotline", "web", "grid", "meeting"]
    found: list[str] = []
    for role, channels in FILING_CHANNELS.items():
        if user.has_role(role):
            found += [c for c in channels if c not in found]
    if unit_of(user) is not None:  # a unit's own account is not the hotline centre
        found = [c for c in found if c not in CENTRE_ONLY]
    return found


def channel_refusal(user, channel: str) -> str:
    """Why `user` may not file through `channel`, or ''."""
    allowed = filing_channels(user)
    if channel in allowed:
        return ""
    if not allowed:
        return "您的角色不能登记诉求"
    names = "、".join(f"“{CHANNEL_LABELS[c]}”" for c in allowed)
    return f"您的账号只能以{names}渠道登记诉求（热线、网上渠道仅限热线中心受理员）"


# Actions only the unit holding the ticket may take (a unit-scoped user of the main unit).
MAIN_UNIT_ONLY = {"accept", "return", "request_extension", "reply", "ask_whistle"}


def unit_of(user) -> int | None:
    """The unit a person works for: their unit scope, or, for a grid worker scoped to a place,
    the unit of their current 网格员 post inside that place (the unit whose grid they walk)."""
    if user is None or not user.is_authenticated:
        return None
    if user.scope_unit_id:
        return user.scope_unit_id
    if not hasattr(user, "_unit_of"):
        found = None
        if user.person_id and user.scope_region_id and user.has_role(R.GRID_WORKER):
            found = (
                Post.objects.filter(
                    person_id=user.person_id,
                    kind=PostKind.GRID_WORKER,
                    ended_on__isnull=True,
                    unit__is_active=True,
                    unit__region__path__startswith=user.scope_region.path,
                )
                .order_by("pk")
                .values_list("unit_id", flat=True)
                .first()
            )
        user._unit_of = found
    return user._unit_of


def _ticket_rule(scope: Scope) -> Q:
    if scope.unit_id:
        # what the unit handles, co-handles or was whistled to, what its own people filed and
        # what was found in the grids its grid workers walk (patrol reports before dispatch)
        shared = TicketUnit.objects.filter(ticket=OuterRef("pk"), unit_id=scope.unit_id)
        walked = Post.objects.filter(
            unit_id=scope.unit_id, kind=PostKind.GRID_WORKER, grid__isnull=False
        ).values("grid_id")
        return (
            Q(main_unit_id=scope.unit_id)
            | Q(Exists(shared))
            | Q(created_by__scope_unit_id=scope.unit_id)
            | Q(grid_id__in=walked)
        )
    # ids of the subtree's places and units, as sub-selects: PostgreSQL hashes them once,
    # where two `path LIKE` joins over every ticket made it guess and loop (docs/benchmarks.md)
    places = Region.objects.filter(path__startswith=scope.path).values("id")
    units = Unit.objects.filter(region__path__startswith=scope.path).values("id")
    return Q(region_id__in=places) | Q(main_unit_id__in=units)


def _meeting_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(Ticket, _ticket_rule)
access.register(Meeting, _meeting_rule)


def _by_ticket(scope: Scope) -> Q:
    """Rows about one ticket (phone reads, resident tokens) sit where the ticket sits."""
    return Q(ticket__in=Ticket.objects.filter(_ticket_rule(scope)).values("pk"))


def _notification_rule(scope: Scope) -> Q:
    """A message sits with its ticket; one without a ticket sits with its unit. Messages of
    neither (none are written today) belong to the whole prefecture's administrators only."""
    units = Unit.objects.filter(access.scope_q(scope, Unit)).values("pk")
    return _by_ticket(scope) | Q(ticket__isnull=True, unit__in=units)


access.register(PhoneRead, _by_ticket)
access.register(ResidentToken, _by_ticket)
access.register(Notification, _notification_rule)


def theme_rule(scope: Scope) -> Q:
    """每月一题: a unit sees the themes it leads or co-handles; a region, those of its places."""
    if scope.unit_id:
        return Q(lead_unit_id=scope.unit_id) | Q(co_units=scope.unit_id)
    return Q(region__path__startswith=scope.path)


access.register(Theme, theme_rule)
access.register(ThemeEvent, lambda scope: Q(theme__in=Theme.objects.filter(theme_rule(scope))))
access.register(ThemeTicket, lambda scope: Q(theme__in=Theme.objects.filter(theme_rule(scope))))


def visible_tickets(user):
    return visible(user, Ticket)


def get_ticket_for_user(user, pk, queryset=None) -> Ticket:
    return get_for_user(user, queryset if queryset is not None else Ticket.objects.all(), pk=pk)


def may(user, action: str, ticket: Ticket | None = None) -> bool:
    """Whether `user`'s roles allow `action` (on `ticket`, which the caller found in scope)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.has_role(*ACTION_ROLES[action]):
        return False
    if action == "callback" and ticket is not None and user.scope_unit_id is not None:
        # the unit being measured never produces its own callback (满意率, 解决率)
        if (
            user.scope_unit_id == ticket.main_unit_id
            or TicketUnit.objects.filter(ticket=ticket, unit_id=user.scope_unit_id).exists()
        ):
            return False
    own = unit_of(user)
    if action in MAIN_UNIT_ONLY and ticket is not None:
        return own is not None and own == ticket.main_unit_id
    if action == "whistle_report" and ticket is not None:
        return own is not None
    if action == "whistle" and ticket is not None and not user.has_role(R.DISPATCHER):
        # the unit holding the ticket, or a township its community asked (提请吹哨)
        return own is not None and (
            own == ticket.main_unit_id
            or TicketUnit.objects.filter(
                ticket=ticket, unit_id=own, role=TicketUnit.Role.ASKED, reported_at__isnull=True
            ).exists()
        )
    if action == "close_on_spot":
        return own is not None
    return True


def check(user, action: str, ticket: Ticket | None = None) -> None:
    if not may(user, action, ticket):
        raise Forbidden("not_permitted", "您的角色无权执行此操作")
