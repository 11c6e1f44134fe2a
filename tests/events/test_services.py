from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from events.choices import EventStatus
from events.services import EventConflict, event_cancel, event_create, event_update
from registrations.choices import Status
from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda e: {"starts_at": e.starts_at + timedelta(hours=1)}, id="starts_at"),
        pytest.param(lambda e: {"ends_at": e.ends_at + timedelta(hours=1)}, id="ends_at"),
        pytest.param(lambda e: {"location": "Stadshuset, Flen"}, id="location"),
        pytest.param(lambda e: {"online_url": "https://meet.example.org/new"}, id="online_url"),
    ],
)
def test_event_update_of_time_place_or_link_raises_sequence(change):
    event = EventFactory()

    updated = event_update(event_id=event.id, **change(event))

    assert updated.sequence == event.sequence + 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda e: {"title": "Nytt namn"}, id="title"),
        pytest.param(lambda e: {"description": "<p>Mer text</p>"}, id="description"),
        pytest.param(lambda e: {"capacity": 80}, id="capacity"),
        # Saving the same time again is no change.
        pytest.param(lambda e: {"starts_at": e.starts_at, "location": e.location}, id="unchanged"),
    ],
)
def test_event_update_of_other_fields_keeps_sequence(change):
    event = EventFactory()

    updated = event_update(event_id=event.id, **change(event))

    assert updated.sequence == event.sequence


def test_event_update_raising_capacity_promotes_waitlisted_in_order():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = [RegistrationFactory(event=event, status=Status.WAITLISTED) for _ in range(3)]

    event_update(event_id=event.id, capacity=3)

    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]


def test_event_update_to_unlimited_capacity_promotes_everyone():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory.create_batch(3, event=event, status=Status.WAITLISTED)

    event_update(event_id=event.id, capacity=None)

    assert not Registration.objects.filter(event=event, status=Status.WAITLISTED).exists()


def test_event_update_lowering_capacity_demotes_nobody():
    event = EventFactory(capacity=3)
    RegistrationFactory.create_batch(3, event=event)

    event_update(event_id=event.id, capacity=1)

    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 3


def test_event_update_refuses_end_before_start():
    event = EventFactory()

    with pytest.raises(ValidationError):
        event_update(event_id=event.id, ends_at=event.starts_at - timedelta(minutes=1))


def test_event_update_of_a_cancelled_meeting_conflicts():
    event = EventFactory(status=EventStatus.CANCELLED)

    with pytest.raises(EventConflict):
        event_update(event_id=event.id, title="Ny titel")


def test_event_update_sets_themes():
    event = EventFactory(themes=[ThemeFactory(slug="upphandling")])
    ThemeFactory(slug="finansiering")

    event_update(event_id=event.id, theme_slugs=["finansiering"])

    assert [t.slug for t in event.themes.all()] == ["finansiering"]


def test_event_cancel_marks_cancelled_raises_sequence_and_keeps_registrations():
    event = EventFactory()
    RegistrationFactory(event=event)

    cancelled = event_cancel(event_id=event.id)

    assert cancelled.status == EventStatus.CANCELLED
    assert cancelled.sequence == event.sequence + 1
    assert Registration.objects.filter(event=event).count() == 1
    with pytest.raises(EventConflict):
        event_cancel(event_id=event.id)


def test_event_create_accepts_a_past_meeting_with_themes():
    theme = ThemeFactory(slug="marknadsforing")
    template = EventFactory.build(past=True)

    event = event_create(
        theme_slugs=["marknadsforing"],
        title="Efterhandsregistrerad träff",
        kind="network_meeting",
        starts_at=template.starts_at,
        ends_at=template.ends_at,
        capacity=None,
    )

    assert list(event.themes.all()) == [theme]


def test_event_create_refuses_unknown_themes_and_saves_nothing():
    template = EventFactory.build()

    with pytest.raises(ValidationError) as error:
        event_create(theme_slugs=["finns-inte"], title="X", starts_at=template.starts_at, ends_at=template.ends_at)

    assert "finns-inte" in str(error.value)
