"""Putting messages into the outbox. Called inside the transaction of the change that causes
them, so a message exists exactly when its cause was committed; the sender is woken after
commit, and the periodic sweep sends whatever a lost wake-up left behind."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower

from events.models import Event
from registrations.choices import Status
from registrations.models import Registration, ThemeInterest

from .models import Announcement, Message
from .selectors import announcement_recipients
from .wakeup import wake_sender_on_commit

Kind = Message.Kind


def _save(messages: list[Message]) -> None:
    """Writes the messages (a key already written is skipped) and wakes the sender after commit."""
    if messages:
        Message.objects.bulk_create(messages, ignore_conflicts=True)
        wake_sender_on_commit()


def _key(kind: str, registration: Registration, suffix: str = "") -> str:
    return f"{kind}:{registration.id}{suffix}"


def _message(kind: str, registration: Registration, *, suffix: str = "", context: dict | None = None) -> Message:
    return Message(
        key=_key(kind, registration, suffix),
        kind=kind,
        registration=registration,
        event_id=registration.event_id,
        recipient=registration.email,
        language=registration.language,
        context=context or {},
    )


def queue_for_registrations(
    kind: str, registrations: Iterable[Registration], *, suffix: str = "", context: dict | None = None
) -> None:
    """One message of `kind` per registration that has an address; `suffix` tells repeats apart."""
    _save(
        [
            _message(kind, registration, suffix=suffix, context=context)
            for registration in registrations
            if _has_address(registration)
        ]
    )


def _has_address(registration: Registration) -> bool:
    # An anonymised registration has only a placeholder address: nobody to write to.
    return bool(registration.email) and registration.anonymised_at is None


def queue_signup(registration: Registration) -> None:
    """The confirmation or waiting-list e-mail for a new registration (none without an address)."""
    kind = Kind.CONFIRMATION if registration.status == Status.CONFIRMED else Kind.WAITLISTED
    queue_for_registrations(kind, [registration])


def queue_manage_link(registration: Registration, *, now: datetime) -> None:
    # At most one a hour, so nobody can flood an inbox by signing its owner up again and again.
    queue_for_registrations(Kind.MANAGE_LINK, [registration], suffix=f":{now:%Y%m%d%H}")


def queue_privacy_link(registration: Registration, *, now: datetime) -> None:
    # At most one a hour: a second click sends nothing new, and nobody can flood an inbox.
    queue_for_registrations(Kind.PRIVACY_LINK, [registration], suffix=f":{now:%Y%m%d%H}")


def queue_promotions(registrations: Iterable[Registration]) -> None:
    queue_for_registrations(Kind.PROMOTED, registrations)


def queue_registration_cancelled(registration: Registration, *, was_confirmed: bool) -> None:
    queue_for_registrations(Kind.REGISTRATION_CANCELLED, [registration], context={"was_confirmed": was_confirmed})


def _active(event: Event):
    return event.registrations.filter(status__in=(Status.CONFIRMED, Status.WAITLISTED))


def queue_event_changed(event: Event) -> None:
    queue_for_registrations(Kind.EVENT_CHANGED, _active(event), suffix=f":{event.sequence}")


def queue_event_cancelled(event: Event) -> None:
    queue_for_registrations(Kind.EVENT_CANCELLED, _active(event))


def queue_theme_announcements(event: Event) -> None:
    """Tells everyone interested in one of the meeting's themes, once per address and meeting,
    unless they are already registered for it."""
    registered = _active(event).annotate(email_lower=Lower("email")).values("email_lower")
    interests = (
        ThemeInterest.objects.filter(theme__in=event.themes.all())
        .annotate(email_lower=Lower("email"))
        .exclude(email_lower__in=registered)
        .order_by("id")
    )
    seen: set[str] = set()
    messages = []
    for interest in interests:
        if interest.email_lower in seen:
            continue
        seen.add(interest.email_lower)
        messages.append(
            Message(
                key=f"{Kind.THEME_ANNOUNCEMENT}:{event.id}:{interest.email_lower}",
                kind=Kind.THEME_ANNOUNCEMENT,
                event=event,
                recipient=interest.email,
                language=interest.language,
                context={"name": interest.name},
            )
        )
    _save(messages)


def queue_reminders(*, event: Event, offset_minutes: int, due_at: datetime) -> int:
    """Reminders of one offset for everyone confirmed by `due_at` who has not had it yet.

    Someone confirmed after the reminder's time does not get it: they had their
    confirmation (with the invite) closer to the meeting than this reminder would be.
    """
    starts = int(event.starts_at.timestamp())
    already = Message.objects.filter(
        registration=OuterRef("pk"),
        kind=Kind.REMINDER,
        offset_minutes=offset_minutes,
        event_starts_at=event.starts_at,
    )
    recipients = (
        event.registrations.filter(status=Status.CONFIRMED, confirmed_at__lte=due_at, anonymised_at__isnull=True)
        .exclude(email="")
        .exclude(Exists(already))
    )
    messages = [
        Message(
            key=f"{Kind.REMINDER}:{registration.id}:{offset_minutes}:{starts}",
            kind=Kind.REMINDER,
            registration=registration,
            event=event,
            recipient=registration.email,
            language=registration.language,
            offset_minutes=offset_minutes,
            event_starts_at=event.starts_at,
        )
        for registration in recipients
    ]
    _save(messages)
    return len(messages)


def queue_announcement(announcement: Announcement) -> int:
    """One outbox row per recipient; writing them again adds nothing (the key names both)."""
    messages = [
        Message(
            key=f"{Kind.ORGANISER_MESSAGE}:{announcement.id}:{registration.id}",
            kind=Kind.ORGANISER_MESSAGE,
            registration=registration,
            event_id=announcement.event_id,
            announcement=announcement,
            recipient=registration.email,
            language=registration.language,
        )
        for registration in announcement_recipients(event_id=announcement.event_id, audience=announcement.audience)
    ]
    _save(messages)
    return len(messages)
