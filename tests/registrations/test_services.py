from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from events.choices import EventStatus
from events.models import Event
from notifications.models import Message
from registrations.choices import Source, Status
from registrations.models import Registration, ThemeInterest
from registrations.services import (
    RegistrationConflict,
    SignupRejected,
    attendance_mark_no_shows,
    registration_add_by_organiser,
    registration_cancel,
    registration_set_attendance,
    signup_create,
)
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory, person

pytestmark = pytest.mark.django_db


def _signup(event, email="anna@example.org"):
    [outcome] = signup_create(person=person(email), event_ids=[event.id])
    return outcome


def test_signup_confirms_while_seats_are_free():
    event = EventFactory(capacity=2)

    outcomes = [_signup(event, f"p{i}@example.org") for i in range(2)]

    assert [o.status for o in outcomes] == ["confirmed", "confirmed"]
    assert all(o.waitlist_position is None for o in outcomes)
    assert all(o.registration.confirmed_at is not None for o in outcomes)


def test_signup_joins_waitlist_when_full():
    event = EventFactory(capacity=1)
    _signup(event, "first@example.org")

    second = _signup(event, "second@example.org")
    third = _signup(event, "third@example.org")

    assert (second.status, second.waitlist_position) == ("waitlisted", 1)
    assert (third.status, third.waitlist_position) == ("waitlisted", 2)
    assert second.registration.confirmed_at is None
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 1


def test_signup_without_capacity_is_always_confirmed():
    event = EventFactory(capacity=None)

    statuses = {_signup(event, f"p{i}@example.org").status for i in range(25)}

    assert statuses == {"confirmed"}


def test_signup_for_several_meetings_at_once():
    roomy, full = EventFactory(capacity=5), EventFactory(capacity=1)
    RegistrationFactory(event=full)

    outcomes = signup_create(person=person(), event_ids=[roomy.id, full.id])

    assert [(o.event.id, o.status) for o in outcomes] == [(roomy.id, "confirmed"), (full.id, "waitlisted")]
    assert all(o.manage_token for o in outcomes)
    assert outcomes[0].manage_token != outcomes[1].manage_token


def test_signup_with_a_repeated_meeting_registers_once():
    event = EventFactory()

    outcomes = signup_create(person=person(), event_ids=[event.id, event.id])

    assert len(outcomes) == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_signup_records_theme_interests_once():
    theme = ThemeFactory(slug="finansiering")

    signup_create(person=person("Anna@Example.org"), event_ids=[], theme_slugs=["finansiering"])
    signup_create(person=person("anna@example.org"), event_ids=[], theme_slugs=["finansiering"])

    assert ThemeInterest.objects.filter(theme=theme).count() == 1


def _unknown_event_id():
    return 987654


@pytest.mark.parametrize(
    "bad_event",
    [
        pytest.param(lambda: None, id="unknown"),
        pytest.param(lambda: EventFactory(title="Inställd träff", status=EventStatus.CANCELLED), id="cancelled"),
        pytest.param(lambda: EventFactory(title="Gammal träff", past=True), id="past"),
        pytest.param(lambda: EventFactory(title="Utkast", status=EventStatus.DRAFT), id="draft"),
        pytest.param(
            lambda: EventFactory(title="Ej öppen", registration_opens_at=timezone.now() + timedelta(days=1)),
            id="not-yet-open",
        ),
        pytest.param(
            lambda: EventFactory(title="Stängd", registration_closes_at=timezone.now() - timedelta(minutes=1)),
            id="closed",
        ),
    ],
)
def test_signup_rejects_a_meeting_that_takes_no_signups_and_saves_nothing(bad_event):
    good = EventFactory()
    ThemeFactory(slug="effektmatning")
    bad = bad_event()
    bad_id = bad.id if bad else _unknown_event_id()

    with pytest.raises(SignupRejected) as error:
        signup_create(person=person(), event_ids=[good.id, bad_id], theme_slugs=["effektmatning"])

    assert error.value.event_id == bad_id
    assert (bad.title if bad else str(bad_id)) in str(error.value)
    assert not Registration.objects.exists()
    assert not ThemeInterest.objects.exists()


def test_signup_twice_with_the_same_email_in_another_case_is_already_registered():
    event = EventFactory()
    first = _signup(event, "anna@example.org")

    again = _signup(event, "ANNA@Example.ORG")

    assert again.status == "already_registered"
    assert again.manage_token is None
    assert again.registration.pk == first.registration.pk
    assert Registration.objects.filter(event=event).count() == 1


def test_signup_finds_the_same_address_on_the_waiting_list_and_counts_only_its_meeting():
    event, other = EventFactory(capacity=1), EventFactory(capacity=1)
    _signup(event, "first@example.org")
    _signup(other, "anna@example.org")  # the same address at another meeting is no duplicate
    waiting = _signup(event, "Anna@Example.org")

    again = _signup(event, "anna@example.ORG")

    assert waiting.status == "waitlisted" and waiting.waitlist_position == 1
    assert again.status == "already_registered"
    assert again.registration.pk == waiting.registration.pk
    assert _signup(event, "third@example.org").waitlist_position == 2


