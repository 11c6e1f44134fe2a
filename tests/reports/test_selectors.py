from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.choices import EventStatus, Kind
from registrations.choices import Status
from reports.selectors import Period, half_year_containing, progress_figures
from tests.factories import EventFactory, RegistrationFactory

from .conftest import SEED_PERIOD, attend, emails, local, meeting

pytestmark = pytest.mark.django_db


def test_seed_half_year_totals(seed_half_year):
    figures = progress_figures(SEED_PERIOD)

    assert figures["events_held"] == 53
    assert figures["events_held_by_kind"] == {"network_meeting": 1, "digital_meeting_place": 2, "coaching": 50}
    assert figures["registered"] == 18 + 40 + 41 + 50
    assert figures["attended"] == 15 + 32 + 31 + 50
    assert figures["no_shows"] == 3 + 8 + 10
    assert figures["coaching_sessions"] == 50


def test_seed_half_year_counts_each_person_once(seed_half_year):
    figures = progress_figures(SEED_PERIOD)

    # p1..p15, q1..q27, r1..r20, w1 and ten coached people; p1 came three times.
    assert figures["unique_attendees"] == 15 + 27 + 20 + 1 + 10
    assert figures["attendees_by_gender"] == {"man": 27 + 4, "other": 1, "unstated": 20, "woman": 15 + 6}
    assert figures["attendees_by_municipality"] == {"Eskilstuna": 27, "Nyköping": 15 + 20 + 1, "Trosa": 10}
    assert figures["attendees_by_kind"] == {
        "coaching": 10,
        "digital_meeting_place": 5 + 27 + 20 + 1,
        "network_meeting": 15,
    }
    assert figures["attendees_by_theme"] == {
        "effektmatning": {"name": "Effektmätning", "attendees": 15},
        "finansiering": {"name": "Finansiering", "attendees": 15},
        "upphandling": {"name": "Upphandling", "attendees": 1 + 9 + 20 + 1},
    }


def test_seed_half_year_per_meeting(seed_half_year):
    figures = progress_figures(SEED_PERIOD)
    rows = {row["id"]: row for row in figures["events"]}

    network, january, may = (rows[seed_half_year[key].id] for key in ("network", "january", "may"))
    assert (network["registered"], network["attended"], network["no_shows"]) == (18, 15, 3)
    assert network["themes"] == ["Finansiering", "Effektmätning"]
    assert network["starts_at"] == "2020-12-08T13:00:00+01:00"
    assert (january["registered"], january["attended"], january["no_shows"]) == (40, 32, 8)
    assert (may["registered"], may["attended"], may["no_shows"]) == (41, 31, 10)


def test_seed_half_year_month_by_month(seed_half_year):
    months = progress_figures(SEED_PERIOD)["months"]

    assert months == [
        {"month": "2020-12", "events_held": 10, "registered": 27, "attended": 24},
        {"month": "2021-01", "events_held": 10, "registered": 49, "attended": 41},
        {"month": "2021-02", "events_held": 8, "registered": 8, "attended": 8},
        {"month": "2021-03", "events_held": 8, "registered": 8, "attended": 8},
        {"month": "2021-04", "events_held": 8, "registered": 8, "attended": 8},
        {"month": "2021-05", "events_held": 9, "registered": 49, "attended": 39},
    ]


def test_seed_half_year_participants_and_outcomes(seed_half_year):
    figures = progress_figures(SEED_PERIOD)

    assert figures["participants"] == {
        "since": "2020-06-01",
        "planned": {"women": 10, "men": 10},
        "actual": {"women": 1, "men": 0, "other": 0, "total": 1},
    }
    assert figures["outcomes"] == {"work": 1}


def test_next_period_lists_the_meetings_scheduled_in_it(seed_half_year):
    scheduled = progress_figures(SEED_PERIOD)["scheduled_next"]

    assert [row["title"] for row in scheduled] == ["Finansiering i praktiken"]


