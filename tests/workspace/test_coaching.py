"""Coaching in the workspace (workspace/coaching.py): series made and changed through the form,
single times added and removed, days blocked, and the coach's day for organisers and helpers."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.services import helper_create
from coaching.models import CoachingKind, CoachingSeries
from events.choices import EventStatus
from events.models import Event
from notifications.models import Message
from registrations.models import Registration
from tests.coaching.conftest import make_series
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2027, 3, 1, 8, 0))


@pytest.fixture(autouse=True)
def before_the_series(monkeypatch):
    # The series lie ahead whatever today's date: time stands at 1 March 2027, 08:00.
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _form_data(**overrides) -> dict:
    """The series form as posted: Mondays and Wednesdays 22 March – 2 April 2027, 09–12."""
    data = {
        "coach_name": "Maria Lind",
        "coach_presentation": "Affärscoach med tjugo år i sociala företag.",
        "coach_user": "",
        "kind": "business",
        "location": "Stadsbiblioteket",
        "municipality": "Nyköping",
        "online_url": "",
        "starts_on": "2027-03-22",
        "ends_on": "2027-04-02",
        "weekdays": ["1", "3"],
        "day_start": "09:00",
        "day_end": "12:00",
        "slot_minutes": "45",
        "gap_minutes": "15",
        "notice_hours": "24",
        "horizon_days": "42",
        "per_person_limit": "1",
    }
    return data | overrides


def _edit_data(series: CoachingSeries, **overrides) -> dict:
    current = {
        "coach_name": series.coach_name,
        "coach_presentation": series.coach_presentation,
        "coach_user": str(series.coach_user_id or ""),
        "kind": series.kind.code,
        "location": series.location,
        "municipality": series.municipality,
        "online_url": series.online_url,
        "starts_on": series.starts_on.isoformat(),
        "ends_on": series.ends_on.isoformat(),
        "weekdays": [str(day) for day in series.weekdays],
        "day_start": f"{series.day_start:%H:%M}",
        "day_end": f"{series.day_end:%H:%M}",
        "slot_minutes": str(series.slot_minutes),
        "gap_minutes": str(series.gap_minutes),
        "notice_hours": str(series.notice_hours),
        "horizon_days": str(series.horizon_days),
        "per_person_limit": str(series.per_person_limit),
    }
    return current | overrides


def _local(slot: Event) -> str:
    return timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")


def _first(series: CoachingSeries) -> Event:
    return series.slots.order_by("starts_at").first()


def test_the_new_series_form_has_sensible_defaults_and_offers_organisers_and_helpers_as_coaches(
    organiser_client, organiser, helper, django_user_model
):
    django_user_model.objects.create_user(username="outsider", password="not-a-real-password")

    response = organiser_client.get("/arrangor/coachning/ny/")

    form = response.context["form"]
    assert response.status_code == 200
    assert {name: form[name].value() for name in ("gap_minutes", "notice_hours", "horizon_days")} == {
        "gap_minutes": 0,
        "notice_hours": 24,
        "horizon_days": 42,
    }
    assert form["per_person_limit"].value() == 1
    assert {user.username for user in form.fields["coach_user"].queryset} == {"organiser", "vard"}
    assert set(CoachingKind.objects.values_list("code", flat=True)) <= {c for c, _ in form.fields["kind"].choices}


def test_an_organiser_creates_a_series_through_the_form_and_sees_its_times(organiser_client, helper):
    make_series()  # creates the kinds; a second series of another coach
    response = organiser_client.post("/arrangor/coachning/ny/", _form_data(coach_name="Eva Berg", coach_user=helper.pk))

    series = CoachingSeries.objects.get(coach_name="Eva Berg")
    assert response.status_code == 302
    assert response["Location"] == f"/arrangor/coachning/{series.id}/"
    assert series.coach_user == helper
    assert series.weekdays == [1, 3]
    assert series.day_start == time(9, 0)
    assert [_local(slot) for slot in series.slots.order_by("starts_at")[:3]] == [
        "2027-03-22 09:00",
        "2027-03-22 10:00",
        "2027-03-22 11:00",
    ]
    page = organiser_client.get(response["Location"]).content.decode()
    assert page.count('class="ws-slot"') == 12  # four days of three free times, all inside the first two weeks
    assert "Eva Berg" in organiser_client.get("/arrangor/coachning/").content.decode()


def test_the_series_page_shows_two_weeks_of_times_from_the_first_to_come(organiser_client):
    series = make_series(ends_on=date(2027, 4, 30))  # Mondays and Wednesdays from 22 March

    first = organiser_client.get(f"/arrangor/coachning/{series.id}/")
    later = organiser_client.get(f"/arrangor/coachning/{series.id}/", {"fran": first.context["next"].isoformat()})

    assert [day.day for day in first.context["days"]] == [date(2027, 3, d) for d in (22, 24, 29, 31)]
    assert first.context["previous"] is None
    assert [day.day for day in later.context["days"]][:2] == [date(2027, 4, 5), date(2027, 4, 7)]
    assert later.context["previous"] == date(2027, 3, 22)


def test_an_online_series_needs_no_place(organiser_client):
    make_series()
    data = _form_data(location="", municipality="", online_url="https://meet.example.org/maria")

    response = organiser_client.post("/arrangor/coachning/ny/", data)

    assert response.status_code == 302
    assert CoachingSeries.objects.get(online_url="https://meet.example.org/maria").location == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"day_start": "12:00", "day_end": "09:00"}, "day_end"),
        ({"starts_on": "2027-04-02", "ends_on": "2027-03-22"}, "ends_on"),
        ({"location": "", "online_url": ""}, "location"),
        ({"weekdays": []}, "weekdays"),
    ],
    ids=["day ends before it starts", "last day before the first", "neither place nor link", "no weekday"],
)
def test_form_errors_are_shown_by_their_fields_and_nothing_is_saved(organiser_client, changes, field):
    make_series()
    before = Event.objects.count()

    response = organiser_client.post("/en/arrangor/coachning/ny/", _form_data(coach_name="Eva Berg", **changes))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'href="#field-{field}"' in response.content.decode()  # the error summary links to the field
    assert not CoachingSeries.objects.filter(coach_name="Eva Berg").exists()
    assert Event.objects.count() == before


def test_the_model_rules_give_their_own_messages(organiser_client):
    make_series()
    data = _form_data(day_start="12:00", day_end="09:00", starts_on="2027-04-02", ends_on="2027-03-22")

    page = organiser_client.post("/en/arrangor/coachning/ny/", data).content.decode()

    assert "The day must end after it starts." in page
    assert "The last day must not be before the first." in page


def test_changing_the_series_moves_free_times_keeps_booked_ones_and_tells_the_booked_person(organiser_client):
    series = make_series()
    booked = _first(series)  # Monday 22 March 09:00
    RegistrationFactory(event=booked, name="Anna Andersson")
    form_page = organiser_client.get(f"/en/arrangor/coachning/{series.id}/andra/").content.decode()

    data = _edit_data(series, weekdays=["3"], location="Kulturhuset")
    response = organiser_client.post(f"/arrangor/coachning/{series.id}/andra/", data)

    assert "everyone booked gets an updated invitation" in form_page
    assert response.status_code == 302
    upcoming = series.slots.exclude(status=EventStatus.CANCELLED).order_by("starts_at")
    # Mondays' free times are gone; the booked Monday time stands, in the new place.
    assert [_local(slot) for slot in upcoming][:2] == ["2027-03-22 09:00", "2027-03-24 09:00"]
    assert {slot.location for slot in upcoming} == {"Kulturhuset"}
    assert Message.objects.filter(kind=Message.Kind.EVENT_CHANGED, event=booked).count() == 1


def test_new_hours_make_no_time_over_a_booked_one_that_stands(organiser_client):
    series = make_series()
    RegistrationFactory(event=_first(series))  # Monday 22 March 09:00–09:45

    data = _edit_data(series, day_start="09:30", day_end="12:30")
    organiser_client.post(f"/arrangor/coachning/{series.id}/andra/", data)

    monday = series.slots.exclude(status=EventStatus.CANCELLED).order_by("starts_at")[:3]
    # 09:30 would overlap the booked time; the new pattern goes on at 10:30.
    assert [_local(slot) for slot in monday] == ["2027-03-22 09:00", "2027-03-22 10:30", "2027-03-22 11:30"]


def test_a_new_length_reaches_the_free_times_that_keep_their_start(organiser_client):
    series = make_series()  # 45-minute times at 09, 10 and 11

    organiser_client.post(
        f"/arrangor/coachning/{series.id}/andra/", _edit_data(series, slot_minutes="60", gap_minutes="0")
    )

    monday = series.slots.exclude(status=EventStatus.CANCELLED).order_by("starts_at")[:3]
    assert [(_local(slot), slot.ends_at - slot.starts_at) for slot in monday] == [
        ("2027-03-22 09:00", timedelta(hours=1)),
        ("2027-03-22 10:00", timedelta(hours=1)),
        ("2027-03-22 11:00", timedelta(hours=1)),
    ]


def test_saving_the_form_unchanged_tells_nobody(organiser_client):
    series = make_series()
    RegistrationFactory(event=_first(series))

    response = organiser_client.post(f"/arrangor/coachning/{series.id}/andra/", _edit_data(series))

    assert response.status_code == 302
    assert not Message.objects.filter(kind=Message.Kind.EVENT_CHANGED).exists()


def test_a_time_is_added_and_one_over_another_is_refused_on_the_form(organiser_client):
    series = make_series()
    address = f"/en/arrangor/coachning/{series.id}/tider/ny/"

    added = organiser_client.post(address, {"starts_at_0": "2027-03-23", "starts_at_1": "14:00"})
    clash = organiser_client.post(address, {"starts_at_0": "2027-03-22", "starts_at_1": "09:30"})

    slot = series.slots.get(starts_at=timezone.make_aware(datetime(2027, 3, 23, 14, 0)))
    assert added.status_code == 302
    assert added["Location"].endswith(f"?fran=2027-03-23#slot-{slot.id}")
    assert slot.ends_at - slot.starts_at == timedelta(minutes=45)
    assert clash.status_code == 400
    assert "The series already has a time then." in clash.content.decode()
    assert series.slots.count() == 13


def test_a_free_time_is_removed_at_once(organiser_client):
    series = make_series()
    slot = _first(series)

    response = organiser_client.post(f"/arrangor/coachning/{series.id}/tider/{slot.id}/ta-bort/")

    assert response.status_code == 302
    assert not Event.objects.filter(pk=slot.id).exists()


def test_a_booked_time_asks_first_then_is_cancelled_and_the_person_told(organiser_client):
    series = make_series()
    slot = _first(series)
    registration = RegistrationFactory(event=slot, name="Anna Andersson")
    address = f"/en/arrangor/coachning/{series.id}/tider/{slot.id}/ta-bort/"

    question = organiser_client.get(address)
    Event.objects.get(pk=slot.id)  # asking changed nothing
    response = organiser_client.post(address)

    assert "Anna Andersson" in question.content.decode()
    assert "get an e-mail that it is cancelled" in question.content.decode()
    assert response.status_code == 302
    assert Event.objects.get(pk=slot.id).status == EventStatus.CANCELLED
    assert Message.objects.filter(kind=Message.Kind.EVENT_CANCELLED, registration=registration).count() == 1


def test_blocking_a_day_shows_what_goes_then_removes_that_days_times(organiser_client):
    series = make_series()
    monday = list(series.slots.order_by("starts_at")[:3])
    RegistrationFactory(event=monday[1], name="Bo Ström")
    address = f"/arrangor/coachning/{series.id}/blockera-dag/"

    question = organiser_client.get(address, {"dag": "2027-03-22"})
    response = organiser_client.post(address, {"dag": "2027-03-22"})

    assert question.status_code == 200
    assert len(question.context["slots"]) == 3 and "Bo Ström" in question.content.decode()
    assert response.status_code == 302
    assert not series.slots.filter(pk__in=[monday[0].id, monday[2].id]).exists()
    assert Event.objects.get(pk=monday[1].id).status == EventStatus.CANCELLED
    assert series.slots.exclude(status=EventStatus.CANCELLED).count() == 9
    assert Message.objects.filter(kind=Message.Kind.EVENT_CANCELLED).count() == 1


def test_a_kind_added_from_the_new_series_form_comes_back_chosen(organiser_client):
    make_series()

    response = organiser_client.post("/arrangor/coachning/typer/", {"name": "Karriärcoachning", "then": "new"})
    taken = organiser_client.post("/en/arrangor/coachning/typer/", {"name": "Karriärcoachning", "code": ""})

    assert response.status_code == 302
    assert response["Location"] == "/arrangor/coachning/ny/?kind=karriarcoachning"
    assert organiser_client.get(response["Location"]).context["form"]["kind"].value() == "karriarcoachning"
    assert taken.status_code == 400
    assert list(taken.context["form"].errors) == ["code"]


def _dst_series(**overrides):
    """Sunday 28 March 2027, when Swedish clocks go from 02:00 to 03:00: times at 01:00, 03:00, 04:00."""
    fields = {
        "starts_on": date(2027, 3, 28),
        "ends_on": date(2027, 3, 28),
        "weekdays": [7],
        "day_start": time(1, 0),
        "day_end": time(5, 0),
        "slot_minutes": 60,
        "gap_minutes": 0,
    }
    return make_series(**fields | overrides)


def test_the_coachs_day_shows_bookings_on_the_day_the_clocks_change_in_local_time(organiser_client):
    series = _dst_series()
    night, morning, _ = series.slots.order_by("starts_at")
    RegistrationFactory(event=night, name="Anna Andersson")
    RegistrationFactory(event=morning, name="Bo Ström")

    response = organiser_client.get("/arrangor/coachning/dag/", {"dag": "2027-03-28"})
    saturday = organiser_client.get("/arrangor/coachning/dag/", {"dag": "2027-03-27"})

    page = response.content.decode()
    assert [slot.id for slot in response.context["slots"]] == [slot.id for slot in series.slots.order_by("starts_at")]
    # The 01:00 time is winter time and lasts its real hour, so it ends at 03:00 summer time.
    assert '<time datetime="2027-03-28T01:00:00+01:00">01:00</time>–03:00' in page
    assert '<time datetime="2027-03-28T03:00:00+02:00">03:00</time>–04:00' in page
    assert page.index("Anna Andersson") < page.index("Bo Ström")
    assert not list(saturday.context["slots"])
    assert 'href="/arrangor/coachning/dag/?dag=2027-03-27"' in page  # previous day
    assert 'href="/arrangor/coachning/dag/?dag=2027-03-29"' in page  # next day


def test_the_day_defaults_to_today_and_reads_an_unreadable_day_as_today(organiser_client):
    series = make_series()

    today = organiser_client.get("/arrangor/coachning/dag/")
    garbled = organiser_client.get("/arrangor/coachning/dag/", {"dag": "2027-02-30", "coach": "Nobody\x00"})
    last = organiser_client.get("/arrangor/coachning/dag/", {"dag": "9999-12-31"})
    series_page = organiser_client.get(f"/arrangor/coachning/{series.id}/", {"fran": "9999-12-31"})

    assert today.context["day"] == garbled.context["day"] == last.context["day"] == date(2027, 3, 1)
    assert series_page.status_code == 200


def test_an_organiser_sees_every_coach_and_can_filter_by_one(organiser_client):
    maria = make_series()
    eva = make_series(coach_name="Eva Berg", location="Kulturhuset", day_start=time(13, 0), day_end=time(15, 0))

    everyone = organiser_client.get("/arrangor/coachning/dag/", {"dag": "2027-03-22"})
    only_eva = organiser_client.get("/arrangor/coachning/dag/", {"dag": "2027-03-22", "coach": "Eva Berg"})

    assert {slot.coaching_series_id for slot in everyone.context["slots"]} == {maria.id, eva.id}
    assert {slot.coaching_series_id for slot in only_eva.context["slots"]} == {eva.id}


def test_a_helper_sees_only_their_own_series_and_marks_attendance_there(helper_client, helper):
    own = make_series(coach_user=helper)
    other = make_series(coach_name="Eva Berg", day_start=time(13, 0), day_end=time(15, 0))
    mine = RegistrationFactory(event=_first(own), name="Anna Andersson")
    theirs = RegistrationFactory(event=_first(other), name="Bo Ström")

    day = helper_client.get("/arrangor/coachning/dag/", {"dag": "2027-03-22", "coach": "Eva Berg"})
    marked = helper_client.post(f"/arrangor/coachning/dag/narvaro/{mine.id}/", {"mark": "attended"})
    refused = helper_client.post(f"/arrangor/coachning/dag/narvaro/{theirs.id}/", {"mark": "attended"})

    assert {slot.coaching_series_id for slot in day.context["slots"]} == {own.id}
    assert "Anna Andersson" in day.content.decode() and "Bo Ström" not in day.content.decode()
    assert f'href="/arrangor/traffar/{mine.event_id}/incheckning/"' in day.content.decode()
    assert marked.status_code == 302
    assert marked["Location"] == f"/arrangor/coachning/dag/?dag=2027-03-22#slot-{mine.event_id}"
    assert Registration.objects.get(pk=mine.id).attended is True
    assert refused.status_code == 404
    assert Registration.objects.get(pk=theirs.id).attended is None


def test_a_helper_with_no_series_is_told_why_the_day_is_empty(client):
    make_series()
    client.force_login(helper_create(username="ny-vard", email="ny@example.org", password="not-a-real-password"))

    response = client.get("/en/arrangor/coachning/dag/", {"dag": "2027-03-22"})

    assert not list(response.context["slots"])
    assert "You are not the coach of any series yet." in response.content.decode()


def test_a_helper_cannot_reach_the_organiser_pages(helper_client, helper):
    series = make_series(coach_user=helper)
    slot = _first(series)
    pages = [
        ("get", "/arrangor/coachning/"),
        ("get", "/arrangor/coachning/ny/"),
        ("get", "/arrangor/coachning/typer/"),
        ("get", f"/arrangor/coachning/{series.id}/"),
        ("get", f"/arrangor/coachning/{series.id}/andra/"),
        ("post", f"/arrangor/coachning/{series.id}/tider/ny/"),
        ("post", f"/arrangor/coachning/{series.id}/tider/{slot.id}/ta-bort/"),
        ("post", f"/arrangor/coachning/{series.id}/blockera-dag/"),
    ]

    statuses = {path: getattr(helper_client, method)(path).status_code for method, path in pages}

    assert set(statuses.values()) == {403}, statuses
    assert Event.objects.filter(pk=slot.id).exists()


def test_the_nav_links_by_role(organiser_client, helper_client):
    organiser_nav = organiser_client.get("/arrangor/").content.decode()
    helper_nav = helper_client.get("/arrangor/").content.decode()

    assert 'href="/arrangor/coachning/"' in organiser_nav
    assert 'href="/arrangor/coachning/dag/"' in helper_nav
    assert 'href="/arrangor/coachning/"' not in helper_nav


def test_anonymous_visitors_go_to_the_login_page(client):
    response = client.get("/arrangor/coachning/dag/")

    assert response.status_code == 302
    assert response["Location"].startswith("/arrangor/logga-in/")


@pytest.mark.parametrize("role", ["organiser", "helper"])
def test_the_day_page_takes_the_same_queries_however_many_times_it_shows(
    request, django_assert_num_queries, helper, role
):
    client = request.getfixturevalue(f"{role}_client")
    make_series(coach_user=helper)
    make_series(coach_name="Eva Berg", coach_user=helper, day_start=time(13, 0), day_end=time(17, 0))
    monday = Event.objects.filter(
        starts_at__gte=timezone.make_aware(datetime(2027, 3, 22)),
        starts_at__lt=timezone.make_aware(datetime(2027, 3, 23)),
    )
    for slot in monday.order_by("starts_at")[:4]:
        RegistrationFactory(event=slot)

    # Session, user, two-factor device, the user's and the groups' permissions, the coaches
    # (organisers only), the times, their bookings: the same for a day with four bookings
    # and for one with none.
    queries = 8 if role == "organiser" else 7
    with django_assert_num_queries(queries):
        booked = client.get("/arrangor/coachning/dag/", {"dag": "2027-03-22"})
    with django_assert_num_queries(queries):
        free = client.get("/arrangor/coachning/dag/", {"dag": "2027-03-24"})

    assert len(booked.context["slots"]) == len(free.context["slots"]) == 7
    assert sum(1 for slot in booked.context["slots"] if slot.bookings) == 4
