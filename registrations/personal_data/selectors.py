"""Reads about a person's own data: everything held for an address (what the e-mailed link
shows and downloads), and the privacy notice of the sign-up form."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.timesince import TIME_STRINGS
from django.utils.translation import gettext_lazy as _

from notifications.models import CalendarFeed, Message

from ..models import PrivacyNotice, Registration, ThemeInterest

# Everything held for an address


def _local(value):
    return timezone.localtime(value) if value else None


# Who made a change in a registration's history, as the person reads it (organisers unnamed).
BY_LABELS = {"person": _("you"), "organiser": _("an organiser"), "system": _("the system")}


def _coded(value: str, label) -> dict:
    return {"code": value, "label": str(label)}


def _feedback_row(registration: Registration) -> dict | None:
    feedback = getattr(registration, "feedback", None)
    if feedback is None or feedback.rating is None:
        return None
    return {
        "rating": feedback.rating,
        "comment": feedback.comment,
        "themes": [theme.display_name for theme in feedback.wants_themes.all()],
        "wants_themes_text": feedback.wants_themes_text,
        "quote_allowed": feedback.quote_allowed,
        "answered_at": _local(feedback.answered_at),
    }


def _registration_row(registration: Registration) -> dict:
    event = registration.event
    return {
        "meeting": {
            "id": event.id,
            "title": event.title,
            "kind": _coded(event.kind, event.get_kind_display()),
            "starts_at": _local(event.starts_at),
            "ends_at": _local(event.ends_at),
            "place": event.location or "",
        },
        "status": _coded(registration.status, registration.get_status_display()),
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "organisation_type": _coded(registration.organisation_type, registration.get_organisation_type_display()),
        "municipality": registration.municipality,
        "gender": _coded(registration.gender, registration.get_gender_display()),
        "language": _coded(registration.language, registration.get_language_display()),
        "source": _coded(registration.source, registration.get_source_display()),
        "attended": registration.attended,
        "created_at": _local(registration.created_at),
        "confirmed_at": _local(registration.confirmed_at),
        "cancelled_at": _local(registration.cancelled_at),
        "history": [
            {
                "action": _coded(change.action, change.get_action_display()),
                "at": _local(change.at),
                "by": _coded(change.by_kind, BY_LABELS[change.by_kind]),
            }
            for change in registration.changes.all()
        ],
        "survey_answer": _feedback_row(registration),
    }


def _message_row(message: Message) -> dict:
    # The kinds are labelled for organisers; this one reads better addressed to the person.
    label = _("Link to your data") if message.kind == Message.Kind.PRIVACY_LINK else message.get_kind_display()
    return {
        "kind": _coded(message.kind, label),
        "subject": message.announcement.subject if message.announcement_id else "",
        "meeting": message.event.title,
        "recipient": message.recipient,
        "state": _coded(message.state, message.get_state_display()),
        "created_at": _local(message.created_at),
        "sent_at": _local(message.sent_at),
    }


def personal_data_export(*, email: str) -> dict:
    """Everything held for `email` (any case), JSON-shaped: codes with labels in the active
    language, times as local aware datetimes (DjangoJSONEncoder writes ISO 8601 with offset).
    A fixed number of queries whatever the amount."""
    address = email.strip().lower()
    registrations = (
        Registration.objects.alias(address=Lower("email"))
        .filter(address=address)
        .select_related("event", "feedback")
        .prefetch_related("changes", "feedback__wants_themes")
        .order_by("event__starts_at", "id")
    )
    interests = (
        ThemeInterest.objects.alias(address=Lower("email"))
        .filter(address=address)
        .select_related("theme")
        .order_by("created_at", "id")
    )
    messages = (
        Message.objects.alias(address=Lower("recipient"))
        .filter(Q(address=address) | Q(registration__in=registrations))
        .select_related("event", "announcement")
        .order_by("created_at", "id")
    )
    feed = CalendarFeed.objects.filter(email=address).first()
    return {
        "generated_at": _local(timezone.now()),
        "email": address,
        "registrations": [_registration_row(registration) for registration in registrations],
        "theme_interests": [
            {
                "theme": interest.theme.display_name,
                "theme_slug": interest.theme.slug,
                "name": interest.name,
                "email": interest.email,
                "language": _coded(interest.language, interest.get_language_display()),
                "created_at": _local(interest.created_at),
            }
            for interest in interests
        ],
        "messages": [_message_row(message) for message in messages],
        "calendar_feed": {"exists": feed is not None, "created_at": _local(feed.created_at) if feed else None},
    }


# The privacy notice


def retention_period(days: int | None = None) -> str:
    """PERSONAL_DATA_RETENTION_DAYS in words: "12 months" for 365 days, "3 months" for 90,
    "45 days" for 45 (Django's own phrases, so already translated)."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    if days and days % 365 == 0:
        return TIME_STRINGS["month"] % {"num": days // 365 * 12}
    if days and days % 30 == 0:
        return TIME_STRINGS["month"] % {"num": days // 30}
    return TIME_STRINGS["day"] % {"num": days}


@dataclass(frozen=True)
class NoticeText:
    text: str  # the organisers' own, or "" for the built-in notice
    retention: str  # for the built-in notice


def privacy_notice_current(*, language: str) -> NoticeText:
    return NoticeText(text=PrivacyNotice.load().text_for(language), retention=retention_period())
