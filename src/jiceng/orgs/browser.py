from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jiceng.regions.models import Grid, Region

from . import access
from .models import PartyOrg, Person, Unit


@login_required
def region_root(request):
    """The top of what the user may browse: their scope's region, or their unit."""
    user = request.user
    if user.scope_unit_id:
        return redirect("unit-detail", unit_id=user.scope_unit_id)
    top = access.visible(user, Region).order_by("path").first()
    if top is None:
        return render(request, "regions/empty.html", status=200)
    return redirect("region-detail", code=top.code)


@login_required
def region_detail(request, code: str):
    user = request.user
    region = access.get_for_user(user, Region.objects.select_related("parent"), code=code)
    ancestors = access.visible(user, Region.objects.filter(code__in=region.ancestor_codes()))
    ancestors = ancestors.order_by("path")
    context = {
        "region": region,
        "ancestors": ancestors,
        "children": access.visible(user, region.children.all()),
        "units": access.visible(user, Unit.objects.filter(region=region).select_related("type")),
        "party_orgs": access.visible(user, PartyOrg.objects.filter(region=region)),
        "grids": access.visible(user, Grid.objects.filter(region=region)),
        "people": access.visible(user, Person.objects.filter(region=region))
        .prefetch_related("posts")
        .distinct()[:200],
    }
    return render(request, "regions/region_detail.html", context)


@login_required
def unit_detail(request, unit_id: int):
    user = request.user
    unit = access.get_for_user(user, Unit.objects.select_related("type", "region"), pk=unit_id)
    posts = access.visible(user, unit.posts.select_related("person")).order_by(
        "kind", "person__name"
    )
    context = {
        "unit": unit,
        "region_visible": access.is_visible(user, unit.region),
        "posts": posts,
        "party_orgs": access.visible(user, unit.party_orgs.all()),
    }
    return render(request, "regions/unit_detail.html", context)
