"""A voter code casts one ballot, and only one, even when the same code is sent twice at the
same moment; a used code, an unknown code and a closed campaign are all refused alike."""

import threading

import pytest
from django.db import connection

from jiceng import factories
from jiceng.core.errors import ServiceError
from jiceng.evaluation import surveys
from jiceng.evaluation.models import Campaign


@pytest.fixture
def campaign_and_codes(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    campaign = surveys.create_campaign(
        ann,
        name="嘉顺社区两委测评",
        region=world["jiashun"],
        people=[(world["jiashun_secretary"], "书记")],
    )
    codes = surveys.issue_codes(ann, campaign, 2)
    surveys.set_state(ann, campaign, Campaign.State.OPEN)
    return ann, campaign, codes


def vote(campaign, code, answer="满意"):
    surveys.cast_ballot(campaign, code, {campaign.ratees.get().pk: answer})


def test_a_used_code_is_worthless(campaign_and_codes):
    ann, campaign, (code, other) = campaign_and_codes
    vote(campaign, code)
    with pytest.raises(ServiceError) as again:
        vote(campaign, code, "不满意")
    with pytest.raises(ServiceError) as unknown:
        vote(campaign, "NOTACODE00")
    assert again.value.code == unknown.value.code == "code_invalid"  # no hint which it was
    assert surveys.tallies_sum(campaign) == 1
    surveys.set_state(ann, campaign, Campaign.State.CLOSED)
    with pytest.raises(ServiceError, match="未开始或已结束"):
        vote(campaign, other)


def test_codes_are_found_case_insensitively(campaign_and_codes):
    _, campaign, (code, _) = campaign_and_codes
    assert surveys.find_open_campaign(code.lower()) == campaign
    vote(campaign, code.lower())
    assert surveys.find_open_campaign(code) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_code_sent_twice_at_once_votes_once(campaign_and_codes):
    _, campaign, (code, _) = campaign_and_codes
    barrier = threading.Barrier(4)
    outcomes = []

    def press():
        try:
            barrier.wait()
            vote(campaign, code)
            outcomes.append("voted")
        except ServiceError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["code_invalid"] * 3 + ["voted"]
    assert surveys.tallies_sum(campaign) == 1
