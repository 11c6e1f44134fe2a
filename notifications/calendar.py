"""Everything about iCalendar (RFC 5545/5546): pure functions from data to bytes, serialised
by icalendar (which escapes, and folds at 75 octets without splitting a character).

Times are written in UTC, which every calendar parser reads the same way, so daylight
saving in Europe/Stockholm can never move a meeting (a VTIMEZONE built from RDATE lists,
the usual alternative, is misread by ical.js and vobject).
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

PRODID = "-//Träffpunkt//Träffpunkt//SV"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


@dataclass(frozen=True)
class Meeting:
    """What a calendar needs to know about a meeting."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""


def display_name(name: str) -> str:
    """A name safe inside a quoted parameter: no double quotes, no control characters."""
    return "".join(
        char for char in name if char != '"' and unicodedata.category(char) not in ("Cc", "Zl", "Zp")
    ).strip()


def _address(person: Person, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if display_name(person.name):
        address.params["CN"] = vText(display_name(person.name))
    for name, value in params.items():
        address.params[name.replace("_", "-").upper()] = vText(value)
    return address


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _event(meeting: Meeting, *, stamp: datetime, cancelled: bool) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", meeting.uid)
    vevent.add("dtstamp", stamp.astimezone(UTC))
    vevent.add("sequence", meeting.sequence)
    vevent.add("dtstart", meeting.starts_at.astimezone(UTC))
    vevent.add("dtend", meeting.ends_at.astimezone(UTC))
    vevent.add("summary", meeting.summary)
    if meeting.location:
        vevent.add("location", meeting.location)
    if meeting.description:
        vevent.add("description", meeting.description)
    if meeting.url:
        vevent.add("url", meeting.url)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return vevent


def invite(*, meeting: Meeting, organizer: Person, attendee: Person, method: str, stamp: datetime) -> bytes:
    """An invitation (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL) for one person.

    The recipient is the only ATTENDEE and is not asked to reply; a CANCEL must carry the
    same UID as the invitation and a higher SEQUENCE, which the caller provides.
    """
    vevent = _event(meeting, stamp=stamp, cancelled=method == CANCEL or meeting.cancelled)
    vevent.add("organizer", _address(organizer))
    vevent.add(
        "attendee",
        _address(attendee, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE", cutype="INDIVIDUAL"),
    )
    calendar = _calendar(method)
    calendar.add_component(vevent)
    return calendar.to_ical()


def feed(meetings: Iterable[Meeting], *, name: str, stamp: datetime) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH) of several meetings, without attendees."""
    calendar = _calendar(PUBLISH)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp=stamp, cancelled=meeting.cancelled))
    return calendar.to_ical()
