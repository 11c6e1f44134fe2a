"""For tests that call the WSGI application itself (schemathesis' `from_wsgi`)."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture
def connection_kept_across_requests():
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction; Django's own test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
