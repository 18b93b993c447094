"""Template context for every page: the navigation a signed-in user's roles call for."""

from django.urls import reverse
from django.utils.translation import pgettext_lazy

from jiceng.orgs.models import RoleCode as R

# Staff strings are marked with the context "staff" for a later staff catalog; they are shown
# in Chinese until one exists (docs/glossary.md).
# (label, url name, roles that see it; empty: everyone signed in)
NAV = [
    (pgettext_lazy("staff", "工单"), "work-tickets", ()),
    (pgettext_lazy("staff", "受理"), "work-new", (R.INTAKE, R.DISPATCHER)),
    (pgettext_lazy("staff", "民情恳谈"), "work-meeting", (R.INTAKE, R.DISPATCHER)),
    (pgettext_lazy("staff", "巡查上报"), "work-grid-report", (R.GRID_WORKER,)),
    (
        pgettext_lazy("staff", "三率看板"),
        "dashboard",
        (R.LEADER, R.DISPATCHER, R.SUPERVISOR, R.ASSESSOR, R.ADMIN),
    ),
    (pgettext_lazy("staff", "热点"), "hotspots", (R.LEADER, R.DISPATCHER, R.SUPERVISOR)),
    (pgettext_lazy("staff", "评价线索"), "work-integrity", (R.SUPERVISOR, R.LEADER, R.ADMIN)),
    (
        pgettext_lazy("staff", "每月一题"),
        "theme-list",
        (R.LEADER, R.DISPATCHER, R.SUPERVISOR, R.HANDLER),
    ),
    (pgettext_lazy("staff", "星级考评"), "period-list", (R.ASSESSOR, R.LEADER, R.ADMIN)),
    (pgettext_lazy("staff", "满意度测评"), "survey-list", (R.ASSESSOR, R.ADMIN)),
    (pgettext_lazy("staff", "五个好"), "diagnosis-list", (R.ASSESSOR, R.LEADER)),
    (pgettext_lazy("staff", "组织生活"), "meeting-list", (R.ASSESSOR, R.ADMIN)),
    (pgettext_lazy("staff", "书记队伍"), "secretary-overview", (R.ASSESSOR, R.LEADER, R.ADMIN)),
    (pgettext_lazy("staff", "担当我先行"), "selection-list", ()),
    (pgettext_lazy("staff", "组织架构"), "region-root", ()),
]


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [
        (label, reverse(name))
        for label, name, roles in NAV
        if not roles or user.is_superuser or user.has_role(*roles)
    ]
    if user.person_id and not any(name == "diagnosis-list" for _, name, _ in _shown(user)):
        # a secretary responsible for 整改 items, without an assessor's menu
        from jiceng.evaluation.models import Rectification

        if Rectification.objects.filter(responsible_id=user.person_id).exists():
            items.insert(
                -2,
                (pgettext_lazy("staff", "我的整改"), reverse("rectification-list") + "?show=open"),
            )
    from .onboarding.views import _may_onboard

    if _may_onboard(user):  # a prefecture's or a county's administrator goes live from here
        items.append((pgettext_lazy("staff", "上线数据"), reverse("onboarding")))
        items.append((pgettext_lazy("staff", "上线检查"), reverse("golive")))
    return {"nav": items}


def _shown(user):
    return [item for item in NAV if not item[2] or user.is_superuser or user.has_role(*item[2])]


def calendar_banner(request):
    """Administrators are told which year still lacks the official holiday arrangement (this
    year, and the next one from 1 November), so that provisional deadlines do not last."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from jiceng.orgs.access import can_manage_master_data

    if not can_manage_master_data(user):
        return {}
    from jiceng.tickets.services.calendar import missing_years

    return {"calendar_missing": missing_years()}


def demo_banner(request):
    """A database built by `jiceng seed-demo` says so on every page: its villages are real,
    their star ratings and grades are invented."""
    from jiceng.tickets.models import EngineSettings

    return {"demo": EngineSettings.objects.filter(pk=1, is_demo=True).exists()}
