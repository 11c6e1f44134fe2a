from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create
from events.choices import EventStatus
from events.models import Event
from registrations.choices import Status
from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SECRET_LINK = "https://meet.example.org/secret-room"
EVENT_FIELDS = {
    "id", "title", "kind", "themes", "starts_at", "ends_at", "online", "capacity", "seats_left", "registration_open",
}  # fmt: skip


def _local(year, month, day, hour=18, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def _next_year():
    return timezone.localdate().year + 1


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()]


# Public: themes and meetings


def test_themes_lists_active_themes(client):
    ThemeFactory(slug="finansiering", name="Finansiering")
    ThemeFactory(slug="gammalt", name="Gammalt", is_active=False)

    response = client.get("/api/themes")

    assert response.status_code == 200
    assert [theme["slug"] for theme in response.json()] == ["finansiering"]
    assert set(response.json()[0]) >= {"slug", "name", "name_en", "description"}


def test_events_lists_upcoming_published_meetings_with_the_contract_fields(client):
    theme = ThemeFactory(slug="upphandling")
    event = EventFactory(capacity=10, themes=[theme])
    RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory(event=event, status=Status.WAITLISTED)
    RegistrationFactory(event=event, status=Status.CANCELLED)
    EventFactory(past=True)
    EventFactory(status=EventStatus.DRAFT)
    EventFactory(status=EventStatus.CANCELLED)

    response = client.get("/api/events")

    [item] = response.json()
    assert EVENT_FIELDS <= set(item)
    assert item["id"] == event.id
    assert item["themes"] == ["upphandling"]
    assert (item["capacity"], item["seats_left"], item["registration_open"]) == (10, 7, True)
    assert item["online"] is False


def test_events_show_unlimited_capacity_and_full_or_closed_meetings(client):
    unlimited = EventFactory(capacity=None)
    full = EventFactory(capacity=1)
    RegistrationFactory(event=full)
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))

    items = {item["id"]: item for item in client.get("/api/events").json()}

    assert (items[unlimited.id]["capacity"], items[unlimited.id]["seats_left"]) == (None, None)
    assert items[full.id]["seats_left"] == 0
    assert items[full.id]["registration_open"] is True  # the waiting list is open
    assert items[closed.id]["registration_open"] is False


def test_event_times_are_local_iso_8601_with_the_offset_of_the_season(client):
    year = _next_year()
    winter = EventFactory(starts_at=_local(year, 1, 15, 18), ends_at=_local(year, 1, 15, 20))
    summer = EventFactory(starts_at=_local(year, 7, 15, 9, 30), ends_at=_local(year, 7, 15, 11))

    items = {item["id"]: item for item in client.get("/api/events").json()}

    assert items[winter.id]["starts_at"] == f"{year}-01-15T18:00:00+01:00"
    assert items[winter.id]["ends_at"] == f"{year}-01-15T20:00:00+01:00"
    assert items[summer.id]["starts_at"] == f"{year}-07-15T09:30:00+02:00"
    assert datetime.fromisoformat(items[summer.id]["starts_at"]) == summer.starts_at


def test_events_filter_by_theme_and_kind(client):
    finance = ThemeFactory(slug="finansiering")
    with_theme = EventFactory(themes=[finance, ThemeFactory(slug="effektmatning")])
    digital = EventFactory(kind="digital_meeting_place")

    assert _ids(client.get("/api/events?theme=finansiering")) == [with_theme.id]
    assert _ids(client.get("/api/events?kind=digital_meeting_place")) == [digital.id]
    assert _ids(client.get("/api/events?theme=finns-inte")) == []
    assert client.get("/api/events?kind=party").status_code == 422


@pytest.mark.parametrize("asked", ["Nyköping", "nyköping", "NYKÖPING", " nyköping "])
def test_events_filter_by_municipality_in_any_case(client, asked):
    nykoping = EventFactory(municipality="Nyköping")
    EventFactory(municipality="Flen")

    assert _ids(client.get("/api/events", {"municipality": asked})) == [nykoping.id]


def test_events_filter_by_an_unknown_municipality_finds_nothing(client):
    EventFactory(municipality="Flen")
    EventFactory(municipality="")

    assert _ids(client.get("/api/events", {"municipality": "Stockholm"})) == []


def test_events_filter_by_local_dates_inclusive(client):
    year = _next_year()
    # 00:30 and 23:30 local are the other UTC day: the filter must use Swedish dates.
    early = EventFactory(starts_at=_local(year, 2, 10, 0, 30), ends_at=_local(year, 2, 10, 2))
    late = EventFactory(starts_at=_local(year, 2, 10, 23, 30), ends_at=_local(year, 2, 11, 1))
    next_day = EventFactory(starts_at=_local(year, 2, 11, 12), ends_at=_local(year, 2, 11, 13))
    day = date(year, 2, 10)

    assert _ids(client.get(f"/api/events?from={day}&to={day}")) == [early.id, late.id]
    assert _ids(client.get(f"/api/events?from={day + timedelta(days=1)}")) == [next_day.id]
    assert _ids(client.get(f"/api/events?to={day - timedelta(days=1)}")) == []
    assert client.get("/api/events?from=not-a-date").status_code == 422


