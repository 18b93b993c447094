"""Assessors keep schemes as data: they sign in to the admin, see only the evaluation pages,
add a scheme with weighted indicators inside their scope, and nothing else."""

from django.test import Client

from jiceng import factories
from jiceng.evaluation.models import Indicator, Scheme, SchemeIndicator


def assessor_client(world):
    factories.account(
        "ann", ["assessor"], scope_region=world["changji_city"], password="pw-ann-2026"
    )
    client = Client()
    assert client.login(username="ann", password="pw-ann-2026")
    return client


def test_an_assessor_adds_a_scheme_with_weights(world):
    client = assessor_client(world)
    index = client.get("/admin/").content.decode()
    assert "考评方案" in index and "承办单位" not in index and "账号" not in index
    sanlv = Indicator.objects.create(
        code="sanlv", name="接诉即办综合得分", kind="tickets", source="score"
    )
    response = client.post(
        "/admin/evaluation/scheme/add/",
        {
            "name": "建国路街道社区星级评定",
            "org_kind": "社区党组织",
            "region": world["jianguolu"].pk,
            "cycle": "quarter",
            "star5": "90",
            "star4": "80",
            "star3": "70",
            "star2": "60",
            "excellent_share": "0.3",
            "poor_share": "0.1",
            "min_group": "10",
            "floor": "60",
            "missing_policy": "zero",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-indicator": sanlv.pk,
            "items-0-weight": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scheme = Scheme.objects.get()
    assert scheme.missing_policy == "zero"
    assert SchemeIndicator.objects.get(scheme=scheme).weight == 1


def test_an_assessor_sees_nothing_of_master_data_or_other_counties(world):
    client = assessor_client(world)
    assert client.get("/admin/orgs/unit/").status_code == 403
    assert client.get("/admin/orgs/user/").status_code == 403
    far = Scheme.objects.create(name="玛纳斯县评定", region=world["manas"])
    assert client.get(f"/admin/evaluation/scheme/{far.pk}/change/").status_code == 404
    assert "玛纳斯县评定" not in client.get("/admin/evaluation/scheme/").content.decode()


def test_a_handler_still_cannot_enter(world):
    factories.account("hal", ["handler"], scope_unit=world["jiashun_unit"], password="pw-hal-2026")
    response = Client().post("/admin/login/", {"username": "hal", "password": "pw-hal-2026"})
    assert "没有管理员或考评员角色" in response.content.decode()
