"""Where evaluation records sit in the tree (for `orgs.access`), and who may take each step of
each workflow (`WHO`, checked by `check` for every step)."""

from django.db.models import Q
from django.http import Http404

from jiceng.core.errors import Forbidden
from jiceng.orgs import access
from jiceng.orgs.access import Scope
from jiceng.orgs.models import RoleCode
from jiceng.regions.models import Region

from . import flows
from .models import (
    AssessmentPeriod,
    Campaign,
    Diagnosis,
    OrgMeeting,
    Rectification,
    ReservePerson,
    Scheme,
    Selection,
    TrainingRecord,
)


def _campaign_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(Campaign, _campaign_rule)


def _period_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    # a period is visible to scopes inside its scheme's region, and to scopes above it
    return Q(scheme__region__path__startswith=scope.path) | Q(
        scheme__region__path__in=_ancestors_of(scope.path)
    )


def _ancestors_of(path: str) -> list[str]:
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]


access.register(AssessmentPeriod, _period_rule)


def _scheme_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(Scheme, _scheme_rule)


def _diagnosis_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(party_org__unit_id=scope.unit_id)
    return Q(party_org__region__path__startswith=scope.path) | Q(
        party_org__unit__region__path__startswith=scope.path
    )


access.register(Diagnosis, _diagnosis_rule)
access.register(OrgMeeting, _diagnosis_rule)  # the same place as its organization


def _rectification_rule(scope: Scope) -> Q:
    """A 整改 item sits with its organization; its responsible person sees it too (through
    `responsible_items`)."""
    if scope.unit_id:
        return Q(diagnosis__party_org__unit_id=scope.unit_id)
    return Q(diagnosis__party_org__region__path__startswith=scope.path) | Q(
        diagnosis__party_org__unit__region__path__startswith=scope.path
    )


access.register(Rectification, _rectification_rule)


def _reserve_rule(scope: Scope) -> Q:
    """A reserve entry sits with the village it is kept for."""
    if scope.unit_id:
        return Q(pk__in=[])
    return Q(region__path__startswith=scope.path)


access.register(ReservePerson, _reserve_rule)


def _selection_rule(scope: Scope) -> Q:
    """A selection is seen inside its region and by everyone below it (who may vote in it)."""
    return Q(region__path__startswith=scope.path) | Q(region__path__in=_ancestors_of(scope.path))


access.register(Selection, _selection_rule)


def _training_rule(scope: Scope) -> Q:
    """A training record sits with its person."""
    from jiceng.orgs.models import Person

    return Q(person__in=Person.objects.filter(access.scope_q(scope, Person)).values("pk"))


access.register(TrainingRecord, _training_rule)


# --- who may take each step of each workflow (flows.py) ---------------------------------------

# Besides the roles of `RoleCode`: anyone at all, even without an account (an objection during
# the 公示, a survey ballot with its code); any active account whose scope lies inside the
# selection's region (a voter); and any account concerned, inside the region or above it (who
# may nominate). Everyone else needs one of the roles, and the object inside their scope.
PUBLIC = "public"
VOTER = "voter"
MEMBER = "member"
# the person named responsible for a 整改 item, through their own account
RESPONSIBLE = "responsible"

_ASSESSOR = frozenset({RoleCode.ASSESSOR.value})
_ASSESSOR_OR_ADMIN = frozenset({RoleCode.ASSESSOR.value, RoleCode.ADMIN.value})

WHO: dict[tuple[str, str], frozenset[str]] = {
    **{("period", step): _ASSESSOR for step in flows.PERIOD.steps},
    ("selection", "create"): _ASSESSOR,
    ("selection", "nominate"): frozenset({MEMBER}),
    ("selection", "close_nominations"): _ASSESSOR,
    ("selection", "review_nominee"): _ASSESSOR,
    ("selection", "open_voting"): _ASSESSOR,
    ("selection", "vote"): frozenset({VOTER}),
    ("selection", "close_voting"): _ASSESSOR,
    ("selection", "open_runoff"): _ASSESSOR,
    ("selection", "close_runoff"): _ASSESSOR,
    ("selection", "decide_tie"): _ASSESSOR,
    ("selection", "object"): frozenset({PUBLIC}),
    ("selection", "resolve"): _ASSESSOR,
    ("selection", "announce"): _ASSESSOR,
    ("campaign", "create"): _ASSESSOR_OR_ADMIN,
    ("campaign", "issue_codes"): _ASSESSOR_OR_ADMIN,
    ("campaign", "open"): _ASSESSOR_OR_ADMIN,
    ("campaign", "close"): _ASSESSOR_OR_ADMIN,
    ("campaign", "ballot"): frozenset({PUBLIC}),
    ("diagnosis", "record"): _ASSESSOR,
    ("diagnosis", "complete"): _ASSESSOR,
    ("rectification", "assign"): _ASSESSOR_OR_ADMIN,
    ("rectification", "report"): frozenset(
        {RoleCode.ASSESSOR.value, RoleCode.ADMIN.value, RESPONSIBLE}
    ),
    ("rectification", "verify"): _ASSESSOR,
    ("rectification", "send_back"): _ASSESSOR,
    ("reserve", "add"): _ASSESSOR_OR_ADMIN,
    ("reserve", "remove"): _ASSESSOR_OR_ADMIN,
    ("meeting", "record"): _ASSESSOR_OR_ADMIN,
}


