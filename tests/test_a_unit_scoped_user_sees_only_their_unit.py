def test_dave_sees_his_unit_and_its_people_only(login, world):
    dave = login("dave")
    units = dave.get("/api/v1/units").json()
    assert [u["name"] for u in units["items"]] == ["嘉顺社区"]
    # The property company shares the community but is another unit.
    assert dave.get(f"/api/v1/units/{world['jiashun_property'].pk}").status_code == 404
    people = {p["id"] for p in dave.get("/api/v1/people").json()["items"]}
    assert people == {world["jiashun_grid_worker"].pk}


def test_dave_has_no_admin_and_no_accounts(login, users):
    dave = login("dave")
    assert dave.get("/admin/").status_code == 302  # to the admin login
    response = dave.get(f"/api/v1/accounts/{users['bob'].pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"


def test_phone_numbers_are_masked_in_the_api(login, world):
    person = world["jiashun_grid_worker"]
    body = login("dave").get(f"/api/v1/people/{person.pk}").json()
    assert body["phone"] == person.phone[:3] + "*" * 8
