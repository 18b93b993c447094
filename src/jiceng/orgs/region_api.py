from ninja import Router, Schema
from ninja.pagination import paginate

from jiceng.core.pagination import Page
from jiceng.regions.models import Grid, Region

from .access import get_for_user, visible

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    full_name: str

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent.code if obj.parent_id else None


class GridOut(Schema):
    id: int
    code: str
    name: str
    region_code: str
    households: int | None

    @staticmethod
    def resolve_region_code(obj: Grid) -> str:
        return obj.region.code


@router.get("", response=list[RegionOut], summary="区划列表（管辖范围内）")
@paginate(Page)
def list_regions(request, parent: str | None = None, level: str | None = None, q: str = ""):
    regions = visible(request.user, Region.objects.select_related("parent"))
    if parent:
        regions = regions.filter(parent__code=parent)
    if level:
        regions = regions.filter(level=level)
    if q:
        regions = regions.filter(name__contains=q)
    return regions


@router.get("/{code}", response=RegionOut, summary="一个区划")
def get_region(request, code: str):
    return get_for_user(request.user, Region.objects.select_related("parent"), code=code)


@router.get("/{code}/grids", response=list[GridOut], summary="区划内的网格")
@paginate(Page)
def list_grids(request, code: str):
    region = get_for_user(request.user, Region, code=code)
    return visible(request.user, Grid.objects.select_related("region")).filter(
        region__path__startswith=region.path
    )
