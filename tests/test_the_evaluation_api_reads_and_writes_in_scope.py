"""/api/v1/evaluation/: periods with their results and derivations, diagnoses with their 整改
清单, surveys (tallies only once closed), selections (results from their 公示), and a period's
figures written with the checks of the sheet; inside the caller's scope, 404 outside it, in
the OpenAPI document, with the API's error envelope."""

from datetime import date

import pytest
from django.test import Client

from jiceng import factories
from jiceng.evaluation import periods, surveys
from jiceng.evaluation.models import (
    AssessmentPeriod,
    EnteredValue,
    Indicator,
    Scheme,
    SchemeIndicator,
)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def setup(world):
    ann = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    scheme = Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(code="income", name="集体经济收入", kind="entered", high=100)
    veto = Indicator.objects.create(code="veto", name="一票否决", kind="veto")
    SchemeIndicator.objects.create(scheme=scheme, indicator=income, weight="1")
    SchemeIndicator.objects.create(scheme=scheme, indicator=veto, weight="0")
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )
    return ann, period


def test_figures_are_written_with_the_sheets_checks_all_or_nothing(setup, world):
    ann, period = setup
    api = client_for(ann)
    url = f"/api/v1/evaluation/periods/{period.pk}/values"
    bad = api.put(
        url,
        {
            "values": [
                {
                    "region_code": world["jiashun"].code,
                    "indicator_code": "income",
                    "value": "60",
                    "evidence": "财务报表",
                },
                {
                    "region_code": world["jiashun"].code,
                    "indicator_code": "income",
                    "value": "很多",
                    "evidence": "x",
                },
                {
                    "region_code": "652324102200",
                    "indicator_code": "income",
                    "value": "1",
                    "evidence": "x",
                },
            ]
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"values[1]", "values[2]"} <= fields
    assert not EnteredValue.objects.exists() and not period.events.exists()
    good = api.put(
        url,
        {
            "values": [
                {
                    "region_code": world["jiashun"].code,
                    "indicator_code": "income",
                    "value": "60",
                    "evidence": "财务报表",
                }
            ]
        },
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json() == {"saved": 1}
    assert period.events.get().note.startswith("经API录入")


def test_a_period_reads_with_its_derivation(setup, world):
    ann, period = setup
    periods.enter_value(
        ann, period, world["jiashun"], Indicator.objects.get(code="income"), 80, "报表"
    )
    periods.advance(ann, period, "collected")
    periods.compute(ann, period)
    body = client_for(ann).get(f"/api/v1/evaluation/periods/{period.pk}").json()
    jiashun = next(r for r in body["rows"] if r["region_code"] == world["jiashun"].code)
    assert jiashun["score"] == 80.0 and jiashun["parts"][0]["source"].startswith("录入：报表")
    events = client_for(ann).get(f"/api/v1/evaluation/periods/{period.pk}/events").json()
    assert [e["action"] for e in events] == ["enter", "collect", "compute"]
    listing = client_for(ann).get("/api/v1/evaluation/periods").json()
    assert listing["count"] == 1 and listing["items"][0]["state"] == "computed"


def test_out_of_scope_is_404_and_a_unit_sees_no_period(setup, world):
    _, period = setup
    far = client_for(factories.account("fay", ["assessor"], scope_region=world["manas"]))
    response = far.get(f"/api/v1/evaluation/periods/{period.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    put = far.put(
        f"/api/v1/evaluation/periods/{period.pk}/values",
        {"values": []},
        content_type="application/json",
    )
    assert put.status_code == 404
    handler = client_for(factories.account("hal", ["handler"], scope_unit=world["jiashun_unit"]))
    assert handler.get("/api/v1/evaluation/periods").json()["count"] == 0
    leader = client_for(factories.account("lea", ["leader"], scope_region=world["changji_city"]))
    refused = leader.put(
        f"/api/v1/evaluation/periods/{period.pk}/values",
        {
            "values": [
                {
                    "region_code": world["jiashun"].code,
                    "indicator_code": "income",
                    "value": "1",
                    "evidence": "x",
                }
            ]
        },
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"


def test_a_surveys_tallies_come_through_the_api_only_once_closed(setup, world):
    ann, _ = setup
    campaign = surveys.create_campaign(
        ann, name="嘉顺测评", region=world["jiashun"], people=[(world["jiashun_secretary"], "书记")]
    )
    (code,) = surveys.issue_codes(ann, campaign, 1)
    campaign = surveys.set_state(ann, campaign, "open")
    surveys.cast_ballot(campaign, code, {campaign.ratees.get().pk: "满意"})
    api = client_for(ann)
    open_ = api.get(f"/api/v1/evaluation/surveys/{campaign.pk}").json()
    assert open_["hidden"] and open_["people"] == [] and open_["voted"] == 1
    surveys.set_state(ann, campaign, "closed")
    closed = api.get(f"/api/v1/evaluation/surveys/{campaign.pk}").json()
    assert not closed["hidden"] and closed["people"][0]["satisfied_rate"] == 100.0


def test_the_evaluation_is_in_the_openapi_document(world):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/evaluation/periods/{period_id}/values" in paths
    put = paths["/api/v1/evaluation/periods/{period_id}/values"]["put"]
    assert "404" in put["responses"] and "422" in put["responses"]
    assert "/api/v1/evaluation/diagnoses" in paths and "/api/v1/evaluation/selections" in paths
