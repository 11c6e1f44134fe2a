"""Creating and changing meetings. Each function is one transaction."""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import outbox
from registrations.services import waitlist_promote

from .choices import EventStatus
from .models import Event, Theme

# A change to any of these makes earlier calendar invites out of date.
INVITE_FIELDS = {"starts_at", "ends_at", "location", "online_url"}


class EventConflict(Exception):
    """The change does not fit the meeting's state (e.g. it is already cancelled)."""


def themes_by_slug(slugs: Sequence[str]) -> list[Theme]:
    """The themes of these slugs; a ValidationError on `themes` names any unknown one."""
    themes = list(Theme.objects.filter(slug__in=set(slugs)))
    unknown = set(slugs) - {theme.slug for theme in themes}
    if unknown:
        raise ValidationError({"themes": _("Unknown theme: %(slugs)s") % {"slugs": ", ".join(sorted(unknown))}})
    return themes


def event_create(*, theme_slugs: Sequence[str] = (), **fields) -> Event:
    """Creates a meeting, also one in the past (for records after the fact)."""
    with transaction.atomic(durable=True):
        themes = themes_by_slug(theme_slugs)
        event = Event(**fields)
        event.full_clean()
        event.save()
        event.themes.set(themes)
        if event.status == EventStatus.PUBLISHED and event.starts_at > timezone.now():
            outbox.queue_theme_announcements(event)
    return event


def event_update(*, event_id: int, theme_slugs: Sequence[str] | None = None, **changes) -> Event:
    """Changes a meeting. A new time, place or link raises its invite sequence; more seats
    confirm people from the waiting list at once. Not durable: the admin calls it inside
    its own transaction."""
    with transaction.atomic():
        event = Event.objects.select_for_update(no_key=True).get(pk=event_id)
        if event.status == EventStatus.CANCELLED:
            raise EventConflict(_("A cancelled meeting cannot be changed."))
        changed = {name for name, value in changes.items() if getattr(event, name) != value}
        for name in changed:
            setattr(event, name, changes[name])
        if changed & INVITE_FIELDS:
            event.sequence += 1
        event.full_clean()
        event.save()
        if theme_slugs is not None:
            event.themes.set(themes_by_slug(theme_slugs))
        if changed & INVITE_FIELDS:
            outbox.queue_event_changed(event)
        if "capacity" in changed:
            waitlist_promote(event)
        if "status" in changed and event.status == EventStatus.PUBLISHED and event.starts_at > timezone.now():
            outbox.queue_theme_announcements(event)
    return event


def event_cancel(*, event_id: int) -> Event:
    """Cancels a meeting; its registrations are kept for the record but count nowhere."""
    with transaction.atomic():
        event = Event.objects.select_for_update(no_key=True).get(pk=event_id)
        if event.status == EventStatus.CANCELLED:
            raise EventConflict(_("The meeting is already cancelled."))
        event.status = EventStatus.CANCELLED
        event.sequence += 1
        event.save(update_fields=["status", "sequence", "updated_at"])
        outbox.queue_event_cancelled(event)
    return event


def _shift_local(value: datetime | None, delta) -> datetime | None:
    # Moved on the local wall clock, so a 18:00 meeting copied across a summer-time change
    # still starts at 18:00 rather than at 17:00 or 19:00.
    if value is None:
        return None
    return timezone.make_aware(timezone.make_naive(value) + delta)


def event_duplicate(*, event_id: int, starts_at: datetime) -> Event:
    """Copies a meeting (fields and themes, no registrations) to start at `starts_at`; its end
    and registration window move by the same local-time distance. The copy is a draft, so the
    organiser checks it before anyone is told about it."""
    with transaction.atomic(durable=True):
        source = Event.objects.get(pk=event_id)
        delta = timezone.make_naive(starts_at) - timezone.make_naive(source.starts_at)
        copy = Event(
            title=source.title,
            description=source.description,
            kind=source.kind,
            audience=source.audience,
            starts_at=starts_at,
            ends_at=_shift_local(source.ends_at, delta),
            capacity=source.capacity,
            location=source.location,
            online_url=source.online_url,
            municipality=source.municipality,
            registration_opens_at=_shift_local(source.registration_opens_at, delta),
            registration_closes_at=_shift_local(source.registration_closes_at, delta),
            reminder_minutes_before=list(source.reminder_minutes_before),
            status=EventStatus.DRAFT,
        )
        copy.full_clean()
        copy.save()
        copy.themes.set(source.themes.all())
    return copy


def theme_create(*, slug: str, name: str, name_en: str = "", description: str = "") -> Theme:
    """Creates a theme; a taken slug is a ValidationError with the code "unique", also when a
    concurrent request takes it between the check and the insert."""
    theme = Theme(slug=slug, name=name, name_en=name_en, description=description)
    theme.full_clean()
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError:
        raise ValidationError({"slug": theme.unique_error_message(Theme, ("slug",))}) from None
    return theme
