from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from jiceng.orgs import access
from jiceng.orgs.models import Person, Unit
from jiceng.regions.models import Grid, Region


def home(request):
    """The public front page; signed in, the user's workbench with what their scope holds."""
    context = {}
    user = request.user
    if user.is_authenticated:
        context["roles"] = list(user.roles.all())
        context["counts"] = {
            "区划": access.visible(user, Region).count(),
            "网格": access.visible(user, Grid).count(),
            "承办单位": access.visible(user, Unit).count(),
            "人员": access.visible(user, Person).distinct().count(),
        }
        context["top_regions"] = _top_regions(user)
        context["can_manage"] = access.can_manage_master_data(user)
    return render(request, "core/home.html", context)


def _top_regions(user):
    if user.scope_unit_id:
        return []
    if user.scope_region_id:
        return [user.scope_region]
    return list(Region.objects.filter(parent__isnull=True))


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    return HttpResponse(
        render(request, "404.html", {}).content, status=404, content_type="text/html; charset=utf-8"
    )
