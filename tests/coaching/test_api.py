"""The coaching API: creating and changing series, listing them and their free times,
booking a slot through POST /api/signups, and who may do what."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create
from coaching.models import CoachingSeries
from events.choices import EventStatus
from events.models import Event
from tests.factories import signup_payload

pytestmark = pytest.mark.django_db

SERIES = "/api/organiser/coaching"


def _payload(**overrides):
    today = timezone.localdate()
    payload = {
        "coach_name": "Maria Lind",
        "coaching_kind": "business",
        "municipality": "nyköping",
        "location": "Stadsbiblioteket",
        "starts_on": (today + timedelta(days=7)).isoformat(),
        "ends_on": (today + timedelta(days=20)).isoformat(),
        "weekdays": [2, 4],
        "day_start": "09:00",
        "day_end": "12:00",
        "slot_minutes": 50,
        "gap_minutes": 10,
    }
    return payload | overrides


def _create(client, **overrides):
    return client.post(SERIES, _payload(**overrides), content_type="application/json")


def test_creating_a_series_answers_its_id_and_how_many_times_it_made(auth_client):
    response = _create(auth_client)

    assert response.status_code == 201, response.content
    body = response.json()
    series = CoachingSeries.objects.get(pk=body["id"])
    assert body["slots"] == series.slots.count() == 4 * 3  # two weeks, two days a week, three a day
    assert body["municipality"] == "Nyköping"
    assert (body["day_start"], body["day_end"], body["notice_hours"], body["horizon_days"]) == (
        "09:00",
        "12:00",
        24,
        42,
    )
    assert body["per_person_limit"] == 1


@pytest.mark.parametrize(
    "overrides, status, field",
    [
        ({"coaching_kind": "astrology"}, 404, "astrology"),
        ({"coach_username": "nobody"}, 404, "nobody"),
        ({"day_start": "9:00"}, 422, "day_start"),
        ({"day_start": "24:00"}, 422, "day_start"),
        ({"weekdays": [0]}, 422, "weekdays"),
        ({"weekdays": []}, 422, "weekdays"),
        ({"slot_minutes": 5}, 422, "slot_minutes"),
        ({"day_end": "08:00"}, 409, "day_end"),
        ({"starts_on": "2031-01-10", "ends_on": "2031-01-01"}, 409, "ends_on"),
        ({"starts_on": "2031-01-01", "ends_on": "2032-06-01"}, 409, "ends_on"),
    ],
)
def test_bad_series_are_refused_naming_what_is_wrong(auth_client, overrides, status, field):
    response = _create(auth_client, **overrides)

    assert response.status_code == status, response.content
    assert field in response.json()["detail"]
    assert not CoachingSeries.objects.exists()


def test_the_public_list_names_the_next_free_time_and_never_the_link(auth_client):
    online = _create(auth_client, location="", online_url="https://meet.example.org/coach").json()

    [series] = Client().get("/api/coaching").json()

    assert series["id"] == online["id"]
    assert series["online"] is True
    assert "meet.example.org" not in str(series)
    first = Event.objects.filter(coaching_series_id=online["id"]).order_by("starts_at").first()
    assert series["next_free"] == timezone.localtime(first.starts_at).isoformat()


def test_free_times_between_two_days_and_booking_one(auth_client):
    series_id = _create(auth_client).json()["id"]
    start = timezone.localdate() + timedelta(days=7)

    slots = Client().get(f"/api/coaching/{series_id}/slots?from={start}&to={start + timedelta(days=6)}").json()
    assert len(slots) == 2 * 3
    chosen = slots[0]

    booked = Client().post("/api/signups", signup_payload([chosen["event_id"]]), content_type="application/json")
    assert booked.status_code == 201
    assert booked.json()["registrations"][0]["status"] == "confirmed"

    again = Client().get(f"/api/coaching/{series_id}/slots?from={start}&to={start + timedelta(days=6)}").json()
    assert chosen["event_id"] not in [slot["event_id"] for slot in again]
    taken = Client().post(
        "/api/signups", signup_payload([chosen["event_id"]], email="other@example.org"), content_type="application/json"
    )
    assert taken.status_code == 409
    assert taken.json()["nearest_free"][0]["event_id"] == again[0]["event_id"]


def test_slots_are_not_in_the_public_meeting_list(auth_client):
    series_id = _create(auth_client).json()["id"]

    listed = [event["id"] for event in Client().get("/api/events").json()]

    assert not set(listed) & set(Event.objects.filter(coaching_series_id=series_id).values_list("id", flat=True))


def test_changing_the_pattern_and_removing_and_adding_times(auth_client):
    series_id = _create(auth_client).json()["id"]

    changed = auth_client.patch(f"{SERIES}/{series_id}", {"weekdays": [2]}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["slots"] == 2 * 3

    slot = Event.objects.filter(coaching_series_id=series_id).order_by("starts_at").first()
    removed = auth_client.delete(f"{SERIES}/{series_id}/slots/{slot.id}")
    assert removed.status_code == 204
    assert auth_client.delete(f"{SERIES}/{series_id}/slots/{slot.id}").status_code == 404

    added = auth_client.post(
        f"{SERIES}/{series_id}/slots",
        {"starts_at": timezone.localtime(slot.starts_at).isoformat()},
        content_type="application/json",
    )
    assert added.status_code == 201
    overlapping = auth_client.post(
        f"{SERIES}/{series_id}/slots",
        {"starts_at": timezone.localtime(slot.starts_at + timedelta(minutes=20)).isoformat()},
        content_type="application/json",
    )
    assert overlapping.status_code == 409

    day = timezone.localtime(slot.starts_at).date()
    blocked = auth_client.post(
        f"{SERIES}/{series_id}/blocked-days", {"date": day.isoformat()}, content_type="application/json"
    )
    assert blocked.json() == {"removed": 3}
    assert (
        not Event.objects.filter(coaching_series_id=series_id, starts_at__date=day)
        .exclude(status=EventStatus.CANCELLED)
        .exists()
    )


def test_organisers_add_kinds_of_coaching(auth_client):
    created = auth_client.post(
        "/api/organiser/coaching/kinds",
        {"code": "karriar", "name": "Karriärcoachning"},
        content_type="application/json",
    )
    duplicate = auth_client.post(
        "/api/organiser/coaching/kinds", {"code": "karriar", "name": "Igen"}, content_type="application/json"
    )

    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert _create(auth_client, coaching_kind="karriar").status_code == 201
    assert {kind["code"] for kind in Client().get("/api/coaching/kinds").json()} == {"business", "life", "karriar"}


def test_a_coach_may_be_a_helper_but_helpers_cannot_make_series(auth_client, helper):
    helper_client = Client(headers={"Authorization": f"Bearer {api_token_create(user=helper)}"})

    assert _create(helper_client).status_code == 403
    created = _create(auth_client, coach_username=helper.username)
    assert created.status_code == 201
    assert created.json()["coach_username"] == helper.username
