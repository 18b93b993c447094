"""Whom a unit may call in (吹哨) or ask its township to call in (提请吹哨), by the rules an
administrator keeps in `WhistleRule`."""

from django.db.models import Q, QuerySet

from jiceng.regions.models import Level, Region

from .models import Unit, WhistleRule

REACH_LEVEL = {
    WhistleRule.Reach.TOWNSHIP: Level.TOWNSHIP,
    WhistleRule.Reach.COUNTY: Level.COUNTY,
    WhistleRule.Reach.PREFECTURE: Level.PREFECTURE,
}


def _ancestor_path(region: Region, level: str) -> str | None:
    """The path of `region`'s ancestor (or itself) at `level`, if it has one."""
    codes = [c for c in region.path.split("/") if c]
    prefixes = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return (
        Region.objects.filter(path__in=prefixes, level=level).values_list("path", flat=True).first()
    )


def targets(unit: Unit | None, mode: str) -> QuerySet[Unit]:
    """The active units `unit` may whistle (`mode="call"`) or ask to whistle (`"ask"`)."""
    if unit is None:
        return Unit.objects.none()
    rules = WhistleRule.objects.filter(caller=unit.type.category, mode=mode, is_active=True)
    where = Q(pk__in=[])
    for rule in rules:
        path = _ancestor_path(unit.region, REACH_LEVEL[rule.reach])
        if path:
            where |= Q(type__category=rule.called, region__path__startswith=path)
    return (
        Unit.objects.filter(where, is_active=True)
        .exclude(pk=unit.pk)
        .select_related("type", "region")
        .order_by("type__sort", "name")
    )
