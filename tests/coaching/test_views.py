"""The public coaching pages: the coaches, a series' free times by local day and by weeks,
booking a time through the sign-up service, and what a taken, limited or closed time shows.

Time is pinned (timezone.now), so the dates below are the days the pages show; messages are
read on the English pages, the Swedish ones being the translators' to word."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from coaching.services import coaching_slot_remove
from events.models import Event
from notifications.models import Message
from registrations.choices import Status
from registrations.models import Registration
from registrations.services import signup_create
from tests.factories import EventFactory, person

from .conftest import make_series

pytestmark = pytest.mark.django_db

ONLINE_URL = "https://meet.example.org/coach-secret-room"


@pytest.fixture(autouse=True)
def now(monkeypatch):
    """Monday 15 March 2027, 08:00 in Stockholm; the series of conftest runs 22 March – 2 April,
    Mondays and Wednesdays 09:00–12:00, across the change to summer time on 28 March."""
    clock = {"now": timezone.make_aware(datetime(2027, 3, 15, 8, 0))}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    with translation.override("sv"):
        yield clock


def _form(**overrides) -> dict:
    body = {
        "name": "Anna Andersson",
        "email": "anna@example.org",
        "organisation": "Kaffekooperativet",
        "organisation_type": "social_enterprise",
        "municipality": "Nyköping",
        "language": "sv",
        "consent": "on",
        **overrides,
    }
    return {key: value for key, value in body.items() if value is not None}


def _slots(series) -> list[Event]:
    return list(series.slots.order_by("starts_at"))


def _book_links(html: str) -> list[int]:
    return [int(event_id) for event_id in re.findall(r'href="(?:/en)?/coachning/tid/(\d+)/"', html)]


def test_the_list_shows_each_coach_with_the_next_free_time_and_never_the_online_link(client):
    on_site = make_series()
    online = make_series(coach_name="Sara Ek", kind_code="life", location="", municipality="", online_url=ONLINE_URL)
    first, second, *_ = _slots(on_site)
    signup_create(person=person("early@example.org"), event_ids=[first.id])
    for slot in _slots(online):
        signup_create(person=person(f"p{slot.id}@example.org"), event_ids=[slot.id])

    response = client.get("/en/coachning/")

    html = response.content.decode()
    assert response.status_code == 200
    assert ">Business coaching</h2>" in html and ">Life coaching</h2>" in html
    assert "Maria Lind" in html and "Stadsbiblioteket, Nyköping" in html
    # The next free time is the second, the first being booked; Sara Ek has none left.
    assert f'datetime="{timezone.localtime(second.starts_at).isoformat()}"' in html
    assert "Mon 22 Mar 2027, 10:00" in html
    assert "Sara Ek" in html and "Online" in html and "No free times right now" in html
    assert f'href="/en/coachning/{on_site.id}/"' in html and f'href="/en/coachning/{online.id}/"' in html
    assert "meet.example.org" not in html


def test_a_series_that_has_ended_is_not_listed_and_its_page_is_not_found(client, now):
    series = make_series()
    now["now"] = timezone.make_aware(datetime(2027, 4, 3, 8, 0))

    assert "Maria Lind" not in client.get("/coachning/").content.decode()
    assert client.get(f"/coachning/{series.id}/").status_code == 404


def test_the_day_view_lists_free_times_by_local_day_across_the_change_to_summer_time(client):
    series = make_series(online_url=ONLINE_URL)
    taken = _slots(series)[1]
    signup_create(person=person(), event_ids=[taken.id])

    response = client.get(f"/en/coachning/{series.id}/")

    html = response.content.decode()
    assert response.status_code == 200
    # It opens at the week of the next free time, two weeks a page, Monday to Sunday.
    assert "22 March – 4 April 2027" in html
    days = re.findall(r'<h3 class="day__title" id="day-([\d-]+)">([^<]+)</h3>', html)
    assert days == [
        ("2027-03-22", "Monday 22 March"),
        ("2027-03-24", "Wednesday 24 March"),
        ("2027-03-29", "Monday 29 March"),
        ("2027-03-31", "Wednesday 31 March"),
    ]
    # 09:00 is 09:00 on the wall clock before and after the change (+01:00, then +02:00).
    starts = re.findall(r'<time datetime="([^"]+)">(\d\d:\d\d)</time>', html)
    assert starts[:2] == [("2027-03-22T09:00:00+01:00", "09:00"), ("2027-03-22T11:00:00+01:00", "11:00")]
    assert ("2027-03-29T09:00:00+02:00", "09:00") in starts
    assert len(starts) == 11
    assert taken.id not in _book_links(html)
    assert ONLINE_URL not in html


def test_the_day_view_pages_by_two_weeks_within_the_bookable_days(client, now):
    now["now"] = timezone.make_aware(datetime(2027, 3, 1, 8, 0))
    series = make_series(starts_on=date(2027, 3, 1), ends_on=date(2027, 4, 30), weekdays=[2], horizon_days=28)
    page = f"/en/coachning/{series.id}/"

    first = client.get(page).content.decode()
    assert "1–14 March 2027" in first
    assert 'rel="prev"' not in first and 'href="?from=2027-03-15" rel="next"' in first
    assert re.findall(r'id="day-([\d-]+)"', first) == ["2027-03-02", "2027-03-09"]

    second = client.get(page, {"from": "2027-03-17"}).content.decode()
    assert "15–28 March 2027" in second
    assert 'href="?from=2027-03-01" rel="prev"' in second and 'href="?from=2027-03-29" rel="next"' in second
    assert re.findall(r'id="day-([\d-]+)"', second) == ["2027-03-16", "2027-03-23"]

    # The horizon is 28 days: the last page's Tuesday opens tomorrow, and nothing lies beyond.
    last = client.get(page, {"from": "2027-06-01"}).content.decode()
    assert "29 March – 11 April 2027" in last
    assert 'rel="next"' not in last
    assert "No free times these two weeks." in last and 'href="?from=2027-03-02"' in last

    assert "1–14 March 2027" in client.get(page, {"from": "not-a-day"}).content.decode()


def test_a_series_with_every_time_booked_says_so_kindly(client):
    series = make_series(weekdays=[1], ends_on=date(2027, 3, 22))
    for slot in _slots(series):
        signup_create(person=person(f"p{slot.id}@example.org"), event_ids=[slot.id])

    html = client.get(f"/en/coachning/{series.id}/").content.decode()

    assert "All of Maria Lind's times are booked at the moment" in html
    assert _book_links(html) == []


def test_booking_a_time_confirms_it_and_shows_the_sign_up_confirmation(client):
    slot = _slots(make_series())[0]

    page = client.get(f"/en/coachning/tid/{slot.id}/").content.decode()
    assert "Mon 22 Mar 2027, 09:00–09:45" in page and "Maria Lind" in page and "Business coaching" in page
    # The e-mails' language is the page's unless the person chooses another.
    assert re.search(r'<input type="radio" name="language" value="en"[^>]*checked', page)

    response = client.post(f"/en/coachning/tid/{slot.id}/", _form(language="en"))

    assert response.status_code == 302
    assert response["Location"] == "/en/anmalan/klar/"
    registration = Registration.objects.get(event=slot)
    assert registration.status == Status.CONFIRMED
    assert (registration.email, registration.language) == ("anna@example.org", "en")
    assert registration.municipality == "Nyköping"
    assert Message.objects.filter(registration=registration, kind=Message.Kind.CONFIRMATION).exists()
    done = client.get(response["Location"]).content.decode()
    assert slot.title in done and "Confirmed" in done
    assert re.search(r'<a href="http://[^"]+/anmalan/[\w-]{20,}/">', done)


def test_the_form_keeps_the_sign_up_forms_rules(client):
    slot = _slots(make_series())[0]

    response = client.post(f"/en/coachning/tid/{slot.id}/", _form(consent=None, email="not-an-address"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You need to accept the privacy notice to sign up." in html
    assert 'href="#field-email"' in html
    assert not Registration.objects.exists()


def test_a_time_just_taken_shows_the_message_and_the_nearest_free_times(client):
    slots = _slots(make_series())
    wanted = slots[4]  # Wednesday 24 March, 10:00
    signup_create(person=person("quicker@example.org"), event_ids=[wanted.id])

    response = client.post(f"/en/coachning/tid/{wanted.id}/", _form(name="Bo Berg"))

    html = response.content.decode()
    assert response.status_code == 409
    assert "was just taken by someone else" in html
    # The closest three: that morning's others, and Monday's last (nearer than next Monday's first).
    assert _book_links(html) == [slots[2].id, slots[3].id, slots[5].id]
    assert 'name="consent"' not in html
    assert Registration.objects.filter(event=wanted).count() == 1
    # What the person typed waits on the next time they open.
    nearest = client.get(f"/en/coachning/tid/{slots[5].id}/").content.decode()
    assert 'value="Bo Berg"' in nearest


def test_a_booking_over_the_limit_shows_the_services_message(client):
    first, second, *_ = _slots(make_series())
    signup_create(person=person("anna@example.org"), event_ids=[first.id])

    response = client.post(f"/en/coachning/tid/{second.id}/", _form(email="ANNA@example.org"))

    html = response.content.decode()
    assert response.status_code == 409
    assert "You already have 1 upcoming booked time(s) with Maria Lind" in html
    assert not Registration.objects.filter(event=second).exists()


def test_the_sign_up_rate_limit_applies(client, settings):
    settings.SIGNUP_RATE_LIMIT = "1/d"
    cache.clear()
    first, second, *_ = _slots(make_series(per_person_limit=5))
    try:
        assert client.post(f"/coachning/tid/{first.id}/", _form()).status_code == 302
        assert client.post(f"/coachning/tid/{second.id}/", _form()).status_code == 429
    finally:
        cache.clear()
    assert not Registration.objects.filter(event=second).exists()


def test_a_time_someone_has_booked_shows_other_times(client):
    slots = _slots(make_series())
    signup_create(person=person(), event_ids=[slots[0].id])

    response = client.get(f"/en/coachning/tid/{slots[0].id}/")

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else has already booked this time." in html
    assert _book_links(html) == [slot.id for slot in slots[1:4]]


@pytest.mark.parametrize(
    ("when", "status", "message"),
    [
        (datetime(2027, 3, 21, 9, 30), 410, "can no longer be booked: times are booked at the latest 24 hours"),
        (datetime(2027, 2, 1, 8, 0), 200, "This time can be booked from Mon 8 Feb 2027 at 09:00."),
    ],
    ids=["past the notice", "beyond the horizon"],
)
def test_a_time_outside_its_booking_window_says_when_it_could_be_booked(client, now, when, status, message):
    slot = _slots(make_series())[0]
    now["now"] = timezone.make_aware(when)

    response = client.get(f"/en/coachning/tid/{slot.id}/")
    posted = client.post(f"/en/coachning/tid/{slot.id}/", _form())

    assert (response.status_code, posted.status_code) == (status, status)
    assert message in response.content.decode()
    assert 'name="consent"' not in response.content.decode()
    assert not Registration.objects.exists()


def test_a_cancelled_time_is_gone(client):
    series = make_series()
    slot = _slots(series)[0]
    signup_create(person=person(), event_ids=[slot.id])
    coaching_slot_remove(series_id=series.id, event_id=slot.id)

    response = client.get(f"/en/coachning/tid/{slot.id}/")

    assert response.status_code == 410
    assert "This time has been cancelled." in response.content.decode()


def test_a_meeting_that_is_not_a_coaching_time_is_not_found(client):
    meeting = EventFactory(starts_at=timezone.now() + timedelta(days=10))

    assert client.get(f"/coachning/tid/{meeting.id}/").status_code == 404
    assert client.post(f"/coachning/tid/{meeting.id}/", _form()).status_code == 404
    assert client.get("/coachning/tid/999999/").status_code == 404
    assert not Registration.objects.exists()


def test_the_meeting_list_links_to_coaching_and_shows_no_coaching_time(client):
    make_series(day_start=time(9, 0), day_end=time(10, 0))
    EventFactory(title="Tematräff: Finansiering", starts_at=timezone.now() + timedelta(days=10))

    html = client.get("/").content.decode()

    assert 'href="/coachning/"' in html
    assert "Tematräff: Finansiering" in html
    assert "Maria Lind" not in html


def test_a_slots_meeting_page_leads_to_its_booking_page(client):
    slot = _slots(make_series())[0]

    response = client.get(f"/traffar/{slot.id}/")

    assert response.status_code == 302
    assert response["Location"] == f"/coachning/tid/{slot.id}/"
