"""The API against its own OpenAPI document: schemathesis generates requests for every
operation from /api/openapi.json and sends them to the WSGI app. No answer may be a 5xx,
every status must be documented for its operation, and every answer must match the schema
documented for it. Organiser operations are called with an organiser's Bearer token.

Bounded and reproducible for CI: a fixed number of examples per operation, derandomised,
no example database."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BOUNDED = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)

public = schema.exclude(path_regex=r"^/api/(organiser|reports)/")
organiser = schema.include(path_regex=r"^/api/(organiser|reports)/")


@pytest.fixture(autouse=True)
def _connection_kept_across_requests():
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction; Django's own test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(db):
    """A little of everything, so generated ids sometimes hit real rows (ids start at 1)."""
    theme = ThemeFactory(slug="finansiering")
    event = EventFactory(capacity=5, themes=[theme])
    RegistrationFactory(event=event)
    return event


@public.parametrize()
@BOUNDED
def test_public_operations_keep_to_the_document(case, records):
    case.call_and_validate(checks=CHECKS)


@organiser.parametrize()
@BOUNDED
def test_organiser_operations_keep_to_the_document(case, records, api_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)