def test_meeting_counts_in_the_period_of_its_local_start_date(db):
    # 00:30 on 1 December in Stockholm is still 30 November in UTC, and 23:30 on 31 May is
    # already 21:30 UTC: both belong to the half-year; 00:30 on 1 June does not.
    inside_first = meeting(local(2020, 12, 1, 0, 30), Kind.OTHER)
    inside_last = meeting(local(2021, 5, 31, 23, 30), Kind.OTHER)
    meeting(local(2021, 6, 1, 0, 30), Kind.OTHER)
    meeting(local(2020, 11, 30, 21, 0), Kind.OTHER)

    figures = progress_figures(SEED_PERIOD)

    assert sorted(row["id"] for row in figures["events"]) == sorted([inside_first.id, inside_last.id])


def test_cancelled_meetings_and_registrations_count_nowhere(db):
    held = meeting(local(2021, 2, 3, 10))
    attend(held, ["kept@example.org"])
    attend(held, ["gone@example.org"], status="cancelled")
    called_off = meeting(local(2021, 2, 4, 10), status=EventStatus.CANCELLED)
    attend(called_off, ["kept@example.org", "other@example.org"])

    figures = progress_figures(SEED_PERIOD)

    assert (figures["events_held"], figures["registered"], figures["attended"]) == (1, 1, 1)
    assert figures["unique_attendees"] == 1


def test_meetings_still_to_come_are_not_held_yet(db):
    this_half_year = half_year_containing(date.today())
    EventFactory()  # two weeks from now
    past = EventFactory(past=True)
    RegistrationFactory(event=past, attended=True)

    figures = progress_figures(Period(this_half_year.start, date.today() + timedelta(days=60)))

    assert [row["id"] for row in figures["events"]] == [past.id]


def test_walk_ins_without_an_address_count_one_person_each(db):
    held = meeting(local(2021, 2, 3, 10))
    RegistrationFactory(event=held, email="", attended=True)
    RegistrationFactory(event=held, email="", attended=True)
    RegistrationFactory(event=held, email="known@example.org", attended=True)

    assert progress_figures(SEED_PERIOD)["unique_attendees"] == 3


def test_registered_counts_seats_not_the_waiting_list(db):
    held = meeting(local(2021, 2, 3, 10))
    attend(held, emails("seat", range(3)), attended=None)
    attend(held, emails("line", range(4)), attended=None, status=Status.WAITLISTED)

    assert progress_figures(SEED_PERIOD)["registered"] == 3


def _queries(period: Period) -> int:
    with CaptureQueriesContext(connection) as captured:
        progress_figures(period)
    return len(captured)


def test_number_of_queries_does_not_grow_with_the_records(seed_half_year):
    with_seed = _queries(SEED_PERIOD)
    for day in range(1, 20):
        event = meeting(local(2021, 3, day, 15), Kind.THEME_MEETING)
        attend(event, emails(f"extra{day}-", range(5)))

    # 13 for meetings, attendees, participants and outcomes; 1 for the coaching sessions by
    # kind of coaching (the people coached come from the attendees by kind); 5 for the survey.
    assert _queries(SEED_PERIOD) == with_seed == 19


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 1, 15), Period(date(2020, 12, 1), date(2021, 5, 31))),
        (date(2020, 12, 1), Period(date(2020, 12, 1), date(2021, 5, 31))),
        (date(2024, 5, 31), Period(date(2023, 12, 1), date(2024, 5, 31))),
        (date(2021, 6, 1), Period(date(2021, 6, 1), date(2021, 11, 30))),
        (date(2021, 11, 30), Period(date(2021, 6, 1), date(2021, 11, 30))),
    ],
)
def test_half_years_run_december_to_may_and_june_to_november(day, expected):
    assert half_year_containing(day) == expected


def test_the_period_after_a_half_year_is_the_next_half_year():
    assert SEED_PERIOD.following() == Period(date(2021, 6, 1), date(2021, 11, 30))
    assert Period(date(2021, 6, 1), date(2021, 11, 30)).following() == Period(date(2021, 12, 1), date(2022, 5, 31))


def test_the_period_after_any_other_range_is_as_long():
    assert Period(date(2021, 3, 1), date(2021, 3, 10)).following() == Period(date(2021, 3, 11), date(2021, 3, 20))
