"""The waiting list's length, which the database keeps (migration 0007's triggers) and a sign-up
answers its place in line from: it must follow every way a registration joins or leaves a
line, on SQLite and on PostgreSQL alike."""

import random

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from registrations.choices import Status
from registrations.models import Registration, WaitingList
from registrations.services import (
    registration_add_by_organiser,
    registration_cancel,
    registration_set_attendance,
    signup_create,
)
from tests.factories import EventFactory, RegistrationFactory, person

pytestmark = pytest.mark.django_db


def _length(event) -> int:
    return WaitingList.objects.filter(event=event).values_list("length", flat=True).first() or 0


def _counted(event) -> int:
    return Registration.objects.filter(event=event, status=Status.WAITLISTED).count()


def test_a_meeting_nobody_waited_for_has_no_line():
    event = EventFactory(capacity=2)

    signup_create(person=person("a@example.org"), event_ids=[event.id])

    assert not WaitingList.objects.filter(event=event).exists()


def test_sign_ups_join_at_the_back_and_answer_their_place():
    event = EventFactory(capacity=1)

    outcomes = [signup_create(person=person(f"p{i}@example.org"), event_ids=[event.id])[0] for i in range(5)]

    assert [o.waitlist_position for o in outcomes] == [None, 1, 2, 3, 4]
    assert _length(event) == _counted(event) == 4


def test_the_line_follows_the_services():
    event = EventFactory(capacity=1)
    seated, first, second, third = (
        signup_create(person=person(f"p{i}@example.org"), event_ids=[event.id])[0].registration for i in range(4)
    )
    assert _length(event) == 3

    registration_cancel(registration_id=seated.id)  # `first` is promoted
    assert _length(event) == _counted(event) == 2

    registration_cancel(registration_id=third.id)
    assert _length(event) == _counted(event) == 1

    registration_set_attendance(registration_id=second.id, attended=True)  # in the room: confirmed
    assert _length(event) == _counted(event) == 0

    added, _token = registration_add_by_organiser(event_id=event.id, person=person("ny@example.org"))
    assert added.status == Status.WAITLISTED
    assert _length(event) == _counted(event) == 1
    assert signup_create(person=person("last@example.org"), event_ids=[event.id])[0].waitlist_position == 2


def test_the_line_follows_writes_that_bypass_the_services():
    """The admin, bulk updates and deletions: what a counter kept in Python would miss."""
    event, other = EventFactory(capacity=1), EventFactory(capacity=1)
    waiting = RegistrationFactory.create_batch(3, event=event, status=Status.WAITLISTED)
    RegistrationFactory(event=event, status=Status.CONFIRMED)
    assert _length(event) == 3

    Registration.objects.filter(pk=waiting[0].pk).update(status=Status.CANCELLED)
    assert _length(event) == 2

    Registration.objects.filter(pk=waiting[0].pk).update(status=Status.WAITLISTED)
    assert _length(event) == 3

    waiting[1].name = "Nytt namn"
    waiting[1].save()  # writes the same status again: the line stays as it was
    assert _length(event) == 3

    Registration.objects.filter(pk=waiting[1].pk).update(event=other)  # moved to another meeting
    assert (_length(event), _length(other)) == (2, 1)

    waiting[2].delete()
    assert (_length(event), _length(other)) == (1, 1)

    Registration.objects.filter(event=event).update(status=Status.CONFIRMED)
    assert (_length(event), _length(other)) == (0, 1)


def test_the_line_matches_the_count_after_a_random_run_of_changes():
    rng = random.Random(20261129)
    events = [EventFactory(capacity=None), EventFactory(capacity=None)]
    registrations = []
    for step in range(200):
        move = rng.choice(["create", "status", "event", "delete"]) if registrations else "create"
        if move == "create":
            event, status = rng.choice(events), rng.choice(list(Status))
            registrations.append(RegistrationFactory(event=event, status=status, email=f"r{step}@example.org"))
        elif move == "status":
            Registration.objects.filter(pk=rng.choice(registrations).pk).update(status=rng.choice(list(Status)))
        elif move == "event":
            # Cancelled first: the move must not put two active registrations of one address together.
            Registration.objects.filter(pk=rng.choice(registrations).pk).update(
                event=rng.choice(events), status=rng.choice([Status.CANCELLED, Status.WAITLISTED])
            )
        else:
            registrations.pop(rng.randrange(len(registrations))).delete()

    for event in events:
        assert _length(event) == _counted(event)
    assert sum(_length(event) for event in events) > 0  # the run left people waiting to count


def test_deleting_a_meeting_deletes_its_line():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status=Status.WAITLISTED).delete()
    assert WaitingList.objects.filter(event=event).exists()

    event.delete()

    assert not WaitingList.objects.filter(event_id=event.id).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_lines_that_stand_before_it():
    event = EventFactory(capacity=1)
    RegistrationFactory.create_batch(2, event=event, status=Status.WAITLISTED)
    RegistrationFactory(event=event, status=Status.CONFIRMED)
    before, with_lines = ("registrations", "0006_hot_path_indexes"), ("registrations", "0007_waiting_list")

    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        with connection.cursor() as cursor:  # a line that grows while nothing keeps its length
            sql = "UPDATE registrations_registration SET status = 'waitlisted' WHERE event_id = %s"
            cursor.execute(sql, [event.id])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([with_lines])

    assert _length(event) == _counted(event) == 3
    RegistrationFactory(event=event, status=Status.WAITLISTED)  # and the triggers are back
    assert _length(event) == 4
