"""满意度测评 is anonymous: nothing stored can link a ballot to its code or to its voter.

The test plays the attacker: it reads every stored row of the survey tables and shows that
two different assignments of ballots to codes leave exactly the same data behind.
"""

import pytest
from django.db import connection, models

from jiceng import factories
from jiceng.evaluation import surveys
from jiceng.evaluation.models import Campaign, Ratee, Tally, VoterCode


@pytest.fixture
def assessor(world):
    return factories.account("ann", ["assessor"], scope_region=world["changji_city"])


def open_campaign(world, assessor, name="嘉顺社区两委测评"):
    people = [(world["jiashun_secretary"], "书记"), (world["jiashun_grid_worker"], "两委成员")]
    campaign = surveys.create_campaign(assessor, name=name, region=world["jiashun"], people=people)
    codes = surveys.issue_codes(assessor, campaign, 3)
    surveys.set_state(assessor, campaign, Campaign.State.OPEN)
    return campaign, codes


def stored_rows(campaign) -> list:
    """Everything an attacker with the database could read about the votes (all columns)."""
    rows = []
    with connection.cursor() as cursor:
        for model in (VoterCode, Tally, Ratee, Campaign):
            cursor.execute(f"SELECT * FROM {model._meta.db_table} ORDER BY 1")
            rows.append(cursor.fetchall())
    return rows


def ballot(campaign, answer):
    return {r.pk: answer for r in campaign.ratees.all()}


def test_swapping_who_cast_which_ballot_leaves_the_same_data(world, assessor):
    # World one: code A votes 满意, code B votes 不满意.
    campaign, codes = open_campaign(world, assessor)
    a, b, _ = codes
    surveys.cast_ballot(campaign, a, ballot(campaign, "满意"))
    surveys.cast_ballot(campaign, b, ballot(campaign, "不满意"))
    one = stored_rows(campaign)
    # World two, same database state before voting: code A votes 不满意, code B 满意.
    VoterCode.objects.filter(campaign=campaign).update(used=False)
    Tally.objects.filter(ratee__campaign=campaign).update(count=0)
    surveys.cast_ballot(campaign, b, ballot(campaign, "满意"))
    surveys.cast_ballot(campaign, a, ballot(campaign, "不满意"))
    two = stored_rows(campaign)
    assert one == two


def test_no_stored_field_can_point_from_a_tally_to_a_code_or_a_time():
    for model in (Tally, VoterCode):
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateTimeField | models.DateField), (model, field)
    tally_links = {f.related_model for f in Tally._meta.get_fields() if f.is_relation}
    assert VoterCode not in tally_links
    # a code knows its voter group (党员, 代表, 群众), as printed on its slip, and whether it
    # was issued after voting opened (counted apart, issue 26): nothing else
    assert {f.name for f in VoterCode._meta.concrete_fields} == {
        "id",
        "campaign",
        "digest",
        "used",
        "group",
        "late",
    }


def test_codes_are_kept_only_as_hashes(world, assessor):
    campaign, codes = open_campaign(world, assessor)
    dump = repr(stored_rows(campaign))
    assert all(code not in dump for code in codes)


def test_results_per_person_with_turnout_and_flags(world, assessor):
    campaign, (a, b, _) = open_campaign(world, assessor)
    secretary, member = list(campaign.ratees.all())
    surveys.cast_ballot(campaign, a, {secretary.pk: "满意", member.pk: "不满意"})
    surveys.cast_ballot(campaign, b, {secretary.pk: "基本满意", member.pk: "不满意"})
    campaign = surveys.set_state(assessor, campaign, "closed")  # tallies shown once closed
    result = surveys.results(campaign)
    assert (result["issued"], result["voted"], result["turnout"]) == (3, 2, 66.67)
    by_person = {p.ratee.pk: p for p in result["people"]}
    assert by_person[secretary.pk].satisfied_rate == 100.0 and not by_person[secretary.pk].flagged
    assert by_person[member.pk].satisfied_rate == 0.0 and by_person[member.pk].flagged
    assert result["satisfied_rate"] == 50.0


def test_a_ballot_must_rate_everyone_and_then_spends_nothing(world, assessor):
    campaign, (a, _, _) = open_campaign(world, assessor)
    secretary = campaign.ratees.first()
    with pytest.raises(Exception, match="每一位"):
        surveys.cast_ballot(campaign, a, {secretary.pk: "满意"})
    assert not VoterCode.objects.filter(used=True).exists() and surveys.tallies_sum(campaign) == 0
