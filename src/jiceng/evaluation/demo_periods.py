"""Demo star scheme for 昌吉市, with last quarter's period computed from the demo tickets and
surveys and published."""

import random
from datetime import date, timedelta

from django.utils import timezone

from jiceng.regions.models import Region

from . import periods
from .models import AssessmentPeriod, Indicator, Scheme, SchemeIndicator


def last_quarter(today: date) -> tuple[date, date, str]:
    q = (today.month - 1) // 3  # this quarter, 0-based
    year, q = (today.year - 1, 3) if q == 0 else (today.year, q - 1)
    start = date(year, 3 * q + 1, 1)
    end = date(year, 3 * q + 4, 1) if q < 3 else date(year + 1, 1, 1)
    return start, end - timedelta(days=1), f"{year}年第{'一二三四'[q]}季度"


def seed(stdout=None) -> AssessmentPeriod | None:
    if Scheme.objects.exists():
        return None
    city = Region.objects.filter(code="652301000000").first()
    if city is None:
        return None
    indicators = {
        "sanlv": Indicator.objects.create(
            code="sanlv", name="接诉即办综合得分", kind="tickets", source="score"
        ),
        "survey": Indicator.objects.create(code="survey", name="两委满意度测评", kind="survey"),
        "checklist": Indicator.objects.create(
            code="five-good", name="五个好创建", kind="checklist"
        ),
        "income": Indicator.objects.create(
            code="income", name="村集体经济收入", kind="entered", low=0, high=50, unit_label="万元"
        ),
        "life": Indicator.objects.create(
            code="life",
            name="组织生活（党员大会、党课、主题党日）",
            kind="meetings",
            meeting_kinds="members,lecture,theme_day",
            low=0,
            high=6,
        ),
        "veto": Indicator.objects.create(code="veto", name="一票否决事项", kind="veto"),
    }
    scheme = Scheme.objects.create(name="昌吉市村（社区）党组织星级评定", region=city)
    weights = [
        ("sanlv", "0.35"),
        ("survey", "0.15"),
        ("checklist", "0.2"),
        ("life", "0.15"),
        ("income", "0.15"),
        ("veto", "0"),
    ]
    for code, weight in weights:
        SchemeIndicator.objects.create(scheme=scheme, indicator=indicators[code], weight=weight)
    start, end, label = last_quarter(timezone.localdate())
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label=label, starts_on=start, ends_on=end
    )
    rng = random.Random(361)
    assessor, reviewer = demo_account("assessor"), demo_account("reviewer")
    for region in periods.subjects(period):
        income = round(rng.uniform(3, 60), 1)
        periods.enter_value(
            assessor, period, region, indicators["income"], income, "村（社区）集体经济收支台账"
        )
    _diagnose(rng, start, periods.subjects(period), assessor)
    _meetings(rng, start, end, periods.subjects(period), assessor)
    _trainings(rng, start, periods.subjects(period))
    _terms_and_reserve(rng, periods.subjects(period), assessor)
    periods.advance(assessor, period, AssessmentPeriod.State.COLLECTED)
    periods.compute(assessor, period)
    # separation of duties: the second assessor reviews and publishes
    periods.advance(reviewer, period, AssessmentPeriod.State.REVIEWED)
    periods.advance(reviewer, period, AssessmentPeriod.State.PUBLISHED)
    current = _this_quarter(rng, scheme, indicators["income"], end + timedelta(days=1), assessor)
    if stdout is not None:
        entered = current.values.count()
        stdout.write(
            f"本季度考评期“{current.label}”正在录入：已录入 {entered} 个村（社区）的集体经济收入，"
            f"其余 {len(periods.subjects(current)) - entered} 个待考评员下载录入表填报导入"
        )
    return period


