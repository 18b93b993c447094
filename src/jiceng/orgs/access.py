"""The one place that decides what a user may see and change.

A user's scope is a region subtree or one unit (PRODUCT.md, "Who uses it"). Every view, API
endpoint and admin page asks here, through `visible()` or `get_for_user()`. Out of scope is
"not found" (404), never "forbidden", so that existence does not leak.

Apps register how a model sits in the tree with `register(Model, rule)`: a rule turns a
`Scope` into a `Q` over that model.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from jiceng.regions.models import Grid, PlaceAlias, Region

from .models import ApiToken, PartyOrg, Person, Post, RoleCode, Unit, User

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """What a user's scope covers. `path` is a region subtree; `unit_id` narrows to one unit."""

    everything: bool = False
    path: str | None = None
    unit_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.everything and self.path is None


def scope_of(user) -> Scope:
    if not user or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    if user.scope_unit_id:
        unit = user.scope_unit
        return Scope(path=unit.region.path, unit_id=unit.pk)
    if user.scope_region_id:
        return Scope(path=user.scope_region.path)
    return Scope()


Rule = Callable[[Scope], Q]
_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], rule: Rule) -> None:
    _RULES[model] = rule


def is_scoped(model: type[Model]) -> bool:
    """Whether rows of `model` belong to places in the tree (and so to scopes)."""
    return model in _RULES


def scope_q(scope: Scope, model: type[Model]) -> Q:
    if scope.everything:
        return Q()
    if scope.empty:
        return NOTHING
    return _RULES[model](scope)


def visible(user, queryset: QuerySet | type[Model]) -> QuerySet:
    """The part of `queryset` inside the user's scope."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    return queryset.filter(scope_q(scope_of(user), queryset.model))


def get_for_user(user, queryset: QuerySet | type[Model], **lookup) -> Model:
    """One object inside the user's scope, or Http404 whether it exists elsewhere or not."""
    try:
        return visible(user, queryset).get(**lookup)
    except (queryset.model if isinstance(queryset, QuerySet) else queryset).DoesNotExist:
        raise Http404("不存在或无权查看") from None
    except (ValueError, TypeError):
        raise Http404("不存在或无权查看") from None


def is_visible(user, obj: Model) -> bool:
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def can_manage_master_data(user) -> bool:
    """Administrators maintain regions, units, people and accounts, inside their scope."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_role(RoleCode.ADMIN)


# Roles that decide who measures and who administers: granted only from a wider scope, so a
# county administrator cannot make a second assessor of its own county (to get around the
# separation of duties) or another administrator beside itself.
GUARDED_ROLES = frozenset({RoleCode.ADMIN, RoleCode.ASSESSOR})


def _scope_path(scope_region, scope_unit) -> str | None:
    if scope_unit is not None:
        return scope_unit.region.path
    if scope_region is not None:
        return scope_region.path
    return None


def account_change_problems(actor, target, roles: set[str], scope_region, scope_unit) -> list:
    """Why `actor` may not give the account `target` (None: a new one) these roles and this
    scope, in words; [] when it may. No account changes its own roles or scope; 管理员 and
    考评员 are granted only by an administrator whose scope is wider than the account's."""
    if actor is None or actor.is_superuser:
        return []
    problems = []
    before = set(target.role_codes()) if target is not None else set()
    if target is not None and target.pk == actor.pk:
        if roles != before:
            problems.append("不能修改自己账号的角色：请由上级管理员修改")
        if (scope_region, scope_unit) != (target.scope_region, target.scope_unit):
            problems.append("不能修改自己账号的管辖范围：请由上级管理员修改")
    granted = (roles - before) & GUARDED_ROLES
    if granted:
        mine = scope_of(actor)
        path = _scope_path(scope_region, scope_unit)
        wider = (
            mine.unit_id is None
            and mine.path is not None
            and path is not None
            and path.startswith(mine.path)
            and (scope_unit is not None or path != mine.path)
        )
        if not wider:
            names = "、".join(RoleCode(code).label for code in sorted(granted))
            problems.append(
                f"{names}角色须由管辖范围更大的管理员授予：您不能授予与您同级或更高范围的账号"
            )
    return problems


def can_manage_evaluation(user) -> bool:
    """Assessors (考评员) maintain indicators, schemes and periods, inside their scope."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_role(RoleCode.ASSESSOR)


def can_enter_admin(user) -> bool:
    return can_manage_master_data(user) or can_manage_evaluation(user)


def can_manage_catalogs(user) -> bool:
    """Prefecture-wide tables (unit types, categories, deadlines) belong to administrators
    whose scope is the whole prefecture."""
    if not can_manage_master_data(user):
        return False
    if user.is_superuser:
        return True
    region = user.scope_region
    return region is not None and region.level in ("province", "prefecture")


def region_in_scope(user, region: Region | None) -> bool:
    """Whether `region` lies in the user's region subtree (a unit scope: its unit's area)."""
    if region is None or not region.path:
        return False
    scope = scope_of(user)
    return scope.everything or (scope.path is not None and region.path.startswith(scope.path))


# How each master-data model sits in the tree. A unit scope sees its own unit, what is tied
# to that unit, and the map (regions and grids) of the unit's area.


def _region_rule(scope: Scope) -> Q:
    return Q(path__startswith=scope.path)


def _grid_rule(scope: Scope) -> Q:
    return Q(region__path__startswith=scope.path)


def _unit_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(pk=scope.unit_id)
    return Q(region__path__startswith=scope.path)


def _party_org_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(unit_id=scope.unit_id)
    return Q(region__path__startswith=scope.path) | Q(unit__region__path__startswith=scope.path)


def _post_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(unit_id=scope.unit_id) | Q(party_org__unit_id=scope.unit_id)
    return (
        Q(unit__region__path__startswith=scope.path)
        | Q(party_org__region__path__startswith=scope.path)
        | Q(party_org__unit__region__path__startswith=scope.path)
        | Q(grid__region__path__startswith=scope.path)
    )


def _person_rule(scope: Scope) -> Q:
    posts = Post.objects.filter(_post_rule(scope), person=OuterRef("pk"))
    if scope.unit_id:
        return Q(Exists(posts))
    return Q(region__path__startswith=scope.path) | Q(Exists(posts))


def _user_rule(scope: Scope) -> Q:
    if scope.unit_id:
        return Q(scope_unit_id=scope.unit_id)
    return Q(scope_region__path__startswith=scope.path) | Q(
        scope_unit__region__path__startswith=scope.path
    )


register(Region, _region_rule)
register(PlaceAlias, lambda scope: Q(region__path__startswith=scope.path))
register(Grid, _grid_rule)
register(Unit, _unit_rule)
register(PartyOrg, _party_org_rule)
register(Post, _post_rule)
register(Person, _person_rule)
register(User, _user_rule)


def _token_rule(scope: Scope) -> Q:
    """An API token sits with its account."""
    return Q(user__in=User.objects.filter(_user_rule(scope)).values("pk"))


register(ApiToken, _token_rule)