@pytest.mark.parametrize("email", ["Öst.Åsa@Exempel.se", "öst@exempel.se"])
def test_signup_twice_with_a_non_ascii_address_is_already_registered(email):
    event = EventFactory()
    first = _signup(event, email)

    again = _signup(event, email)

    assert again.status == "already_registered"
    assert again.registration.pk == first.registration.pk


def test_a_row_the_database_refuses_is_an_error_that_saves_nothing():
    # The sign-up's rows go to the database together: one refused row takes the others with it.
    event = EventFactory()

    with pytest.raises(IntegrityError):
        signup_create(person=person(name=None), event_ids=[event.id])

    assert not Registration.objects.exists()
    assert not Message.objects.exists()


def test_changes_to_an_unknown_meeting_raise_does_not_exist():
    with pytest.raises(Event.DoesNotExist):
        attendance_mark_no_shows(event_id=987654321)


def test_signup_after_cancelling_creates_a_new_registration():
    event = EventFactory()
    first = _signup(event)
    registration_cancel(registration_id=first.registration.id)

    again = _signup(event)

    assert again.status == "confirmed"
    assert again.manage_token
    assert again.registration.pk != first.registration.pk


def test_cancel_promotes_the_first_waitlisted():
    event = EventFactory(capacity=1)
    confirmed = _signup(event, "a@example.org").registration
    first_waiting = _signup(event, "b@example.org").registration
    second_waiting = _signup(event, "c@example.org").registration

    cancelled = registration_cancel(registration_id=confirmed.id)

    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancelled_at is not None
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == Status.CONFIRMED
    assert first_waiting.confirmed_at is not None
    assert second_waiting.status == Status.WAITLISTED


def test_cancel_of_a_waitlisted_registration_promotes_nobody():
    event = EventFactory(capacity=1)
    _signup(event, "a@example.org")
    waiting = _signup(event, "b@example.org").registration
    behind = _signup(event, "c@example.org").registration

    registration_cancel(registration_id=waiting.id)

    behind.refresh_from_db()
    assert behind.status == Status.WAITLISTED
    assert _signup(event, "d@example.org").waitlist_position == 2


def test_cancel_twice_conflicts():
    registration = RegistrationFactory()
    registration_cancel(registration_id=registration.id)

    with pytest.raises(RegistrationConflict):
        registration_cancel(registration_id=registration.id)


def test_organiser_adds_a_person_to_a_closed_or_past_meeting():
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    past = EventFactory(past=True)

    for event in (closed, past):
        registration, token = registration_add_by_organiser(event_id=event.id, person=person())
        assert registration.status == Status.CONFIRMED
        assert registration.source == Source.ORGANISER
        assert token


def test_organiser_adds_to_a_full_meeting_onto_the_waitlist():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)

    registration, _token = registration_add_by_organiser(event_id=event.id, person=person())

    assert registration.status == Status.WAITLISTED


def test_organiser_adds_attended_person_as_confirmed_even_when_full():
    event = EventFactory(capacity=1, past=True)
    RegistrationFactory(event=event)

    registration, _token = registration_add_by_organiser(event_id=event.id, person=person(), attended=True)

    assert registration.status == Status.CONFIRMED
    assert registration.attended is True


def test_organiser_add_of_an_already_registered_email_conflicts():
    event = EventFactory()
    RegistrationFactory(event=event, email="anna@example.org")

    with pytest.raises(RegistrationConflict):
        registration_add_by_organiser(event_id=event.id, person=person("Anna@example.org"))


def test_organiser_adds_walk_ins_without_email():
    event = EventFactory(past=True)

    for _ in range(2):
        registration_add_by_organiser(event_id=event.id, person=person(""), attended=True)

    assert Registration.objects.filter(event=event, email="").count() == 2


def test_attendance_is_marked_and_unmarked():
    registration = RegistrationFactory()

    assert registration_set_attendance(registration_id=registration.id, attended=True).attended is True
    assert registration_set_attendance(registration_id=registration.id, attended=False).attended is False
    registration.refresh_from_db()
    assert registration.attended is False


def test_attendance_confirms_a_waitlisted_person():
    registration = RegistrationFactory(status=Status.WAITLISTED)

    marked = registration_set_attendance(registration_id=registration.id, attended=True)

    assert marked.status == Status.CONFIRMED
    assert marked.confirmed_at is not None


def test_attendance_of_a_cancelled_registration_conflicts():
    registration = RegistrationFactory(status=Status.CANCELLED)

    with pytest.raises(RegistrationConflict):
        registration_set_attendance(registration_id=registration.id, attended=True)
    registration.refresh_from_db()
    assert registration.attended is None
