"""bob administers 嘉顺社区; 建国社区 next door is carol's. Out of scope is 404, never 403."""

import pytest

from jiceng.orgs.models import Unit


@pytest.fixture
def neighbour(world, users):
    return {
        "unit": world["jianguo_unit"],
        "person": world["jianguo_secretary"],
        "account": users["carol"],
    }


def test_api_answers_404_for_the_neighbours_unit_person_and_account(login, neighbour):
    bob = login("bob")
    for url in [
        f"/api/v1/units/{neighbour['unit'].pk}",
        f"/api/v1/people/{neighbour['person'].pk}",
        f"/api/v1/accounts/{neighbour['account'].pk}",
    ]:
        response = bob.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"code": "not_found", "message": "不存在或无权查看"}


def test_api_lists_hold_only_bobs_own_community(login, world, users):
    bob = login("bob")
    units = bob.get("/api/v1/units").json()
    assert {u["name"] for u in units["items"]} == {"嘉顺社区", "嘉顺物业服务有限公司"}
    people = bob.get("/api/v1/people").json()
    assert world["jianguo_secretary"].pk not in {p["id"] for p in people["items"]}
    assert world["jiashun_secretary"].pk in {p["id"] for p in people["items"]}
    accounts = bob.get("/api/v1/accounts").json()
    assert {a["username"] for a in accounts["items"]} == {"bob", "dave", "frank"}


def test_api_cannot_change_the_neighbours_unit(login, neighbour):
    response = login("bob").patch(
        f"/api/v1/units/{neighbour['unit'].pk}",
        data={"name": "被改了"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Unit.objects.get(pk=neighbour["unit"].pk).name == "建国社区"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/orgs/unit/{unit}/change/",
        "/admin/orgs/person/{person}/change/",
        "/admin/orgs/user/{account}/change/",
        "/admin/orgs/user/{account}/password/",
        "/admin/orgs/unit/{unit}/delete/",
    ],
)
def test_admin_pages_of_the_neighbour_answer_404(login, neighbour, path):
    url = path.format(
        unit=neighbour["unit"].pk, person=neighbour["person"].pk, account=neighbour["account"].pk
    )
    assert login("bob").get(url).status_code == 404


def test_admin_post_to_the_neighbours_unit_changes_nothing(login, neighbour, world):
    unit = neighbour["unit"]
    response = login("bob").post(
        f"/admin/orgs/unit/{unit.pk}/change/",
        {
            "code": unit.code,
            "name": "被改了",
            "type": unit.type_id,
            "region": unit.region_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 404
    assert Unit.objects.get(pk=unit.pk).name == "建国社区"


def test_admin_lists_hide_the_neighbour(login, world):
    bob = login("bob")
    units = bob.get("/admin/orgs/unit/").content.decode()
    assert "嘉顺社区" in units and "建国社区" not in units
    people = bob.get("/admin/orgs/person/").content.decode()
    assert world["jiashun_secretary"].name in people
    accounts = bob.get("/admin/orgs/user/").content.decode()
    assert "carol" not in accounts and "alice" not in accounts


def test_web_pages_of_the_neighbour_answer_404(login, world, neighbour):
    bob = login("bob")
    assert bob.get(f"/units/{neighbour['unit'].pk}/").status_code == 404
    assert bob.get(f"/regions/{world['jianguo'].code}/").status_code == 404
    assert bob.get(f"/regions/{world['changji_city'].code}/").status_code == 404
    page = bob.get(f"/regions/{world['jiashun'].code}/")
    assert page.status_code == 200
    assert "嘉顺社区" in page.content.decode()


def test_a_unit_cannot_be_moved_into_the_neighbours_region(login, world):
    unit = world["jiashun_unit"]
    response = login("bob").post(
        f"/admin/orgs/unit/{unit.pk}/change/",
        {
            "code": unit.code,
            "name": unit.name,
            "type": unit.type_id,
            "region": world["jianguo"].pk,
            "is_active": "on",
            "posts-TOTAL_FORMS": "0",
            "posts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the error next to the field
    assert "选择一个有效的选项" in response.content.decode()
    unit.refresh_from_db()
    assert unit.region == world["jiashun"]


def test_admin_autocomplete_offers_only_regions_in_scope(login, world):
    response = login("bob").get(
        "/admin/autocomplete/",
        {"app_label": "orgs", "model_name": "unit", "field_name": "region", "term": "社区"},
    )
    assert response.status_code == 200
    names = {item["text"] for item in response.json()["results"]}
    assert names == {"嘉顺社区居委会"}
