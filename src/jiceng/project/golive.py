"""上线检查: what is still missing before a county's first request, in words, each with where to
fix it. The page /golive/ (a prefecture's or a county's administrator, for their scope) and
`jiceng golive-check` read the same list. A county with nothing missing shows all green.
"""

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from jiceng.dispatch.models import RoutingRule
from jiceng.orgs.models import PartyOrg, Post, PostKind, RoleCode, Unit, User
from jiceng.regions.models import Grid, Kind, Level, Region
from jiceng.tickets.models import Category, Notification

SHOWN = 12  # names listed under an item; the rest are counted


@dataclass
class Item:
    key: str
    title: str  # what is checked, in words
    ok: bool
    problem: str = ""  # what is missing, in words
    names: list = field(default_factory=list)  # the first places or units concerned
    more: int = 0
    fix: str = ""  # where to fix it (a path of this site)
    fix_label: str = ""


def _listed(items, shown=SHOWN) -> tuple[list, int]:
    items = list(items)
    return items[:shown], max(0, len(items) - shown)


def villages(scope: Region):
    """The communities and villages residents live in (no 兵团 units, farms' 生活区 or the
    offices of 类似乡级单位): the places that need a unit and a party organisation."""
    return (
        scope.subtree()
        .filter(level=Level.VILLAGE)
        .exclude(kind=Kind.VILLAGE_LIKE)
        .exclude(name__contains="兵团")
        .exclude(name__endswith="生活区")
        .order_by("code")
    )


def items(scope: Region) -> list[Item]:
    """Every check for the places under `scope` (a county, or the prefecture)."""
    path = scope.path
    out: list[Item] = []

    places = villages(scope)
    active_units = Unit.objects.filter(is_active=True)
    no_unit = places.exclude(Exists(active_units.filter(region=OuterRef("pk"))))
    names, more = _listed(f"{r.full_name or r.name}" for r in no_unit.only("name", "full_name"))
    out.append(
        Item(
            "village_units",
            "每个社区、村都有承办单位",
            not names,
            f"{len(names) + more} 个社区、村还没有承办单位",
            names,
            more,
            "/onboarding/",
            "在上线数据“单位”表中补上",
        )
    )

    accepters = User.objects.filter(is_active=True, roles__code=RoleCode.HANDLER)
    lonely = (
        active_units.filter(region__path__startswith=path)
        .exclude(Exists(accepters.filter(scope_unit=OuterRef("pk"))))
        .order_by("region__code", "name")
    )
    names, more = _listed(u.name for u in lonely.only("name"))
    out.append(
        Item(
            "unit_accounts",
            "每个承办单位都有能接单的账号（承办人）",
            not names,
            f"{len(names) + more} 个承办单位没有能接单的账号：派给它们的工单无人接单",
            names,
            more,
            "/onboarding/",
            "在上线数据“账号”表中为其开通承办人账号",
        )
    )

    counties = (
        [scope]
        if scope.level == Level.COUNTY
        else list(scope.subtree().filter(level=Level.COUNTY).order_by("code"))
    )
    tops = list(Category.objects.filter(is_active=True, parent__isnull=True).order_by("code"))
    gaps = []
    for county in counties:
        ancestors = county.ancestor_codes()
        rules = RoutingRule.objects.filter(
            Q(region__isnull=True)
            | Q(region__code__in=ancestors)
            | Q(region__path__startswith=county.path)
        )
        covered = set(rules.values_list("category__code", flat=True))
        # a rule on a subcategory covers part of its top category: count that as covered
        covered |= {code[: len(t.code)] for t in tops for code in covered}
        missing = [t.name for t in tops if t.code not in covered]
        if missing:
            gaps.append(f"{county.name}：{'、'.join(missing)}")
    names, more = _listed(gaps)
    out.append(
        Item(
            "routing",
            "每个县（市）的每个一级诉求分类都有派单规则",
            not names,
            "这些分类没有派单规则，只能由派单员逐件手工派单",
            names,
            more,
            "/onboarding/",
            "在上线数据“派单规则”表中补上",
        )
    )

    workers = Post.objects.filter(kind=PostKind.GRID_WORKER, ended_on__isnull=True)
    empty = (
        Grid.objects.filter(is_active=True, region__path__startswith=path)
        .exclude(Exists(workers.filter(grid=OuterRef("pk"))))
        .select_related("region")
        .order_by("code")
    )
    names, more = _listed(f"{g.region.name}{g.name}" for g in empty)
    out.append(
        Item(
            "grid_workers",
            "每个网格都有网格员",
            not names,
            f"{len(names) + more} 个网格没有在任的网格员",
            names,
            more,
            "/onboarding/",
            "在上线数据“任职”表中补上网格员",
        )
    )

    orgs = PartyOrg.objects.filter(is_active=True)
    blank = places.exclude(Exists(orgs.filter(region=OuterRef("pk"))))
    names, more = _listed(r.full_name or r.name for r in blank.only("name", "full_name"))
    out.append(
        Item(
            "party_orgs",
            "每个社区、村都有党组织（消除组织空白）",
            not names,
            f"{len(names) + more} 个社区、村没有党组织",
            names,
            more,
            "/onboarding/",
            "在上线数据“党组织”表中补上",
        )
    )

    readers = User.objects.filter(
        is_active=True,
        bilingual=True,
        roles__code__in=[RoleCode.INTAKE, RoleCode.DISPATCHER],
    ).filter(Q(scope_region__path__in=_paths_up(scope)) | Q(scope_region__path__startswith=path))
    out.append(
        Item(
            "bilingual",
            "有能读维吾尔文、哈萨克文的受理员或派单员负责双语受理队列",
            readers.exists(),
            "没有双语受理员：用维吾尔文、哈萨克文写的诉求无人写中文摘要，就不能派单",
            fix="/onboarding/",
            fix_label="在上线数据“账号”表中把双语受理填“是”",
        )
    )

    out.append(_sms())
    out.append(_backup())
    out.append(_calendar())
    out.append(_site_url())
    out.append(_worker())
    return out


