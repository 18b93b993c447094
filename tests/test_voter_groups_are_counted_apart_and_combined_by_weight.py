"""满意度测评: 党员, 村（居）民代表 and 群众 hold codes of their own group; each group's ballots
are counted apart, and a person's and the village's rate combine the groups' rates by the
campaign's weights. A group without ballots neither counts as zero nor pulls the rate."""

import pytest
from django.core.exceptions import ValidationError

from jiceng import factories
from jiceng.evaluation import surveys
from jiceng.evaluation.models import Tally


@pytest.fixture
def ann(world):
    return factories.account("ann", ["assessor"], scope_region=world["changji_city"])


def campaign_with(ann, world, **weights):
    return surveys.create_campaign(
        ann,
        name="嘉顺社区两委测评",
        region=world["jiashun"],
        people=[(world["jiashun_secretary"], "书记")],
        weights=weights or None,
    )


def test_the_rule_combines_the_groups_that_voted():
    weights = {"member": 0.3, "representative": 0.3, "public": 0.4}
    assert surveys.combine({"member": 100, "representative": 50, "public": 0}, weights) == 45.0
    # nobody of the representatives voted: the other two share the weight
    assert surveys.combine({"member": 100, "representative": None, "public": 0}, weights) == round(
        30 / 0.7, 2
    )
    assert (
        surveys.combine({"member": None, "representative": None, "public": None}, weights) is None
    )


def test_each_group_is_counted_apart_and_combined(ann, world):
    campaign = campaign_with(ann, world)
    member = surveys.issue_codes(ann, campaign, 5, "member")
    public = surveys.issue_codes(ann, campaign, 5, "public")
    campaign = surveys.set_state(ann, campaign, "open")
    ratee = campaign.ratees.get()
    for code in member:
        surveys.cast_ballot(campaign, code, {ratee.pk: "满意"})
    for code in public:
        surveys.cast_ballot(campaign, code, {ratee.pk: "不满意"})
    campaign = surveys.set_state(ann, campaign, "closed")
    result = surveys.results(campaign)
    person = result["people"][0]
    assert person.groups["member"]["rate"] == 100.0 and person.groups["public"]["rate"] == 0.0
    assert person.groups["representative"]["ballots"] == 0
    # 0.3 × 100 + 0.4 × 0, over the weights of the two groups that voted (0.7)
    assert (
        person.satisfied_rate == round(30 / 0.7, 2)
        and result["satisfied_rate"] == person.satisfied_rate
    )
    groups = {g["group"]: g for g in result["groups"]}
    assert (groups["member"]["issued"], groups["member"]["voted"]) == (5, 5)
    assert person.counts == {"满意": 5, "基本满意": 0, "不满意": 5}


def test_a_group_of_few_voters_is_not_shown_apart_but_still_counts(ann, world):
    campaign = campaign_with(ann, world)
    (member,) = surveys.issue_codes(ann, campaign, 1, "member")
    public = surveys.issue_codes(ann, campaign, 5, "public")
    campaign = surveys.set_state(ann, campaign, "open")
    ratee = campaign.ratees.get()
    surveys.cast_ballot(campaign, member, {ratee.pk: "不满意"})  # the one 党员
    for code in public:
        surveys.cast_ballot(campaign, code, {ratee.pk: "满意"})
    campaign = surveys.set_state(ann, campaign, "closed")
    result = surveys.results(campaign)
    person = result["people"][0]
    assert person.groups["member"] == {"counts": None, "ballots": 1, "rate": None, "too_few": True}
    # nor the others: the one 党员's answer would be read off them and the totals
    assert person.groups["public"]["rate"] is None and result["groups_withheld"]
    assert all(g["rate"] is None for g in result["groups"])
    assert person.satisfied_rate == round(0.4 * 100 / 0.7, 2)  # the 党员's 0 counts


def test_a_ballot_still_rewrites_every_tally_row_of_the_campaign(ann, world):
    campaign = campaign_with(ann, world)
    (code,) = surveys.issue_codes(ann, campaign, 1, "representative")
    campaign = surveys.set_state(ann, campaign, "open")
    rows = Tally.objects.filter(ratee__campaign=campaign)
    assert rows.count() == 9  # 3 answers × 3 groups
    surveys.cast_ballot(campaign, code, {campaign.ratees.get().pk: "基本满意"})
    changed = rows.get(group="representative", answer="基本满意")
    assert changed.count == 1 and sum(r.count for r in rows) == 1


def test_weights_are_checked(ann, world):
    with pytest.raises(ValidationError, match="0 到 1"):
        campaign_with(ann, world, member="2")
    with pytest.raises(ValidationError, match="不能都为 0"):
        campaign_with(ann, world, member="0", representative="0", public="0")
    campaign = campaign_with(ann, world, member="0.5", representative="0.2", public="0.3")
    assert campaign.weights() == {"member": 0.5, "representative": 0.2, "public": 0.3}
