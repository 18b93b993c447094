"""Issue 11, finding 2: an administrator scoped to one county listed another county's
notifications (full phone numbers, rating links) in the admin. Now every registered admin
model that holds or points to a ticket, a person, a unit, a place or a key is scoped: this
test walks all of them as a county administrator, so that a model added later cannot slip
through without a scope rule and a row of the other county in this test's world."""

from datetime import date

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from jiceng import factories
from jiceng.orgs import access
from jiceng.regions.models import Region
from jiceng.tickets import services

# Fields followed, in this order, to find where a row sits.
PLACE_FIELDS = [
    "region",
    "ticket",
    "unit",
    "person",
    "party_org",
    "scheme",
    "scope_region",
    "scope_unit",
    "user",
    "parent",
]


def place_of(obj, depth: int = 0) -> Region | None:
    """Where a row sits, found by following its relations (independently of the scope rules
    under test)."""
    if isinstance(obj, Region):
        return obj
    if depth > 3:
        return None
    for name in PLACE_FIELDS:
        try:
            related = getattr(obj, name, None)
        except Exception:
            continue
        if isinstance(related, models.Model):
            found = place_of(related, depth + 1)
            if found is not None:
                return found
    return None


def points_to_scoped_rows(model) -> bool:
    return access.is_scoped(model) or any(
        f.is_relation and f.related_model and access.is_scoped(f.related_model)
        for f in model._meta.get_fields()
        if f.concrete
    )


@pytest.fixture
def manas_rows(world, users):
    """One row of every scoped kind in 玛纳斯县, the county next door."""
    from jiceng.dispatch.models import Example, RoutingRule, Suggestion
    from jiceng.evaluation.models import (
        AssessmentPeriod,
        Campaign,
        Scheme,
        Selection,
        TrainingRecord,
    )
    from jiceng.open311.models import Open311Key
    from jiceng.regions.models import PlaceAlias
    from jiceng.tickets.models import Category

    village = world["baojiadian_village"]
    manas_dispatcher = factories.account(
        "mona", ["dispatcher", "intake"], scope_region=world["manas"]
    )
    ticket = factories.ticket(village, title="包家店村灌渠漏水", phone="13912345678")
    services.dispatch(manas_dispatcher, ticket, world["baojiadian_village_unit"])
    services.read_phone(manas_dispatcher, ticket, via="测试")
    category = Category.objects.filter(level=1).first()
    RoutingRule.objects.create(category=category, region=world["manas"])
    Suggestion.objects.get_or_create(ticket=ticket, defaults={"problem": "测试"})
    Example.objects.update_or_create(ticket=ticket, defaults={"text": "灌渠漏水", "label": "农业"})
    scheme = Scheme.objects.create(name="玛纳斯县村级星级评定", region=world["manas"])
    AssessmentPeriod.objects.create(
        scheme=scheme,
        label="2026年第四季度",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 31),
    )
    Campaign.objects.create(name="包家店村满意度测评", region=village, salt="x")
    Selection.objects.create(name="玛纳斯县担当我先行", region=world["manas"])
    PlaceAlias.objects.create(region=village, name="包家店老村")
    TrainingRecord.objects.create(
        person=world["baojiadian_village_secretary"],
        course="党务培训",
        held_on=date(2026, 5, 1),
        hours=8,
    )
    Open311Key.objects.create(name="玛纳斯县便民APP", region=world["manas"], prefix="k", digest="d")
    from jiceng.orgs.tokens import create_token

    create_token(manas_dispatcher, "玛纳斯县热线对接")
    return ticket


def test_a_county_administrator_sees_nothing_of_another_county_in_any_admin_page(
    world, manas_rows, client
):
    cindy = factories.account("cindy", ["admin", "assessor"], scope_region=world["changji_city"])
    client.force_login(cindy)
    manas = world["manas"].path
    checked = []
    for model in admin.site._registry:
        if not points_to_scoped_rows(model):
            continue  # a prefecture-wide catalog (categories, unit types, settings)
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        assert access.is_scoped(model), f"{label} points to scoped rows but has no scope rule"
        elsewhere = [
            obj
            for obj in model._default_manager.all()
            if (place := place_of(obj)) is not None and place.path.startswith(manas)
        ]
        assert elsewhere, f"this test's world holds no {label} in 玛纳斯县: add one to manas_rows"
        listing = client.get(
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        )
        assert listing.status_code == 200, label
        page = listing.content.decode()
        for obj in elsewhere:
            change = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            )
            assert change not in page, f"{label} {obj} is listed"
            assert client.get(change).status_code == 404, f"{label} {obj} opens"
        checked.append(label)
    for must in (
        "tickets.notification",
        "tickets.phoneread",
        "open311.open311key",
        "tickets.ticket",
    ):
        assert must in checked


def test_the_outbox_in_the_admin_shows_no_number_and_no_link(world, users, client):
    ticket = factories.ticket(world["jiashun"], phone="13912345678")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.accept(users["dave"], ticket)
    services.reply(users["dave"], ticket, "已联系物业修好")
    client.force_login(users["alice"])
    listing = client.get("/admin/tickets/notification/").content.decode()
    assert "139********" in listing and "13912345678" not in listing
    from jiceng.tickets.models import Notification

    message = Notification.objects.get(kind="resident_reply")
    page = client.get(f"/admin/tickets/notification/{message.pk}/change/").content.decode()
    assert "13912345678" not in page and "/r/" not in page and "{rating_link}" in page
