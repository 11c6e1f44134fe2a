"""Everything about iCalendar (RFC 5545): pure functions from data to bytes.

Times are written in UTC, which every calendar parser reads the same way, so daylight
saving in Europe/Stockholm cannot move a meeting.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as VEvent

PRODID = "-//Träffpunkt//Träffpunkt//SV"


def event_uid(event_id: int) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "traffpunkt"
    return f"event-{event_id}@{host}"


def public_calendar(events: Iterable, *, now: datetime | None = None) -> bytes:
    """A published calendar of meetings, as anyone may see them: no online link, no attendees."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for event in events:
        vevent = VEvent()
        vevent.add("uid", event_uid(event.id))
        vevent.add("dtstamp", stamp)
        vevent.add("sequence", event.sequence)
        vevent.add("dtstart", event.starts_at.astimezone(UTC))
        vevent.add("dtend", event.ends_at.astimezone(UTC))
        vevent.add("summary", event.title)
        if event.location:
            vevent.add("location", event.location)
        vevent.add("url", f"{settings.SITE_URL}/traffar/{event.id}/")
        vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
        calendar.add_component(vevent)
    return calendar.to_ical()
