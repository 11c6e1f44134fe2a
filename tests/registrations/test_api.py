import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.choices import EventStatus
from registrations.choices import Status
from registrations.models import Registration, ThemeInterest
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory, signup_payload

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://meet.example.org/secret-room"


def _post_signup(client, payload):
    return client.post("/api/signups", payload, content_type="application/json")


def _token_for(client, event, **fields):
    response = _post_signup(client, signup_payload([event.id], **fields))
    assert response.status_code == 201, response.content
    return response.json()["registrations"][0]["manage_token"]


# POST /api/signups


def test_signup_answers_201_with_one_entry_per_meeting(client):
    roomy, full = EventFactory(capacity=5), EventFactory(capacity=1)
    RegistrationFactory(event=full)
    ThemeFactory(slug="finansiering")

    response = _post_signup(
        client, signup_payload([roomy.id, full.id], theme_interests=["finansiering"], gender="woman", language="en")
    )

    assert response.status_code == 201, response.content
    first, second = response.json()["registrations"]
    assert (first["event_id"], first["status"], first["waitlist_position"]) == (roomy.id, "confirmed", None)
    assert (second["event_id"], second["status"], second["waitlist_position"]) == (full.id, "waitlisted", 1)
    assert first["manage_token"] and second["manage_token"]
    registration = Registration.objects.get(event=roomy)
    assert (registration.gender, registration.language, registration.municipality) == ("woman", "en", "Nyköping")
    assert ThemeInterest.objects.filter(theme__slug="finansiering", email="anna@example.org").exists()


def test_signup_again_answers_already_registered_without_a_token(client):
    event = EventFactory()
    _post_signup(client, signup_payload([event.id]))

    response = _post_signup(client, signup_payload([event.id], email="ANNA@example.org"))

    assert response.status_code == 201
    assert response.json()["registrations"] == [
        {"event_id": event.id, "status": "already_registered", "waitlist_position": None, "manage_token": None}
    ]
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    "event_kwargs, status",
    [
        ({"status": EventStatus.CANCELLED}, 409),
        ({"past": True}, 409),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=5)}, 409),
        ({"registration_opens_at": timezone.now() + timedelta(days=3)}, 409),
    ],
    ids=["cancelled", "past", "closed", "not-yet-open"],
)
def test_signup_for_a_meeting_that_takes_none_fails_whole_request_naming_it(client, event_kwargs, status):
    good = EventFactory()
    bad = EventFactory(title="Handledarutbildning i Trosa", **event_kwargs)

    response = _post_signup(client, signup_payload([good.id, bad.id]))

    assert response.status_code == status
    assert "Handledarutbildning i Trosa" in response.json()["detail"]
    assert not Registration.objects.exists()


def test_signup_for_an_unknown_meeting_is_404_naming_it(client):
    good = EventFactory()

    response = _post_signup(client, signup_payload([good.id, 987654]))

    assert response.status_code == 404
    assert "987654" in response.json()["detail"]
    assert response.json()["event_id"] == 987654
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"consent": None}, "consent"),
        ({"consent": False}, "consent"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "anna@example.org\r\nBcc: everyone@example.org"}, "email"),
        ({"name": "A" * 10_000}, "name"),
        ({"name": "Anna\r\nBcc: everyone@example.org"}, "name"),
        ({"name": "Anna\nAndersson"}, "name"),
        ({"name": "Anna\u2028Andersson"}, "name"),
        ({"name": ""}, "name"),
        ({"organisation": "Förening\rAB"}, "organisation"),
        ({"organisation": "O" * 10_000}, "organisation"),
        ({"municipality": "Stockholm"}, "municipality"),
        ({"organisation_type": "corporation"}, "organisation_type"),
        ({"gender": "unknown"}, "gender"),
        ({"event_ids": ["one"]}, "event_ids"),
    ],
)
def test_signup_refuses_bad_input_naming_the_field(client, changes, field):
    event = EventFactory()
    payload = {**signup_payload([event.id]), **changes}
    payload = {key: value for key, value in payload.items() if value is not None}  # None: left out

    response = _post_signup(client, payload)

    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert not Registration.objects.exists()


def test_signup_without_any_meeting_or_theme_is_refused(client):
    response = _post_signup(client, signup_payload([]))

    assert response.status_code == 422
    assert "event_ids" in response.json()["detail"]