@pytest.mark.parametrize("rows", [3, 30])
def test_events_list_takes_a_constant_number_of_queries(client, django_assert_num_queries, rows):
    themes = ThemeFactory.create_batch(2)
    for event in EventFactory.create_batch(rows, themes=themes):
        RegistrationFactory(event=event)

    # One for the meetings with their seat counts, one for all their themes.
    with django_assert_num_queries(2):
        response = client.get("/api/events")

    assert len(response.json()) == rows


def test_event_detail(client):
    event = EventFactory(title="Digital mötesplats", capacity=None)

    response = client.get(f"/api/events/{event.id}")

    assert response.status_code == 200
    assert EVENT_FIELDS <= set(response.json())
    assert response.json()["title"] == "Digital mötesplats"


def test_event_detail_shows_a_cancelled_meeting_but_hides_drafts_and_unknown_ids(client):
    cancelled = EventFactory(status=EventStatus.CANCELLED)
    draft = EventFactory(status=EventStatus.DRAFT)

    assert client.get(f"/api/events/{cancelled.id}").json()["status"] == "cancelled"
    for missing_id in (draft.id, 987654):
        response = client.get(f"/api/events/{missing_id}")
        assert response.status_code == 404
        assert "detail" in response.json()


def test_online_link_never_appears_in_public_output(client):
    event = EventFactory(online=True)
    RegistrationFactory(event=event)

    responses = [
        client.get("/api/events"),
        client.get(f"/api/events/{event.id}"),
        client.get(f"/api/events/{event.id}/calendar.ics"),
    ]

    assert client.get(f"/api/events/{event.id}").json()["online"] is True
    for response in responses:
        assert response.status_code == 200
        assert b"secret-room" not in response.content


def test_calendar_file_parses_with_the_start_in_utc(client):
    year = _next_year()
    event = EventFactory(
        title='Tematräff: finansiering; "citat"',
        starts_at=_local(year, 7, 1, 13),
        ends_at=_local(year, 7, 1, 15),
    )

    response = client.get(f"/api/events/{event.id}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [vevent] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    start = vevent.decoded("DTSTART")
    assert start == datetime(year, 7, 1, 11, tzinfo=ZoneInfo("UTC"))
    assert start.utcoffset() == timedelta(0)
    assert str(vevent["SUMMARY"]) == event.title
    assert f"DTSTART:{year}0701T110000Z" in response.content.decode()


# Organiser: meetings


def _create_payload(**fields):
    year = _next_year()
    return {
        "title": "Nätverksträff i Flen",
        "kind": "network_meeting",
        "themes": [],
        "starts_at": f"{year}-03-05T17:00:00+01:00",
        "ends_at": f"{year}-03-05T19:00:00+01:00",
        "capacity": 15,
        "location": "Stadshuset, Flen",
        "municipality": "flen",
        **fields,
    }


def test_organiser_creates_a_meeting(auth_client):
    ThemeFactory(slug="finansiering")

    response = auth_client.post(
        "/api/organiser/events", _create_payload(themes=["finansiering"]), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    event = Event.objects.get(pk=body["id"])
    assert body["themes"] == ["finansiering"]
    assert body["starts_at"].endswith("+01:00")
    assert (event.municipality, event.capacity, event.status) == ("Flen", 15, EventStatus.PUBLISHED)
    assert event.reminder_minutes_before == [10080, 1440]


def test_organiser_creates_an_online_meeting_with_unlimited_capacity(auth_client):
    payload = _create_payload(capacity=None, location=None, online_url=SECRET_LINK)

    response = auth_client.post("/api/organiser/events", payload, content_type="application/json")

    assert response.status_code == 201, response.content
    assert (response.json()["capacity"], response.json()["online_url"]) == (None, SECRET_LINK)


def test_organiser_creates_a_meeting_in_the_past(auth_client):
    payload = _create_payload(starts_at="2025-10-01T10:00:00+02:00", ends_at="2025-10-01T12:00:00+02:00")

    response = auth_client.post("/api/organiser/events", payload, content_type="application/json")

    assert response.status_code == 201, response.content
    assert response.json()["registration_open"] is False


def test_organiser_create_answers_a_meeting_ending_before_it_starts_with_a_conflict(auth_client):
    # Both times are valid by the document; together they break a rule JSON Schema cannot state.
    response = auth_client.post(
        "/api/organiser/events", _create_payload(ends_at="2020-01-01T00:00:00+01:00"), content_type="application/json"
    )

    assert response.status_code == 409
    assert "ends_at" in response.json()["detail"]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "party"}, "kind"),
        ({"municipality": "Stockholm"}, "municipality"),
        ({"title": "x" * 10_000}, "title"),
    ],
)
def test_organiser_create_refuses_bad_input_naming_the_field(auth_client, fields, field):
    response = auth_client.post("/api/organiser/events", _create_payload(**fields), content_type="application/json")

    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert not Event.objects.exists()


