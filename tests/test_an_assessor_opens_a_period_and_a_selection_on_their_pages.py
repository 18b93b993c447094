"""Periods and selections are created on their own pages by a service that checks who may
(`access.WHO`) and writes the record's first event (`transitions.create`); the admin shows
them but can no longer make or change them, which skipped both."""

from datetime import date

import pytest
from django.http import Http404

from jiceng import factories
from jiceng.core.errors import Forbidden
from jiceng.evaluation import flows, periods, selection, transitions
from jiceng.evaluation.models import AssessmentPeriod, EvaluationEvent, Scheme, Selection


@pytest.fixture
def assessor(world):
    return factories.account("ping", ["assessor"], scope_region=world["changji_city"])


@pytest.fixture
def scheme(world):
    return Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])


def signed_in(client, user):
    client.force_login(user)
    return client


def test_an_assessor_opens_a_period_and_its_first_event_says_who(client, assessor, scheme):
    page = signed_in(client, assessor).get("/evaluation/periods/")
    assert 'href="/evaluation/periods/new/"' in page.content.decode()
    answer = client.post(
        "/evaluation/periods/new/",
        {
            "scheme": scheme.pk,
            "label": "2026年第四季度",
            "starts_on": "2026-10-01",
            "ends_on": "2026-12-31",
        },
    )
    period = AssessmentPeriod.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/evaluation/periods/{period.pk}/"
    assert (period.state, period.starts_on, period.ends_on) == (
        "open",
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    event = EvaluationEvent.objects.get(flow="period", object_id=period.pk)
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "create",
        "",
        "open",
        assessor,
    )


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (
            {"label": "", "starts_on": "2026-10-01", "ends_on": "2026-12-31"},
            "label",
            "请填写考评期名称",
        ),
        (
            {"label": "四季度", "starts_on": "2026-12-31", "ends_on": "2026-10-01"},
            "ends_on",
            "不能早于",
        ),
        (
            {"label": "四季度", "starts_on": "2026-10-01", "ends_on": "2027-12-31"},
            "ends_on",
            "一年",
        ),
        (
            {"label": "四季度", "starts_on": "10/01", "ends_on": "2026-12-31"},
            "starts_on",
            "2026-10-01",
        ),
        (
            {"label": "四季度", "starts_on": "2026-09-01", "ends_on": "2026-11-30"},
            "starts_on",
            "重叠",
        ),
        (
            {"label": "三季度", "starts_on": "2027-01-01", "ends_on": "2027-03-31"},
            "label",
            "已有名为",
        ),
    ],
)
def test_a_bad_period_is_refused_next_to_its_field_and_nothing_is_saved(
    client, assessor, scheme, form, field, words
):
    periods.create_period(
        assessor,
        scheme,
        label="三季度",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 9, 30),
    )
    answer = signed_in(client, assessor).post(
        "/evaluation/periods/new/", {"scheme": scheme.pk, **form}
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert f'id="error-{field}"' in page and words in page
    assert AssessmentPeriod.objects.count() == 1
    assert EvaluationEvent.objects.filter(flow="period").count() == 1


def test_a_scheme_outside_the_scope_is_neither_offered_nor_accepted(client, world, scheme):
    far = factories.account("far", ["assessor"], scope_region=world["manas"])
    page = signed_in(client, far).get("/evaluation/periods/new/").content.decode()
    assert "社区党组织星级评定" not in page
    answer = client.post(
        "/evaluation/periods/new/",
        {
            "scheme": scheme.pk,
            "label": "四季度",
            "starts_on": "2026-10-01",
            "ends_on": "2026-12-31",
        },
    )
    assert answer.status_code == 422 and "管辖范围内的考评方案" in answer.content.decode()
    with pytest.raises(Http404):
        periods.create_period(
            far, scheme, label="四季度", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
        )
    assert not AssessmentPeriod.objects.exists()


def test_only_an_assessor_opens_periods_and_selections(client, world, scheme):
    admin = factories.account("adm", ["admin"], scope_region=world["changji_city"])
    signed_in(client, admin)
    assert (
        'href="/evaluation/periods/new/"' not in client.get("/evaluation/periods/").content.decode()
    )
    assert client.get("/evaluation/periods/new/").status_code == 403
    assert client.get("/evaluation/selections/new/").status_code == 403
    with pytest.raises(Forbidden):
        periods.create_period(
            admin, scheme, label="四季度", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
        )
    with pytest.raises(Forbidden):
        selection.create_selection(admin, name="担当我先行", region=world["changji_city"], seats=3)
    assert not AssessmentPeriod.objects.exists() and not Selection.objects.exists()


def test_an_assessor_opens_a_selection_and_nominations_begin(client, world, assessor):
    page = signed_in(client, assessor).get("/evaluation/selections/")
    assert 'href="/evaluation/selections/new/"' in page.content.decode()
    answer = client.post(
        "/evaluation/selections/new/",
        {
            "name": "2026年度“担当我先行”优秀书记评选",
            "region": world["changji_city"].code,
            "seats": "3",
            "publicity_days": "5",
        },
    )
    made = Selection.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/evaluation/selections/{made.pk}/"
    assert (made.state, made.seats, made.created_by) == ("nominating", 3, assessor)
    event = EvaluationEvent.objects.get(flow="selection", object_id=made.pk)
    assert (event.action, event.to_state, event.actor) == ("create", "nominating", assessor)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": "评选", "region": "652301004012", "seats": "3"}, "region"),  # a community
        ({"name": "评选", "region": "652301000000", "seats": "0"}, "seats"),
        ({"name": "评选", "region": "652301000000", "seats": "abc"}, "seats"),
        ({"name": "", "region": "652301000000", "seats": "3"}, "name"),
        (
            {"name": "评选", "region": "652324000000", "seats": "3"},
            "region",
        ),  # 玛纳斯县: out of scope
        (
            {"name": "评选", "region": "652301000000", "seats": "3", "publicity_days": "99"},
            "publicity_days",
        ),
    ],
)
def test_a_bad_selection_is_refused_next_to_its_field(client, world, assessor, form, field):
    answer = signed_in(client, assessor).post(
        "/evaluation/selections/new/", {"publicity_days": "5", **form}
    )
    assert answer.status_code == 422 and f'id="error-{field}"' in answer.content.decode()
    assert not Selection.objects.exists() and not EvaluationEvent.objects.exists()


