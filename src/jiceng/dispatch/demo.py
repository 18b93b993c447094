"""Demo of intelligent dispatch: a model trained on the shipped messages before the demo
tickets arrive (so each has its suggestion), and a few requests that come in today through the
ordinary intake, where the confident ones are dispatched by the model itself."""

from django.utils import timezone

from jiceng.regions.models import Region
from jiceng.tickets import services as ticket_services
from jiceng.tickets.models import Channel, Ticket

from . import services
from .models import ModelVersion

PREFIX = "CJN"

TODAY = [
    (
        "652301004012",
        "孩子学校要求统一买校服和教辅资料",
        "我家孩子在昌吉市第五小学上三年级，学校要求统一购买校服和多本教辅资料，价格比外面贵不少，"
        "家长没有选择的余地，请教育部门查一下是否属于乱收费。",
    ),
    (
        "652301004012",
        "公司拖欠三个月工资",
        "我在一家建筑公司打工，老板已经拖欠我们十几个农民工三个月的工资，一直说下个月发，"
        "现在人也联系不上了，请劳动部门帮我们讨回工资。",
    ),
    (
        "652301004001",
        "饭店油烟直排扰民",
        "建国路小区楼下新开的饭店油烟直接排到楼道里，噪音也大，晚上十二点还在营业，"
        "空气污染严重，请环保部门来查一查。",
    ),
    (
        "652301004012",
        "小区门口的路边有个大坑",
        "嘉顺小区南门外的路面塌了一个大坑，好几天了没人管，晚上看不见，电动车已经摔倒过两次。",
    ),
    (
        "652301004001",
        "社区卫生服务站经常没药",
        "社区卫生服务站降压药经常断货，老人每次都要跑到市里医院去开药，很不方便，希望卫健部门解决。",
    ),
]


def train(stdout=None) -> ModelVersion | None:
    if ModelVersion.objects.exists():
        return None
    if stdout:
        stdout.write("训练智能派单模型（随软件提供的已标注留言，约半分钟）……")
    return services.train(folds=0)


def today(stdout=None) -> list[Ticket]:
    """A few requests arriving now by the hotline; confident ones are dispatched by the model."""
    if Ticket.objects.filter(number__startswith=PREFIX).exists():
        return []
    now = timezone.now()
    made = []
    with ticket_services.as_system("12345 热线", notify=False):
        for i, (code, title, content) in enumerate(TODAY):
            region = Region.objects.filter(code=code).first()
            if region is None:
                continue
            ticket, _ = ticket_services.receive(
                None,
                ticket_services.Intake(
                    title=title,
                    content=content,
                    region=region,
                    channel=Channel.HOTLINE,
                    requester_name="市民",
                    requester_phone=f"1399000{i:04d}",
                ),
                number=f"{PREFIX}{now:%Y%m%d}{i + 1:04d}",
            )
            made.append(ticket)
    return made


def seed_theme(stdout=None):
    """每月一题 of the demo: the hottest cluster of the last 30 days in 昌吉市, raised by the
    dispatcher as a theme led by the unit that handled most of its tickets, with one 主动治理
    item. Nothing when a theme exists already or no cluster is found."""
    from django.core.exceptions import ValidationError
    from django.db.models import Count

    from jiceng.orgs.models import Unit, User
    from jiceng.tickets import themes
    from jiceng.tickets.models import Theme

    from .selectors import hot_spots

    dispatcher = User.objects.filter(username="dispatcher").first()
    if dispatcher is None or Theme.objects.exists():
        return None
    clusters, _ = hot_spots(dispatcher, days=30, limit=5)
    if not clusters:
        return None
    spot = clusters[0]
    lead_id = (
        Ticket.objects.filter(pk__in=spot.members, main_unit__isnull=False)
        .values("main_unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("main_unit", flat=True)
        .first()
    )
    region = Region.objects.get(code=spot.region_code)
    lead = Unit.objects.filter(pk=lead_id).first() or Unit.objects.filter(region=region).first()
    if lead is None:
        return None
    # words that say what the problem is: generic ones would link every request of the place
    words = [w for w in spot.keywords if len(w) >= 2 and w not in GENERIC][:2]
    if not words:
        return None
    try:
        theme = _raise(themes, dispatcher, spot, region, lead, words)
    except ValidationError as exc:  # the demo goes on without a theme, and says why
        if stdout is not None:
            stdout.write(f"未建立演示每月一题：{exc.messages}")
        return None
    themes.add_note(dispatcher, theme, "已召集牵头单位研究，明确分工和时间表。")
    themes.open_proactive(
        dispatcher, theme, content=f"主动排查{region.name}同类问题隐患，未诉先办。"
    )
    if stdout is not None:
        stdout.write(f"每月一题：{theme.title}（{theme.links.count()} 件诉求）")
    return theme


GENERIC = {
    "有人",
    "问题",
    "反映",
    "小区",
    "社区",
    "希望",
    "解决",
    "请求",
    "现在",
    "没有",
    "一直",
    "安全",
}


def _raise(themes, dispatcher, spot, region, lead, words):
    from datetime import timedelta

    return themes.raise_theme(
        dispatcher,
        title=f"{region.name}：{'、'.join(words[:2])}问题"[:100],
        description=f"近 30 天 {spot.size} 件诉求反映同一问题，后半段比前半段多 {spot.growth} 件。",
        plan="牵头单位一周内拿出整改方案，协同单位按分工落实；每周在本页填写推进情况，"
        "月底前向派单中心报告结果。",
        region=region,
        keywords=" ".join(words),
        lead_unit=lead,
        deadline=timezone.localdate() + timedelta(days=30),
        tickets=spot.members,
    )
