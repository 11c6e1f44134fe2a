"""The survey after a meeting: asking those who came, taking their answers, and forgetting
the person behind an answer when their data is deleted."""

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import hash_secret
from events.choices import EventStatus
from events.models import Event
from events.services import themes_by_slug
from notifications import outbox
from notifications.models import Message
from registrations.choices import Status

from .models import Feedback, FeedbackLink

# Meetings that ended longer ago get no survey (records entered after the fact).
SEND_WITHIN = timedelta(days=7)
# ... except one whose survey fell due this recently: with the longest delay allowed (7 days)
# it falls due just as the week is up, and beat, running each minute, sends it a moment later.
LATE_BEAT = timedelta(minutes=5)


class SurveyClosed(Exception):
    """The survey took answers until 14 days after the meeting (the API answers 410)."""


def feedback_requests_due(*, now: datetime | None = None) -> int:
    """Writes the survey e-mail for everyone marked as attended (confirmed, with an address)
    of each published meeting with the survey on, once `feedback_delay_minutes` have passed
    since its end and while it ended less than 7 days ago. Safe to run any number of times
    and side by side: each person is asked once (a Feedback row per registration, and the
    outbox key). Attendance marked later is picked up at the next run."""
    now = now or timezone.now()
    ended = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        feedback_survey=True,
        ends_at__gt=now - SEND_WITHIN - LATE_BEAT,
        ends_at__lte=now,
    )
    created = 0
    for event in ended.order_by("ends_at", "id"):
        due = event.ends_at + timedelta(minutes=event.feedback_delay_minutes)
        if due <= now and (now < event.ends_at + SEND_WITHIN or now < due + LATE_BEAT):
            with transaction.atomic():
                created += _ask_attendees(event)
    return created


def _ask_attendees(event: Event) -> int:
    asked = Feedback.objects.filter(registration=OuterRef("pk"))
    attendees = list(
        event.registrations.filter(status=Status.CONFIRMED, attended=True, anonymised_at__isnull=True)
        .exclude(email="")
        .exclude(Exists(asked))
        .order_by("id")
    )
    Feedback.objects.bulk_create(
        [Feedback(event=event, registration=registration) for registration in attendees], ignore_conflicts=True
    )
    outbox.queue_for_registrations(Message.Kind.FEEDBACK_REQUEST, attendees)
    return len(attendees)


def feedback_links_issue(*, feedback_ids: Iterable[int]) -> dict[int, str]:
    """A new survey token per feedback row, of which only the hash is kept (one per e-mail)."""
    tokens = {feedback_id: secrets.token_urlsafe(32) for feedback_id in set(feedback_ids)}
    FeedbackLink.objects.bulk_create(
        [FeedbackLink(feedback_id=pk, token_hash=hash_secret(token)) for pk, token in tokens.items()]
    )
    return tokens


def feedback_answer(
    *,
    feedback_id: int,
    rating: int,
    comment: str = "",
    theme_slugs: Sequence[str] = (),
    wants_themes_text: str = "",
    quote_allowed: bool = False,
    now: datetime | None = None,
) -> Feedback:
    """Stores (or replaces) the one answer of a survey, in one transaction. Raises
    SurveyClosed after the survey closed and ValidationError for a rating outside 1–5, a
    text too long or an unknown theme; then nothing changes."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        feedback = Feedback.objects.select_for_update().select_related("event").get(pk=feedback_id)
        if now >= feedback.closes_at():
            raise SurveyClosed(_("The survey has closed."))
        themes = themes_by_slug(theme_slugs)
        feedback.rating = rating
        feedback.comment = comment.replace("\r\n", "\n").strip()
        feedback.wants_themes_text = wants_themes_text.strip()
        feedback.quote_allowed = quote_allowed and bool(feedback.comment)
        feedback.answered_at = now
        feedback.full_clean(exclude=["event", "registration"])
        feedback.save()
        feedback.wants_themes.set(themes)
    return feedback


def feedback_forget(*, registration_ids: Iterable[int]) -> int:
    """For registrations being anonymised (the caller's transaction): the answers lose their
    link to the person, their free text and their links; the scores and themes stay."""
    answers = Feedback.objects.filter(registration_id__in=list(registration_ids))
    FeedbackLink.objects.filter(feedback__in=answers).delete()
    return answers.update(registration=None, comment="", wants_themes_text="", quote_allowed=False)
