"""Demo survey: 嘉顺社区's 两委 rated by residents, with votes cast and a few codes left to try."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from jiceng.regions.models import Region

from . import surveys
from .demo_periods import demo_account, last_quarter
from .models import ANSWERS, Campaign


def seed(stdout=None) -> list[str]:
    """Returns three unused voter codes (printed by seed-demo) so the ballot can be tried."""
    if Campaign.objects.exists():
        return []
    region = Region.objects.filter(code="652301004012").first()
    if region is None:
        return []
    posts = surveys.committee_posts(region)
    people, seen = [], set()
    for post in posts:
        if post.person_id not in seen:
            seen.add(post.person_id)
            people.append((post.person, post.kind))
    if not people:
        return []
    assessor = demo_account("assessor")
    campaign = surveys.create_campaign(
        assessor,
        name="嘉顺社区两委班子成员满意度测评",
        region=region,
        people=people[:6],
        flag_below=80,
    )
    # held in the last month of the quarter the demo star period assesses
    _, quarter_end, _ = last_quarter(timezone.localdate())
    held = timezone.make_aware(datetime.combine(quarter_end - timedelta(days=10), time(15)))
    Campaign.objects.filter(pk=campaign.pk).update(created_at=held)
    codes = surveys.issue_codes(assessor, campaign, 60)
    surveys.set_state(assessor, campaign, Campaign.State.OPEN)
    rng = random.Random(2026)
    ratees = list(campaign.ratees.all())
    # residents are fond of most of their 两委, less of one (below the 80 % line): per person,
    # the shares of 满意 and 基本满意; the rest answer 不满意
    shares = [(0.7, 0.25), (0.3, 0.35), (0.6, 0.32), (0.55, 0.35), (0.5, 0.4), (0.6, 0.3)]
    for code in codes[:41]:
        answers = {}
        for i, r in enumerate(ratees):
            happy, basic = shares[i % len(shares)]
            x = rng.random()
            answers[r.pk] = (
                ANSWERS[0] if x < happy else ANSWERS[1] if x < happy + basic else ANSWERS[2]
            )
        surveys.cast_ballot(campaign, code, answers)
    # closed at the quarter's end: its results are public now, and the star period reads them
    surveys.set_state(assessor, campaign, Campaign.State.CLOSED)
    # this quarter's survey is open: its tallies stay hidden until it closes
    current = surveys.create_campaign(
        assessor,
        name="嘉顺社区两委班子成员满意度测评（本季度）",
        region=region,
        people=people[:6],
        flag_below=80,
    )
    fresh = surveys.issue_codes(assessor, current, 20)
    surveys.set_state(assessor, current, Campaign.State.OPEN)
    return fresh[:3]


DEEDS = [
    "带领村民发展庭院经济，村集体经济收入两年翻番；“访惠聚”入户走访全覆盖，群众诉求当日响应。",
    "推行“网格+党员”包户，冬季供暖、道路积雪等诉求接诉即办，辖区满意率连续四个季度居全乡第一。",
    "牵头成立种植合作社，带动 86 户村民增收；坚持“三会一课”，主题党日活动有记录、有实效。",
    "化解土地流转纠纷 23 起，无一起上访；组织党员志愿者为独居老人开展送医送药服务。",
    "推动老旧小区改造，协调物业、供热单位解决长期漏水和供暖不达标问题，居民联名致谢。",
    "创办“夜校”开展国家通用语言和技能培训，120 余名青年实现就近就业；村级事务公开透明。",
    "抓好人居环境整治，垃圾分类和“厕所革命”成效明显，村容村貌获评州级示范村。",
    "疫情期间带头值守卡点 40 余天，保障物资供应；平时坚持每周接待群众，建立民情台账。",
    "引进农产品加工企业落户本村，新增就业岗位 60 个；班子团结，党员队伍结构持续优化。",
    "规范村务监督委员会运行，账目公开及时准确；带领群众兴修水利，灌溉保障率明显提高。",
    "组建“红色代办”队伍，为群众代办社保、医保等事项 600 余件，群众少跑腿。",
    "推行积分制管理，激发村民参与村级事务热情，矛盾纠纷就地化解率超过 95%。",
]


def seed_selection(stdout=None):
    """担当我先行 in 昌吉市: twelve secretaries nominated, one found ineligible, votes cast by
    the demo accounts inside 昌吉市, and the 公示 open with one objection for the assessor."""
    from django.contrib.auth import get_user_model

    from jiceng.orgs.models import Person

    from . import selection as svc
    from .models import Selection

    if Selection.objects.exists():
        return None
    city = Region.objects.filter(code="652301000000").first()
    if city is None:
        return None
    people = list(
        Person.objects.filter(code__endswith="-secretary", region__path__startswith=city.path)
        .select_related("region")
        .order_by("code")[: len(DEEDS)]
    )
    if len(people) < 3:
        return None
    chosen = Selection.objects.create(
        name=f"{timezone.localdate().year}年昌吉市“担当我先行”优秀村（社区）党组织书记评选",
        region=city,
        seats=5,
    )
    assessor = demo_account("assessor")
    nominations = [
        svc.nominate(assessor, chosen, person, f"{person.region.name}党组织书记。{deeds}")
        for person, deeds in zip(people, DEEDS[: len(people)], strict=True)
    ]
    svc.advance(assessor, chosen)
    for i, n in enumerate(nominations):
        if i == 7:
            svc.review(assessor, n, False, "任职未满两年，不符合推荐条件")
        else:
            svc.review(assessor, n, True)
    svc.advance(assessor, chosen)
    chosen.refresh_from_db()  # now in its vote
    rng = random.Random(5)
    eligible = [n.pk for i, n in enumerate(nominations) if i != 7]
    for user in get_user_model().objects.filter(is_active=True).order_by("username"):
        if svc.may_vote(user, chosen):
            svc.vote(user, chosen, rng.sample(eligible, min(chosen.seats, len(eligible))))
    tie = svc.standing(chosen)
    if not tie.resolved:  # a tie at the last seat: the assessor decides, with the reason
        svc.decide_tie(
            assessor,
            chosen,
            sorted(tie.tied)[: tie.open_seats],
            "平票人选经评选领导小组研究，按任职年限较长者优先确定",
        )
    svc.advance(assessor, chosen)
    svc.object_to(
        nominations[0],
        "该同志所在村去年有一笔扶贫项目资金公示不及时，请核实后再确定人选。",
        "村民 马先生",
    )
    return chosen
