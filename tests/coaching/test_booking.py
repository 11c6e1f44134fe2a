"""Booking a slot: one seat and no waiting list under a race, the limit per person and
series, and the booking window (notice and horizon) across a daylight-saving change."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from registrations.choices import Status
from registrations.models import Registration
from registrations.services import SignupRejected, registration_cancel, signup_create
from tests.factories import person, signup_payload

from .conftest import make_series


def _upcoming_series(**overrides):
    # Times from tomorrow on, whatever today is, open for booking now.
    today = timezone.localdate()
    fields = {
        "starts_on": today + timedelta(days=2),
        "ends_on": today + timedelta(days=15),
        "weekdays": [1, 2, 3, 4, 5],
        "notice_hours": 1,
        "horizon_days": 60,
    }
    return make_series(**fields | overrides)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_100_people_racing_for_one_slot_give_one_booking_and_99_clear_refusals():
    series = _upcoming_series()
    slot = series.slots.order_by("starts_at").first()

    def book(i):
        try:
            return Client().post(
                "/api/signups",
                signup_payload([slot.id], email=f"racer{i}@example.org"),
                content_type="application/json",
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=24) as pool:
        responses = list(pool.map(book, range(100)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 99
    refused = next(response.json() for response in responses if response.status_code == 409)
    assert refused["event_id"] == slot.id
    assert slot.title in refused["detail"]
    assert refused["nearest_free"] and all(entry["event_id"] != slot.id for entry in refused["nearest_free"])
    assert Registration.objects.filter(event=slot).count() == 1
    assert Registration.objects.get(event=slot).status == Status.CONFIRMED


@pytest.mark.django_db
def test_a_taken_slot_never_gives_a_waiting_list_place():
    slot = _upcoming_series().slots.order_by("starts_at").first()
    signup_create(person=person("first@example.org"), event_ids=[slot.id])

    with pytest.raises(SignupRejected) as refused:
        signup_create(person=person("second@example.org"), event_ids=[slot.id])

    assert refused.value.event_id == slot.id
    assert not Registration.objects.filter(event=slot, status=Status.WAITLISTED).exists()


@pytest.mark.django_db
def test_one_upcoming_booking_per_person_and_series_until_it_is_cancelled():
    series = _upcoming_series()
    first, second = series.slots.order_by("starts_at")[:2]
    [outcome] = signup_create(person=person("anna@example.org"), event_ids=[first.id])

    response = Client().post(
        "/api/signups", signup_payload([second.id], email="ANNA@example.org"), content_type="application/json"
    )
    assert response.status_code == 409
    assert "Maria Lind" in response.json()["detail"]

    registration_cancel(registration_id=outcome.registration.id)
    [again] = signup_create(person=person("anna@example.org"), event_ids=[second.id])
    assert again.status == Status.CONFIRMED


@pytest.mark.django_db
def test_the_limit_counts_bookings_made_in_the_same_request_and_can_be_raised():
    series = _upcoming_series()
    first, second, third = series.slots.order_by("starts_at")[:3]

    with pytest.raises(SignupRejected):
        signup_create(person=person("anna@example.org"), event_ids=[first.id, second.id])
    assert not Registration.objects.exists()

    series.per_person_limit = 2
    series.save()
    outcomes = signup_create(person=person("anna@example.org"), event_ids=[first.id, second.id])
    assert [outcome.status for outcome in outcomes] == [Status.CONFIRMED, Status.CONFIRMED]
    with pytest.raises(SignupRejected):
        signup_create(person=person("anna@example.org"), event_ids=[third.id])


@pytest.mark.django_db
def test_another_coachs_series_has_its_own_limit():
    one = _upcoming_series().slots.order_by("starts_at").first()
    other = _upcoming_series(coach_name="Sara Ek", kind_code="life").slots.order_by("starts_at").first()

    signup_create(person=person("anna@example.org"), event_ids=[one.id])
    [outcome] = signup_create(person=person("anna@example.org"), event_ids=[other.id])

    assert outcome.status == Status.CONFIRMED


@pytest.mark.django_db
def test_notice_and_horizon_hold_across_the_spring_change(monkeypatch):
    # A 10:00 slot on Sunday 28 March 2027, hours after the clocks went forward at 02:00.
    fixed = {"now": timezone.make_aware(datetime(2027, 3, 1, 8, 0))}
    monkeypatch.setattr(timezone, "now", lambda: fixed["now"])
    series = make_series(
        starts_on=date(2027, 3, 28),
        ends_on=date(2027, 3, 28),
        weekdays=[7],
        day_start=time(10, 0),
        day_end=time(11, 0),
        slot_minutes=60,
        notice_hours=24,
        horizon_days=14,
    )
    [slot] = series.slots.all()

    def book(local_now):
        fixed["now"] = timezone.make_aware(local_now)
        try:
            signup_create(person=person(f"p{local_now:%d%H%M}@example.org"), event_ids=[slot.id])
        except SignupRejected:
            return False
        Registration.objects.filter(event=slot).delete()
        return True

    # The horizon: 14 local days ahead is Sunday 14 March 10:00 (winter time).
    assert not book(datetime(2027, 3, 14, 9, 59))
    assert book(datetime(2027, 3, 14, 10, 0))
    # The notice: 24 real hours before Sunday 10:00 summer time is Saturday 09:00 winter time,
    # since the night between is an hour short.
    assert book(datetime(2027, 3, 27, 8, 59))
    assert not book(datetime(2027, 3, 27, 9, 0))
