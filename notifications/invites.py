"""From the site's meetings and registrations to calendar data (see calendar.py for the format)."""

from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.choices import EventStatus
from events.models import Event
from registrations.models import Registration

from . import calendar


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "traffpunkt"


def organizer() -> calendar.Person:
    """The programme's mailbox: the address e-mails are sent from."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return calendar.Person(email=address, name=name)


def event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:detail", args=[event.id])


def place(event: Event, *, with_link: bool) -> str:
    """Where the meeting is: the place, and the online link only for those who may have it."""
    parts = [event.location] if event.location else []
    if event.online_url and with_link:
        parts.append(event.online_url)
    return " · ".join(parts)


def meeting(event: Event, *, uid: str, sequence: int, with_link: bool, description: str = "") -> calendar.Meeting:
    return calendar.Meeting(
        uid=uid,
        sequence=sequence,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=event.title,
        location=place(event, with_link=with_link),
        description=description,
        url=event_url(event),
        cancelled=event.status == EventStatus.CANCELLED,
    )


def registration_uid(registration: Registration) -> str:
    # One UID per registration, for ever: updates and the cancellation replace that entry.
    return f"registration-{registration.id}@{_host()}"


def registration_invite(registration: Registration, *, method: str, description: str) -> bytes:
    """The invitation (REQUEST) or its withdrawal (CANCEL) for one registration, as it is now."""
    event = registration.event
    # A cancellation must outrank the last invitation; cancelling the meeting already raised it.
    sequence = (
        event.sequence + 1 if method == calendar.CANCEL and event.status != EventStatus.CANCELLED else event.sequence
    )
    return calendar.invite(
        meeting=meeting(
            event,
            uid=registration_uid(registration),
            sequence=sequence,
            with_link=method == calendar.REQUEST,
            description=description,
        ),
        organizer=organizer(),
        attendee=calendar.Person(email=registration.email, name=registration.name),
        method=method,
        stamp=timezone.now(),
    )


def public_feed(events) -> bytes:
    """Meetings as anyone may see them: never the online link."""
    return calendar.feed(
        [
            meeting(event, uid=f"event-{event.id}@{_host()}", sequence=event.sequence, with_link=False)
            for event in events
        ],
        name="Träffpunkt",
        stamp=timezone.now(),
    )


def personal_feed(registrations) -> bytes:
    """A person's confirmed meetings, with their online links, under the same UIDs as their invites."""
    return calendar.feed(
        [meeting(r.event, uid=registration_uid(r), sequence=r.event.sequence, with_link=True) for r in registrations],
        name="Träffpunkt",
        stamp=timezone.now(),
    )
