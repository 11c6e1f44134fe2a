"""Organiser endpoints: Bearer token or session (with CSRF), and only for organisers."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import ApiToken
from accounts.services import api_token_create
from events.models import Event
from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(db):
    """Every organiser endpoint, as (method, path, body)."""
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    return [
        ("get", "/api/organiser/events", None),
        ("post", "/api/organiser/events", {"title": "X", "kind": "other", "starts_at": "2030-01-01T10:00",
                                           "ends_at": "2030-01-01T11:00"}),
        ("get", f"/api/organiser/events/{event.id}", None),
        ("patch", f"/api/organiser/events/{event.id}", {"title": "Hacked"}),
        ("post", f"/api/organiser/events/{event.id}/cancel", None),
        ("get", f"/api/organiser/events/{event.id}/registrations", None),
        ("post", f"/api/organiser/events/{event.id}/registrations", {"name": "Intruder"}),
        ("post", f"/api/organiser/registrations/{registration.id}/attendance", {"attended": True}),
        ("post", f"/api/organiser/registrations/{registration.id}/cancel", None),
        ("post", "/api/organiser/themes", {"slug": "x", "name": "X"}),
        ("get", "/api/organiser/themes/demand", None),
    ]  # fmt: skip


def _call(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


def _assert_nothing_changed():
    assert Event.objects.count() == 1
    assert Event.objects.get().status == "published"
    assert Event.objects.get().title != "Hacked"
    assert Registration.objects.get().status == "confirmed"
    assert Registration.objects.get().attended is None


def test_organiser_endpoints_refuse_anonymous_requests(client, endpoints):
    for method, path, body in endpoints:
        response = _call(client, method, path, body)
        assert response.status_code == 401, (method, path)
        assert response.json()["detail"]
    _assert_nothing_changed()


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Token abc", "Basic b3JnOnB3"])
def test_organiser_endpoints_refuse_a_bad_token(endpoints, api_token, header):
    client = Client(headers={"Authorization": header})

    for method, path, body in endpoints:
        assert _call(client, method, path, body).status_code == 401, (method, path)
    _assert_nothing_changed()


def test_bearer_token_works_and_records_its_use(auth_client, endpoints):
    response = auth_client.get("/api/organiser/events")

    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_token_of_a_user_who_is_not_an_organiser_is_refused(endpoints):
    user = get_user_model().objects.create_user("someone", password="x")
    client = Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})

    for method, path, body in endpoints:
        assert _call(client, method, path, body).status_code == 401, (method, path)
    _assert_nothing_changed()


def test_token_stops_working_when_the_organiser_is_deactivated(auth_client, organiser):
    organiser.is_active = False
    organiser.save()

    assert auth_client.get("/api/organiser/events").status_code == 401


@pytest.mark.parametrize("permissions", [[], ["view_event", "view_registration"]], ids=["plain", "viewer"])
def test_logged_in_non_organiser_cannot_use_organiser_endpoints(endpoints, permissions):
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    client = Client()
    client.force_login(user)

    for method, path, body in endpoints:
        assert _call(client, method, path, body).status_code in (401, 403), (method, path)
    _assert_nothing_changed()


def test_session_organiser_can_read_and_write_with_csrf_token(organiser):
    event = EventFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    # What a page of the site would have set: the CSRF cookie, echoed in the header.
    client.cookies.load({"csrftoken": "a" * 32})

    read = client.get(f"/api/organiser/events/{event.id}")
    write = client.post(f"/api/organiser/events/{event.id}/cancel", headers={"X-CSRFToken": "a" * 32})

    assert read.status_code == 200
    assert write.status_code == 200, write.content
    event.refresh_from_db()
    assert event.status == "cancelled"


def test_session_organiser_write_without_csrf_token_is_refused(organiser):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    responses = [
        client.post(f"/api/organiser/events/{event.id}/cancel"),
        client.patch(f"/api/organiser/events/{event.id}", {"title": "Hacked"}, content_type="application/json"),
        client.post(f"/api/organiser/registrations/{registration.id}/attendance", {"attended": True},
                    content_type="application/json"),
    ]  # fmt: skip

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert all("CSRF" in r.json()["detail"] for r in responses)
    _assert_nothing_changed()
