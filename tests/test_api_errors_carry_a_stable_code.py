from django.test import Client


def test_an_anonymous_call_gets_401_not_authenticated(world):
    response = Client().get("/api/v1/units")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "请先登录"}


def test_a_bad_phone_number_is_422_with_the_field_named(login, world):
    unit = world["jiashun_unit"]
    response = login("alice").patch(
        f"/api/v1/units/{unit.pk}", data={"phone": "12345"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [{"field": "phone", "message": "请输入 11 位手机号或带区号的固定电话"}]
    unit.refresh_from_db()
    assert unit.phone == ""


def test_a_malformed_body_is_422_malformed(login, world):
    response = login("alice").patch(
        f"/api/v1/units/{world['jiashun_unit'].pk}",
        data={"is_active": "maybe"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "malformed"


def test_a_non_administrator_cannot_change_a_unit_in_scope(login, world):
    response = login("erin").patch(
        f"/api/v1/units/{world['jiashun_unit'].pk}",
        data={"name": "改名"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"


def test_an_unknown_id_is_404_not_500(login, world):
    assert login("alice").get("/api/v1/units/999999").status_code == 404
    assert login("alice").get("/api/v1/regions/not-a-code").status_code == 404


def test_the_openapi_document_is_served(login, world):
    response = login("alice").get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/units/{unit_id}" in response.json()["paths"]
