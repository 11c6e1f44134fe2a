"""The survey's services: who is asked after a meeting and when (`feedback_requests_due`,
travelling in time with `now=`), once each however often and however concurrently beat runs;
and the answer (`feedback_answer`): validated, replaced when given again, refused once closed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.choices import EventStatus
from events.models import MAX_FEEDBACK_DELAY_MINUTES
from feedback.models import COMMENT_MAX, OPEN_FOR, WANTS_TEXT_MAX, Feedback
from feedback.services import SurveyClosed, feedback_answer, feedback_requests_due
from notifications.models import Message
from registrations.choices import Status
from registrations.services.attendance import registration_set_attendance
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory
from tests.support.threads import at_once

Kind, State = Message.Kind, Message.State
SECOND, MINUTE, DAY = timedelta(seconds=1), timedelta(minutes=1), timedelta(days=1)
DELAY = timedelta(minutes=120)  # the default


def ended(*, ago: timedelta = timedelta(hours=3), **fields):
    """A two-hour meeting that ended `ago` (on a whole minute)."""
    ends_at = timezone.now().replace(second=0, microsecond=0) - ago
    return EventFactory(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at, **fields)


def attendee(event, **fields):
    return RegistrationFactory(event=event, attended=True, **fields)


def asked() -> set[int]:
    """The registrations with a survey row."""
    return set(Feedback.objects.values_list("registration_id", flat=True))


def requests() -> list[Message]:
    return list(Message.objects.filter(kind=Kind.FEEDBACK_REQUEST).order_by("id"))


def survey_for(registration) -> Feedback:
    """The survey of an attendee, as beat writes it."""
    feedback_requests_due(now=registration.event.ends_at + DELAY)
    return Feedback.objects.get(registration=registration)


# Who is asked


@pytest.mark.django_db
def test_only_confirmed_attendees_with_an_address_are_asked():
    event = ended()
    came = attendee(event, email="came@example.org", language="en")
    not_asked = [
        RegistrationFactory(event=event, attended=False),  # no-show
        RegistrationFactory(event=event, attended=None),  # attendance not marked
        RegistrationFactory(event=event, status=Status.WAITLISTED, confirmed_at=None),
        attendee(event, status=Status.CANCELLED, cancelled_at=event.starts_at - DAY),
        # Personal data deleted: only a placeholder address is left.
        attendee(event, name="", email="anon-0@anonymised.invalid", anonymised_at=timezone.now()),
        attendee(event, email=""),  # a walk-in who gave no address
    ]

    assert feedback_requests_due(now=event.ends_at + DELAY) == 1

    assert asked() == {came.id}
    [message] = requests()
    assert (message.registration, message.event, message.recipient) == (came, event, "came@example.org")
    assert (message.language, message.state) == ("en", State.PENDING)
    assert not Message.objects.filter(registration__in=not_asked).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [{"feedback_survey": False}, {"status": EventStatus.CANCELLED}, {"status": EventStatus.DRAFT}],
    ids=["survey-off", "cancelled", "draft"],
)
def test_a_meeting_with_the_survey_off_cancelled_or_a_draft_asks_nobody(fields):
    event = ended(**fields)
    attendee(event)

    for later in (DELAY, DAY, 6 * DAY):
        assert feedback_requests_due(now=event.ends_at + later) == 0

    assert Feedback.objects.count() == 0
    assert requests() == []


# When


def test_the_default_delay_is_two_hours():
    assert EventFactory.build().feedback_delay_minutes == 120


@pytest.mark.django_db
@pytest.mark.parametrize("delay_minutes", [120, 30, 0])
def test_the_survey_is_due_its_delay_after_the_end_and_not_before(delay_minutes):
    event = ended(feedback_delay_minutes=delay_minutes)
    person = attendee(event)
    due = event.ends_at + timedelta(minutes=delay_minutes)

    if delay_minutes:
        assert feedback_requests_due(now=due - SECOND) == 0
        assert requests() == []
    assert feedback_requests_due(now=due) == 1

    assert asked() == {person.id}
    assert [message.registration for message in requests()] == [person]


@pytest.mark.django_db
def test_a_meeting_still_going_on_asks_nobody_even_with_no_delay():
    event = ended(ago=-timedelta(minutes=30), feedback_delay_minutes=0)
    attendee(event)  # marked at the door, before the end

    assert feedback_requests_due() == 0
    assert feedback_requests_due(now=event.ends_at - SECOND) == 0
    assert feedback_requests_due(now=event.ends_at) == 1


@pytest.mark.django_db
def test_the_longest_delay_allowed_still_sends_the_survey_at_the_next_beat():
    # Seven days is the most an organiser may choose; beat runs once a minute, so the run
    # that sends it comes up to a minute after the survey fell due.
    event = ended(feedback_delay_minutes=MAX_FEEDBACK_DELAY_MINUTES)
    person = attendee(event)
    due = event.ends_at + timedelta(minutes=MAX_FEEDBACK_DELAY_MINUTES)

    assert feedback_requests_due(now=due - SECOND) == 0
    assert feedback_requests_due(now=due + 59 * SECOND) == 1

    assert asked() == {person.id}
    # Marked later, after the week is up: too late, as for any meeting.
    late = RegistrationFactory(event=event)
    registration_set_attendance(registration_id=late.id, attended=True)
    assert feedback_requests_due(now=due + 10 * MINUTE) == 0
    assert asked() == {person.id}


@pytest.mark.django_db
@pytest.mark.parametrize(("ago", "sent"), [(7 * DAY - MINUTE, True), (7 * DAY + MINUTE, False), (30 * DAY, False)])
def test_a_meeting_that_ended_more_than_seven_days_ago_gets_no_surveys(ago, sent):
    # E.g. a meeting recorded after the fact, with its attendance.
    event = ended(ago=ago)
    attendee(event)

    feedback_requests_due()

    assert bool(requests()) is sent
    assert Feedback.objects.exists() is sent


@pytest.mark.django_db
def test_attendance_marked_later_within_seven_days_is_asked_at_the_next_run():
    event = ended(ago=3 * DAY)
    early = attendee(event)
    late = RegistrationFactory(event=event)

    assert feedback_requests_due() == 1
    assert asked() == {early.id}

    registration_set_attendance(registration_id=late.id, attended=True)
    assert feedback_requests_due() == 1

    assert asked() == {early.id, late.id}
    assert sorted(message.registration_id for message in requests()) == sorted([early.id, late.id])


@pytest.mark.django_db
def test_a_waitlisted_person_marked_as_attended_is_confirmed_and_asked():
    event = ended()
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED, confirmed_at=None)

    registration_set_attendance(registration_id=waiting.id, attended=True)
    feedback_requests_due(now=event.ends_at + DELAY)

    assert asked() == {waiting.id}


# Once each


@pytest.mark.django_db
def test_running_again_asks_nobody_twice():
    event = ended()
    people = [attendee(event) for _ in range(5)]

    assert feedback_requests_due(now=event.ends_at + DELAY) == 5
    assert feedback_requests_due(now=event.ends_at + DELAY) == 0
    assert feedback_requests_due(now=event.ends_at + DELAY + MINUTE) == 0
    assert feedback_requests_due(now=event.ends_at + 6 * DAY) == 0

    ids = sorted(person.id for person in people)
    assert sorted(Feedback.objects.values_list("registration_id", flat=True)) == ids
    assert sorted(message.registration_id for message in requests()) == ids


@pytest.mark.django_db
def test_an_answered_survey_is_not_asked_again_when_the_attendance_mark_is_toggled():
    event = ended(ago=DAY)
    person = attendee(event)
    feedback_requests_due()
    registration_set_attendance(registration_id=person.id, attended=None)
    registration_set_attendance(registration_id=person.id, attended=True)

    assert feedback_requests_due() == 0
    assert len(requests()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_ask_each_attendee_once():
    events = [ended(ago=timedelta(hours=hours)) for hours in (3, 4, 5)]
    people = [attendee(event) for event in events for _ in range(20)]
    now = timezone.now()

    _created, errors = at_once(lambda: feedback_requests_due(now=now), threads=6)

    assert errors == []
    ids = sorted(person.id for person in people)
    assert sorted(Feedback.objects.values_list("registration_id", flat=True)) == ids
    rows = requests()
    assert sorted(message.registration_id for message in rows) == ids
    assert {message.event_id for message in rows} == {event.id for event in events}


# The answer


@pytest.mark.django_db
def test_an_answer_is_stored_with_its_themes():
    event = ended()
    feedback = survey_for(attendee(event))
    themes = [ThemeFactory(slug="upphandling"), ThemeFactory(slug="finansiering")]

    answer = feedback_answer(
        feedback_id=feedback.id,
        rating=4,
        comment="  Bra träff!\r\nTack.  ",
        theme_slugs=["upphandling", "finansiering"],
        wants_themes_text=" Juridik ",
        quote_allowed=True,
    )

    feedback.refresh_from_db()
    assert answer.pk == feedback.pk
    assert (feedback.rating, feedback.comment, feedback.wants_themes_text) == (4, "Bra träff!\nTack.", "Juridik")
    assert feedback.quote_allowed is True
    assert set(feedback.wants_themes.all()) == set(themes)
    assert feedback.answered_at is not None
    assert feedback.registration.event == event


@pytest.mark.django_db
def test_answering_again_updates_the_one_answer():
    feedback = survey_for(attendee(ended()))
    ThemeFactory(slug="upphandling")
    ThemeFactory(slug="juridik")
    first = feedback_answer(feedback_id=feedback.id, rating=2, comment="Sådär", theme_slugs=["upphandling"])

    second = feedback_answer(feedback_id=feedback.id, rating=5, comment="Bättre än jag trodde", theme_slugs=["juridik"])

    assert Feedback.objects.count() == 1
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment) == (5, "Bättre än jag trodde")
    assert [theme.slug for theme in feedback.wants_themes.all()] == ["juridik"]
    assert second.answered_at >= first.answered_at


@pytest.mark.django_db
def test_quoting_is_allowed_only_with_a_comment_to_quote():
    feedback = survey_for(attendee(ended()))

    feedback_answer(feedback_id=feedback.id, rating=3, comment="   ", quote_allowed=True)

    feedback.refresh_from_db()
    assert (feedback.comment, feedback.quote_allowed) == ("", False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": 4, "comment": "x" * (COMMENT_MAX + 1)}, "comment"),
        ({"rating": 4, "wants_themes_text": "x" * (WANTS_TEXT_MAX + 1)}, "wants_themes_text"),
        ({"rating": 4, "theme_slugs": ["upphandling", "finns-inte"]}, "themes"),
    ],
    ids=["rating-0", "rating-6", "comment-too-long", "themes-text-too-long", "unknown-theme"],
)
def test_an_invalid_answer_is_refused_and_the_answer_given_stays(answer, field):
    feedback = survey_for(attendee(ended()))
    ThemeFactory(slug="upphandling")
    feedback_answer(feedback_id=feedback.id, rating=3, comment="Bra", theme_slugs=["upphandling"])

    with pytest.raises(ValidationError) as refused:
        feedback_answer(feedback_id=feedback.id, **answer)

    assert list(refused.value.message_dict) == [field]
    if field == "themes":
        assert "finns-inte" in refused.value.message_dict["themes"][0]
        assert "upphandling" not in refused.value.message_dict["themes"][0]
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment, feedback.wants_themes_text) == (3, "Bra", "")
    assert [theme.slug for theme in feedback.wants_themes.all()] == ["upphandling"]


@pytest.mark.django_db
def test_the_survey_closes_fourteen_days_after_the_meetings_end():
    event = ended()
    feedback = survey_for(attendee(event))
    closes_at = event.ends_at + timedelta(days=14)
    assert OPEN_FOR == timedelta(days=14)
    assert feedback.closes_at() == closes_at

    feedback_answer(feedback_id=feedback.id, rating=4, comment="Sista minuten", now=closes_at - SECOND)
    with pytest.raises(SurveyClosed):
        feedback_answer(feedback_id=feedback.id, rating=1, comment="För sent", now=closes_at)

    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment) == (4, "Sista minuten")
