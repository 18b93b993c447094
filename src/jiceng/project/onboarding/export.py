"""The onboarding workbook filled with what the database holds (in the exporter's scope): the
same sheets and columns, so that export → apply elsewhere gives the same records, and the
empty template with drop-downs of what this database knows."""

from pathlib import Path

from jiceng.dispatch.models import RoutingRule
from jiceng.orgs import access
from jiceng.orgs.models import PartyOrg, Person, Post, Role, Unit, UnitType, User, WhistleRule
from jiceng.regions.models import Grid, Region

from . import book


def _visible(actor, model):
    return model.objects.all() if actor is None else access.visible(actor, model)


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _date(value) -> str:
    return value.isoformat() if value else ""


def rows(actor=None) -> dict[str, list[dict]]:
    units = _visible(actor, Unit).select_related("type", "region").order_by("code")
    orgs = _visible(actor, PartyOrg).select_related("parent", "region", "unit").order_by("code")
    people = _visible(actor, Person).select_related("region").order_by("code")
    grids = _visible(actor, Grid).select_related("region").order_by("code")
    posts = (
        _visible(actor, Post)
        .select_related("person", "unit", "party_org", "grid")
        .order_by("person__code", "kind", "pk")
    )
    users = (
        _visible(actor, User)
        .filter(is_superuser=False)
        .select_related("person", "scope_region", "scope_unit")
        .prefetch_related("roles")
        .order_by("username")
    )
    regions = _visible(actor, Region).exclude(name_ug="", name_kk="").order_by("code")
    scope = access.scope_of(actor) if actor is not None else None
    path = None if scope is None or scope.everything else scope.path
    rules = RoutingRule.objects.select_related("category", "region", "unit_type", "unit")
    if path is not None:
        rules = rules.filter(region__path__startswith=path)
    prefecture_wide = path is None or path.count("/") <= 3
    return {
        "单位": [
            {
                "code": u.code,
                "name": u.name,
                "type": u.type.name,
                "region": u.region.code,
                "phone": u.phone,
                "address": u.address,
                "name_ug": u.name_ug,
                "name_kk": u.name_kk,
                "active": _yes(u.is_active),
            }
            for u in units
        ],
        "党组织": [
            {
                "code": o.code,
                "name": o.name,
                "kind": o.kind,
                "parent": o.parent.code if o.parent_id else "",
                "region": o.region.code if o.region_id else "",
                "unit": o.unit.code if o.unit_id else "",
                "founded_on": _date(o.founded_on),
                "active": _yes(o.is_active),
            }
            for o in orgs
        ],
        "人员": [
            {
                "code": p.code,
                "name": p.name,
                "gender": p.gender,
                "ethnicity": p.ethnicity,
                "birth_year": p.birth_year or "",
                "phone": p.phone,
                "party": _yes(p.is_party_member),
                "region": p.region.code,
            }
            for p in people
        ],
        "任职": [
            {
                "person": p.person.code,
                "kind": p.kind,
                "unit": p.unit.code if p.unit_id else "",
                "party_org": p.party_org.code if p.party_org_id else "",
                "grid": p.grid.code if p.grid_id else "",
                "source": p.source,
                "started_on": _date(p.started_on),
                "term_ends_on": _date(p.term_ends_on),
                "ended_on": _date(p.ended_on),
            }
            for p in posts
        ],
        "网格": [
            {
                "code": g.code,
                "name": g.name,
                "region": g.region.code,
                "description": g.description,
                "households": g.households if g.households is not None else "",
                "active": _yes(g.is_active),
            }
            for g in grids
        ],
        "账号": [
            {
                "username": u.username,
                "person": u.person.code if u.person_id else "",
                "roles": "、".join(sorted(r.name for r in u.roles.all())),
                "region": u.scope_region.code if u.scope_region_id else "",
                "unit": u.scope_unit.code if u.scope_unit_id else "",
                "active": _yes(u.is_active),
                "delivery": "",
                "bilingual": _yes(u.bilingual),
            }
            for u in users
        ],
        "派单规则": [
            {
                "category": r.category.code,
                "region": r.region.code if r.region_id else "",
                "keywords": r.keywords,
                "unit_type": r.unit_type.name if r.unit_type_id else "",
                "unit": r.unit.code if r.unit_id else "",
                "note": r.note,
            }
            for r in rules.order_by("category__code", "region__code", "keywords")
        ],
        "吹哨规则": [
            {
                "caller": w.get_caller_display(),
                "called": w.get_called_display(),
                "mode": w.get_mode_display(),
                "reach": w.get_reach_display(),
                "active": _yes(w.is_active),
            }
            for w in (WhistleRule.objects.all() if prefecture_wide else [])
        ],
        "区划名称": [
            {"code": r.code, "name": r.name, "name_ug": r.name_ug, "name_kk": r.name_kk}
            for r in regions
        ],
    }


def choices(actor=None) -> dict:
    """The drop-downs only the database knows: unit types, roles, the region codes in scope."""
    regions = list(
        _visible(actor, Region)
        .filter(level__in=["county", "township", "village"])
        .order_by("code")
        .values_list("code", flat=True)
    )
    villages = list(
        _visible(actor, Region)
        .filter(level="village")
        .order_by("code")
        .values_list("code", flat=True)
    )
    types = [t.name for t in UnitType.objects.order_by("sort", "code")]
    return {
        ("单位", "type"): types,
        ("单位", "region"): regions,
        ("人员", "region"): regions,
        ("党组织", "region"): regions,
        ("网格", "region"): villages,
        ("账号", "region"): regions,
        ("派单规则", "unit_type"): types,
        ("派单规则", "region"): regions,
        ("账号", "roles"): [r.name for r in Role.objects.order_by("name")],
    }


def export(path: Path | str, actor=None) -> dict[str, int]:
    data = rows(actor)
    book.write(path, data, choices(actor))
    return {name: len(items) for name, items in data.items()}


def template(path: Path | str, actor=None) -> None:
    book.write(path, None, choices(actor))
