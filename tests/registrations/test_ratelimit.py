"""SIGNUP_RATE_LIMIT: per client address and per e-mail, and a forged X-Forwarded-For buys nothing."""

import pytest
from django.core.cache import cache
from django.test import Client

from registrations.models import Registration
from tests.factories import EventFactory, signup_payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limited(settings):
    # Windows are fixed slices of the period; a day-long one keeps the test off their edges
    # (with "3/m" a run that crosses a minute boundary would start counting afresh).
    settings.SIGNUP_RATE_LIMIT = "3/d"
    cache.clear()
    yield
    cache.clear()


def _post(client, event, email, **headers):
    payload = signup_payload([event.id], email=email)
    return client.post("/api/signups", payload, content_type="application/json", headers=headers)


def test_signups_from_one_client_are_limited_even_with_a_forged_forwarded_for():
    event = EventFactory(capacity=None)
    client = Client()

    codes = [_post(client, event, f"p{i}@example.org", X_Forwarded_For=f"10.0.0.{i}").status_code for i in range(5)]

    assert codes == [201, 201, 201, 429, 429]
    assert Registration.objects.count() == 3


def test_signups_for_one_email_are_limited_across_clients():
    event = EventFactory(capacity=None)

    codes = [
        _post(
            Client(REMOTE_ADDR=f"192.0.2.{i}"), event, "Same@Example.org" if i % 2 else "same@example.org"
        ).status_code
        for i in range(5)
    ]

    assert codes == [201, 201, 201, 429, 429]
    assert "detail" in _post(Client(REMOTE_ADDR="192.0.2.99"), event, "same@example.org").json()


def test_limit_off_lets_everything_through(settings):
    settings.SIGNUP_RATE_LIMIT = "off"
    event = EventFactory(capacity=None)
    client = Client()

    codes = {_post(client, event, f"p{i}@example.org").status_code for i in range(10)}

    assert codes == {201}
