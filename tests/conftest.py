"""Shared fixtures: an organiser with an API token, a helper at the door, logged-in and
authenticated clients, an open meeting; and the real parts from tests/support."""

import pytest
from django.test import Client

from accounts.services import api_token_create, helper_create, organiser_create

from .factories import EventFactory

# The real parts (SMTP server, private Redis, Celery processes) as fixtures for every package.
pytest_plugins = ["tests.support.smtp", "tests.support.broker", "tests.support.wsgi"]


@pytest.fixture
def organiser(db):
    return organiser_create(username="organiser", email="organiser@example.org", password="not-a-real-password")


@pytest.fixture
def helper(db):
    return helper_create(username="vard", email="vard@example.org", password="not-a-real-password")


@pytest.fixture
def organiser_client(organiser):
    client = Client()
    client.force_login(organiser)
    return client


@pytest.fixture
def helper_client(helper):
    client = Client()
    client.force_login(helper)
    return client


@pytest.fixture
def api_token(organiser):
    return api_token_create(user=organiser)


@pytest.fixture
def auth_client(api_token):
    return Client(headers={"Authorization": f"Bearer {api_token}"})


@pytest.fixture
def open_event(db):
    return EventFactory(capacity=2)