def place_of(obj) -> Region:
    """The region an evaluation record belongs to, for the scope check of its steps."""
    if isinstance(obj, AssessmentPeriod):
        return obj.scheme.region
    return obj.region


def _role_names(roles) -> str:
    names = [RoleCode(r).label for r in sorted(roles) if r in RoleCode.values]
    if RESPONSIBLE in roles:
        names.append("责任人")
    return "或".join(names)


def check(actor, flow: str, step: str, obj, place: Region | None = None) -> None:
    """Refuse the step unless `actor` may take it on `obj`: 404 when the object is outside the
    actor's scope (its existence is not confirmed), 403 when the role is missing. Every step
    but the public ones names its actor: nobody is exempt, the command line included."""
    who = WHO[(flow, step)]
    if PUBLIC in who:
        return
    label = flows.FLOWS[flow].steps[step].label
    if actor is None or not actor.is_authenticated:
        raise Forbidden("actor_required", f"{label}须由具名账号操作（命令行请用 --user 指定）")
    place = place or place_of(obj)
    if VOTER in who:
        if not is_member(actor, place):
            raise Forbidden("not_eligible", "您不在本次评选的投票范围内")
        return
    if MEMBER in who:
        if not (is_member(actor, place) or access.region_in_scope(actor, place)):
            raise Http404("不存在或无权查看")
        return
    if RESPONSIBLE in who and getattr(obj, "responsible_id", None) is not None:
        if actor.person_id == obj.responsible_id:
            return
    if not access.region_in_scope(actor, place):
        raise Http404("不存在或无权查看")
    if not (actor.is_superuser or actor.has_role(*who)):
        raise Forbidden("not_permitted", f"只有{_role_names(who)}可以{label}")


# --- separation of duties -------------------------------------------------------------------


def computed_by(period) -> int | None:
    """The account that computed the period's current results."""
    from .models import EvaluationEvent

    return (
        EvaluationEvent.objects.filter(flow="period", object_id=period.pk, action="compute")
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def held_apart(actor, period) -> bool:
    """Separation of duties (a scheme setting, on by default): whoever computed the period's
    results cannot review or publish them. The reviewer may publish."""
    return bool(
        period.scheme.separate_duties
        and actor is not None
        and actor.pk is not None
        and computed_by(period) == actor.pk
    )


def check_duties(actor, flow: str, step: str, obj) -> None:
    """The separation-of-duties rules, after `check` allowed the step: a period's results are
    reviewed and published by another assessor than the one who computed them, and a 整改
    item is verified by another than the one who reported it."""
    if flow == "period" and step in ("review", "publish") and held_apart(actor, obj):
        raise Forbidden(
            "separation_of_duties",
            f"本期结果由您计算，须由另一名考评员{flows.PERIOD.steps[step].label}（职责分离）",
        )
    if flow == "rectification" and step == "verify" and obj.reported_by_id == actor.pk:
        raise Forbidden("separation_of_duties", "整改由您报完成，须由另一名考评员核验")


def may_manage_reserve(user) -> bool:
    """Who is offered the reserve's add and remove (`WHO`; each entry's place is checked by
    the service)."""
    roles = WHO[("reserve", "add")]
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*roles)))


def may(actor, flow: str, step: str, obj) -> bool:
    try:
        check(actor, flow, step, obj)
    except (Forbidden, Http404):
        return False
    return True


def is_member(user, region: Region) -> bool:
    """An active account whose scope lies inside `region` (a prefecture-wide account is not a
    member of a village's selection)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    scope = access.scope_of(user)
    return not scope.everything and scope.path is not None and scope.path.startswith(region.path)


def may_read_evaluation(user) -> bool:
    """Assessors, leaders and administrators read the evaluation's figures of their scope."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.has_role(RoleCode.ASSESSOR, RoleCode.LEADER, RoleCode.ADMIN))
    )