def test_organiser_patch_of_time_raises_sequence(auth_client):
    event = EventFactory()
    new_start = timezone.localtime(event.starts_at + timedelta(days=1))

    response = auth_client.patch(
        f"/api/organiser/events/{event.id}",
        {"starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=2)).isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["sequence"] == event.sequence + 1
    event.refresh_from_db()
    assert event.starts_at == new_start


def test_organiser_patch_of_title_keeps_sequence(auth_client):
    event = EventFactory()

    response = auth_client.patch(
        f"/api/organiser/events/{event.id}", {"title": "Ny rubrik"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["sequence"]) == ("Ny rubrik", event.sequence)


def test_organiser_patch_raising_capacity_promotes_the_waitlist(auth_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)

    response = auth_client.patch(f"/api/organiser/events/{event.id}", {"capacity": 2}, content_type="application/json")

    assert response.status_code == 200
    assert (response.json()["confirmed"], response.json()["waitlisted"]) == (2, 0)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_organiser_patch_refuses_end_before_start_and_unknown_meeting(auth_client):
    event = EventFactory()

    bad = auth_client.patch(
        f"/api/organiser/events/{event.id}",
        {"ends_at": timezone.localtime(event.starts_at - timedelta(hours=1)).isoformat()},
        content_type="application/json",
    )
    missing = auth_client.patch("/api/organiser/events/987654", {"title": "X"}, content_type="application/json")

    assert bad.status_code == 409
    assert "ends_at" in bad.json()["detail"]
    assert missing.status_code == 404


def test_organiser_cancels_a_meeting_once(auth_client):
    event = EventFactory()

    response = auth_client.post(f"/api/organiser/events/{event.id}/cancel")
    again = auth_client.post(f"/api/organiser/events/{event.id}/cancel")
    patch = auth_client.patch(f"/api/organiser/events/{event.id}", {"title": "X"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["sequence"] == event.sequence + 1
    assert again.status_code == 409
    assert patch.status_code == 409
    assert again.json()["detail"]


def test_organiser_sees_the_online_link(auth_client):
    event = EventFactory(online=True)

    response = auth_client.get(f"/api/organiser/events/{event.id}")

    assert response.json()["online_url"] == SECRET_LINK


def test_organiser_events_counts_registrations(auth_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.WAITLISTED)
    past = EventFactory(past=True)

    all_events = {item["id"]: item for item in auth_client.get("/api/organiser/events").json()}
    upcoming = _ids(auth_client.get("/api/organiser/events?include_past=false"))

    assert (all_events[event.id]["confirmed"], all_events[event.id]["waitlisted"]) == (1, 1)
    assert past.id in all_events
    assert upcoming == [event.id]
    assert Registration.objects.count() == 2


def test_organiser_duplicates_a_meeting_as_a_draft_for_next_term(auth_client):
    theme = ThemeFactory(slug="iop")
    source = EventFactory(capacity=15, location="Katrineholm")
    source.themes.set([theme])
    RegistrationFactory(event=source)
    starts = timezone.localtime(source.starts_at).replace(microsecond=0) + timedelta(weeks=26)

    response = auth_client.post(
        f"/api/organiser/events/{source.id}/duplicate",
        {"starts_at": starts.isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["id"] != source.id
    assert (copy["status"], copy["capacity"], copy["themes"], copy["confirmed"]) == ("draft", 15, ["iop"], 0)
    assert datetime.fromisoformat(copy["starts_at"]) == starts


def test_duplicating_an_unknown_meeting_is_404(auth_client):
    response = auth_client.post(
        "/api/organiser/events/999999/duplicate",
        {"starts_at": "2027-03-01T10:00:00+01:00"},
        content_type="application/json",
    )
    assert response.status_code == 404


# A helper (Värd) at the door finds the day's meetings, and changes none of them


@pytest.fixture
def helper_api(helper):
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=helper)}"})


@pytest.mark.parametrize("as_helper", ["bearer", "session"])
def test_a_helper_lists_and_reads_meetings_with_their_links(helper_api, helper_client, as_helper):
    client = helper_api if as_helper == "bearer" else helper_client
    event = EventFactory(online=True)
    RegistrationFactory(event=event)

    listed = client.get("/api/organiser/events?include_past=false")
    read = client.get(f"/api/organiser/events/{event.id}")

    assert (listed.status_code, read.status_code) == (200, 200)
    assert [item["id"] for item in listed.json()] == [event.id]
    assert (read.json()["confirmed"], read.json()["online_url"]) == (1, SECRET_LINK)


def test_a_helper_still_changes_no_meeting(helper_api):
    event = EventFactory(title="Tematräff")

    responses = [
        helper_api.post("/api/organiser/events", _create_payload(), content_type="application/json"),
        helper_api.patch(f"/api/organiser/events/{event.id}", {"title": "Ändrad"}, content_type="application/json"),
        helper_api.post(f"/api/organiser/events/{event.id}/cancel"),
        helper_api.post(
            f"/api/organiser/events/{event.id}/duplicate",
            {"starts_at": "2030-01-01T10:00:00+01:00"},
            content_type="application/json",
        ),
    ]

    assert [response.status_code for response in responses] == [403] * 4
    assert Event.objects.get().title == "Tematräff"
    assert Event.objects.get().status == EventStatus.PUBLISHED
