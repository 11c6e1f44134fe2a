"""Workspace fixtures: a helper at the door beside the shared organiser, logged-in clients."""

import pytest
from django.test import Client

from accounts.services import helper_create


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
