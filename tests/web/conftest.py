"""Fixtures of the public pages' tests: meetings are made through the domain services."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from events.services import event_create, theme_create
from registrations.services import PersonDetails, signup_create
from tests.factories import signup_form_data


@pytest.fixture(autouse=True)
def swedish():
    """A request under /en/ leaves English active in the thread; reverse() in the next test must not inherit it."""
    with translation.override("sv"):
        yield


@pytest.fixture
def themes(db):
    return {
        "finansiering": theme_create(slug="finansiering", name="Finansiering", name_en="Funding"),
        "upphandling": theme_create(slug="upphandling", name="Upphandling", name_en="Public procurement"),
    }


@pytest.fixture
def make_meeting(db):
    """Makes a published meeting `days` ahead at noon, two hours long, on site unless an online_url is given."""

    def make(title="Tematräff", *, days=10, theme_slugs=(), **fields):
        # At noon local time: a meeting made late in the evening must not run past midnight,
        # which the pages show with both dates.
        starts = (timezone.localtime() + timedelta(days=days)).replace(hour=12, minute=0, second=0, microsecond=0)
        defaults = {"kind": "theme_meeting", "capacity": 10, "location": "Stadshuset", "municipality": "Nyköping"}
        if fields.get("online_url"):
            defaults["location"] = ""
        return event_create(
            theme_slugs=theme_slugs,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            **{**defaults, **fields},
        )

    return make


@pytest.fixture
def person():
    def make(email="anna@example.org", name="Anna Andersson"):
        return PersonDetails(name=name, email=email, municipality="Flen")

    return make


@pytest.fixture
def register(person):
    """Signs someone up through the service; returns (registration, manage token)."""

    def sign_up(event, email="anna@example.org", name="Anna Andersson"):
        [outcome] = signup_create(person=person(email=email, name=name), event_ids=[event.id])
        return outcome.registration, outcome.manage_token

    return sign_up


@pytest.fixture
def signup_data():
    """A valid POST body for the sign-up form; tests override single fields."""

    def data(*events, **overrides):
        return signup_form_data([event.id for event in events], **overrides)

    return data
