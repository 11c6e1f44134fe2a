"""Series and their slots: generation, changes, single slots and blocked days."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coaching.services import (
    SlotConflict,
    coaching_day_block,
    coaching_series_update,
    coaching_slot_add,
    coaching_slot_remove,
)
from events.choices import EventStatus, Kind
from events.models import Event
from notifications.models import Message
from registrations.services import signup_create
from tests.factories import person

from .conftest import make_series

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_series(settings, monkeypatch):
    # The series lies ahead whatever today's date: time is fixed at 1 March 2027.
    fixed = timezone.make_aware(datetime(2027, 3, 1, 8, 0))
    monkeypatch.setattr(timezone, "now", lambda: fixed)


def _local(events):
    return [timezone.localtime(event.starts_at).strftime("%a %d %H:%M") for event in events]


def test_a_series_makes_one_seat_coaching_meetings_on_its_weekdays():
    series = make_series()
    slots = list(series.slots.order_by("starts_at"))

    assert series.slot_count == len(slots) == 4 * 3  # Mon 22, Wed 24, Mon 29, Wed 31 March; 3 a day
    assert _local(slots[:3]) == ["Mon 22 09:00", "Mon 22 10:00", "Mon 22 11:00"]
    assert {(slot.kind, slot.capacity, slot.status) for slot in slots} == {(Kind.COACHING, 1, EventStatus.PUBLISHED)}
    assert {slot.location for slot in slots} == {"Stadsbiblioteket"}


def test_a_slots_booking_window_is_its_notice_and_horizon():
    series = make_series(notice_hours=24, horizon_days=14)
    slot = series.slots.order_by("starts_at").last()  # 31 March 11:00, summer time

    assert slot.registration_closes_at == slot.starts_at - timedelta(hours=24)
    assert timezone.localtime(slot.registration_opens_at).strftime("%Y-%m-%d %H:%M") == "2027-03-17 11:00"


def test_a_new_place_reaches_every_slot_to_come_and_tells_the_booked_person():
    series = make_series()
    slot = series.slots.order_by("starts_at").first()
    signup_create(person=person("anna@example.org"), event_ids=[slot.id])

    coaching_series_update(series_id=series.id, location="Kulturhuset")

    assert set(series.slots.values_list("location", flat=True)) == {"Kulturhuset"}
    assert Message.objects.filter(kind=Message.Kind.EVENT_CHANGED, registration__event=slot).count() == 1


def test_a_new_pattern_replaces_free_slots_and_keeps_booked_ones():
    series = make_series()
    booked = series.slots.order_by("starts_at").first()  # Monday 22 March 09:00
    signup_create(person=person("anna@example.org"), event_ids=[booked.id])

    coaching_series_update(series_id=series.id, weekdays=[3], day_start=time(13, 0), day_end=time(14, 0))

    remaining = series.slots.exclude(status=EventStatus.CANCELLED).order_by("starts_at")
    assert _local(remaining) == ["Mon 22 09:00", "Wed 24 13:00", "Wed 31 13:00"]


def test_a_slot_can_be_added_but_not_over_another():
    series = make_series()
    added = coaching_slot_add(series_id=series.id, starts_at=timezone.make_aware(datetime(2027, 3, 23, 15, 0)))

    assert added.ends_at - added.starts_at == timedelta(minutes=45)
    with pytest.raises(SlotConflict):
        coaching_slot_add(series_id=series.id, starts_at=timezone.make_aware(datetime(2027, 3, 22, 9, 30)))


def test_removing_a_booked_slot_cancels_it_and_tells_the_person_a_free_one_is_deleted(mailoutbox):
    series = make_series()
    booked, free = series.slots.order_by("starts_at")[:2]
    signup_create(person=person("anna@example.org"), event_ids=[booked.id])

    coaching_slot_remove(series_id=series.id, event_id=booked.id)
    coaching_slot_remove(series_id=series.id, event_id=free.id)

    booked.refresh_from_db()
    assert booked.status == EventStatus.CANCELLED
    assert not Event.objects.filter(pk=free.pk).exists()
    assert Message.objects.filter(kind=Message.Kind.EVENT_CANCELLED, event=booked).count() == 1


def test_blocking_a_day_removes_its_slots_only():
    series = make_series()

    removed = coaching_day_block(series_id=series.id, day=date(2027, 3, 24))

    assert removed == 3
    assert not series.slots.filter(starts_at__date=date(2027, 3, 24)).exists()
    assert series.slots.count() == 9
    assert mail.outbox == []
