"""Demo survey: 嘉顺社区's 两委 rated by residents, with votes cast and a few codes left to try."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from jiceng.regions.models import Region

from . import surveys
from .demo_periods import last_quarter
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
    campaign = surveys.create_campaign(
        None, name="嘉顺社区两委班子成员满意度测评", region=region, people=people[:6], flag_below=80
    )
    # held in the last month of the quarter the demo star period assesses
    _, quarter_end, _ = last_quarter(timezone.localdate())
    held = timezone.make_aware(datetime.combine(quarter_end - timedelta(days=10), time(15)))
    Campaign.objects.filter(pk=campaign.pk).update(created_at=held)
    codes = surveys.issue_codes(None, campaign, 60)
    surveys.set_state(None, campaign, Campaign.State.OPEN)
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
    return codes[41:44]
