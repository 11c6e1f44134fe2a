"""Attendance services: undo a mark, mark everyone unmarked as a no-show."""

import pytest

from registrations.services import attendance_mark_no_shows, registration_set_attendance
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_undo_clears_the_mark_and_keeps_the_status():
    registration = RegistrationFactory(status="waitlisted", confirmed_at=None)
    registration_set_attendance(registration_id=registration.id, attended=True)

    undone = registration_set_attendance(registration_id=registration.id, attended=None)

    assert undone.attended is None
    # Promoted when they came; undoing the mark does not take the seat back.
    assert undone.status == "confirmed"


def test_mark_no_shows_touches_only_confirmed_unmarked_registrations():
    event = EventFactory(past=True)
    came = RegistrationFactory(event=event, attended=True)
    unmarked = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    cancelled = RegistrationFactory(event=event, status="cancelled")
    elsewhere = RegistrationFactory()

    assert attendance_mark_no_shows(event_id=event.id) == 1
    assert attendance_mark_no_shows(event_id=event.id) == 0

    for registration in (came, unmarked, waiting, cancelled, elsewhere):
        registration.refresh_from_db()
    assert [came.attended, unmarked.attended, waiting.attended, cancelled.attended, elsewhere.attended] == [
        True,
        False,
        None,
        None,
        None,
    ]
