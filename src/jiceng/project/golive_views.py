"""The 上线检查 page (/golive/): what is still missing before the first request, for the
administrator's county or the prefecture; and a test SMS to prove the gateway."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jiceng.orgs import access
from jiceng.regions.models import Region
from jiceng.tickets import notify
from jiceng.tickets.models import Notification

from . import golive
from .onboarding.views import _may_onboard


def scope_of(user) -> Region | None:
    if user.scope_region_id:
        return user.scope_region
    return Region.objects.filter(level="prefecture").order_by("code").first()


@login_required
@require_http_methods(["GET", "POST"])
def page(request):
    if not _may_onboard(request.user):
        raise PermissionDenied("只有州、县（市）管理员可以查看上线检查")
    scope = scope_of(request.user)
    if request.method == "POST":
        phone = request.POST.get("phone", "").strip()
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            messages.error(request, "请填写 11 位手机号")
        else:
            row = Notification.objects.create(
                kind="sms_test",
                recipient=phone,
                subject="测试短信",
                body="【基层治理】这是一条测试短信：收到即说明短信网关可用。",
            )
            sent = notify.send_now(row.pk)
            row.refresh_from_db()
            if sent:
                messages.success(request, f"测试短信已发往 {phone[:3]}****{phone[-4:]}")
            else:
                messages.error(request, f"测试短信发送失败：{row.last_error[:200] or '见发送记录'}")
        return redirect("golive")
    found = golive.items(scope) if scope is not None else []
    return render(
        request,
        "onboarding/golive.html",
        {
            "scope": scope,
            "items": found,
            "missing": sum(1 for i in found if not i.ok),
            "may_admin": access.can_enter_admin(request.user),
        },
    )
