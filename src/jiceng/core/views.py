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
    """Machine-readable health: `status` is "ok" unless a part is down ("error"); a part that
    works but needs a person ("warn") says so in its own entry."""
    report = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = {"status": "ok"}
    except Exception as exc:  # the probe must answer even when the database does not
        report["status"] = "error"
        report["database"] = {"status": "error", "error": exc.__class__.__name__}
        return JsonResponse(report, status=503)
    report["calendar"] = _calendar_health()
    return JsonResponse(report)


def _calendar_health(days: int = 60) -> dict:
    """How much of the next `days` days the official holiday arrangement covers."""
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.tickets.deadlines import load_calendar
    from jiceng.tickets.services.calendar import missing_years

    calendar = load_calendar()
    today = timezone.localdate()
    ahead = [today + timedelta(days=i) for i in range(days)]
    provisional = [day for day in ahead if calendar.is_provisional(day)]
    missing = missing_years(today=today)
    return {
        "status": "warn" if provisional or missing else "ok",
        "days_ahead": days,
        "provisional_days": len(provisional),
        "first_provisional_day": provisional[0].isoformat() if provisional else None,
        "missing_years": missing,
    }


def not_found(request, exception=None):
    return HttpResponse(
        render(request, "404.html", {}).content, status=404, content_type="text/html; charset=utf-8"
    )


def rate_limited(request, exception=None):
    """Over a rate limit (django-ratelimit): 429, in Chinese, as JSON for the API."""
    message = "操作过于频繁，请稍后再试。"
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "rate_limited", "message": message}, status=429)
    return render(request, "429.html", {"message": message}, status=429)


def locked_out(request, credentials=None, *args, **kwargs):
    """Too many wrong passwords (django-axes): 429, in Chinese."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = f"密码错误次数过多，该账号或本机的登录已暂停 {minutes} 分钟，请稍后再试或联系管理员。"
    return render(request, "429.html", {"message": message}, status=429)
