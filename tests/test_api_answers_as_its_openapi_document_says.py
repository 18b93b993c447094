"""Schemathesis generates requests from /api/v1/openapi.json, valid and invalid, and checks
that every answer is documented: no 500s, documented status codes, content types and bodies,
and invalid input rejected with a 4xx."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jiceng import factories
from jiceng.orgs.tokens import create_token
from jiceng.wsgi import application

# Reading the document touches no database, so it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def wsgi_keeps_the_test_connection(db):
    # As Django's test client does: keep the test's connection (and transaction) open
    # across requests made straight to the WSGI application.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def real(world, wsgi_keeps_the_test_connection):
    """A root token, and a real record for every path parameter of the document, so that every
    operation is exercised with data and not only answered 404 (issue 26, finding 7: 16
    operations had only ever met 404s, which hid a schema that did not match its answer)."""
    from datetime import date

    from jiceng.evaluation import diagnoses, surveys
    from jiceng.evaluation.models import (
        AssessmentPeriod,
        ChecklistItem,
        Scheme,
        Selection,
    )
    from jiceng.tickets import services

    root = factories.account("root", superuser=True)
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(root, ticket, world["jiashun_unit"])
    services.attach_photos(root, ticket, [factories.photo("现场.jpg")])
    org = world["jiashun_branch"]
    items = ChecklistItem.objects.filter(is_active=True)
    diagnosis = diagnoses.record(root, org, {i.pk: (i.points / 2, "自评") for i in items})
    scheme = Scheme.objects.create(name="村（社区）党组织星级评定", region=world["jianguolu"])
    period = AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第一季度", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    secretary = world["jiashun_secretary"]
    campaign = surveys.create_campaign(
        root, name="嘉顺社区两委测评", region=world["jiashun"], people=[(secretary, "书记")]
    )
    selection = Selection.objects.create(name="担当我先行", region=world["changji_city"], seats=2)
    ids = {
        "ticket_id": ticket.pk,
        "photo_id": ticket.photos.get().pk,
        "unit_id": world["jiashun_unit"].pk,
        "person_id": secretary.pk,
        "account_id": root.pk,
        "diagnosis_id": diagnosis.pk,
        "period_id": period.pk,
        "survey_id": campaign.pk,
        "selection_id": selection.pk,
        "code": world["jiashun"].code,
    }
    return create_token(root), ids


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_as_documented(case, real):
    token, ids = real
    # every path parameter names a real record (the generated ones would almost all be 404)
    for name in list(case.path_parameters or {}):
        assert name in ids, f"no real record for the path parameter {name}"
        case.path_parameters[name] = ids[name]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Valid-looking input may still name a region or unit that does not exist: a 422
        # with a code is the right answer there, not a 2xx.
        excluded_checks=[positive_data_acceptance],
    )


def test_the_document_lists_every_error_status(client):
    document = client.get("/api/v1/openapi.json").json()
    operations = [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 50  # the whole API, not an empty document
    for method, path, operation in operations:
        assert {"401", "404", "422"} <= set(map(str, operation["responses"])), (method, path)
