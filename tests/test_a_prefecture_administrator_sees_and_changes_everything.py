from jiceng.orgs.models import Unit


def test_alice_opens_every_community_in_the_api_and_the_admin(login, world, users):
    alice = login("alice")
    for unit in [world["jiashun_unit"], world["jianguo_unit"], world["baojiadian_village_unit"]]:
        assert alice.get(f"/api/v1/units/{unit.pk}").status_code == 200
        assert alice.get(f"/admin/orgs/unit/{unit.pk}/change/").status_code == 200
    assert alice.get(f"/api/v1/accounts/{users['carol'].pk}").status_code == 200
    assert alice.get(f"/api/v1/people/{world['jianguo_secretary'].pk}").status_code == 200
    assert alice.get("/api/v1/units").json()["count"] == Unit.objects.count()


def test_alice_changes_a_unit_through_the_api_and_it_is_logged(login, world):
    from django.contrib.admin.models import LogEntry

    unit = world["jianguo_unit"]
    response = login("alice").patch(
        f"/api/v1/units/{unit.pk}",
        data={"phone": "0994-2345678", "address": "建国路 88 号"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "0994-2345678"
    unit.refresh_from_db()
    assert unit.address == "建国路 88 号"
    entry = LogEntry.objects.get(object_id=str(unit.pk))
    assert entry.user.username == "alice"
    assert "phone" in entry.change_message


def test_alice_changes_a_unit_in_the_admin(login, world):
    unit = world["baojiadian_village_unit"]
    response = login("alice").post(
        f"/admin/orgs/unit/{unit.pk}/change/",
        {
            "code": unit.code,
            "name": "包家店村委会",
            "type": unit.type_id,
            "region": unit.region_id,
            "notify_channel": "inbox",
            "is_active": "on",
            "posts-TOTAL_FORMS": "0",
            "posts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "包家店村委会"
