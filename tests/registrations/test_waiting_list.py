"""The waiting list: people join at the back, learn their place, and move up as seats free;
migration 0008 takes away the table of lengths and the triggers that once kept it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from registrations.choices import Status
from registrations.models import Registration
from registrations.selectors import waitlist_position
from registrations.services import (
    registration_add_by_organiser,
    registration_cancel,
    registration_set_attendance,
    signup_create,
)
from tests.factories import EventFactory, RegistrationFactory, person

pytestmark = pytest.mark.django_db


def _positions(event) -> list[int | None]:
    return [waitlist_position(r) for r in Registration.objects.filter(event=event).exclude(status=Status.CANCELLED)]


def test_sign_ups_join_at_the_back_and_answer_their_place():
    event = EventFactory(capacity=1)

    outcomes = [signup_create(person=person(f"p{i}@example.org"), event_ids=[event.id])[0] for i in range(5)]

    assert [o.waitlist_position for o in outcomes] == [None, 1, 2, 3, 4]
    assert _positions(event) == [None, 1, 2, 3, 4]


def test_the_line_moves_up_with_the_services():
    event = EventFactory(capacity=1)
    seated, first, second, third = (
        signup_create(person=person(f"p{i}@example.org"), event_ids=[event.id])[0].registration for i in range(4)
    )

    registration_cancel(registration_id=seated.id)  # `first` is promoted
    assert _positions(event) == [None, 1, 2]

    registration_cancel(registration_id=third.id)
    assert _positions(event) == [None, 1]

    registration_set_attendance(registration_id=second.id, attended=True)  # in the room: confirmed
    assert _positions(event) == [None, None]

    added, _token = registration_add_by_organiser(event_id=event.id, person=person("ny@example.org"))
    assert added.status == Status.WAITLISTED
    assert waitlist_position(added) == 1
    assert signup_create(person=person("last@example.org"), event_ids=[event.id])[0].waitlist_position == 2


def test_a_place_counts_only_the_same_meetings_line():
    event, other = EventFactory(capacity=1), EventFactory(capacity=1)
    RegistrationFactory.create_batch(3, event=other, status=Status.WAITLISTED)
    RegistrationFactory(event=event, status=Status.CONFIRMED)
    RegistrationFactory(event=event, status=Status.CANCELLED)

    outcome = signup_create(person=person("a@example.org"), event_ids=[event.id])[0]

    assert outcome.waitlist_position == 1


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'registrations_registration'::regclass")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_the_table_and_its_triggers_and_going_back_restores_them():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.CONFIRMED)
    RegistrationFactory.create_batch(2, event=event, status=Status.WAITLISTED)
    assert "registrations_waitinglist" not in _tables()
    assert not {name for name in _triggers() if name.startswith("waiting_list")}

    executor = MigrationExecutor(connection)
    executor.migrate([("registrations", "0007_waiting_list")])
    try:
        assert "registrations_waitinglist" in _tables()
        assert {name for name in _triggers() if name.startswith("waiting_list")}
        with connection.cursor() as cursor:  # the lines standing when it went back were counted
            cursor.execute("SELECT length FROM registrations_waitinglist WHERE event_id = %s", [event.id])
            assert cursor.fetchone() == (2,)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([("registrations", "0008_drop_waiting_list")])

    assert "registrations_waitinglist" not in _tables()
    assert not {name for name in _triggers() if name.startswith("waiting_list")}
    assert signup_create(person=person("after@example.org"), event_ids=[event.id])[0].waitlist_position == 3
