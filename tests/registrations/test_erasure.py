"""Deleting a person's details on request: gone everywhere, nothing more is sent to them, their
links die, and the progress report counts exactly as before."""

from datetime import timedelta

import pytest
from django.core import mail
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import hash_secret
from notifications import delivery
from notifications.models import CalendarFeed, Message
from registrations.choices import Gender, Status
from registrations.manage_links import manage_links_issue
from registrations.models import ManageLink, Registration, RegistrationChange, ThemeInterest
from registrations.personal_data.services import ErasureOutcome, personal_data_erase
from registrations.personal_data.tokens import privacy_token
from registrations.selectors import registration_get_by_token
from registrations.services import registration_add_by_organiser, signup_create
from reports.selectors import Period, progress_figures
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory, person

pytestmark = pytest.mark.django_db

State, Kind = Message.State, Message.Kind
ANNA = "anna@example.org"


def _ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def world():
    """Anna came to two past meetings (once as Anna@Example.ORG) and holds the only seat of an
    upcoming one, with Cecilia waiting. Bertil, Dora (a no-show) and a walk-in without an
    address are in the same period. Anna also has a theme interest, a calendar feed, a
    second manage link, messages sent, pending and failed, and a theme announcement."""
    first = EventFactory(title="Nätverksträff", starts_at=_ago(10), ends_at=_ago(10) + timedelta(hours=2))
    second = EventFactory(title="Digital mötesplats", starts_at=_ago(5), ends_at=_ago(5) + timedelta(hours=2))
    upcoming = EventFactory(title="Tematräff", capacity=1)
    woman = {"gender": Gender.WOMAN, "organisation": "Kaffekooperativet"}
    anna_first = RegistrationFactory(
        event=first, email=ANNA, name="Anna Andersson", attended=True, raw_token="anna-first-token", **woman
    )
    anna_second = RegistrationFactory(
        event=second, email="Anna@Example.ORG", name="Anna Andersson", attended=True, **woman
    )
    RegistrationFactory(event=first, email="bertil@example.org", name="Bertil", gender=Gender.MAN, attended=True)
    RegistrationFactory(event=second, email="dora@example.org", name="Dora", gender=Gender.WOMAN, attended=False)
    registration_add_by_organiser(event_id=second.id, person=person("", name="Gäst utan adress"), attended=True)
    [anna_upcoming] = signup_create(person=person(ANNA), event_ids=[upcoming.id])
    [cecilia] = signup_create(person=person("cecilia@example.org", name="Cecilia"), event_ids=[upcoming.id])
    assert cecilia.status == "waitlisted"

    theme = ThemeFactory()
    ThemeInterest.objects.create(theme=theme, email="ANNA@example.org", name="Anna Andersson")
    CalendarFeed.objects.create(email=ANNA, token_hash="f" * 64)
    [second_link] = manage_links_issue(registration_ids=[anna_first.id]).values()
    Message.objects.filter(recipient=ANNA, kind=Kind.CONFIRMATION).update(state=State.SENT, sent_at=timezone.now())
    Message.objects.create(
        key="reminder:test", kind=Kind.REMINDER, registration=anna_upcoming.registration, event=upcoming,
        recipient=ANNA, offset_minutes=1440, event_starts_at=upcoming.starts_at,
    )  # fmt: skip
    Message.objects.create(
        key="announcement:test", kind=Kind.THEME_ANNOUNCEMENT, event=upcoming,
        recipient="Anna@Example.org", context={"name": "Anna Andersson"},
    )  # fmt: skip
    Message.objects.create(
        key="failed:test", kind=Kind.CONFIRMATION, registration=anna_first, event=first, recipient=ANNA,
        state=State.FAILED, last_error="SMTPRecipientsRefused: {'Anna@example.org': (550, b'no such user')}",
    )  # fmt: skip
    return {
        "period": Period((_ago(30)).date(), timezone.localdate()),
        "anna": [anna_first, anna_second, anna_upcoming.registration],
        "tokens": ["anna-first-token", second_link, anna_upcoming.manage_token],
        "cecilia": cecilia.registration,
        "upcoming": upcoming,
    }


def _everything_held() -> str:
    """Every row that could hold personal data, as text."""
    rows = [
        *Registration.objects.values(),
        *RegistrationChange.objects.values(),
        *ThemeInterest.objects.values(),
        *CalendarFeed.objects.values(),
        *Message.objects.values(),
        *ManageLink.objects.values(),
    ]
    return str(rows).lower()


def test_erasure_removes_name_address_and_organisation_everywhere(world):
    outcome = personal_data_erase(email="ANNA@example.org")

    assert outcome == ErasureOutcome(registrations=3, cancelled=1, messages=4, theme_interests=1, calendar_feeds=1)
    held = _everything_held()
    assert "anna" not in held and "kaffekooperativet" not in held
    assert "bertil@example.org" in held  # others are untouched
    rows = Registration.objects.filter(pk__in=[r.pk for r in world["anna"]])
    assert {(r.name, r.organisation) for r in rows} == {("", "")}
    [placeholder] = {r.email for r in rows}  # one per person, so they still count once
    assert placeholder.startswith("anon-") and placeholder.endswith("@anonymised.invalid")
    assert all(r.anonymised_at for r in rows)
    # What the reports count stays.
    assert {(r.gender, r.municipality, r.attended) for r in rows} == {
        (Gender.WOMAN, "Nyköping", True),
        (Gender.UNSTATED, "Nyköping", None),
    }
    assert not ThemeInterest.objects.exists()
    assert not CalendarFeed.objects.exists()
    assert not ManageLink.objects.filter(registration__in=rows).exists()


