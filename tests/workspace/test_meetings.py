"""Workspace pages that create, change, copy and cancel meetings (workspace/meetings.py)."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.choices import EventStatus
from events.models import Event
from events.services import event_duplicate
from notifications.models import Message
from registrations.choices import Status
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _local(day: str, clock: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{clock}"))


def _form_data(**overrides) -> dict:
    """A valid meeting form: next year, 18:00–20:00 Swedish time, published."""
    year = timezone.localdate().year + 1
    data = {
        "title": "Tematräff om upphandling",
        "kind": "theme_meeting",
        "audience": "all",
        "description": "Hur sociala företag vinner offentliga upphandlingar.",
        "starts_at_0": f"{year}-03-10",
        "starts_at_1": "18:00",
        "ends_at_0": f"{year}-03-10",
        "ends_at_1": "20:00",
        "capacity": "30",
        "location": "Kulturhuset, Nyköping",
        "online_url": "",
        "municipality": "Nyköping",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "reminder_minutes_before": ["10080", "1440"],
        "status": "published",
    }
    return data | overrides


def _edit_data(event: Event, **overrides) -> dict:
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    current = {
        "title": event.title,
        "starts_at_0": f"{start:%Y-%m-%d}",
        "starts_at_1": f"{start:%H:%M}",
        "ends_at_0": f"{end:%Y-%m-%d}",
        "ends_at_1": f"{end:%H:%M}",
        "capacity": str(event.capacity),
        "location": event.location,
        "municipality": event.municipality,
        "themes": [str(theme.pk) for theme in event.themes.all()],
    }
    return _form_data(**current | overrides)


def test_an_organiser_creates_a_published_meeting_that_the_public_list_shows(organiser_client):
    theme = ThemeFactory(slug="upphandling")
    page = organiser_client.get("/arrangor/traffar/ny/")

    response = organiser_client.post("/arrangor/traffar/ny/", _form_data(themes=[str(theme.pk)]))

    assert page.status_code == 200
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/arrangor/traffar/{event.id}/"
    assert timezone.localtime(event.starts_at).hour == 18
    assert [t.slug for t in event.themes.all()] == ["upphandling"]
    assert event.reminder_minutes_before == [10080, 1440]
    assert event.capacity == 30
    assert "Tematräff om upphandling" in Client().get("/").content.decode()


def test_an_empty_capacity_means_unlimited_and_a_draft_stays_off_the_public_list(organiser_client):
    organiser_client.post("/arrangor/traffar/ny/", _form_data(capacity="", status="draft"))

    event = Event.objects.get()
    assert event.capacity is None
    assert event.status == EventStatus.DRAFT
    assert "Tematräff om upphandling" not in Client().get("/").content.decode()


def test_form_errors_are_shown_by_the_fields_and_nothing_is_saved(organiser_client):
    data = _form_data(ends_at_1="17:00", online_url="meet.example.org room", capacity="0")

    response = organiser_client.post("/arrangor/traffar/ny/", data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"ends_at", "online_url", "capacity"}
    assert 'id="field-ends_at"' in response.content.decode()
    assert Event.objects.count() == 0


def test_a_link_that_is_not_http_is_refused(organiser_client):
    response = organiser_client.post("/arrangor/traffar/ny/", _form_data(online_url="ftp://example.org/room"))

    assert "online_url" in response.context["form"].errors
    assert Event.objects.count() == 0


def test_editing_the_time_raises_the_sequence_and_tells_registrants(organiser_client):
    # A fixed afternoon: made between midnight and 07:00 (local), the factory's meeting would
    # end before 09:00, and moving its start to 09:00 would put the start after the end.
    event = EventFactory(
        themes=[ThemeFactory()], starts_at=_local("2027-11-02", "13:00"), ends_at=_local("2027-11-02", "15:00")
    )
    registration = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.CANCELLED)
    page = organiser_client.get(f"/arrangor/traffar/{event.id}/andra/")

    response = organiser_client.post(f"/arrangor/traffar/{event.id}/andra/", _edit_data(event, starts_at_1="09:00"))

    assert page.status_code == 200
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1
    assert timezone.localtime(event.starts_at).hour == 9
    changed = Message.objects.filter(kind=Message.Kind.EVENT_CHANGED)
    assert list(changed.values_list("registration_id", flat=True)) == [registration.id]


def test_editing_only_the_title_sends_nothing(organiser_client):
    event = EventFactory()
    RegistrationFactory(event=event)

    organiser_client.post(f"/arrangor/traffar/{event.id}/andra/", _edit_data(event, title="Nytt namn"))

    event.refresh_from_db()
    assert event.title == "Nytt namn"
    assert event.sequence == 0
    assert not Message.objects.filter(kind=Message.Kind.EVENT_CHANGED).exists()


def test_a_cancelled_meeting_cannot_be_edited(organiser_client):
    event = EventFactory(status=EventStatus.CANCELLED)

    response = organiser_client.post(f"/arrangor/traffar/{event.id}/andra/", _edit_data(event, title="Nytt"))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title != "Nytt"


def test_duplicating_makes_a_draft_26_weeks_later_with_the_themes_and_no_registrations(organiser_client):
    themes = [ThemeFactory(), ThemeFactory()]
    event = EventFactory(
        starts_at=_local("2027-11-02", "18:00"),
        ends_at=_local("2027-11-02", "20:00"),
        registration_closes_at=_local("2027-11-01", "12:00"),
        themes=themes,
    )
    RegistrationFactory(event=event)
    page = organiser_client.get(f"/arrangor/traffar/{event.id}/kopiera/")

    response = organiser_client.post(f"/arrangor/traffar/{event.id}/kopiera/", {"weeks": "26"})

    assert 'value="26"' in page.content.decode()
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/arrangor/traffar/{copy.id}/andra/"
    assert copy.status == EventStatus.DRAFT
    assert set(copy.themes.all()) == set(themes)
    assert copy.registrations.count() == 0
    # 26 weeks from November is in summer time: the copy still starts at 18:00 Swedish time.
    assert copy.starts_at == _local("2028-05-02", "18:00")
    assert copy.ends_at == _local("2028-05-02", "20:00")
    assert copy.registration_closes_at == _local("2028-05-01", "12:00")
    assert (copy.title, copy.location, copy.capacity) == (event.title, event.location, event.capacity)


def test_duplicating_to_a_chosen_date_keeps_the_start_time(organiser_client):
    event = EventFactory(starts_at=_local("2027-11-02", "18:00"), ends_at=_local("2027-11-02", "20:00"))

    organiser_client.post(f"/arrangor/traffar/{event.id}/kopiera/", {"weeks": "26", "starts_on": "2028-01-18"})

    copy = Event.objects.exclude(pk=event.pk).get()
    assert (copy.starts_at, copy.ends_at) == (_local("2028-01-18", "18:00"), _local("2028-01-18", "20:00"))


def test_event_duplicate_copies_a_cancelled_meeting_as_a_draft():
    event = EventFactory(status=EventStatus.CANCELLED)

    copy = event_duplicate(event_id=event.id, starts_at=event.starts_at + timedelta(weeks=1))

    assert copy.status == EventStatus.DRAFT
    assert copy.sequence == 0


def test_cancel_asks_first_and_cancels_only_on_post(organiser_client):
    event = EventFactory()
    confirmed = RegistrationFactory(event=event)
    waitlisted = RegistrationFactory(event=event, status=Status.WAITLISTED)
    url = f"/arrangor/traffar/{event.id}/stall-in/"

    page = organiser_client.get(url)
    event.refresh_from_db()
    assert page.status_code == 200
    assert event.status == EventStatus.PUBLISHED
    assert not Message.objects.filter(kind=Message.Kind.EVENT_CANCELLED).exists()

    response = organiser_client.post(url)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    told = Message.objects.filter(kind=Message.Kind.EVENT_CANCELLED).values_list("registration_id", flat=True)
    assert set(told) == {confirmed.id, waitlisted.id}
    assert organiser_client.post(url).status_code == 302  # a second cancel is refused with a message
    assert Message.objects.filter(kind=Message.Kind.EVENT_CANCELLED).count() == 2


def _meeting_pages(event) -> list[tuple[str, str, dict | None]]:
    base = f"/arrangor/traffar/{event.id}"
    return [
        ("get", "/arrangor/traffar/ny/", None),
        ("post", "/arrangor/traffar/ny/", _form_data()),
        ("get", f"{base}/andra/", None),
        ("post", f"{base}/andra/", _edit_data(event, title="Ändrad")),
        ("get", f"{base}/kopiera/", None),
        ("post", f"{base}/kopiera/", {"weeks": "26"}),
        ("get", f"{base}/stall-in/", None),
        ("post", f"{base}/stall-in/", {}),
    ]


def _unchanged(event) -> None:
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert event.title != "Ändrad"
    assert Event.objects.count() == 1


def test_a_helper_gets_403_on_every_meeting_page(helper_client):
    event = EventFactory()

    for method, path, data in _meeting_pages(event):
        response = helper_client.get(path) if method == "get" else helper_client.post(path, data)
        assert response.status_code == 403, (method, path)
    _unchanged(event)


def test_anonymous_visitors_are_sent_to_the_login(client):
    event = EventFactory()

    for method, path, data in _meeting_pages(event):
        response = client.get(path) if method == "get" else client.post(path, data)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith("/arrangor/logga-in/?next="), path
    _unchanged(event)


def test_posts_without_csrf_token_are_refused(organiser):
    event = EventFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    for method, path, data in _meeting_pages(event):
        if method == "post":
            assert client.post(path, data).status_code == 403, path
    _unchanged(event)


def test_the_overview_and_meeting_page_link_to_the_organiser_actions(organiser_client, helper_client):
    event = EventFactory()

    overview = organiser_client.get("/arrangor/").content.decode()
    page = organiser_client.get(f"/arrangor/traffar/{event.id}/").content.decode()
    helper_page = helper_client.get(f"/arrangor/traffar/{event.id}/").content.decode()

    assert "/arrangor/traffar/ny/" in overview
    for action in ("andra", "kopiera", "stall-in"):
        assert f"/arrangor/traffar/{event.id}/{action}/" in page
        assert f"/{action}/" not in helper_page
