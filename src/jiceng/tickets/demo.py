"""Demo tickets: half a year of resident requests in 昌吉州, handled through the services.

Every ticket is taken in, dispatched, accepted (or returned), answered and called back by the
same service functions the workbenches use, at historical moments, so the events, deadlines
and 三率 are real. Deterministic (a fixed seed) and safe to run twice: it does nothing when
demo tickets exist.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from jiceng.core import names
from jiceng.orgs.models import Unit
from jiceng.regions.models import Kind, Region

from . import services
from .models import Category, Ticket
from .states import Status

PREFIX = "CJ"  # demo ticket numbers: CJ + date + serial


@dataclass(frozen=True)
class Template:
    category: str  # full name in the category tree
    handler: str  # "local" (the community or village itself) or a unit type code
    title: str
    content: str
    where: str = "any"  # "urban", "rural" or "any"
    urgency: str = "normal"


TEMPLATES = [
    Template(
        "城乡建设/城市建设和市政管理/冬季采暖",
        "heating",
        "暖气不热",
        "{place}{building}号楼暖气温度只有十几度，家里有老人小孩，请供热公司尽快排查。",
        "urban",
    ),
    Template(
        "城乡建设/城市建设和市政管理/冬季采暖",
        "heating",
        "暖气漏水",
        "{place}{building}号楼{unit}单元暖气管道漏水，已经渗到楼下，请尽快处理。",
        "urban",
        "urgent",
    ),
    Template(
        "城乡建设/城市建设和市政管理/小区管理",
        "local",
        "楼道灯不亮",
        "{place}{building}号楼{unit}单元楼道灯坏了半个月，晚上上下楼不安全。",
        "urban",
    ),
    Template(
        "城乡建设/住房保障与房地产/物业服务",
        "local",
        "物业不作为",
        "{place}小区物业对垃圾堆放、绿化无人管理，多次反映没有回应，请社区督促物业整改。",
        "urban",
    ),
    Template(
        "城乡建设/城市建设和市政管理/环境卫生",
        "local",
        "垃圾清运不及时",
        "{place}垃圾箱已经满了好几天没有清运，天气热了有异味。",
        "any",
    ),
    Template(
        "城乡建设/城市建设和市政管理/基础设施",
        "zjj",
        "路面坑洼积水",
        "{place}附近道路路面塌陷坑洼，下雨天积水严重，车辆行人通行困难。",
        "urban",
    ),
    Template(
        "城乡建设/城市建设和市政管理/自来水供应",
        "water",
        "停水未通知",
        "{place}从今天早上开始停水，没有提前通知，请问什么时候恢复供水？",
        "urban",
        "urgent",
    ),
    Template(
        "城乡建设/城市建设和市政管理/电力供应",
        "power",
        "电压不稳",
        "{place}晚上电压不稳，灯一闪一闪的，家里电器已经烧坏一台。",
        "any",
    ),
    Template(
        "城乡建设/城市建设和市政管理/燃气供应",
        "gas",
        "燃气表故障",
        "{place}{building}号楼燃气表显示异常，充值后还是打不着火。",
        "urban",
    ),
    Template(
        "城乡建设/城市建设和市政管理/城管执法",
        "cgj",
        "占道经营",
        "{place}路口有流动摊贩占道经营，早晚高峰堵塞交通。",
        "urban",
    ),
    Template(
        "城乡建设/城乡规划/违章建筑",
        "cgj",
        "私搭乱建",
        "{place}有住户在楼下私自搭建彩钢房，占用公共绿地。",
        "urban",
    ),
    Template(
        "环境保护/环境污染/噪音污染",
        "sthjj",
        "夜间施工噪音",
        "{place}附近工地晚上十一点以后还在施工，噪音很大，影响休息。",
        "urban",
    ),
    Template(
        "环境保护/环境污染/大气污染",
        "sthjj",
        "烧煤冒黑烟",
        "{place}附近有锅炉烧煤冒黑烟，味道很呛。",
        "any",
    ),
    Template(
        "交通运输/建设管理/设施维护",
        "jtysj",
        "乡村道路破损",
        "{place}通往镇上的村道破损严重，拉棉花的车经常陷进去，希望尽快修补。",
        "rural",
    ),
    Template(
        "城乡建设/城市建设和市政管理/公共汽车",
        "bus",
        "公交班次太少",
        "{place}到市区的公交车间隔太长，早上上班等车要四十分钟。",
        "any",
    ),
    Template(
        "农村农业/水利水电/水事纠纷",
        "local",
        "灌溉用水分配",
        "{place}今年轮灌排班不合理，我家的地排在最后，庄稼快旱死了。",
        "rural",
    ),
    Template(
        "农村农业/惠农补贴/粮食直补",
        "nyncj",
        "补贴未到账",
        "{place}去年的耕地地力保护补贴到现在还没有发放到卡上。",
        "rural",
    ),
    Template(
        "农村农业/村务管理/村务公开",
        "local",
        "村务公开不及时",
        "{place}村集体收支已经半年没有公开，村民有意见。",
        "rural",
    ),
    Template(
        "民政/社会救助/农村低保",
        "mzj",
        "低保申请咨询",
        "{place}村民家里老人长期生病，想咨询低保怎么申请、需要哪些材料。",
        "rural",
    ),
    Template(
        "民政/社会救助/城镇低保",
        "mzj",
        "低保复核",
        "{place}居民反映家庭情况没有变化，低保却被停了，请求复核。",
        "urban",
    ),
    Template(
        "劳动和社会保障/城镇居民社会保险/城乡居民养老保险",
        "rsj",
        "养老保险补缴",
        "{place}居民想咨询城乡居民养老保险断缴几年能不能补缴。",
        "any",
    ),
    Template(
        "劳动和社会保障/劳动关系/农民工权益",
        "rsj",
        "拖欠工资",
        "{place}在工地干活的{count}名工人被拖欠工资三个月，老板联系不上。",
        "any",
        "urgent",
    ),
    Template(
        "劳动和社会保障/就业培训/职业培训",
        "rsj",
        "技能培训报名",
        "{place}想报名参加电焊、家政技能培训，请问在哪里报名、是否免费？",
        "any",
    ),
    Template(
        "教育文体/教育体制/教育资源配置",
        "jyj",
        "入学名额",
        "{place}适龄儿童划片入学，学校说名额满了，孩子上学怎么办？",
        "urban",
    ),
    Template(
        "教育文体/教育收费/乱收费",
        "jyj",
        "学校乱收费",
        "{place}附近学校要求家长统一购买课外资料，是否合规？",
        "any",
    ),
    Template(
        "卫生计生/医政监管/医疗技术和服务",
        "wjw",
        "卫生室缺药",
        "{place}村卫生室常用降压药经常缺货，老人要跑到镇上去买。",
        "rural",
    ),
    Template(
        "卫生计生/食品药品监管/食品安全",
        "scjgj",
        "餐馆卫生差",
        "{place}附近一家餐馆后厨卫生很差，吃了以后拉肚子。",
        "urban",
    ),
    Template(
        "政法/社会治安/消防安全",
        "local",
        "楼道堆放杂物",
        "{place}{building}号楼楼道里堆满了纸箱和电动车，存在消防隐患。",
        "urban",
    ),
    Template(
        "城乡建设/安全生产/安全隐患",
        "yjglj",
        "广告牌松动",
        "{place}商铺门口的广告牌被风吹得松动，随时可能掉下来砸到人。",
        "urban",
        "urgent",
    ),
    Template(
        "民政/基层选举和社区建设/社区建设",
        "local",
        "增设健身器材",
        "{place}希望在小区空地增设一些健身器材，方便老人锻炼。",
        "urban",
    ),
]
REPLIES = {
    "local": "已联系相关责任人到现场核实处理，问题已解决，并向诉求人反馈。",
    "heating": "供热公司已安排维修人员上门排气、调整阀门，室温已恢复至20℃以上。",
    "water": "已查明为管网维修临时停水，现已恢复供水，今后停水将提前张贴通知。",
}
COUNTY_WEIGHTS = {"652301000000": 5, "652302000000": 2}  # 昌吉市 and 阜康市 get more


def seed(stdout=None, count: int = 900) -> int:
    if Ticket.objects.filter(number__startswith=PREFIX).exists():
        return 0
    rng = random.Random(20261125)
    categories = {c.full_name: c for c in Category.objects.all()}
    places = _places()
    county_units = {
        (u.region.code, u.type.code): u
        for u in Unit.objects.filter(region__level="county").select_related("region", "type")
    }
    local_units = {
        u.region_id: u for u in Unit.objects.filter(type__code__in=["community", "village"])
    }
    now = timezone.now()
    start = now - timedelta(days=183)
    made = 0
    with services.as_system("演示数据", notify=False):
        for serial in range(1, count + 1):
            received = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
            received = _office_hours(received, rng)
            if received >= now:
                continue
            template = rng.choice(TEMPLATES)
            village = _pick_place(rng, places, template.where)
            county = village.ancestor("county")
            unit = (
                local_units.get(village.pk)
                if template.handler == "local"
                else county_units.get((county.code, template.handler))
            )
            if unit is None or template.category not in categories:
                continue
            _one(
                rng,
                serial,
                template,
                village,
                unit,
                categories[template.category],
                received,
                now,
                local_units,
                county_units,
                county,
            )
            made += 1
            if stdout is not None and made % 300 == 0:
                stdout.write(f"  已生成演示工单 {made} 件")
    made += _bilingual(rng, local_units, now)
    made += _integrity(now)
    services.sweep(now)
    return made


# Requests written in Uyghur (昌吉市) and Kazakh (木垒): one waiting in 双语受理 for its Chinese
# summary, one summarised and being handled, one answered, translated and rated by its resident.
BILINGUAL = [
    (
        "652301",
        "ug",
        "مەھەللىمىزدىكى ئىسسىتىش تۇرۇبىسى ئىسسىمايدۇ، ئۆينىڭ ئىچى بەك سوغۇق، بالىلار ئاغرىپ قالدى.",
        "小区暖气不热，屋里很冷，孩子生病了",
        "ئىسسىقلىق شىركىتى تۇرۇبىنى تازىلاپ، ئۆي تېمپېراتۇرىسى 20 گرادۇسقا يەتتى.",
    ),
    (
        "652301",
        "ug",
        "كوچىمىزدىكى چىراغلار بىر ئايدىن بېرى كۆيمەيدۇ، كەچتە مېڭىش خەتەرلىك.",
        "街道路灯一个月不亮，晚上出行危险",
        "",
    ),
    (
        "652301",
        "ug",
        "ئىچىدىغان سۇنىڭ رەڭگى سېرىق، ساغلاملىققا زىيانلىق ئەمەسمۇ؟",
        "",
        "",
    ),
    (
        "652328",
        "kk-arab",
        "قىستاعىمىزداعى كوپىر قۇلاعالى تۇر، مال ايداۋعا دا قاۋىپتى، تەز جوندەۋ كەرەك.",
        "村里的桥快塌了，赶牲畜过桥也危险，请尽快维修",
        "قىستاقتاعى كوپىر جوندەلدى، اۋىر كولىكتەرگە شەكتەۋ بەلگىسى قويىلدى.",
    ),
    (
        "652328",
        "kk-arab",
        "ەگىستىگىمىزگە سۋ كەلمەدى، ەگىن ەگۋ ۋاقىتى وتىپ كەتەدى.",
        "农田灌溉水没有来，耽误播种",
        "",
    ),
    (
        "652328",
        "kk-arab",
        "ٴبىزدىڭ اۋىلدا ٴۇش كۇننەن بەرى جىلى سۋ جوق، قارتتار قينالىپ ءجۇر.",
        "",
        "",
    ),
]
BILINGUAL_REPLY = "已安排人员到现场处理，问题已解决。"


def _bilingual(rng, local_units, now) -> int:
    made = 0
    for serial, (county, language, text, summary, translated) in enumerate(BILINGUAL, 1):
        villages = [
            v
            for v in Region.objects.filter(
                level="village", code__startswith=county, kind__in=[Kind.COMMUNITY, Kind.VILLAGE]
            ).order_by("code")
            if v.pk in local_units
        ]
        village = rng.choice(villages)
        received = _office_hours(
            now - timedelta(days=rng.uniform(0.2, 2) if not summary else rng.uniform(3, 9)), rng
        )
        if received >= now:
            received = now - timedelta(hours=1)
        intake = services.Intake(
            title="",
            content=text,
            region=village,
            channel="web",
            requester_phone=names.mobile(rng),
            language=language,
        )
        number = f"{PREFIX}{timezone.localtime(received):%Y%m%d}9{serial:04d}"
        ticket, _ = services.receive(None, intake, at=received, number=number, auto_dispatch=False)
        made += 1
        if not summary:
            continue  # waits in 双语受理
        ticket = services.summarize(None, ticket, summary, at=received + timedelta(hours=1))
        ticket = services.dispatch(
            None, ticket, local_units[village.pk], at=received + timedelta(hours=1.5)
        )
        ticket = services.accept(None, ticket, at=received + timedelta(hours=2))
        if not translated:
            continue
        ticket = services.reply(None, ticket, BILINGUAL_REPLY, at=received + timedelta(hours=30))
        ticket = services.translate_reply(
            None, ticket, translated, at=received + timedelta(hours=31)
        )
        services.callback(
            None, ticket, solved=True, satisfaction="满意", at=received + timedelta(hours=50)
        )
    return made


def _integrity(now) -> int:
    """Two tickets that show where an answer comes from (docs/metrics.md), on the demo's own
    accounts in 嘉顺社区:
    - a patrol report filed by the community's grid worker `grid`, handled by the community
      itself: the resident's link rating is recorded but not counted, the hotline's 回访 is;
    - a hotline request whose phone callback (满意) the resident overrules with their own
      rating (不满意), which is the one counted; the ticket waits for a ruling."""
    from django.contrib.auth import get_user_model

    from . import residents

    accounts = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["grid", "dispatcher", "handler", "intake"]
        )
    }
    if len(accounts) < 4 or accounts["handler"].scope_unit_id is None:
        return 0
    place = accounts["grid"].scope_region
    unit = accounts["handler"].scope_unit
    made = 0
    for serial, (who, channel, text) in enumerate(
        [
            ("grid", "grid", "巡查发现5号楼东侧井盖破损，行人容易踩空，需尽快更换。"),
            ("intake", "hotline", "3号楼单元门门禁坏了半个月，外来人员随意进出，请物业修理。"),
        ],
        1,
    ):
        at = _office_hours(now - timedelta(days=6 - serial), random.Random(serial))
        ticket, _ = services.receive(
            accounts[who],
            services.Intake(
                title="",
                content=text,
                region=place,
                channel=channel,
                requester_phone=f"1399100{serial:04d}",
            ),
            at=at,
            number=f"{PREFIX}{timezone.localtime(at):%Y%m%d}8{serial:04d}",
            auto_dispatch=False,
        )
        ticket = services.dispatch(accounts["dispatcher"], ticket, unit, at=at + timedelta(hours=1))
        ticket = services.accept(accounts["handler"], ticket, at=at + timedelta(hours=2))
        ticket = services.reply(
            accounts["handler"], ticket, "已安排维修，现已修好。", at=at + timedelta(hours=20)
        )
        phone = services.callback if serial == 2 else None
        if phone:  # the hotline calls first; the resident then gives their own answer
            phone(
                accounts["intake"],
                ticket,
                solved=True,
                satisfaction="满意",
                at=at + timedelta(hours=22),
            )
        residents.issue_link(ticket)
        proof = ticket.resident_tokens.latest("created_at").pk
        ticket = services.callback(
            None,
            ticket,
            solved=serial == 1,
            satisfaction="满意" if serial == 1 else "不满意",
            proof=proof,
            at=at + timedelta(hours=24),
        )
        if serial == 1:  # the independent 回访 that counts
            services.callback(
                accounts["intake"],
                ticket,
                solved=True,
                satisfaction="基本满意",
                at=at + timedelta(hours=26),
            )
        made += 1
    return made


def _places() -> dict[str, list[Region]]:
    villages = list(
        Region.objects.filter(level="village", kind__in=[Kind.COMMUNITY, Kind.VILLAGE]).exclude(
            parent__name__startswith="兵团"
        )
    )
    weighted = []
    for v in villages:
        weighted += [v] * COUNTY_WEIGHTS.get(v.code[:6] + "000000", 1)
    return {
        "urban": [v for v in weighted if v.kind == Kind.COMMUNITY],
        "rural": [v for v in weighted if v.kind == Kind.VILLAGE],
        "any": weighted,
    }


def _pick_place(rng, places, where) -> Region:
    return rng.choice(places[where] or places["any"])


def _office_hours(moment: datetime, rng) -> datetime:
    local = timezone.localtime(moment)
    hour = rng.choice([9, 9, 10, 10, 10, 11, 11, 12, 15, 16, 16, 17, 17, 19, 20, 21])
    return local.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))


def _one(
    rng, serial, template, village, unit, category, received, now, local_units, county_units, county
) -> None:
    who = names.person(rng)
    place = village.name.replace("居委会", "").replace("村民委员会", "村").replace("委员会", "")
    content = template.content.format(
        place=place, building=rng.randint(1, 24), unit=rng.randint(1, 6), count=rng.randint(3, 20)
    )
    intake = services.Intake(
        title=template.title,
        content=content,
        region=village,
        channel=rng.choice(["hotline"] * 6 + ["web"] * 2 + ["grid", "meeting"]),
        requester_name=who["name"][0] + ("女士" if who["gender"] == "女" else "先生"),
        requester_phone=names.mobile(rng),
        category=category,
        urgency=template.urgency,
    )
    number = f"{PREFIX}{timezone.localtime(received):%Y%m%d}{serial:05d}"
    ticket, _ = services.receive(None, intake, at=received, number=number, auto_dispatch=False)
    age = now - received

    def at(hours: float) -> datetime:
        return received + timedelta(hours=hours)

    step = rng.uniform(0.2, 3)
    if age < timedelta(hours=step) or rng.random() < 0.02:
        return  # still waiting for the dispatcher
    ticket = services.dispatch(None, ticket, unit, at=at(step))
    if rng.random() < 0.07:  # returned: half upheld to the township, half rejected
        step += rng.uniform(1, 6)
        if at(step) >= now:
            return
        ticket = services.return_ticket(None, ticket, "经核实不属于本单位职责范围", at=at(step))
        step += rng.uniform(0.5, 4)
        if at(step) >= now:
            return
        township = Unit.objects.filter(region=village.parent).first()
        if rng.random() < 0.5 and township is not None and township != unit:
            ticket = services.uphold_return(None, ticket, township, at=at(step))
            unit = township
        else:
            ticket = services.reject_return(None, ticket, "属于贵单位职责，请按时办理", at=at(step))
    # acceptance: mostly within the working day, some late
    step += rng.choice([rng.uniform(0.2, 4)] * 8 + [rng.uniform(20, 60)] * 2)
    if at(step) >= now:
        return
    ticket = services.accept(None, ticket, at=at(step))
    step += rng.uniform(8, 150) if template.urgency != "urgent" else rng.uniform(2, 20)
    if at(step) >= now:
        return
    if rng.random() < 0.15:
        ticket = services.note(
            None, ticket, "已到现场查看，正在协调相关方处理", at=at(step / 2 + 1)
        )
    ticket = services.reply(
        None, ticket, REPLIES.get(template.handler, REPLIES["local"]), at=at(step)
    )
    step += rng.uniform(20, 60)
    if at(step) >= now or rng.random() < 0.05:
        return
    solved = rng.random() < 0.86
    mood = rng.random()
    satisfaction = (
        ("满意" if mood < 0.7 else "基本满意" if mood < 0.93 else "不满意")
        if solved
        else ("不满意" if mood < 0.6 else "基本满意")
    )
    ticket = services.callback(None, ticket, solved=solved, satisfaction=satisfaction, at=at(step))
    if ticket.status == Status.REVIEW:
        step += rng.uniform(2, 20)
        if at(step) >= now:
            return
        if rng.random() < 0.7:
            ticket = services.reopen(
                None, ticket, "回访群众反映问题仍未解决，请重新办理", at=at(step)
            )
            step += rng.uniform(10, 80)
            if at(step) >= now:
                return
            ticket = services.reply(
                None, ticket, "已再次到现场处理并与诉求人当面沟通，问题已解决。", at=at(step)
            )
            step += rng.uniform(20, 50)
            if at(step) < now:
                services.callback(None, ticket, solved=True, satisfaction="基本满意", at=at(step))
        else:
            services.close(None, ticket, "诉求人要求超出政策范围，已解释说明", at=at(step))


def publish_some(count: int = 8) -> int:
    """公开审核 of a few answered requests of 昌吉市, so that the public Open311 feed shows
    what a county's moderator lets out: the title and the place, never the resident."""
    from jiceng.orgs.models import User

    moderator = User.objects.filter(username="dispatcher").first()
    if Ticket.objects.filter(published_at__isnull=False).exists():
        return 0  # seeded before
    chosen = (
        Ticket.objects.filter(
            number__startswith=PREFIX,
            region__code__startswith="652301",
            status__in=[Status.CLOSED, Status.REPLIED],
            published_at__isnull=True,
        )
        .select_related("region")
        .order_by("-received_at")[:count]
    )
    made = 0
    for ticket in chosen:
        place = ticket.region.name.replace("居委会", "").replace("村民委员会", "村")
        services.moderate(moderator, ticket, f"{place}：{ticket.title}。已办结答复。")
        made += 1
    return made
