from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from jiceng.orgs import access
from jiceng.orgs.models import Person, Unit
from jiceng.regions.models import Grid, Region


def home(request):
    """The public front page; signed in, the day's work: each of the user's queues with its
    count, linking to it (待派单, 双语受理, 待接单, 今日到期, 已超时, 退单待审, 回访待办,
    我的网格 …), their unread messages and their open 整改 items. A grid worker lands on 我的网格.
    What the scope holds (regions, units, people) is for administrators only."""
    from jiceng.orgs.models import RoleCode
    from jiceng.tickets.workbench import work_today

    context = {}
    user = request.user
    if user.is_authenticated:
        roles = user.role_codes()
        if roles == {RoleCode.GRID_WORKER} and not user.is_superuser:
            return redirect(f"{reverse('work-tickets')}?view=grid")
        context["roles"] = list(user.roles.all())
        context["work"] = work_today(user)
        context["rectifications"] = _open_rectifications(user)
        context["can_manage"] = access.can_manage_master_data(user)
        if context["can_manage"]:
            context["counts"] = {
                "区划": access.visible(user, Region).count(),
                "网格": access.visible(user, Grid).count(),
                "承办单位": access.visible(user, Unit).count(),
                "人员": access.visible(user, Person).distinct().count(),
            }
            context["outbox"] = _notification_health()
        context["top_regions"] = _top_regions(user)
    return render(request, "core/home.html", context)


def _open_rectifications(user) -> int:
    """整改 items the user is responsible for and has not reported done (我的整改)."""
    if not user.person_id:
        return 0
    from jiceng.evaluation.models import Rectification

    return Rectification.objects.filter(
        responsible_id=user.person_id, state=Rectification.State.OPEN
    ).count()


def _top_regions(user):
    if user.scope_unit_id:
        return []
    if user.scope_region_id:
        return [user.scope_region]
    return list(Region.objects.filter(parent__isnull=True))


def healthz(request):
    """Machine-readable health: `status` is "ok" unless a part is down ("error"); a part that
    works but needs a person ("warn") says so in its own entry, shown only to this machine and
    to a monitor with `HEALTHZ_TOKEN` (`_may_read_health`)."""
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
    report["model"] = _model_health()
    report["notifications"] = _notification_health()
    report["sweep"] = _sweep_health()
    report["follow_up"] = _follow_up_health()
    report["bilingual"] = _bilingual_health()
    report["disk"] = _disk_health()
    report["backup"] = _backup_health()
    if not _may_read_health(request):
        return JsonResponse({"status": report["status"]})
    return JsonResponse(report)


