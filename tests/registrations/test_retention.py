"""The retention task: personal data of meetings that ended longer ago than
PERSONAL_DATA_RETENTION_DAYS is anonymised, in batches, once; the reports do not change."""

from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from notifications.models import CalendarFeed, Message
from registrations import tasks
from registrations.models import Registration, RegistrationChange, ThemeInterest
from registrations.personal_data.services import personal_data_retention
from reports.progress_form import report_figures
from reports.selectors import Period, progress_figures
from reports.services import progress_report_finalise, progress_report_get_or_create
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory
from tests.reports.conftest import SEED_PERIOD, seed_half_year  # noqa: F401 - the fixture
from tests.support.threads import at_once

Kind, State = Message.Kind, Message.State


def _ended(days_ago: int, **fields):
    ends = timezone.now() - timedelta(days=days_ago)
    return EventFactory(starts_at=ends - timedelta(hours=2), ends_at=ends, **fields)


def _held() -> str:
    rows = [*Registration.objects.values(), *Message.objects.values(), *RegistrationChange.objects.values()]
    return str(rows)


@pytest.fixture
def thirty_days(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30


@pytest.mark.django_db
def test_only_meetings_that_ended_before_the_limit_are_anonymised(thirty_days):
    old, recent = _ended(31, title="Gammal träff"), _ended(29, title="Ny träff")
    anna_old = RegistrationFactory(event=old, email="anna@example.org", name="Anna", attended=True)
    anna_recent = RegistrationFactory(event=recent, email="Anna@example.org", name="Anna", attended=True)
    bertil_old = RegistrationFactory(event=old, email="bertil@example.org", name="Bertil")
    walk_in = RegistrationFactory(event=old, email="", name="Gäst", attended=True)
    for event in (old, recent):
        Message.objects.create(
            key=f"theme:{event.id}", kind=Kind.THEME_ANNOUNCEMENT, event=event,
            recipient="cecilia@example.org", context={"name": "Cecilia"}, state=State.SENT,
        )  # fmt: skip
    stale, fresh = ThemeInterest.objects.bulk_create(
        [
            ThemeInterest(theme=ThemeFactory(), email="dora@example.org"),
            ThemeInterest(theme=ThemeFactory(), email="erik@example.org"),
        ]
    )
    ThemeInterest.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=31))
    CalendarFeed.objects.bulk_create(
        [
            CalendarFeed(email="anna@example.org", token_hash="a" * 64),
            CalendarFeed(email="bertil@example.org", token_hash="b" * 64),
        ]
    )

    outcome = personal_data_retention()

    assert outcome.registrations == 3
    for registration in (anna_old, bertil_old, walk_in):
        registration.refresh_from_db()
        assert registration.anonymised_at is not None
        assert (registration.name, registration.organisation) == ("", "")
    assert anna_old.email.endswith("@anonymised.invalid")
    assert walk_in.email == ""  # still one person of its own
    anna_recent.refresh_from_db()
    assert (anna_recent.name, anna_recent.email, anna_recent.anonymised_at) == ("Anna", "Anna@example.org", None)
    old_message, recent_message = (
        Message.objects.get(key=f"theme:{old.id}"),
        Message.objects.get(key=f"theme:{recent.id}"),
    )
    assert old_message.recipient.endswith("@anonymised.invalid") and old_message.context == {}
    assert recent_message.recipient == "cecilia@example.org"
    assert list(ThemeInterest.objects.all()) == [fresh]
    # Anna still has a registration to subscribe to; Bertil has none left.
    assert list(CalendarFeed.objects.values_list("email", flat=True)) == ["anna@example.org"]


@pytest.mark.django_db
def test_running_it_again_changes_nothing(thirty_days):
    old = _ended(40)
    RegistrationFactory.create_batch(3, event=old)
    RegistrationFactory(event=_ended(5))

    assert personal_data_retention().registrations == 3
    held = _held()

    assert personal_data_retention().registrations == 0
    assert tasks.personal_data_retention() == 0
    assert _held() == held


@pytest.mark.django_db
def test_small_batches_keep_each_person_one_placeholder(thirty_days):
    first, second = _ended(60), _ended(50)
    for n in range(7):
        RegistrationFactory(event=first, email=f"p{n}@example.org", attended=True)
        RegistrationFactory(event=second, email=f"P{n}@EXAMPLE.ORG", attended=True)
    period = Period(timezone.localdate() - timedelta(days=70), timezone.localdate())
    before = progress_figures(period)

    assert personal_data_retention(batch_size=2).registrations == 14

    placeholders = defaultdict(set)
    for registration in Registration.objects.all():
        placeholders[registration.email].add(registration.event_id)
    assert len(placeholders) == 7 and all(events == {first.id, second.id} for events in placeholders.values())
    assert progress_figures(period) == before
    assert before["unique_attendees"] == 7


@pytest.mark.django_db
def test_a_finalised_report_and_the_period_count_the_same_after_it(organiser, seed_half_year):  # noqa: F811
    report = progress_report_get_or_create(period=SEED_PERIOD)
    report = progress_report_finalise(report_id=report.id, by=organiser)
    frozen = report_figures(report)
    drafted = progress_figures(SEED_PERIOD)
    recent = RegistrationFactory(event=EventFactory(), email="p1@example.org")

    outcome = personal_data_retention(batch_size=25)

    report.refresh_from_db()
    assert outcome.registrations == Registration.objects.exclude(pk=recent.pk).count() > 150
    assert not Registration.objects.exclude(pk=recent.pk).filter(email__endswith="@example.org").exists()
    assert report_figures(report) == frozen
    assert progress_figures(SEED_PERIOD) == drafted
    assert drafted["unique_attendees"] == frozen["unique_attendees"]


@pytest.mark.django_db
def test_the_task_is_the_one_beat_runs_and_returns_the_count(thirty_days):
    RegistrationFactory.create_batch(2, event=_ended(45))

    assert django_settings.CELERY_BEAT_SCHEDULE["personal-data-retention"]["task"] == tasks.personal_data_retention.name
    assert tasks.personal_data_retention() == 2


@pytest.mark.django_db
def test_the_task_clears_expired_sessions(thirty_days):
    session = SessionStore()
    session["signup_done"] = {"email": "anna@example.org"}
    session.set_expiry(-1)
    session.create()

    tasks.personal_data_retention()

    assert not Session.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_what_it_did(thirty_days):
    RegistrationFactory.create_batch(2, event=_ended(45))
    out = StringIO()

    call_command("anonymise_old_registrations", stdout=out)

    assert "Registrations anonymised: 2" in out.getvalue()
    assert "30 days" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_anonymise_each_registration_once(thirty_days):
    first, second = _ended(60), _ended(50)
    for n in range(12):
        RegistrationFactory(event=first, email=f"p{n}@example.org", attended=True)
        RegistrationFactory(event=second, email=f"p{n}@example.org", attended=True)

    counts, errors = at_once(lambda: personal_data_retention(batch_size=3).registrations, threads=4)

    assert errors == []
    assert sum(counts) == 24
    lines = RegistrationChange.objects.filter(action=RegistrationChange.Action.ANONYMISED)
    assert lines.count() == 24 and lines.values("registration").distinct().count() == 24
    assert Registration.objects.values("email").distinct().count() == 12
