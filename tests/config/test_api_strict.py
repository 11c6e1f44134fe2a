"""Strict types outside the meetings' own operations (tests/events has theirs): a body is a
JSON object with the documented fields, each of its JSON type (a boolean is true or false, a
number is no string), and query dates are ISO dates; anything else is 422 and changes nothing."""

import json

import pytest

from notifications.models import Announcement
from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory, signup_payload

pytestmark = pytest.mark.django_db

NOT_OBJECTS = ['"hello world again"', "[null, null]", "42", "true", "null", "[]"]


@pytest.fixture
def registration(open_event):
    return RegistrationFactory(event=open_event)


def _post(client, path, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data, content_type="application/json")


def _bodies(open_event, registration) -> dict[str, tuple[str, dict]]:
    """Each operation outside the meetings' own that takes a body: its path and a valid body."""
    return {
        "signup": ("/api/signups", signup_payload([open_event.id])),
        "walk-in": (f"/api/organiser/events/{open_event.id}/registrations", {"name": "Walk In", "attended": True}),
        "attendance": (f"/api/organiser/registrations/{registration.id}/attendance", {"attended": True}),
        "message": (
            f"/api/organiser/events/{open_event.id}/messages",
            {"subject": "Hej", "body": "Välkomna", "audience": "both"},
        ),
    }


def _state():
    return list(
        Registration.objects.order_by("pk").values_list("pk", "status", "attended")
    ), Announcement.objects.count()


@pytest.mark.parametrize("operation", ["signup", "walk-in", "attendance", "message"])
@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_a_body_that_is_not_an_object_is_422_and_changes_nothing(
    auth_client, open_event, registration, operation, body
):
    path, _valid = _bodies(open_event, registration)[operation]
    before = _state()

    response = _post(auth_client, path, body)

    assert response.status_code == 422, response.content
    assert response.json()["detail"] == "Begärans innehåll måste vara ett JSON-objekt."
    assert _state() == before


@pytest.mark.parametrize("operation", ["signup", "walk-in", "attendance", "message"])
def test_the_valid_bodies_are_taken(auth_client, open_event, registration, operation):
    path, valid = _bodies(open_event, registration)[operation]

    assert _post(auth_client, path, valid).status_code in (200, 201)


@pytest.mark.parametrize("operation", ["signup", "walk-in", "attendance", "message"])
def test_an_unknown_field_is_422_naming_it(auth_client, open_event, registration, operation):
    path, valid = _bodies(open_event, registration)[operation]
    before = _state()

    response = _post(auth_client, path, {**valid, "atended": True})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "atended", "message": "Okänt fält."}]
    assert _state() == before


@pytest.mark.parametrize("attended", [0, 1, "true", "false", "", [], {}])
def test_attendance_takes_only_true_false_or_null(auth_client, registration, attended):
    path = f"/api/organiser/registrations/{registration.id}/attendance"

    response = _post(auth_client, path, {"attended": attended})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attended"
    registration.refresh_from_db()
    assert registration.attended is None


@pytest.mark.parametrize("attended", [True, False, None])
def test_attendance_marks_and_undoes(auth_client, registration, attended):
    response = _post(auth_client, f"/api/organiser/registrations/{registration.id}/attendance", {"attended": attended})

    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.attended is attended


def test_a_walk_in_marked_attended_with_0_is_refused(auth_client, open_event):
    response = _post(auth_client, f"/api/organiser/events/{open_event.id}/registrations", {"name": "X", "attended": 0})

    assert response.status_code == 422
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"consent": 1},
        {"consent": "true"},
        {"event_ids": ["1"]},
        {"event_ids": [1.5]},
        {"event_ids": [True]},
        {"name": 5},
        {"gender": 1},
        {"theme_interests": ["Not A Slug"]},
    ],
    ids=repr,
)
def test_a_signup_with_loose_types_is_422(client, open_event, changes):
    payload = {**signup_payload([open_event.id]), **changes}
    payload["event_ids"] = payload["event_ids"] or [open_event.id]

    response = _post(client, "/api/signups", payload)

    assert response.status_code == 422, response.content
    assert not Registration.objects.exists()


def test_a_whole_number_written_with_a_fraction_is_an_integer_as_json_schema_says(client, open_event):
    response = _post(client, "/api/signups", signup_payload([float(open_event.id)]))

    assert response.status_code == 201, response.content
    assert response.json()["registrations"][0]["event_id"] == open_event.id


def test_a_message_with_a_number_for_its_subject_is_422(auth_client, open_event, registration):
    response = _post(
        auth_client, f"/api/organiser/events/{open_event.id}/messages", {"subject": 1, "body": "x", "audience": "both"}
    )

    assert response.status_code == 422
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("day", ["0", "1", "20270101", "2027-1-1", "1899-12-31", "3000-01-01", "2027-02-30"])
@pytest.mark.parametrize(
    "path", ["/api/reports/progress", "/api/reports/progress.csv", "/api/organiser/exports/registrations.csv"]
)
def test_query_dates_are_iso_dates_from_1900_to_2999(auth_client, path, day):
    response = auth_client.get(path, {"from": day, "to": "2027-06-30"})

    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "from"


@pytest.mark.parametrize("event_id", [0, -1, 2**63, 2**70])
def test_a_meeting_id_that_no_database_can_hold_is_422(client, event_id):
    EventFactory()

    response = _post(client, "/api/signups", signup_payload([event_id]))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "event_ids.0"
    assert not Registration.objects.exists()


@pytest.mark.parametrize("flag", ["yes", "1", "on", "True"])
def test_a_query_boolean_is_true_or_false(auth_client, flag):
    response = auth_client.get(
        "/api/reports/progress", {"from": "2027-01-01", "to": "2027-06-30", "suppress_small": flag}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "suppress_small"