def _may_read_health(request) -> bool:
    """The parts of /healthz (queue sizes, free disk, the last backup) are for the machine's
    own probes and for a monitor holding `HEALTHZ_TOKEN`; anyone else reads only `status`.
    The address is the client's, through the proxy's header (core.limits.client_ip)."""
    import hmac
    import ipaddress

    from jiceng.core.limits import client_ip

    token = getattr(settings, "HEALTHZ_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


def _backup_health(stale_hours: int = 36) -> dict:
    """The newest archive `jiceng backup` left in BACKUP_DIR, and its age."""
    from datetime import datetime
    from pathlib import Path

    from jiceng.project.backup import PREFIX, SUFFIX

    folder = Path(settings.BACKUP_DIR)
    archives = sorted(folder.glob(f"{PREFIX}*{SUFFIX}")) if folder.is_dir() else []
    if not archives:
        return {"status": "warn", "last": None, "error": "no backup in BACKUP_DIR"}
    newest = archives[-1]
    made = datetime.fromtimestamp(newest.stat().st_mtime).astimezone()
    hours = (datetime.now().astimezone() - made).total_seconds() / 3600
    return {
        "status": "warn" if hours > stale_hours else "ok",
        "last": made.isoformat(timespec="seconds"),
        "age_hours": round(hours, 1),
        "archives": len(archives),
    }


def _model_health() -> dict:
    """The active dispatch model, and whether its file loads (intake goes on without it)."""
    from jiceng.dispatch import services as dispatch
    from jiceng.dispatch.store import ModelProblem

    try:
        loaded = dispatch.active_model()
    except ModelProblem as problem:
        return {"status": "warn", "error": str(problem)[:200]}
    if loaded is None:
        return {"status": "warn", "version": None, "error": "no model trained"}
    return {"status": "ok", "version": loaded[0].version}


def _notification_health(stale_minutes: int = 15) -> dict:
    """The outbox: how many wait, how long the oldest has waited, how many were parked."""
    from django.db.models import Q
    from django.utils import timezone

    from jiceng.tickets.models import Notification

    pending = Notification.objects.filter(state=Notification.State.PENDING)
    # a staff message held back by its unit's hourly limit (never tried, due later) is not stuck
    held = Q(attempts=0, next_attempt_at__gt=timezone.now())
    oldest = (
        pending.exclude(held).order_by("created_at").values_list("created_at", flat=True).first()
    )
    age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    failed = Notification.objects.filter(state=Notification.State.FAILED).count()
    stale = age > stale_minutes * 60
    return {
        "status": "warn" if stale or failed else "ok",
        "pending": pending.count(),
        "oldest_pending_seconds": age,
        "failed": failed,
    }


def _follow_up_health(stale_seconds: int = 60) -> dict:
    """New tickets whose background follow-up (advice, auto-dispatch) has not run. A minute
    means the worker (`jiceng worker`) is stopped or behind: they wait for a person, and
    the sweep gives them their advice. A follow-up task that raised is a warning too."""
    from django.utils import timezone

    from jiceng.tickets import followup

    waiting = followup.waiting()
    oldest = waiting.order_by("received_at").values_list("received_at", flat=True).first()
    age = max(0, int((timezone.now() - oldest).total_seconds())) if oldest else 0
    failed = followup.failed_recently()
    return {
        "status": "warn" if age > stale_seconds or failed else "ok",
        "waiting": waiting.count(),
        "oldest_waiting_seconds": age,
        "failed_last_day": failed,
    }


def _bilingual_health() -> dict:
    """Requests in Uyghur or Kazakh waiting for their Chinese summary (双语受理). No deadline
    runs before a dispatch, so no 三率 shows them: this does. One waiting longer than
    BILINGUAL_WAIT_WORK_HOURS working hours is a warning."""
    from django.utils import timezone

    from jiceng.tickets.models import Ticket
    from jiceng.tickets.selectors import bilingual_queue

    queue = bilingual_queue(Ticket.objects.all(), shown=1)
    oldest = queue.oldest[0][0].received_at if queue.oldest else None
    age = max(0, int((timezone.now() - oldest).total_seconds())) if oldest else 0
    return {
        "status": "warn" if queue.late else "ok",
        "waiting": queue.waiting,
        "late": queue.late,
        "oldest_waiting_seconds": age,
    }


def _sweep_health(stale_minutes: int = 15) -> dict:
    """When `jiceng sweep` last ran; overdue marks stop when it does."""
    from django.utils import timezone

    from jiceng.tickets.models import EngineSettings

    last = EngineSettings.objects.filter(pk=1).values_list("last_sweep_at", flat=True).first()
    age = int((timezone.now() - last).total_seconds()) if last else None
    return {
        "status": "ok" if age is not None and age <= stale_minutes * 60 else "warn",
        "last_run": last.isoformat() if last else None,
        "seconds_ago": age,
    }


def _disk_health(min_free_bytes: int = 1 << 30) -> dict:
    """Free space where uploads and backups go (MEDIA_ROOT's disk)."""
    import shutil
    from pathlib import Path

    folder = Path(settings.MEDIA_ROOT)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    usage = shutil.disk_usage(folder)
    low = usage.free < min_free_bytes or usage.free < usage.total * 0.05
    return {
        "status": "warn" if low else "ok",
        "free_bytes": usage.free,
        "free_percent": round(100 * usage.free / usage.total, 1),
    }


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
    message = _("操作过于频繁，请稍后再试。")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "rate_limited", "message": message}, status=429)
    return render(request, "429.html", {"message": message}, status=429)


def locked_out(request, credentials=None, *args, **kwargs):
    """Too many wrong passwords (django-axes): 429, in Chinese."""

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = f"密码错误次数过多，该账号或本机的登录已暂停 {minutes} 分钟，请稍后再试或联系管理员。"
    return render(request, "429.html", {"message": message}, status=429)


def csrf_failure(request, reason=""):
    """A form posted without its token (an old tab, cookies off): 403 in the reader's language
    (Django's own page has no Kazakh in the Arabic script), never a blank refusal."""
    return render(request, "403_csrf.html", status=403)


# The password policy, in words, as AUTH_PASSWORD_VALIDATORS enforce it.
PASSWORD_POLICY = "至少 10 位；不能与用户名、姓名相近；不能是常见密码；不能全是数字"


class PasswordChange(auth_views.PasswordChangeView):
    """Choose a new password; the first sign-in with a one-time password lands here and
    cannot go anywhere else until it is done (core.middleware.PasswordChangeRequired)."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"policy": PASSWORD_POLICY}

    def form_valid(self, form):
        answer = super().form_valid(form)
        from jiceng.orgs.models import User

        if form.user.must_change_password:
            User.objects.filter(pk=form.user.pk).update(must_change_password=False)
            form.user.must_change_password = False
        messages.success(self.request, "密码已修改")
        return answer
