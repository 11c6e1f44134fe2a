"""The outbox: each change writes exactly its messages, in its own transaction, once per key.

These tests look only at the rows; delivery is in test_delivery.py. Nothing is sent here
(test settings queue Celery tasks in memory and nothing runs them).
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from events.choices import EventStatus
from events.services import event_cancel, event_create, event_update, theme_create
from notifications import outbox, wakeup
from notifications.models import Message
from registrations.choices import Status
from registrations.models import ThemeInterest
from registrations.services import registration_cancel, signup_create
from tests.factories import EventFactory, RegistrationFactory, person

pytestmark = pytest.mark.django_db

Kind, State = Message.Kind, Message.State


def rows(**filters) -> list[tuple[str, str]]:
    """(kind, recipient) of the outbox rows, oldest first."""
    return list(Message.objects.filter(**filters).order_by("id").values_list("kind", "recipient"))


def sign_up(event, email):
    [outcome] = signup_create(person=person(email), event_ids=[event.id])
    return outcome.registration


def test_signup_with_a_free_seat_writes_one_pending_confirmation():
    event = EventFactory(capacity=2)

    registration = sign_up(event, "anna@example.org")

    message = Message.objects.get()
    assert (message.kind, message.recipient, message.state) == (Kind.CONFIRMATION, "anna@example.org", State.PENDING)
    assert message.registration == registration
    assert message.event_id == event.id
    assert message.key == f"confirmation:{registration.id}"
    assert message.language == registration.language
    assert message.next_attempt_at <= timezone.now()


def test_signup_to_a_full_meeting_writes_a_waiting_list_message_instead():
    event = EventFactory(capacity=1)
    sign_up(event, "first@example.org")

    sign_up(event, "second@example.org")

    assert rows() == [(Kind.CONFIRMATION, "first@example.org"), (Kind.WAITLISTED, "second@example.org")]


def test_signup_for_several_meetings_writes_one_message_per_meeting():
    open_meeting, full_meeting = EventFactory(capacity=5), EventFactory(capacity=0)

    signup_create(person=person("anna@example.org"), event_ids=[open_meeting.id, full_meeting.id])

    assert set(Message.objects.values_list("kind", "event_id")) == {
        (Kind.CONFIRMATION, open_meeting.id),
        (Kind.WAITLISTED, full_meeting.id),
    }


def test_repeat_signup_sends_the_manage_link_again_at_most_once_an_hour(monkeypatch):
    # Mid-hour, so the repeats cannot straddle the hour the limit counts by.
    half_past = timezone.now().replace(minute=30)
    monkeypatch.setattr(timezone, "now", lambda: half_past)
    event = EventFactory()
    registration = sign_up(event, "anna@example.org")

    for _ in range(3):
        signup_create(person=person("Anna@Example.org"), event_ids=[event.id])

    manage_links = Message.objects.filter(kind=Kind.MANAGE_LINK)
    assert manage_links.count() == 1
    assert manage_links.get().registration == registration

    later = half_past + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    signup_create(person=person("anna@example.org"), event_ids=[event.id])

    assert manage_links.count() == 2
    assert Message.objects.filter(kind=Kind.CONFIRMATION).count() == 1


def test_cancelling_a_seat_writes_a_cancellation_and_promotes_only_the_first_waiting():
    event = EventFactory(capacity=1)
    seated = sign_up(event, "seated@example.org")
    first = sign_up(event, "first@example.org")
    sign_up(event, "second@example.org")
    before = Message.objects.count()

    registration_cancel(registration_id=seated.id)

    new = Message.objects.order_by("id")[before:]
    assert [(m.kind, m.recipient) for m in new] == [
        (Kind.REGISTRATION_CANCELLED, "seated@example.org"),
        (Kind.PROMOTED, "first@example.org"),
    ]
    assert new[0].context == {"was_confirmed": True}
    assert new[1].registration == first


def test_cancelling_a_place_on_the_waiting_list_promotes_nobody():
    event = EventFactory(capacity=1)
    sign_up(event, "seated@example.org")
    waiting = sign_up(event, "waiting@example.org")

    registration_cancel(registration_id=waiting.id)

    cancelled = Message.objects.get(kind=Kind.REGISTRATION_CANCELLED)
    assert cancelled.context == {"was_confirmed": False}
    assert not Message.objects.filter(kind=Kind.PROMOTED).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at": timezone.now() + timedelta(days=20), "ends_at": timezone.now() + timedelta(days=20, hours=2)},
        {"location": "Stadshuset, Eskilstuna"},
        {"online_url": "https://meet.example.org/new-room"},
    ],
    ids=["time", "place", "link"],
)
def test_changing_time_place_or_link_tells_every_active_registration_with_the_new_sequence(change):
    event = EventFactory(capacity=1)
    confirmed = sign_up(event, "confirmed@example.org")
    waiting = sign_up(event, "waiting@example.org")
    cancelled = RegistrationFactory(event=event, status=Status.CANCELLED, email="gone@example.org")

    event = event_update(event_id=event.id, **change)

    assert event.sequence == 1
    changed = Message.objects.filter(kind=Kind.EVENT_CHANGED)
    keys = set(changed.values_list("key", flat=True))
    assert keys == {f"event_changed:{confirmed.id}:1", f"event_changed:{waiting.id}:1"}
    assert not changed.filter(registration=cancelled).exists()

    event_update(event_id=event.id, location="Biblioteket, Flen")

    assert set(changed.filter(key__endswith=":2").values_list("recipient", flat=True)) == {
        "confirmed@example.org",
        "waiting@example.org",
    }


def test_changing_what_no_invite_shows_writes_no_change_message():
    event = EventFactory(capacity=5)
    sign_up(event, "anna@example.org")

    event_update(event_id=event.id, title="Ny titel", description="Mer text")

    assert not Message.objects.filter(kind=Kind.EVENT_CHANGED).exists()


def test_more_seats_promote_the_waiting_list_with_promotion_messages():
    event = EventFactory(capacity=1)
    sign_up(event, "seated@example.org")
    sign_up(event, "first@example.org")
    sign_up(event, "second@example.org")

    event_update(event_id=event.id, capacity=2)

    assert rows(kind=Kind.PROMOTED) == [(Kind.PROMOTED, "first@example.org")]
    assert not Message.objects.filter(kind=Kind.EVENT_CHANGED).exists()


def test_cancelling_a_meeting_tells_every_active_registration_once():
    event = EventFactory(capacity=1)
    sign_up(event, "confirmed@example.org")
    sign_up(event, "waiting@example.org")
    RegistrationFactory(event=event, status=Status.CANCELLED, email="gone@example.org")

    event_cancel(event_id=event.id)

    assert sorted(Message.objects.filter(kind=Kind.EVENT_CANCELLED).values_list("recipient", flat=True)) == [
        "confirmed@example.org",
        "waiting@example.org",
    ]


def _meeting_fields(**fields):
    starts = timezone.now().replace(microsecond=0) + timedelta(days=10)
    return {
        "title": "Upphandling för sociala företag",
        "kind": "theme_meeting",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 10,
        "location": "Stadshuset",
        "municipality": "Nyköping",
        **fields,
    }


def test_publishing_a_meeting_on_a_theme_tells_each_interested_address_once_except_those_registered():
    theme = theme_create(slug="upphandling", name="Upphandling")
    other = theme_create(slug="finansiering", name="Finansiering")
    ThemeInterest.objects.create(theme=theme, email="eva@example.org", name="Eva", language="en")
    ThemeInterest.objects.create(theme=other, email="EVA@example.org", name="Eva")  # same person, two themes
    ThemeInterest.objects.create(theme=theme, email="olle@example.org", name="Olle")
    ThemeInterest.objects.create(theme=theme, email="anna@example.org", name="Anna")
    ThemeInterest.objects.create(theme=theme_create(slug="annat", name="Annat"), email="nils@example.org", name="Nils")

    draft = event_create(theme_slugs=["upphandling", "finansiering"], **_meeting_fields(status=EventStatus.DRAFT))
    assert not Message.objects.exists()  # a draft tells nobody
    RegistrationFactory(event=draft, email="Anna@Example.org")

    event_update(event_id=draft.id, status=EventStatus.PUBLISHED)

    announcements = Message.objects.filter(kind=Kind.THEME_ANNOUNCEMENT)
    assert sorted(m.lower() for m in announcements.values_list("recipient", flat=True)) == [
        "eva@example.org",
        "olle@example.org",
    ]
    assert announcements.get(recipient__iexact="eva@example.org").registration is None

    # Publishing again (a later edit) does not repeat the announcement.
    event_update(event_id=draft.id, status=EventStatus.DRAFT)
    event_update(event_id=draft.id, status=EventStatus.PUBLISHED)
    assert announcements.count() == 2


def test_creating_a_published_meeting_announces_it_to_those_interested():
    theme = theme_create(slug="upphandling", name="Upphandling")
    ThemeInterest.objects.create(theme=theme, email="eva@example.org", name="Eva")

    event = event_create(theme_slugs=["upphandling"], **_meeting_fields())

    assert rows(event=event) == [(Kind.THEME_ANNOUNCEMENT, "eva@example.org")]


def test_a_rolled_back_change_leaves_no_messages():
    event = EventFactory(capacity=5)
    sign_up(event, "anna@example.org")
    before = Message.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        event_update(event_id=event.id, location="Någon annanstans")
        assert Message.objects.filter(kind=Kind.EVENT_CHANGED).count() == 1  # written inside ...
        raise RuntimeError("the caller's transaction fails after the change")

    assert Message.objects.count() == before  # ... and gone with it
    event.refresh_from_db()
    assert event.sequence == 0


def test_writing_the_same_key_twice_leaves_one_row():
    registration = RegistrationFactory()

    outbox.queue_signup(registration)
    outbox.queue_signup(registration)
    outbox.queue_for_registrations(Kind.CONFIRMATION, [registration, registration])

    assert Message.objects.filter(key=f"confirmation:{registration.id}").count() == 1


def test_a_registration_without_an_address_gets_no_message():
    registration = RegistrationFactory(email="")

    outbox.queue_signup(registration)

    assert not Message.objects.exists()


@pytest.fixture
def publishes(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(wakeup, "publish_wake_up", lambda: calls.append(1))
    return calls


def test_a_transaction_that_writes_several_kinds_of_message_wakes_the_sender_once(
    django_capture_on_commit_callbacks, publishes
):
    event = EventFactory(capacity=1)
    sign_up(event, "seated@example.org")
    sign_up(event, "waiting@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        event_update(event_id=event.id, location="Biblioteket, Flen", capacity=2)  # changed + promoted

    assert set(Message.objects.values_list("kind", flat=True)) >= {Kind.EVENT_CHANGED, Kind.PROMOTED}
    assert len(publishes) == 1


def test_a_wake_up_lost_with_a_rolled_back_savepoint_is_asked_for_again(django_capture_on_commit_callbacks, publishes):
    first, second = RegistrationFactory(), RegistrationFactory()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.queue_signup(first)
            raise RuntimeError("this part is undone, its wake-up with it")
        outbox.queue_signup(second)

    assert list(Message.objects.values_list("registration", flat=True)) == [second.id]
    assert len(publishes) == 1


def test_a_transaction_that_writes_no_message_publishes_nothing(django_capture_on_commit_callbacks, publishes):
    event = EventFactory(capacity=1)

    with django_capture_on_commit_callbacks(execute=True):
        event_update(event_id=event.id, description="Fika från 9.30.")

    assert not Message.objects.exists()
    assert publishes == []
