"""Deleting a person's data (on request, by e-mail, or after the retention period) deletes
their free-text answers and their survey links, and keeps their score and themes, unlinked
from them, so the meeting's figures do not change."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Event
from feedback.models import Feedback, FeedbackLink
from feedback.selectors import event_feedback_summary, feedback_figures
from feedback.services import feedback_answer, feedback_links_issue, feedback_requests_due
from notifications.models import Message
from registrations.personal_data.services import personal_data_erase, personal_data_retention
from registrations.tasks import personal_data_retention as personal_data_retention_task
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

Kind, State = Message.Kind, Message.State


def ended(*, ago: timedelta = timedelta(hours=3)) -> Event:
    ends_at = timezone.now().replace(microsecond=0) - ago
    return EventFactory(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at)


def answered(event, email: str, **answer) -> tuple[Feedback, str]:
    """An attendee's survey, asked by beat and answered; and a token of its link."""
    registration = RegistrationFactory(event=event, email=email, attended=True)
    feedback_requests_due()
    feedback = Feedback.objects.get(registration=registration)
    feedback_answer(feedback_id=feedback.id, **answer)
    return feedback, feedback_links_issue(feedback_ids=[feedback.id])[feedback.id]


@pytest.fixture
def meeting():
    """A meeting with two answers: Anna's, whose data is deleted in the tests, and Bo's."""
    ThemeFactory(slug="upphandling")
    ThemeFactory(slug="juridik")
    event = ended()
    anna = answered(
        event,
        "anna@example.org",
        rating=2,
        comment="Anna Andersson från Kaffekooperativet: för kort.",
        theme_slugs=["upphandling", "juridik"],
        wants_themes_text="Mer om LOU, ring mig på 070-123 45 67",
        quote_allowed=True,
    )
    bo = answered(event, "bo@example.org", rating=5, comment="Mycket bra", theme_slugs=["upphandling"])
    return event, anna, bo


def figures(event) -> tuple:
    """What the organiser and the report count: responses, average and distribution."""
    summary = event_feedback_summary(event_id=event.id)
    report = feedback_figures(Event.objects.filter(pk=event.pk))
    return (
        summary["asked"],
        summary["responses"],
        summary["average"],
        summary["distribution"],
        report["responses"],
        report["average"],
        [(theme["slug"], theme["wanted"]) for theme in summary["themes_wanted"]],
    )


def assert_forgotten(feedback: Feedback, token: str) -> None:
    feedback.refresh_from_db()
    assert feedback.registration_id is None
    assert (feedback.comment, feedback.wants_themes_text, feedback.quote_allowed) == ("", "", False)
    # The score and the themes stay, for the figures.
    assert feedback.rating == 2
    assert sorted(theme.slug for theme in feedback.wants_themes.all()) == ["juridik", "upphandling"]
    assert not FeedbackLink.objects.filter(feedback=feedback).exists()
    client = Client()
    assert client.get(f"/api/feedback/{token}").status_code == 404
    answer = client.post(f"/api/feedback/{token}", {"rating": 1}, content_type="application/json")
    assert answer.status_code == 404
    feedback.refresh_from_db()
    assert feedback.rating == 2


def assert_kept(feedback: Feedback, token: str) -> None:
    registration_id = feedback.registration_id
    feedback.refresh_from_db()
    assert feedback.registration_id == registration_id is not None
    assert (feedback.rating, feedback.comment) == (5, "Mycket bra")
    assert Client().get(f"/api/feedback/{token}").json()["answer"]["comment"] == "Mycket bra"


def test_erasing_a_persons_data_deletes_their_words_and_keeps_their_score(meeting):
    event, (anna, anna_token), (bo, bo_token) = meeting
    before = figures(event)
    assert before[:3] == (2, 2, 3.5)

    personal_data_erase(email="ANNA@example.org")

    assert_forgotten(anna, anna_token)
    assert_kept(bo, bo_token)
    assert figures(event) == before
    summary = event_feedback_summary(event_id=event.id)
    assert [comment["comment"] for comment in summary["comments"]] == ["Mycket bra"]
    assert summary["themes_wanted_text"] == []
    assert "Anna" not in str(summary)

    # Erasing again changes nothing.
    personal_data_erase(email="anna@example.org")
    assert figures(event) == before


def test_the_retention_task_deletes_the_words_of_old_answers_and_keeps_the_scores(meeting, settings):
    event, (anna, anna_token), (bo, bo_token) = meeting
    (carl, carl_token) = answered(ended(), "carl@example.org", rating=5, comment="Mycket bra")
    before = figures(event)
    # Time passes for the first meeting only: it ended longer ago than the retention period.
    ends_at = timezone.now() - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    Event.objects.filter(pk=event.pk).update(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at)

    assert personal_data_retention_task() == 2

    assert_forgotten(anna, anna_token)
    bo.refresh_from_db()
    assert (bo.registration_id, bo.comment, bo.rating) == (None, "", 5)
    assert Client().get(f"/api/feedback/{bo_token}").status_code == 404
    assert_kept(carl, carl_token)
    assert figures(event) == before
    assert event_feedback_summary(event_id=event.id)["comments"] == []


def test_retention_by_its_own_clock_keeps_the_figures(meeting):
    event, (anna, anna_token), _bo = meeting
    before = figures(event)

    # A year and a day later (the default retention period is 365 days).
    outcome = personal_data_retention(now=timezone.now() + timedelta(days=366))

    assert outcome.registrations == 2
    assert_forgotten(anna, anna_token)
    assert figures(event) == before


def test_an_erased_person_is_not_asked_and_an_unsent_survey_is_not_sent():
    event = ended()
    asked_first = RegistrationFactory(event=event, email="anna@example.org", attended=True)
    later = RegistrationFactory(event=event, email="bo@example.org", attended=True)
    feedback_requests_due(now=event.ends_at - timedelta(minutes=1))  # not due yet: nothing
    personal_data_erase(email="bo@example.org")

    feedback_requests_due()

    assert list(Feedback.objects.values_list("registration_id", flat=True)) == [asked_first.id]
    assert not Message.objects.filter(kind=Kind.FEEDBACK_REQUEST, registration=later).exists()

    # Erased after the survey was written and before it went out: it is not sent.
    personal_data_erase(email="anna@example.org")
    message = Message.objects.get(kind=Kind.FEEDBACK_REQUEST)
    assert message.state == State.SKIPPED
    assert message.recipient.endswith("@anonymised.invalid")
    assert Feedback.objects.get().registration_id is None
    # And beat does not ask the anonymised registration again.
    assert feedback_requests_due() == 0
