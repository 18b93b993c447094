from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jiceng.core.errors import Forbidden
from jiceng.core.pagination import Page
from jiceng.core.text import mask_phone

from . import services
from .access import can_manage_master_data, get_for_user, visible
from .models import PartyOrg, Person, Unit, User

router = Router(tags=["组织与人员"])


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    scope_region: str | None
    scope_unit: int | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    type: str = Field(..., alias="type.name")
    category: str = Field(..., alias="type.category")
    region_code: str = Field(..., alias="region.code")
    region_name: str = Field(..., alias="region.name")
    phone: str
    address: str
    is_active: bool


class UnitPatch(Schema):
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    is_active: bool | None = None


class PostOut(Schema):
    kind: str
    place: str
    source: str


class PersonOut(Schema):
    id: int
    code: str
    name: str
    gender: str
    ethnicity: str
    phone: str
    is_party_member: bool
    region_code: str = Field(..., alias="region.code")
    posts: list[PostOut]

    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_posts(obj: Person) -> list[dict]:
        return [
            {"kind": p.kind, "place": str(p.party_org or p.unit or p.grid), "source": p.source}
            for p in obj.posts.all()
        ]


class PartyOrgOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    region_code: str | None
    unit_id: int | None

    @staticmethod
    def resolve_region_code(obj: PartyOrg) -> str | None:
        return obj.region.code if obj.region_id else None


class AccountOut(Schema):
    id: int
    username: str
    person: str | None
    roles: list[str]
    scope_region: str | None
    scope_unit: int | None
    is_active: bool

    @staticmethod
    def resolve_person(obj: User) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        return sorted(role.code for role in obj.roles.all())

    @staticmethod
    def resolve_scope_region(obj: User) -> str | None:
        return obj.scope_region.code if obj.scope_region_id else None

    @staticmethod
    def resolve_scope_unit(obj: User) -> int | None:
        return obj.scope_unit_id


@router.get("/me", response=MeOut, summary="当前账号")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "name": user.person.name if user.person_id else user.get_full_name(),
        "roles": sorted(user.role_codes()),
        "scope_region": user.scope_region.code if user.scope_region_id else None,
        "scope_unit": user.scope_unit_id,
    }


def _units(request):
    return visible(request.user, Unit.objects.select_related("type", "region"))


@router.get("/units", response=list[UnitOut], summary="承办单位（管辖范围内）")
@paginate(Page)
def list_units(request, region: str | None = None, category: str | None = None, q: str = ""):
    units = _units(request)
    if region:
        units = units.filter(region__path__contains=f"/{region}/")
    if category:
        units = units.filter(type__category=category)
    if q:
        units = units.filter(name__contains=q)
    return units


@router.get("/units/{unit_id}", response=UnitOut, summary="一个承办单位")
def get_unit(request, unit_id: int):
    return get_for_user(request.user, _units(request), pk=unit_id)


@router.patch("/units/{unit_id}", response=UnitOut, summary="修改承办单位")
def patch_unit(request, unit_id: int, payload: UnitPatch):
    services.update_unit(request.user, unit_id, **payload.dict(exclude_unset=True))
    return get_for_user(request.user, _units(request), pk=unit_id)


def _people(request):
    return visible(
        request.user,
        Person.objects.select_related("region").prefetch_related(
            "posts__unit", "posts__party_org", "posts__grid__region"
        ),
    )


@router.get("/people", response=list[PersonOut], summary="人员（管辖范围内）")
@paginate(Page)
def list_people(request, q: str = "", post: str | None = None):
    people = _people(request)
    if q:
        people = people.filter(name__contains=q)
    if post:
        people = people.filter(posts__kind=post).distinct()
    return people


@router.get("/people/{person_id}", response=PersonOut, summary="一个人员")
def get_person(request, person_id: int):
    return get_for_user(request.user, _people(request), pk=person_id)


@router.get("/party-orgs", response=list[PartyOrgOut], summary="党组织（管辖范围内）")
@paginate(Page)
def list_party_orgs(request, kind: str | None = None):
    orgs = visible(request.user, PartyOrg.objects.select_related("region"))
    if kind:
        orgs = orgs.filter(kind=kind)
    return orgs


def _accounts(request):
    if not can_manage_master_data(request.user):
        raise Forbidden("not_permitted", "只有管理员可以查看账号", status=403)
    return visible(
        request.user,
        User.objects.select_related("person", "scope_region").prefetch_related("roles"),
    )


@router.get("/accounts", response=list[AccountOut], summary="账号（管辖范围内）")
@paginate(Page)
def list_accounts(request):
    return _accounts(request).order_by("username")


@router.get("/accounts/{account_id}", response=AccountOut, summary="一个账号")
def get_account(request, account_id: int):
    return get_for_user(request.user, _accounts(request), pk=account_id)