def _this_quarter(rng, scheme, income, start: date, assessor) -> AssessmentPeriod:
    """The quarter after the published one, open: most villages' figures are in, the rest
    are for the assessor to fill in on the period page."""
    end = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1) - timedelta(days=1)
    quarter = "一二三四"[(start.month - 1) // 3]
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label=f"{start.year}年第{quarter}季度", starts_on=start, ends_on=end
    )
    for region in periods.subjects(period):
        if rng.random() < 0.8:
            periods.enter_value(
                assessor,
                period,
                region,
                income,
                round(rng.uniform(3, 60), 1),
                "村（社区）集体经济收支台账",
            )
    return period


def _diagnose(rng, day, villages, assessor) -> None:
    """把脉问诊 of every village branch in the scheme's region, just before the period."""
    from jiceng.orgs.models import PartyOrg

    from . import diagnoses
    from .models import ChecklistItem

    items = list(ChecklistItem.objects.filter(is_active=True))
    branches = PartyOrg.objects.filter(region__in=villages, unit__isnull=True, kind="党支部")
    for branch in branches:
        strength = rng.uniform(0.72, 1.0)
        scores = {
            i.pk: (
                round(float(i.points) * min(1.0, rng.gauss(strength, 0.15)) * 2) / 2,
                "会议记录、工作台账",
            )
            for i in items
        }
        scores = {k: (max(0.0, v[0]), v[1]) for k, v in scores.items()}
        diagnoses.record(assessor, branch, scores, assessed_on=day)


def _meetings(rng, start, end, villages, assessor) -> None:
    """A quarter of organization life: most branches meet monthly, a few fall behind."""
    from jiceng.orgs.models import PartyOrg

    from . import life

    topics = {
        "members": "支部党员大会：审议发展党员事项",
        "lecture": "书记讲党课：学习贯彻党的二十届四中全会精神",
        "theme_day": "主题党日：走访困难群众、清理村容村貌",
    }
    span = (end - start).days
    for branch in PartyOrg.objects.filter(region__in=villages, unit__isnull=True, kind="党支部"):
        for kind, topic in topics.items():
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                day = start + timedelta(days=rng.randrange(span))
                life.record_meeting(
                    assessor, branch, kind=kind, held_on=day, topic=topic, speaker="支部书记"
                )


def _trainings(rng, day, villages) -> None:
    from jiceng.orgs.models import Post

    from .models import TrainingRecord

    courses = [
        ("村（社区）党组织书记示范培训班", "中共昌吉市委组织部", 24),
        ("乡村振兴专题培训", "昌吉市委党校", 16),
        ("基层治理能力提升网络培训", "新疆干部网络学院", 8),
    ]
    for post in Post.objects.filter(kind="书记", party_org__region__in=villages).select_related(
        "person"
    ):
        for course, provider, hours in rng.sample(courses, rng.randint(1, 3)):
            TrainingRecord.objects.create(
                person=post.person,
                course=course,
                provider=provider,
                held_on=day - timedelta(days=rng.randint(10, 300)),
                hours=hours,
            )


def demo_account(username: str):
    """A demo login (`jiceng.demo.DEMO_ACCOUNTS`): every step of the demo's evaluation is
    taken by a named account, as on the pages."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _terms_and_reserve(rng, villages, assessor) -> None:
    """The 两委 elected in 2021 serve five years: their terms end in the first half of next
    year (some villages already re-elected). A few young people are kept in reserve."""
    from jiceng.orgs.models import Person, Post

    from . import secretaries

    today = timezone.localdate()
    posts = Post.objects.filter(
        party_org__region__in=villages, kind__in=secretaries.COMMITTEE, ended_on__isnull=True
    )
    for post in posts.order_by("id"):
        days = rng.choice([45, 90, 120, 150, 170, 900, 1500])
        Post.objects.filter(pk=post.pk).update(term_ends_on=today + timedelta(days=days))
    for village in villages[:6]:
        person = Person.objects.filter(region=village, posts__isnull=True).order_by("code").first()
        if person is not None:
            secretaries.add_reserve(assessor, person, village, "致富带头人，本村青年")
