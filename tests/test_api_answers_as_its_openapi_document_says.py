"""Schemathesis generates requests from /api/v1/openapi.json, valid and invalid, and checks
that every answer is documented: no 500s, documented status codes, content types and bodies,
and invalid input rejected with a 4xx."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
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
def token(world, wsgi_keeps_the_test_connection):
    root = factories.account("root", superuser=True)
    ticket = factories.ticket(world["jiashun"])
    assert ticket.pk  # something to read, so that GETs by id sometimes hit a real ticket
    return create_token(root)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_as_documented(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Valid-looking input may still name a region or unit that does not exist: a 422
        # with a code is the right answer there, not a 2xx.
        excluded_checks=[positive_data_acceptance],
    )


def test_the_document_lists_every_error_status(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"401", "404", "422"} <= set(map(str, operation["responses"])), (method, path)
    assert not_a_server_error  # the default checks, including this one, run above
