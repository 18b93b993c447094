"""The routing table at work: category and place → the handling unit, with the reason."""

from dataclasses import dataclass

from jiceng.orgs.models import Unit
from jiceng.regions.models import Region
from jiceng.tickets.models import Category

from . import cache
from .models import RoutingRule

LOCAL = ("community", "village")


@dataclass
class Route:
    unit: Unit | None
    reason: str
    rule: RoutingRule | None = None


def rule_for(category: Category, region: Region, text: str = "") -> RoutingRule | None:
    """The most specific rule: the deepest category of the lineage, then one whose keywords
    the text uses, then the deepest place (a rule for the place itself beats one for its
    county, which beats a general one). A rule with keywords applies only when the text
    uses one of them."""
    lineage = category.lineage()
    depth = {c.pk: c.level for c in lineage}
    places = set(region.ancestor_codes())
    rules = [
        r
        for c in lineage
        for r in _table().get(c.pk, [])
        if (r.region_id is None or r.region.code in places)
        and (not r.keywords or any(w in text for w in r.words()))
    ]
    return max(
        rules,
        key=lambda r: (
            depth[r.category_id],
            bool(r.keywords),
            len(r.region.path) if r.region_id else 0,
        ),
        default=None,
    )


def _table() -> dict[int, list[RoutingRule]]:
    """The whole routing table by category (a few hundred rows at most), cached briefly."""

    def load():
        table: dict[int, list[RoutingRule]] = {}
        for rule in RoutingRule.objects.select_related("category", "region", "unit", "unit_type"):
            table.setdefault(rule.category_id, []).append(rule)
        return table

    return cache.get("routing", load)


def nearest(region: Region, *, type_id=None, categories=None) -> Unit | None:
    """The active unit of a type (or of unit-type categories) nearest the place, going up."""
    units = _units()
    for code in reversed(region.ancestor_codes()):  # the place first
        for unit in units.get(code, ()):
            if (type_id and unit.type_id == type_id) or (
                not type_id and unit.type.category in categories
            ):
                return unit
    return None


def _units() -> dict[str, list[Unit]]:
    """Active units by the code of their region, oldest first (cached briefly; a county has
    a few hundred)."""

    def load():
        table: dict[str, list[Unit]] = {}
        for unit in (
            Unit.objects.filter(is_active=True).select_related("region", "type").order_by("id")
        ):
            table.setdefault(unit.region.code, []).append(unit)
        return table

    return cache.get("units", load)


def route(category: Category | None, region: Region, text: str = "") -> Route:
    rule = rule_for(category, region, text) if category is not None else None
    if rule is not None and rule.unit_id:
        unit = rule.unit if rule.unit.is_active else None
        return Route(unit, f"派单规则：{_name(rule)} → {rule.unit.name}", rule)
    if rule is not None and rule.unit_type_id:
        unit = nearest(region, type_id=rule.unit_type_id)
        if unit is not None:
            return Route(unit, f"派单规则：{_name(rule)} → 所在地{rule.unit_type.name}", rule)
        local = nearest(region, categories=LOCAL)
        reason = f"所在地没有{rule.unit_type.name}，先派所在村（社区）"
        return Route(local, reason if local else f"所在地没有{rule.unit_type.name}", rule)
    unit = nearest(region, categories=LOCAL)
    if rule is not None:
        return Route(unit, f"派单规则：{_name(rule)} → 所在村（社区）", rule)
    return Route(unit, "没有对应的派单规则，先派所在村（社区）" if unit else "没有对应的派单规则")


def _name(rule: RoutingRule) -> str:
    if rule.keywords:
        return f"{rule.category.full_name}（含“{'/'.join(rule.words())}”）"
    return rule.category.full_name
