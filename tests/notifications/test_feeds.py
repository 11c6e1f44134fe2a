"""Calendar feeds: the personal one behind a secret address (webcal), listing a person's
confirmed meetings with their links, and the public calendar.ics of one meeting."""

import base64
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone
from icalendar import Calendar

from events.choices import EventStatus
from events.services import event_cancel, event_update
from notifications import invites
from notifications.feeds import feed_token, feed_url, webcal_url
from notifications.models import CalendarFeed
from registrations.choices import Status
from registrations.services import registration_cancel
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ONLINE = "https://meet.example.org/secret-room"


def _path(email: str) -> str:
    return urlsplit(feed_url(email)).path


def _events(response) -> dict[str, dict]:
    """VEVENTs of a calendar response by UID, each as {property: text}."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(vevent["UID"]): {name: vevent.get(name) for name in vevent} for vevent in calendar.walk("VEVENT")}


def _unfolded(response) -> str:
    return re.sub(r"\r\n[ \t]", "", response.content.decode())


def _without_stamps(response) -> str:
    return re.sub(r"DTSTAMP:\S+\r\n", "", _unfolded(response))


# The address


def test_the_feed_address_is_the_same_for_an_address_in_any_case():
    urls = {feed_url(email) for email in ("kim@example.org", "Kim@Example.ORG", "KIM@EXAMPLE.ORG")}

    assert len(urls) == 1
    assert CalendarFeed.objects.count() == 1
    assert feed_url("kim@example.org") == feed_url("kim@example.org")


def test_the_feed_token_is_256_random_looking_bits_and_only_its_hash_is_stored():
    url = feed_url("kim@example.org")
    token = urlsplit(url).path.removeprefix("/kalender/").removesuffix(".ics")

    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    assert "kim" not in token.lower()
    assert token != feed_token("kom@example.org")
    feed = CalendarFeed.objects.get()
    assert token not in feed.token_hash
    # Derived with the site's secret: another site (or a leaked address) cannot compute it.
    with override_settings(SECRET_KEY="another-secret"):
        assert feed_token("kim@example.org") != token


def test_the_feed_can_be_subscribed_to_with_webcal():
    url = feed_url("kim@example.org")

    assert webcal_url(url) == "webcal://" + url.split("://", 1)[1]


# What a person's feed holds


@pytest.fixture
def kims_world():
    """Kim's registrations in every state, and someone else's meeting."""
    online = EventFactory(title="Digital mötesplats", online=True)
    in_person = EventFactory(title="Tematräff på plats")
    full = EventFactory(title="Fullbokad träff")
    left = EventFactory(title="Avbokad av Kim")
    called_off = EventFactory(title="Inställd träff", online_url=ONLINE)
    others = EventFactory(title="Los träff", online_url="https://meet.example.org/los-room")
    world = {
        "online": RegistrationFactory(event=online, email="kim@example.org"),
        # The address as typed at another sign-up: still Kim's.
        "in_person": RegistrationFactory(event=in_person, email="KIM@example.org"),
        "waitlisted": RegistrationFactory(event=full, email="kim@example.org", status=Status.WAITLISTED),
        "left": RegistrationFactory(event=left, email="kim@example.org"),
        "called_off": RegistrationFactory(event=called_off, email="kim@example.org"),
        "others": RegistrationFactory(event=others, email="lo@example.org", name="Lo Lind"),
    }
    registration_cancel(registration_id=world["left"].id)
    event_cancel(event_id=called_off.id)
    return world


def test_the_feed_lists_exactly_the_persons_confirmed_meetings(client, kims_world):
    uid = {name: invites.registration_uid(registration) for name, registration in kims_world.items()}

    events = _events(client.get(_path("kim@example.org")))

    assert set(events) == {uid["online"], uid["in_person"], uid["called_off"]}
    assert str(events[uid["online"]]["STATUS"]) == "CONFIRMED"
    assert str(events[uid["in_person"]]["STATUS"]) == "CONFIRMED"
    # A cancelled meeting stays, marked cancelled, so subscribed calendars drop it visibly.
    assert str(events[uid["called_off"]]["STATUS"]) == "CANCELLED"


def test_the_feed_carries_the_online_link_to_its_owner(client, kims_world):
    uid = invites.registration_uid(kims_world["online"])

    events = _events(client.get(_path("kim@example.org")))

    assert "https://meet.example.org/secret-room" in str(events[uid]["LOCATION"])


def test_a_feed_shows_nothing_of_another_persons_meetings(client, kims_world):
    kims = _unfolded(client.get(_path("kim@example.org")))
    los_response = client.get(_path("lo@example.org"))
    los = _unfolded(los_response)

    assert set(_events(los_response)) == {invites.registration_uid(kims_world["others"])}
    assert "los-room" not in kims and "Los träff" not in kims
    for secret in ("kim@example.org", "secret-room", "Digital mötesplats", "Tematräff på plats"):
        assert secret.lower() not in los.lower()


def test_a_feed_names_no_attendees(client, kims_world):
    text = _unfolded(client.get(_path("kim@example.org")))

    assert "ATTENDEE" not in text
    assert "METHOD:PUBLISH" in text


@pytest.mark.parametrize(
    "token",
    [
        secrets.token_urlsafe(32),
        "x",
        "A" * 43,
        "A" * 5000,
        "../../admin",
    ],
)
def test_a_wrong_token_is_not_found(client, kims_world, token):
    feed_url("kim@example.org")

    assert client.get(f"/kalender/{token}.ics").status_code == 404


def test_a_token_altered_by_one_character_is_not_found(client, kims_world):
    path = _path("kim@example.org")
    token = path.removeprefix("/kalender/").removesuffix(".ics")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(f"/kalender/{altered}.ics").status_code == 404
    assert client.get(path).status_code == 200


def test_an_address_that_never_had_a_feed_has_none(client):
    # The token can be computed, but no e-mail ever handed it out, so it opens nothing.
    assert client.get(f"/kalender/{feed_token('nobody@example.org')}.ics").status_code == 404


def test_the_feed_is_private_to_caches(client, kims_world):
    response = client.get(_path("kim@example.org"))

    assert "private" in response["Cache-Control"]


# Kept current, cheaply


def test_an_unchanged_feed_answers_304_and_a_moved_meeting_200_with_the_new_time(client, kims_world):
    path = _path("kim@example.org")
    registration = kims_world["in_person"]
    uid = invites.registration_uid(registration)
    first = client.get(path)
    etag = first["ETag"]

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    # Whole minutes, as organisers set them: iCalendar has no fractions of a second.
    new_start = (registration.event.starts_at + timedelta(days=1, hours=2)).replace(second=0, microsecond=0)
    event_update(event_id=registration.event_id, starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    moved = client.get(path, headers={"If-None-Match": etag})

    assert moved.status_code == 200
    assert moved["ETag"] != etag
    event = _events(moved)[uid]
    assert event["DTSTART"].dt == new_start
    assert int(event["SEQUENCE"]) == int(_events(first)[uid]["SEQUENCE"]) + 1
    assert client.get(path, headers={"If-None-Match": moved["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    "change",
    [
        lambda world: registration_cancel(registration_id=world["online"].id),
        lambda world: event_update(event_id=world["in_person"].event_id, location="Stadsbiblioteket"),
        lambda world: event_update(event_id=world["online"].event_id, online_url="https://meet.example.org/new"),
        lambda world: event_cancel(event_id=world["in_person"].event_id),
        lambda world: event_update(event_id=world["waitlisted"].event_id, capacity=99),
        lambda world: RegistrationFactory(email="kim@example.org"),
    ],
    ids=["cancelled-registration", "new-place", "new-link", "cancelled-meeting", "promoted", "new-registration"],
)
def test_every_change_that_shows_in_the_feed_changes_its_etag(client, kims_world, change):
    path = _path("kim@example.org")
    before = client.get(path)

    change(kims_world)
    after = client.get(path, headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    # And the feed itself did change (DTSTAMP, the time of writing, aside).
    assert _without_stamps(after) != _without_stamps(before)


@pytest.mark.parametrize("meetings", [2, 20])
def test_the_feed_takes_a_constant_number_of_queries(client, django_assert_num_queries, meetings):
    for n in range(meetings):
        RegistrationFactory(email="kim@example.org", event=EventFactory(online=n % 2 == 0))
    path = _path("kim@example.org")

    # Looking the feed up and its ETag (2), then the feed and its meetings in one join (2).
    with django_assert_num_queries(4):
        response = client.get(path)
    assert len(_events(response)) == meetings
    # An unchanged feed costs only the ETag.
    with django_assert_num_queries(2):
        assert client.get(path, headers={"If-None-Match": response["ETag"]}).status_code == 304


# The public calendar.ics of one meeting


def test_the_public_calendar_has_no_link_and_no_attendees(client):
    starts = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    event = EventFactory(
        title="Digital mötesplats", online_url=ONLINE, location="Online och Kulturhuset", starts_at=starts
    )
    RegistrationFactory(event=event, email="kim@example.org", name="Kim Karlsson")

    response = client.get(f"/api/events/{event.id}/calendar.ics")

    text = _unfolded(response)
    [vevent] = _events(response).values()
    assert vevent["DTSTART"].dt == event.starts_at
    assert str(vevent["SUMMARY"]) == "Digital mötesplats"
    assert "secret-room" not in text and "meet.example.org" not in text
    assert "ATTENDEE" not in text
    assert "kim@example.org" not in text and "Kim Karlsson" not in text
    assert "attachment" in response["Content-Disposition"]


def test_the_public_calendar_of_a_cancelled_meeting_says_cancelled(client):
    event = EventFactory()
    event_cancel(event_id=event.id)

    [vevent] = _events(client.get(f"/api/events/{event.id}/calendar.ics")).values()

    assert str(vevent["STATUS"]) == "CANCELLED"


def test_no_public_calendar_for_a_draft_or_unknown_meeting(client):
    draft = EventFactory(status=EventStatus.DRAFT, starts_at=timezone.now() + timedelta(days=3))

    assert client.get(f"/api/events/{draft.id}/calendar.ics").status_code == 404
    assert client.get(f"/api/events/{draft.id + 1000}/calendar.ics").status_code == 404


def test_the_feed_answers_head_like_get_and_refuses_writes(client, kims_world):
    path = _path("kim@example.org")
    etag = client.get(path)["ETag"]

    head = client.head(path)

    assert head.status_code == 200
    assert head["ETag"] == etag
    assert head.content == b""
    assert client.head(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.head(f"/kalender/{secrets.token_urlsafe(32)}.ics").status_code == 404
    assert client.post(path).status_code == 405


def test_after_the_secret_key_changes_new_feed_links_work_and_old_ones_stop(client, settings):
    RegistrationFactory(email="kim@example.org")
    old = _path("kim@example.org")

    settings.SECRET_KEY = "a-new-key-after-a-leak-" + "x" * 40
    new = _path("kim@example.org")

    assert new != old
    assert client.get(new).status_code == 200
    assert client.get(old).status_code == 404