def test_the_admin_shows_periods_and_selections_but_cannot_make_or_change_them(
    client, world, assessor, scheme
):
    period = periods.create_period(
        assessor, scheme, label="四季度", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
    )
    made = selection.create_selection(
        assessor, name="担当我先行", region=world["changji_city"], seats=3
    )
    signed_in(client, assessor)
    for model, obj in (("assessmentperiod", period), ("selection", made)):
        assert client.get(f"/admin/evaluation/{model}/").status_code == 200
        assert client.get(f"/admin/evaluation/{model}/add/").status_code == 403
        change = f"/admin/evaluation/{model}/{obj.pk}/change/"
        assert client.get(change).status_code == 200  # read only
        client.post(change, {"label": "改过的名称", "name": "改过的名称", "seats": 9})
    period.refresh_from_db()
    made.refresh_from_db()
    assert period.label == "四季度" and (made.name, made.seats) == ("担当我先行", 3)


def test_every_workflow_has_one_creating_step_and_a_lockable_model():
    assert set(transitions.MODELS) == set(flows.FLOWS)
    creating = {name: flow.creating for name, flow in flows.FLOWS.items()}
    assert creating == {
        "period": "create",
        "selection": "create",
        "campaign": "create",
        "diagnosis": "record",
        "rectification": None,  # its items are made by the diagnosis
        "reserve": "add",
        "meeting": "record",
    }


def test_every_problem_of_the_selection_form_is_said_at_once(client, assessor):
    answer = signed_in(client, assessor).post(
        "/evaluation/selections/new/",
        {"name": "", "region": "", "seats": "0", "publicity_days": "0"},
    )
    page = answer.content.decode()
    assert answer.status_code == 422
    for field in ("name", "region", "seats", "publicity_days"):
        assert f'id="error-{field}"' in page, field


def test_every_problem_of_the_period_form_is_said_at_once(client, assessor):
    answer = signed_in(client, assessor).post(
        "/evaluation/periods/new/", {"scheme": "", "label": "", "starts_on": "10/01", "ends_on": ""}
    )
    page = answer.content.decode()
    assert answer.status_code == 422 and "日期应写成 2026-10-01" in page
    for field in ("scheme", "label", "starts_on", "ends_on"):
        assert f'id="error-{field}"' in page, field
    assert not AssessmentPeriod.objects.exists()
