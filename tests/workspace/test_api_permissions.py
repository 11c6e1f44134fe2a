"""The organiser API's two roles: a helper marks attendance and adds walk-ins, nothing more."""

import pytest
from django.test import Client

from accounts.services import api_token_create
from events.models import Event
from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper_api(helper):
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=helper)}"})


def test_helper_token_is_refused_organiser_writes_with_403(helper_api):
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    new_event = {"title": "X", "kind": "other", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}

    responses = [
        helper_api.post("/api/organiser/events", new_event, content_type="application/json"),
        helper_api.patch(f"/api/organiser/events/{event.id}", {"title": "Hacked"}, content_type="application/json"),
        helper_api.post(f"/api/organiser/events/{event.id}/cancel"),
        helper_api.post(f"/api/organiser/registrations/{registration.id}/cancel"),
        helper_api.post(
            f"/api/organiser/events/{event.id}/registrations",
            {"name": "Not a walk-in"},
            content_type="application/json",
        ),
        helper_api.get("/api/organiser/themes/demand"),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert all(r.json()["detail"] for r in responses)
    assert Event.objects.count() == 1
    event.refresh_from_db()
    assert event.status == "published"
    assert event.title != "Hacked"
    assert Registration.objects.get().status == "confirmed"


def test_helper_token_marks_attendance_and_reads_the_list(helper_api):
    event = EventFactory()
    registration = RegistrationFactory(event=event)

    marked = helper_api.post(
        f"/api/organiser/registrations/{registration.id}/attendance",
        {"attended": True},
        content_type="application/json",
    )
    listed = helper_api.get(f"/api/organiser/events/{event.id}/registrations")

    assert marked.status_code == 200
    assert listed.status_code == 200
    assert listed.json()[0]["attended"] is True


def test_helper_adds_a_walk_in(helper_api):
    event = EventFactory(past=True)

    response = helper_api.post(
        f"/api/organiser/events/{event.id}/registrations",
        {"name": "Walk In", "attended": True},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Registration.objects.get().attended is True


def test_attendance_null_undoes_the_mark(auth_client):
    registration = RegistrationFactory(attended=True)

    response = auth_client.post(
        f"/api/organiser/registrations/{registration.id}/attendance",
        {"attended": None},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["attended"] is None


@pytest.mark.parametrize("who", ["organiser", "helper"])
def test_no_shows_endpoint_marks_everyone_unmarked(request, who):
    user = request.getfixturevalue(who)
    client = Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})
    event = EventFactory(past=True)
    came = RegistrationFactory(event=event, attended=True)
    unmarked = RegistrationFactory.create_batch(2, event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")

    response = client.post(f"/api/organiser/events/{event.id}/no-shows")

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    listed = {r["id"]: r["attended"] for r in client.get(f"/api/organiser/events/{event.id}/registrations").json()}
    assert listed == {came.id: True, unmarked[0].id: False, unmarked[1].id: False, waiting.id: None}


def test_no_shows_endpoint_needs_login_and_a_known_meeting(client, auth_client):
    assert client.post("/api/organiser/events/1/no-shows").status_code == 401
    assert auth_client.post("/api/organiser/events/999/no-shows").status_code == 404


def test_no_shows_endpoint_is_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert "post" in paths["/api/organiser/events/{event_id}/no-shows"]