def _paths_up(region: Region) -> list[str]:
    """The paths of `region` and the regions above it (an account scoped there covers it)."""
    codes = region.ancestor_codes()
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _sms() -> Item:
    from jiceng.tickets import notify

    title = "短信网关已配置，测试短信已送达"
    if not notify.sends_sms():
        return Item(
            "sms",
            title,
            False,
            "没有配置短信网关（环境变量 NOTIFY_BACKEND）：群众收不到受理、答复和回访短信",
            fix="/golive/#sms-test",
            fix_label="按部署说明（deploy/README.md）配置短信网关，再在本页发送测试短信",
        )
    tests = Notification.objects.filter(kind="sms_test")
    if not tests.filter(state=Notification.State.SENT).exists():
        failed = tests.filter(state=Notification.State.FAILED).first()
        return Item(
            "sms",
            title,
            False,
            "测试短信还没有送达" + (f"：{failed.last_error[:200]}" if failed else ""),
            fix="/golive/#sms-test",
            fix_label="在本页发送一条测试短信",
        )
    return Item("sms", title, True)


def _backup() -> Item:
    from .views import _backup_health

    health = _backup_health(stale_hours=24)
    ok = health["status"] == "ok"
    problem = (
        "还没有任何备份"
        if health.get("last") is None
        else f"最近一次备份在 {health.get('age_hours')} 小时前"
    )
    return Item(
        "backup",
        "最近 24 小时内有备份",
        ok,
        "" if ok else problem,
        fix="",
        fix_label="运行 jiceng backup（部署后由定时任务每天运行）",
    )


def _calendar() -> Item:
    from .views import _calendar_health

    health = _calendar_health()
    missing = health["missing_years"]
    ok = not missing
    return Item(
        "calendar",
        "工作日历已录入今年和下一年的放假安排",
        ok,
        ""
        if ok
        else f"缺少 {'、'.join(str(y) for y in missing)} 年的官方放假安排：期限按法定节假日暂定",
        fix="/admin/tickets/calendaryear/",
        fix_label="在后台“工作日历”录入，或运行 jiceng calendar",
    )


def site_url_problem(url: str) -> str:
    if not url:
        return "没有设置 SITE_URL：短信里的链接会指向本机"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https":
        return f"SITE_URL（{url}）不是 https：群众的评价链接会以明文传输"
    if host in ("localhost",) or host.endswith(".local"):
        return f"SITE_URL（{url}）是本机地址，群众打不开"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if address.is_private or address.is_loopback or address.is_link_local:
        return f"SITE_URL（{url}）是内网地址，群众的手机打不开"
    return ""


def _site_url() -> Item:
    problem = site_url_problem(getattr(settings, "SITE_URL", "") or "")
    return Item(
        "site_url",
        "SITE_URL 是群众能打开的公网 https 地址",
        not problem,
        problem,
        fix_label="在部署环境变量中设置 SITE_URL",
    )


def _worker() -> Item:
    from .views import _follow_up_health, _sweep_health

    sweep, follow = _sweep_health(), _follow_up_health()
    problems = []
    if sweep["status"] != "ok":
        problems.append(
            "超时检查（sweep）从未运行"
            if sweep["seconds_ago"] is None
            else f"超时检查（sweep）{sweep['seconds_ago'] // 60} 分钟没有运行"
        )
    if follow["status"] != "ok":
        problems.append(f"{follow['waiting']} 件新诉求的后台处理在等待")
    return Item(
        "worker",
        "后台任务（jiceng worker）在运行",
        not problems,
        "；".join(problems),
        fix_label="启动 jiceng worker（部署说明中的 systemd 单元）",
    )
