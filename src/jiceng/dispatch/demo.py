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