def test_messages_keep_no_address_or_name_and_pending_ones_are_skipped(world):
    personal_data_erase(email=ANNA)

    placeholder = Registration.objects.get(pk=world["anna"][0].pk).email
    messages = {m.key: m for m in Message.objects.exclude(recipient="cecilia@example.org")}
    assert {m.recipient for m in messages.values()} == {placeholder}
    assert messages["reminder:test"].state == State.SKIPPED
    assert messages["announcement:test"].state == State.SKIPPED
    assert messages["announcement:test"].context == {}
    assert "anna" not in messages["failed:test"].last_error.lower()
    assert messages["failed:test"].state == State.FAILED
    assert {m.state for m in messages.values() if m.kind == Kind.CONFIRMATION and m.key != "failed:test"} == {
        State.SENT
    }


def test_nothing_is_sent_to_an_erased_person_and_the_waiting_list_moves_up(world):
    personal_data_erase(email=ANNA)
    # An organiser retries the failed message in the admin: still nothing goes out.
    Message.objects.filter(key="failed:test").update(state=State.PENDING, next_attempt_at=timezone.now())

    delivery.deliver_due()

    recipients = [address.lower() for email in mail.outbox for address in email.to]
    assert recipients == ["cecilia@example.org"]  # her seat from the waiting list
    assert Message.objects.get(key="failed:test").state == State.SKIPPED
    world["cecilia"].refresh_from_db()
    assert world["cecilia"].status == Status.CONFIRMED
    anna_upcoming = Registration.objects.get(pk=world["anna"][2].pk)
    assert anna_upcoming.status == Status.CANCELLED
    assert not Message.objects.filter(registration=anna_upcoming, kind=Kind.REGISTRATION_CANCELLED).exists()


def test_the_manage_links_and_the_data_link_stop_working(client, world):
    data_link = reverse("registrations:privacy", args=[privacy_token(world["anna"][0])])

    personal_data_erase(email=ANNA)

    for token in world["tokens"]:
        assert registration_get_by_token(token) is None
        assert client.get(reverse("registrations:manage", args=[token])).status_code == 404
    assert client.get(data_link).status_code == 404


def test_the_report_counts_the_same_before_and_after(world):
    before = progress_figures(world["period"])
    assert before["unique_attendees"] == 3  # Anna (twice, in two cases), Bertil, the walk-in
    assert before["attendees_by_gender"] == {"man": 1, "unstated": 1, "woman": 1}

    personal_data_erase(email=ANNA)
    after = progress_figures(world["period"])

    assert after == before
    assert (after["registered"], after["attended"]) == (5, 4)


def test_erasing_twice_is_harmless(world):
    first = personal_data_erase(email=ANNA)
    held = _everything_held()
    figures = progress_figures(world["period"])

    second = personal_data_erase(email=ANNA)

    assert first.registrations == 3
    assert second == ErasureOutcome()
    assert _everything_held() == held
    assert progress_figures(world["period"]) == figures
    assert personal_data_erase(email=Registration.objects.get(pk=world["anna"][0].pk).email) == ErasureOutcome()


def test_history_says_the_details_were_deleted_by_the_person(world):
    personal_data_erase(email=ANNA)

    [line] = RegistrationChange.objects.filter(
        registration=world["anna"][0], action=RegistrationChange.Action.ANONYMISED
    )
    assert line.detail == {"reason": "request"}
    assert line.by_kind == "person"


def test_the_deletion_pages_ask_first_then_delete(client, world):
    token = privacy_token(world["anna"][0])
    url = reverse("registrations:privacy_erase", args=[token])

    with translation.override("sv"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Tematräff" in page.content.decode()  # the upcoming registration to be cancelled
        assert Registration.objects.get(pk=world["anna"][0].pk).name == "Anna Andersson"

        response = client.post(url)

        assert response.status_code == 302
        assert response["Location"] == reverse("registrations:privacy_erased")
        assert client.get(response["Location"]).status_code == 200
    assert Registration.objects.get(pk=world["anna"][0].pk).anonymised_at is not None
    assert client.post(url).status_code == 404  # the link died with the details


def test_a_registration_without_address_and_a_placeholder_are_not_erased(world):
    assert personal_data_erase(email="") == ErasureOutcome()
    assert personal_data_erase(email="  ") == ErasureOutcome()
    assert Registration.objects.filter(email="", name="Gäst utan adress").exists()


def test_erased_registration_is_shown_without_details(world):
    personal_data_erase(email=ANNA)

    registration = Registration.objects.get(pk=world["anna"][0].pk)
    assert "anna" not in str(model_to_dict(registration)).lower()
    assert registration.token_hash != hash_secret(world["tokens"][0])


def test_workspace_lists_say_the_details_were_deleted(organiser_client):
    event = EventFactory(past=True)
    RegistrationFactory(event=event, name="Sigrid Svensson", email="sigrid@example.org", attended=True)
    personal_data_erase(email="sigrid@example.org")

    for page in (f"/en/arrangor/traffar/{event.id}/", f"/en/arrangor/traffar/{event.id}/incheckning/"):
        html = organiser_client.get(page).content.decode()
        assert "(details deleted)" in html
        assert "Sigrid" not in html
