"""Everything about iCalendar (RFC 5545/5546): pure functions from data to bytes.

Times are written in UTC, which every calendar parser reads the same way, so daylight
saving in Europe/Stockholm can never move a meeting (a VTIMEZONE built from RDATE lists,
the usual alternative, is misread by ical.js and vobject).
"""

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
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


def _add_own_lines(vevent: VEvent, meeting: Meeting) -> None:
    """What differs between two people invited to the same meeting (besides DTSTAMP)."""
    vevent.add("uid", meeting.uid)
    if meeting.description:
        vevent.add("description", meeting.description)


def _add_meeting_lines(vevent: VEvent, meeting: Meeting, *, cancelled: bool) -> None:
    vevent.add("sequence", meeting.sequence)
    vevent.add("dtstart", meeting.starts_at.astimezone(UTC))
    vevent.add("dtend", meeting.ends_at.astimezone(UTC))
    vevent.add("summary", meeting.summary)
    if meeting.location:
        vevent.add("location", meeting.location)
    if meeting.url:
        vevent.add("url", meeting.url)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")


_BEGIN_VEVENT, _END_VEVENT = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"
# Octets of a line before it is folded; a continuation line adds its leading space (RFC 5545 3.1).
_FOLD_AT = 74


def fold(line: str) -> bytes:
    """One content line, folded as icalendar folds it, byte for byte: at most 74 octets before
    each line break, never inside a UTF-8 character, and never just after a backslash or caret
    (a split escape confuses some clients). icalendar measures the line one character at a
    time: 15 µs for a reminder's 240-character DESCRIPTION, against 1 µs here, where the
    encoded line is cut at byte offsets."""
    data = line.encode()
    if len(data) <= _FOLD_AT:
        return data
    parts = []
    start = 0
    while len(data) - start > _FOLD_AT:
        end = start + _FOLD_AT
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: the character began earlier
            end -= 1
        if data[end - 1] in b"\\^" and end - start > 1:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def _lines(vevent: VEvent) -> bytes:
    """The serialised properties of `vevent`, without its BEGIN and END lines."""
    # content_lines() is BEGIN:VEVENT, the properties, END:VEVENT and an empty string.
    return b"".join(fold(line) + b"\r\n" for line in vevent.content_lines()[1:-2])


@functools.lru_cache(maxsize=256)
def _invite_frame(meeting: Meeting, organizer: Person, method: str) -> tuple[bytes, bytes]:
    """The invitation to `meeting` without anyone's own lines, serialised once and cut where
    those lines go (before END:VEVENT). Everything in it is the same for every person invited,
    so a reminder to 500 people serialises it once, not 500 times."""
    calendar = _calendar(method)
    vevent = VEvent()
    _add_meeting_lines(vevent, meeting, cancelled=method == CANCEL or meeting.cancelled)
    vevent.add("organizer", _address(organizer))
    calendar.add_component(vevent)
    head, end, tail = calendar.to_ical().rpartition(_END_VEVENT)
    return head, end + tail


def invite(*, meeting: Meeting, organizer: Person, attendee: Person, method: str, stamp: datetime) -> bytes:
    """An invitation (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL) for one person.

    The recipient is the only ATTENDEE and is not asked to reply; a CANCEL must carry the
    same UID as the invitation and a higher SEQUENCE, which the caller provides.
    """
    head, tail = _invite_frame(replace(meeting, uid="", description=""), organizer, method)
    own = VEvent()
    own.add("dtstamp", stamp.astimezone(UTC))
    _add_own_lines(own, meeting)
    own.add(
        "attendee",
        _address(attendee, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE", cutype="INDIVIDUAL"),
    )
    return head + _lines(own) + tail


@functools.lru_cache(maxsize=4096)
def _feed_entry(meeting: Meeting) -> bytes:
    """A meeting's lines in a feed, all but DTSTAMP (which every request writes anew), cached
    by the meeting's data: a feed that calendars poll again and again serialises a meeting
    only after it changed, instead of on every request."""
    vevent = VEvent()
    _add_own_lines(vevent, meeting)
    _add_meeting_lines(vevent, meeting, cancelled=meeting.cancelled)
    return _lines(vevent)


def feed(meetings: Iterable[Meeting], *, name: str, stamp: datetime) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH) of several meetings, without attendees."""
    calendar = _calendar(PUBLISH)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    head, end, tail = calendar.to_ical().rpartition(b"END:VCALENDAR\r\n")
    stamped = VEvent()
    stamped.add("dtstamp", stamp.astimezone(UTC))
    stamp_line = _lines(stamped)
    entries = b"".join(_BEGIN_VEVENT + stamp_line + _feed_entry(meeting) + _END_VEVENT for meeting in meetings)
    return head + entries + end + tail
