"""Reminders travel in time: `reminders_due(now=...)` writes what is due at that instant, and
`claim_batch(now=...)` + `send_batch(..., now=...)` send it as the worker would then.

Offsets are real minutes before the meeting's instant, so across a daylight saving change a
"24 hours before" reminder is 24 real hours before, which is 23 or 25 hours of wall clock.
Every expected instant is written out in UTC by hand.

Sending needs `now` after the rows' creation (rows are due from when they were written), so
tests that send use meetings around the 2027 changes; tests that only write reminders also
cover the 2026 changes (2026-03-29 and 2026-10-25).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.services import event_cancel, event_update
from notifications import delivery
from notifications.models import Message
from notifications.services import reminders_due
from registrations.choices import Status
from registrations.services import registration_cancel, signup_create
from tests.factories import EventFactory, RegistrationFactory, person
from tests.support.threads import at_once

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEEK, DAY = 7 * 24 * 60, 24 * 60
SECOND = timedelta(seconds=1)
Kind, State = Message.Kind, Message.State


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


# (meeting start in local time, its instant in UTC, when each reminder is due in UTC)
DST_MEETINGS = {
    # Monday after the spring change: 09:00 CEST. The 24 h reminder is 09:00 CEST Sunday; the
    # 7-day one falls in winter time, 08:00 CET the Monday before.
    "2026-spring-after": (
        local(2026, 3, 30, 9),
        utc(2026, 3, 30, 7),
        {DAY: utc(2026, 3, 29, 7), WEEK: utc(2026, 3, 23, 7)},
    ),
    # On the change day itself: 24 real hours before 09:00 CEST is 08:00 CET the day before.
    "2026-spring-day": (
        local(2026, 3, 29, 9),
        utc(2026, 3, 29, 7),
        {DAY: utc(2026, 3, 28, 7), WEEK: utc(2026, 3, 22, 7)},
    ),
    # Monday after the autumn change: 09:00 CET; 24 h before is 09:00 CET Sunday, and the
    # 7-day one is in summer time, 10:00 CEST.
    "2026-autumn-after": (
        local(2026, 10, 26, 9),
        utc(2026, 10, 26, 8),
        {DAY: utc(2026, 10, 25, 8), WEEK: utc(2026, 10, 19, 8)},
    ),
    "2026-autumn-day": (
        local(2026, 10, 25, 9),
        utc(2026, 10, 25, 8),
        {DAY: utc(2026, 10, 24, 8), WEEK: utc(2026, 10, 18, 8)},
    ),
    # The same around the 2027 changes (2027-03-28 and 2027-10-31).
    "2027-spring-after": (
        local(2027, 3, 29, 9),
        utc(2027, 3, 29, 7),
        {DAY: utc(2027, 3, 28, 7), WEEK: utc(2027, 3, 22, 7)},
    ),
    "2027-autumn-after": (
        local(2027, 11, 1, 9),
        utc(2027, 11, 1, 8),
        {DAY: utc(2027, 10, 31, 8), WEEK: utc(2027, 10, 25, 8)},
    ),
}


def _meeting(starts_at: datetime, **fields):
    return EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), **fields)


def _confirmed(event, *, at: datetime | None = None, **fields):
    """A confirmed registration; by default confirmed a month before the meeting."""
    return RegistrationFactory(event=event, confirmed_at=at or event.starts_at - timedelta(days=30), **fields)


def _reminders(**filters) -> list[Message]:
    return list(Message.objects.filter(kind=Kind.REMINDER, **filters).order_by("id"))


def _deliver(now: datetime) -> None:
    """What the worker does at `now`: claim due rows and send them, until none are left."""
    while batch := delivery.claim_batch(now=now):
        delivery.send_batch(batch, now=now)


def _reminder_mails(mailoutbox) -> list:
    return [mail for mail in mailoutbox if mail.subject.startswith(("Påminnelse", "Reminder"))]


# The instant


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [WEEK, DAY])
@pytest.mark.parametrize("name", DST_MEETINGS)
def test_a_reminder_is_due_exactly_its_offset_before_the_meetings_instant(name, offset):
    starts_local, starts_utc, due = DST_MEETINGS[name]
    event = _meeting(starts_local)
    registration = _confirmed(event)
    assert event.starts_at == starts_utc
    assert starts_utc - due[offset] == timedelta(minutes=offset)

    reminders_due(now=due[offset] - SECOND)
    assert _reminders(offset_minutes=offset) == []

    reminders_due(now=due[offset])
    [reminder] = _reminders(offset_minutes=offset)
    assert reminder.registration == registration
    assert reminder.recipient == registration.email
    assert reminder.event_starts_at == starts_utc
    assert reminder.state == State.PENDING


@pytest.mark.django_db
def test_a_meetings_own_offsets_are_used():
    starts_local, starts_utc, _due = DST_MEETINGS["2026-spring-after"]
    event = _meeting(starts_local, reminder_minutes_before=[90])
    _confirmed(event)

    reminders_due(now=starts_utc - timedelta(minutes=91))
    assert _reminders() == []
    reminders_due(now=starts_utc - timedelta(minutes=90))
    assert [r.offset_minutes for r in _reminders()] == [90]


@pytest.mark.django_db
def test_a_meeting_without_offsets_gets_no_reminders():
    starts_local, starts_utc, _due = DST_MEETINGS["2026-spring-after"]
    _confirmed(_meeting(starts_local, reminder_minutes_before=[]))

    for hours in (24 * 7, 24, 1):
        reminders_due(now=starts_utc - timedelta(hours=hours))

    assert _reminders() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("late", "written"),
    [(timedelta(hours=12), True), (timedelta(hours=12) + SECOND, False), (timedelta(days=3), False)],
)
def test_reminders_more_than_12_hours_overdue_are_not_written(late, written):
    starts_local, _starts_utc, due = DST_MEETINGS["2026-autumn-after"]
    _confirmed(_meeting(starts_local))

    # A scheduler that was down catches up when it starts again, but not with stale news.
    reminders_due(now=due[WEEK] + late)

    assert bool(_reminders(offset_minutes=WEEK)) is written


# Who gets one


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["2026-spring-after", "2026-autumn-after"])
def test_someone_confirmed_after_a_reminders_time_does_not_get_that_reminder(name):
    starts_local, _starts_utc, due = DST_MEETINGS[name]
    event = _meeting(starts_local)
    early = _confirmed(event)
    late = _confirmed(event, at=due[WEEK] + timedelta(minutes=1))
    on_time = _confirmed(event, at=due[WEEK])

    reminders_due(now=due[WEEK] + timedelta(minutes=5))
    assert {r.registration for r in _reminders(offset_minutes=WEEK)} == {early, on_time}

    reminders_due(now=due[DAY])
    assert {r.registration for r in _reminders(offset_minutes=DAY)} == {early, on_time, late}


@pytest.mark.django_db
def test_a_sign_up_after_the_reminders_time_gets_no_reminder_even_within_the_grace_period():
    # The 7-day reminder was due an hour ago (well within the 12 hours a late scheduler may
    # catch up), but this person signed up after it: their confirmation is the news.
    now = timezone.now()
    event = _meeting(now + timedelta(days=7) - timedelta(hours=1))
    [outcome] = signup_create(person=person("sen@example.org"), event_ids=[event.id])
    early = _confirmed(event, at=now - timedelta(days=3))

    reminders_due()

    assert outcome.status == Status.CONFIRMED
    assert [r.registration for r in _reminders()] == [early]


@pytest.mark.django_db
def test_waitlisted_people_get_no_reminder():
    starts_local, _starts_utc, due = DST_MEETINGS["2026-spring-after"]
    event = _meeting(starts_local, capacity=1)
    seated = _confirmed(event)
    RegistrationFactory(event=event, status=Status.WAITLISTED)

    reminders_due(now=due[WEEK])
    reminders_due(now=due[DAY])

    assert {r.registration for r in _reminders()} == {seated}


@pytest.mark.django_db
def test_a_cancelled_registration_gets_no_reminder():
    starts_local, _starts_utc, due = DST_MEETINGS["2026-spring-after"]
    event = _meeting(starts_local)
    staying = _confirmed(event)
    # Was confirmed (so confirmed_at is set) and then cancelled.
    _confirmed(event, status=Status.CANCELLED)

    reminders_due(now=due[DAY])

    assert [r.registration for r in _reminders()] == [staying]


@pytest.mark.django_db
def test_a_registration_cancelled_after_its_reminder_was_written_is_not_reminded(mailoutbox):
    starts_local, _starts_utc, due = DST_MEETINGS["2027-spring-after"]
    event = _meeting(starts_local)
    leaving = _confirmed(event, email="leaving@example.org")
    reminders_due(now=due[DAY])

    registration_cancel(registration_id=leaving.id)
    _deliver(due[DAY] + timedelta(minutes=1))

    [reminder] = _reminders()
    assert reminder.state == State.SKIPPED
    assert _reminder_mails(mailoutbox) == []


@pytest.mark.django_db
def test_a_cancelled_meeting_sends_no_reminders(mailoutbox):
    starts_local, _starts_utc, due = DST_MEETINGS["2027-autumn-after"]
    event = _meeting(starts_local)
    _confirmed(event)
    _confirmed(event)
    reminders_due(now=due[WEEK])
    assert len(_reminders()) == 2

    event_cancel(event_id=event.id)
    _deliver(due[WEEK] + timedelta(minutes=1))
    reminders_due(now=due[DAY])
    _deliver(due[DAY])

    assert {r.state for r in _reminders()} == {State.SKIPPED}
    assert len(_reminders()) == 2
    assert _reminder_mails(mailoutbox) == []
    # The people heard that it is cancelled instead.
    assert Message.objects.filter(kind=Kind.EVENT_CANCELLED, state=State.SENT).count() == 2


# Once each


@pytest.mark.django_db
def test_running_twice_writes_one_reminder_per_registration_and_offset():
    starts_local, _starts_utc, due = DST_MEETINGS["2026-autumn-after"]
    event = _meeting(starts_local)
    people = [_confirmed(event) for _ in range(5)]

    assert reminders_due(now=due[DAY]) == 5
    assert reminders_due(now=due[DAY]) == 0
    assert reminders_due(now=due[DAY] + timedelta(minutes=1)) == 0

    assert sorted(r.registration_id for r in _reminders()) == sorted(p.id for p in people)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_write_one_reminder_per_registration_and_offset():
    starts_local, _starts_utc, due = DST_MEETINGS["2027-spring-after"]
    events = [_meeting(starts_local) for _ in range(3)]
    people = [_confirmed(event) for event in events for _ in range(20)]

    _written, errors = at_once(lambda: reminders_due(now=due[DAY]), threads=6)

    assert errors == []
    rows = _reminders()
    assert len(rows) == len(people)
    assert {(r.registration_id, r.offset_minutes) for r in rows} == {(p.id, DAY) for p in people}


# A moved meeting moves its reminders


@pytest.mark.django_db
def test_a_moved_meeting_skips_the_stale_reminder_and_gets_one_for_its_new_start(mailoutbox):
    starts_local, starts_utc, due = DST_MEETINGS["2027-spring-after"]
    event = _meeting(starts_local)
    registration = _confirmed(event)
    reminders_due(now=due[DAY])
    [stale] = _reminders()

    # Moved a day later before the reminder went out (say, SMTP was retrying).
    new_start = starts_utc + timedelta(days=1)
    event_update(event_id=event.id, starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    _deliver(due[DAY] + timedelta(minutes=1))

    stale.refresh_from_db()
    assert stale.state == State.SKIPPED
    assert "moved" in stale.last_error
    assert _reminder_mails(mailoutbox) == []
    # The change itself was announced, with the new time.
    assert Message.objects.get(kind=Kind.EVENT_CHANGED, registration=registration).state == State.SENT

    # Nothing new until 24 hours before the new start: 2027-03-29 07:00 UTC, 09:00 CEST.
    new_due = utc(2027, 3, 29, 7)
    assert new_start - timedelta(minutes=DAY) == new_due
    reminders_due(now=new_due - SECOND)
    assert len(_reminders()) == 1
    reminders_due(now=new_due)
    fresh = _reminders()[-1]
    assert fresh.pk != stale.pk
    assert fresh.event_starts_at == new_start
    assert (fresh.registration, fresh.offset_minutes) == (registration, DAY)

    _deliver(new_due + timedelta(minutes=1))
    fresh.refresh_from_db()
    assert fresh.state == State.SENT
    [mail] = _reminder_mails(mailoutbox)
    # Tuesday 2027-03-30, 09:00 CEST.
    assert "09:00–11:00" in mail.body
    assert "30 mar" in mail.body


@pytest.mark.django_db
def test_a_meeting_moved_earlier_gets_reminders_for_the_new_start_only():
    starts_local, starts_utc, due = DST_MEETINGS["2026-autumn-after"]
    event = _meeting(starts_local)
    _confirmed(event)
    new_start = starts_utc - timedelta(days=2)
    event_update(event_id=event.id, starts_at=new_start, ends_at=new_start + timedelta(hours=2))

    reminders_due(now=new_start - timedelta(minutes=DAY))
    reminders_due(now=due[DAY])

    assert [(r.offset_minutes, r.event_starts_at) for r in _reminders()] == [(DAY, new_start)]


# What the reminder says


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_local", "starts_utc"),
    [
        (local(2027, 1, 14, 10), utc(2027, 1, 14, 9)),  # winter, UTC+1
        (local(2027, 3, 29, 10), utc(2027, 3, 29, 8)),  # the day after the spring change
        (local(2027, 7, 15, 10), utc(2027, 7, 15, 8)),  # summer, UTC+2
        (local(2027, 11, 1, 10), utc(2027, 11, 1, 9)),  # the day after the autumn change
    ],
    ids=["winter", "after-spring-change", "summer", "after-autumn-change"],
)
def test_the_reminder_tells_the_local_time_with_the_right_offset(mailoutbox, starts_local, starts_utc):
    event = _meeting(starts_local, title="Tematräff: sociala företag")
    _confirmed(event, email="kim@example.org")
    due = starts_utc - timedelta(minutes=DAY)

    reminders_due(now=due)
    _deliver(due)

    [mail] = _reminder_mails(mailoutbox)
    assert mail.to == ["kim@example.org"]
    assert "Tematräff: sociala företag" in mail.subject
    # The body is what Outlook shows: local time, not UTC and not the other season's offset.
    assert "10:00–12:00" in mail.body
    [html] = [content for content, mimetype in mail.alternatives if mimetype == "text/html"]
    assert "10:00" in html
    # Neither UTC nor the other season's offset (11:00 in winter, 09:00 in summer).
    other_season = 11 if starts_local.utcoffset() == timedelta(hours=1) else 9
    for wrong in (f"{starts_utc:%H}:00–", f"{other_season:02}:00–"):
        assert wrong not in mail.body
    # The invitation goes along, with the instant in UTC.
    assert f"DTSTART:{starts_utc:%Y%m%dT%H%M%S}Z" in mail.calendar.decode()