def test_signup_with_malformed_json_is_a_4xx_json_error(client):
    response = client.post("/api/signups", "{not json", content_type="application/json")

    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_oversized_signup_body_is_413_json(client, settings):
    event = EventFactory()
    body = json.dumps(signup_payload([event.id], organisation="x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE))

    response = client.post("/api/signups", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["detail"]
    assert not Registration.objects.exists()


def test_municipality_is_accepted_in_any_case_and_stored_canonically(client):
    event = EventFactory()

    response = _post_signup(client, signup_payload([event.id], municipality="STRÄNGNÄS"))

    assert response.status_code == 201
    assert Registration.objects.get().municipality == "Strängnäs"


@pytest.mark.parametrize(
    "name",
    [
        "Robert'); DROP TABLE registrations;--",
        'Anna "Annie" O\'Brien; AB',
        "Åsa 😀 Öberg 👩🏽‍💻",
        "مريم الأحمد",
        "שרה כהן",
        "Zero\u200bWidth\u200dJoiner\ufeff",
        "Zoe\u0308 Ame\u0301lie",  # combining diaeresis and acute, not precomposed
        "<script>alert(1)</script>",
    ],
)
def test_names_are_stored_and_returned_unchanged(client, auth_client, name):
    event = EventFactory()

    token = _token_for(client, event, name=name, organisation=name)

    registration = Registration.objects.get()
    assert (registration.name, registration.organisation) == (name, name)
    assert client.get(f"/api/registrations/{token}").json()["name"] == name
    [listed] = auth_client.get(f"/api/organiser/events/{event.id}/registrations").json()
    assert listed["name"] == name


# The manage token: GET /api/registrations/{token} and POST .../cancel


def test_token_view_shows_the_registration(client):
    event = EventFactory(title="Tematräff: effektmätning")
    token = _token_for(client, event)

    response = client.get(f"/api/registrations/{token}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["email"], body["event"]["title"]) == ("confirmed", "anna@example.org", event.title)
    assert body["event"]["seats_left"] == event.capacity - 1


def test_token_view_shows_the_online_link_only_when_confirmed(client):
    event = EventFactory(online=True, capacity=1)
    confirmed_token = _token_for(client, event, email="first@example.org")
    waiting_token = _token_for(client, event, email="second@example.org")

    confirmed = client.get(f"/api/registrations/{confirmed_token}")
    waiting = client.get(f"/api/registrations/{waiting_token}")

    assert confirmed.json()["online_url"] == SECRET_LINK
    assert (waiting.json()["status"], waiting.json()["waitlist_position"]) == ("waitlisted", 1)
    assert waiting.json()["online_url"] is None
    assert b"secret-room" not in waiting.content


def test_wrong_or_tampered_token_is_404(client):
    token = _token_for(client, EventFactory())
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (tampered, "x", "A" * 43, "A" * 500):
        assert client.get(f"/api/registrations/{bad}").status_code == 404
        assert client.post(f"/api/registrations/{bad}/cancel").status_code == 404
    assert Registration.objects.get().status == Status.CONFIRMED


def test_get_never_cancels(client):
    token = _token_for(client, EventFactory())

    client.get(f"/api/registrations/{token}/cancel")

    assert Registration.objects.get().status == Status.CONFIRMED


def test_cancel_by_token_then_replay_is_410(client):
    event = EventFactory(capacity=1)
    token = _token_for(client, event)
    waiting_token = _token_for(client, event, email="bo@example.org")

    response = client.post(f"/api/registrations/{token}/cancel")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert client.get(f"/api/registrations/{waiting_token}").json()["status"] == "confirmed"
    replay = client.post(f"/api/registrations/{token}/cancel")
    assert replay.status_code == 410
    assert replay.json()["detail"]
    assert client.get(f"/api/registrations/{token}").status_code == 410


def test_same_email_signs_up_again_after_cancelling(client):
    event = EventFactory()
    token = _token_for(client, event)
    client.post(f"/api/registrations/{token}/cancel")

    new_token = _token_for(client, event)

    assert new_token != token
    assert client.get(f"/api/registrations/{new_token}").json()["status"] == "confirmed"
    assert client.get(f"/api/registrations/{token}").status_code == 410


# Organiser: registrations


def test_organiser_lists_registrations_with_waitlist_positions(auth_client):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event, attended=True)
    RegistrationFactory(event=event, status=Status.CANCELLED)
    waiting = RegistrationFactory.create_batch(2, event=event, status=Status.WAITLISTED)

    response = auth_client.get(f"/api/organiser/events/{event.id}/registrations")

    assert response.status_code == 200
    rows = response.json()
    assert {"id", "status", "name", "email", "attended"} <= set(rows[0])
    assert [(r["id"], r["status"], r["waitlist_position"]) for r in rows if r["status"] != "cancelled"] == [
        (confirmed.id, "confirmed", None),
        (waiting[0].id, "waitlisted", 1),
        (waiting[1].id, "waitlisted", 2),
    ]
    assert rows[0]["attended"] is True


@pytest.mark.parametrize("rows", [3, 30])
def test_organiser_registration_list_takes_a_constant_number_of_queries(auth_client, django_assert_num_queries, rows):
    event = EventFactory(capacity=2)
    RegistrationFactory.create_batch(rows, event=event, status=Status.WAITLISTED)

    # Token lookup and its last-used stamp, two permission queries, the meeting, the list.
    with django_assert_num_queries(6):
        response = auth_client.get(f"/api/organiser/events/{event.id}/registrations")

    assert len(response.json()) == rows


def test_organiser_list_of_an_unknown_meeting_is_404(auth_client):
    assert auth_client.get("/api/organiser/events/987654/registrations").status_code == 404


def test_organiser_adds_an_attended_walk_in_to_a_full_past_meeting(auth_client):
    event = EventFactory(past=True, capacity=1)
    RegistrationFactory(event=event)

    response = auth_client.post(
        f"/api/organiser/events/{event.id}/registrations",
        {"name": "Walk-in Person", "attended": True},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    registration = Registration.objects.get(pk=body["id"])
    assert (body["status"], body["attended"], body["source"]) == ("confirmed", True, "organiser")
    assert (registration.email, registration.municipality) == ("", "Annan")


def test_organiser_adds_to_a_closed_meeting_and_duplicates_conflict(auth_client):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    payload = {"name": "Bo Berg", "email": "bo@example.org", "municipality": "vingåker"}

    first = auth_client.post(
        f"/api/organiser/events/{event.id}/registrations", payload, content_type="application/json"
    )
    payload["email"] = "BO@example.org"
    second = auth_client.post(
        f"/api/organiser/events/{event.id}/registrations", payload, content_type="application/json"
    )

    assert first.status_code == 201
    assert first.json()["municipality"] == "Vingåker"
    assert second.status_code == 409
    assert "detail" in second.json()


def test_organiser_marks_attendance(auth_client):
    registration = RegistrationFactory(status=Status.WAITLISTED)
    url = f"/api/organiser/registrations/{registration.id}/attendance"

    came = auth_client.post(url, {"attended": True}, content_type="application/json")
    did_not = auth_client.post(url, {"attended": False}, content_type="application/json")

    assert (came.status_code, came.json()["attended"], came.json()["status"]) == (200, True, "confirmed")
    assert (did_not.status_code, did_not.json()["attended"]) == (200, False)
    assert auth_client.post(url, {}, content_type="application/json").status_code == 422
    missing = "/api/organiser/registrations/987654/attendance"
    assert auth_client.post(missing, {"attended": True}, content_type="application/json").status_code == 404


def test_organiser_attendance_of_a_cancelled_registration_conflicts(auth_client):
    registration = RegistrationFactory(status=Status.CANCELLED)

    response = auth_client.post(
        f"/api/organiser/registrations/{registration.id}/attendance",
        {"attended": True},
        content_type="application/json",
    )

    assert response.status_code == 409


def test_organiser_cancels_a_registration_and_the_waitlist_moves_up(auth_client):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)

    response = auth_client.post(f"/api/organiser/registrations/{confirmed.id}/cancel")
    again = auth_client.post(f"/api/organiser/registrations/{confirmed.id}/cancel")

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert again.status_code == 409
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_public_signup_needs_no_csrf_token():
    response = Client(enforce_csrf_checks=True).post(
        "/api/signups", signup_payload([EventFactory().id]), content_type="application/json"
    )

    assert response.status_code == 201


def test_signup_again_with_a_non_ascii_domain_in_another_case_is_already_registered(client):
    # SQLite's LOWER() folds only ASCII; the address must still count as the same person.
    event = EventFactory()
    _token_for(client, event, email="anna@ÖREBRO-företag.se")

    response = _post_signup(client, signup_payload([event.id], email="ANNA@örebro-FÖRETAG.se"))

    assert response.json()["registrations"][0]["status"] == "already_registered"
    assert Registration.objects.count() == 1
