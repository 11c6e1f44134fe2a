"""notifications.calendar: the pure functions from meeting data to iCalendar bytes (RFC 5545/5546),
checked on the bytes themselves, and the adapter in notifications.invites (UID, SEQUENCE).

The bytes are read back with icalendar only where the question is "what does it mean"; the
format rules (line length, folding, escaping, CRLF) are checked on the raw octets, since a
parser that tolerates a broken file would hide exactly the faults these tests look for.
"""

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from icalendar import Calendar

from events.services import event_cancel, event_update
from notifications import calendar, invites
from registrations.services import registration_cancel
from tests.factories import EventFactory, RegistrationFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
STAMP = datetime(2026, 11, 27, 12, 0, 5, tzinfo=UTC)
ORGANIZER = calendar.Person(email="traffpunkt@example.org", name="Träffpunkt Sörmland")
ATTENDEE = calendar.Person(email="anna@example.org", name="Anna Andersson")

# Every hard case for escaping and folding at once: TEXT specials, a backslash, newlines,
# 4-octet emoji (one with a ZWJ sequence), 2-octet å/ä/ö, decomposed (combining) letters,
# right-to-left text and a zero-width joiner.
AWKWARD = (
    "Fika, frågor; svar \\ mer\nNy rad\r\nOch en till "
    + "😀👩‍💻🇸🇪 "
    + "åäö ÅÄÖ "
    + unicodedata.normalize("NFD", "åäöé ")
    + "مرحبا "
) * 4


def _meeting(**fields) -> calendar.Meeting:
    defaults = {
        "uid": "registration-7@traffpunkt.example.org",
        "sequence": 3,
        # 10:00–12:00 local time on a summer day, given in local time on purpose: the file
        # must carry the instant in UTC whatever zone the caller's datetime is in.
        "starts_at": datetime(2026, 6, 15, 10, 0, tzinfo=STOCKHOLM),
        "ends_at": datetime(2026, 6, 15, 12, 0, tzinfo=STOCKHOLM),
        "summary": "Tematräff: finansiering",
        "location": "Kulturhuset, Nyköping",
        "description": "Välkommen!",
        "url": "https://traffpunkt.example.org/traffar/7/",
    }
    return calendar.Meeting(**{**defaults, **fields})


def _invite(method=calendar.REQUEST, **fields) -> bytes:
    return calendar.invite(
        meeting=_meeting(**fields), organizer=ORGANIZER, attendee=ATTENDEE, method=method, stamp=STAMP
    )


def _unfold(raw: bytes) -> list[str]:
    """Content lines: CRLF followed by one space or tab joins two physical lines (RFC 5545 3.1)."""
    return re.sub(rb"\r\n[ \t]", b"", raw).decode("utf-8").split("\r\n")


def _property(raw: bytes, name: str) -> list[str]:
    """Every content line of property `name` (with its parameters), unfolded, in order."""
    return [line for line in _unfold(raw) if re.match(rf"{name}[;:]", line)]


def _value(raw: bytes, name: str) -> str:
    [line] = _property(raw, name)
    return line.split(":", 1)[1] if ";" not in line.split(":", 1)[0] else line


def _event(raw: bytes):
    [vevent] = Calendar.from_ical(raw).walk("VEVENT")
    return vevent


# Method, attendee, organizer


def test_request_names_the_recipient_as_the_only_attendee_who_is_not_asked_to_reply():
    raw = _invite()

    assert _property(raw, "METHOD") == ["METHOD:REQUEST"]
    [attendee] = _property(raw, "ATTENDEE")
    assert attendee.endswith(":mailto:anna@example.org")
    assert ";RSVP=FALSE" in attendee
    assert 'CN="Anna Andersson"' in attendee or "CN=Anna Andersson" in attendee
    vevent = _event(raw)
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.org"
    assert vevent["ATTENDEE"].params["RSVP"] == "FALSE"


def test_organizer_is_the_programmes_mailbox():
    raw = _invite()

    [organizer] = _property(raw, "ORGANIZER")
    assert organizer.endswith(":mailto:traffpunkt@example.org")
    assert _event(raw)["ORGANIZER"].params["CN"] == "Träffpunkt Sörmland"


def test_the_site_uses_its_sender_address_as_organizer():
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)

    assert invites.organizer() == calendar.Person(email=address, name=name)


def test_cancel_keeps_the_uid_and_carries_a_higher_sequence_and_status_cancelled():
    request = _invite(calendar.REQUEST, sequence=3)
    cancel = _invite(calendar.CANCEL, sequence=4)

    assert _property(cancel, "METHOD") == ["METHOD:CANCEL"]
    assert _value(cancel, "UID") == _value(request, "UID") == "registration-7@traffpunkt.example.org"
    assert int(_value(cancel, "SEQUENCE")) > int(_value(request, "SEQUENCE"))
    assert _value(cancel, "STATUS") == "CANCELLED"
    assert _value(request, "STATUS") == "CONFIRMED"


def test_a_request_for_a_cancelled_meeting_says_cancelled():
    assert _value(_invite(calendar.REQUEST, cancelled=True), "STATUS") == "CANCELLED"


# Times


def test_dtstamp_is_utc():
    local_stamp = datetime(2026, 7, 1, 14, 30, tzinfo=STOCKHOLM)

    raw = calendar.invite(
        meeting=_meeting(), organizer=ORGANIZER, attendee=ATTENDEE, method=calendar.REQUEST, stamp=local_stamp
    )

    assert _value(raw, "DTSTAMP") == "20260701T123000Z"


@pytest.mark.parametrize(
    ("local_start", "utc_start"),
    [
        # Summer time (UTC+2) and winter time (UTC+1), and the nights the clocks change.
        (datetime(2026, 6, 15, 10, 0), "20260615T080000Z"),
        (datetime(2026, 1, 15, 10, 0), "20260115T090000Z"),
        (datetime(2026, 3, 28, 10, 0), "20260328T090000Z"),
        (datetime(2026, 3, 30, 10, 0), "20260330T080000Z"),
        (datetime(2026, 10, 24, 10, 0), "20261024T080000Z"),
        (datetime(2026, 10, 26, 10, 0), "20261026T090000Z"),
    ],
)
def test_dtstart_and_dtend_are_the_meetings_instants_in_utc(local_start, utc_start):
    starts = local_start.replace(tzinfo=STOCKHOLM)
    ends = starts + timedelta(hours=2)

    raw = _invite(starts_at=starts, ends_at=ends)

    # No TZID, no VTIMEZONE and no floating time: an explicit "Z" on a bare value.
    assert _property(raw, "DTSTART") == [f"DTSTART:{utc_start}"]
    [dtend] = _property(raw, "DTEND")
    assert re.fullmatch(r"DTEND:\d{8}T\d{6}Z", dtend)
    assert b"VTIMEZONE" not in raw and b"TZID" not in raw
    vevent = _event(raw)
    assert vevent.decoded("DTSTART") == starts
    assert vevent.decoded("DTEND") == ends
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(0)


def test_a_meeting_across_the_autumn_change_keeps_its_real_length():
    # 22:00 CEST to 10:00 CET: thirteen real hours, not twelve.
    starts = datetime(2026, 10, 24, 22, 0, tzinfo=STOCKHOLM)
    ends = datetime(2026, 10, 25, 10, 0, tzinfo=STOCKHOLM)

    raw = _invite(starts_at=starts, ends_at=ends)

    assert _value(raw, "DTSTART") == "20261024T200000Z"
    assert _value(raw, "DTEND") == "20261025T090000Z"


# Text: escaping, folding, encoding


def test_text_values_escape_commas_semicolons_backslashes_and_newlines():
    raw = _invite(summary="A, b; c \\ d\ne", location="Rum 1, plan 2; ingång B", description="Rad 1\nRad 2\r\nRad 3")

    assert _value(raw, "SUMMARY") == "A\\, b\\; c \\\\ d\\ne"
    assert _value(raw, "LOCATION") == "Rum 1\\, plan 2\\; ingång B"
    # CRLF inside a value is one line break, written as a single \n (no stray CR octet).
    assert _value(raw, "DESCRIPTION") == "Rad 1\\nRad 2\\nRad 3"
    vevent = _event(raw)
    assert str(vevent["SUMMARY"]) == "A, b; c \\ d\ne"
    assert str(vevent["LOCATION"]) == "Rum 1, plan 2; ingång B"


def test_lines_end_in_crlf_only():
    raw = _invite(summary=AWKWARD, description=AWKWARD)

    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")


@pytest.mark.parametrize("method", [calendar.REQUEST, calendar.CANCEL])
def test_every_physical_line_is_at_most_75_octets_and_whole_utf8(method):
    raw = _invite(method, summary=AWKWARD, description=AWKWARD * 3, location=AWKWARD)

    physical = raw.split(b"\r\n")
    assert physical[-1] == b""
    folded = 0
    for line in physical[:-1]:
        assert len(line) <= 75, line
        # Decoding each physical line on its own fails if a fold split a multi-octet character.
        line.decode("utf-8")
        folded += line.startswith(b" ")
    assert folded > 20, "the long values were expected to be folded"


def test_folded_text_unfolds_to_the_original():
    raw = _invite(summary=AWKWARD, description=AWKWARD * 3)

    vevent = _event(raw)
    # The parser turns an escaped CRLF into LF; everything else must come back untouched,
    # combining characters still after their base letters, ZWJ sequences intact.
    assert str(vevent["SUMMARY"]) == AWKWARD.replace("\r\n", "\n")
    assert str(vevent["DESCRIPTION"]) == (AWKWARD * 3).replace("\r\n", "\n")


# Every kind of character at every cut position: 1- to 4-octet characters, combining marks, a
# ZWJ sequence, and the characters written as escapes (backslash, comma, semicolon, newline).
FOLD_PIECES = ["a", "å", "€", "😀", "\\", "^", ",", ";", "\n", "e\u0301", "👩‍💻", " "]


@pytest.mark.parametrize("piece", FOLD_PIECES)
def test_folding_never_splits_a_character_at_any_cut_position(piece):
    for length in range(60, 160):
        text = ("x" * (length % 75) + piece * length)[:length]
        raw = _invite(summary=text, description=text)

        for line in raw.split(b"\r\n")[:-1]:
            assert len(line) <= 75, line
            line.decode("utf-8")
        vevent = _event(raw)
        assert str(vevent["SUMMARY"]) == str(vevent["DESCRIPTION"]) == text


def test_feed_lines_are_folded_the_same_way():
    meetings = [_meeting(uid=f"event-{n}@x", summary=AWKWARD, location=AWKWARD) for n in range(3)]

    raw = calendar.feed(meetings, name="Träffpunkt Sörmland", stamp=STAMP)

    for line in raw.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")


# Display names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('Anna "Annie" Andersson', "Anna Annie Andersson"),
        ("Anna\x00\x07\x1b\x7f Andersson", "Anna Andersson"),
        ("Anna\r\nBCC: evil@example.org", "AnnaBCC: evil@example.org"),
        ("Anna\u2028\u2029Andersson", "AnnaAndersson"),
        ('"\x01"', ""),
        ("Åsa Öberg-Ängström 😀", "Åsa Öberg-Ängström 😀"),
        ("O'Brien; Hansson, K: VD", "O'Brien; Hansson, K: VD"),
    ],
)
def test_display_names_lose_double_quotes_and_control_characters(name, expected):
    assert calendar.display_name(name) == expected

    raw = calendar.invite(
        meeting=_meeting(),
        organizer=ORGANIZER,
        attendee=calendar.Person(email="anna@example.org", name=name),
        method=calendar.REQUEST,
        stamp=STAMP,
    )

    [attendee] = _property(raw, "ATTENDEE")
    params = attendee.rsplit(":mailto:", 1)[0]
    # Only the quotes that delimit the CN value itself, and no control octets at all.
    assert params.count('"') in (0, 2)
    assert not any(unicodedata.category(char) == "Cc" for char in params)
    vevent = _event(raw)
    if expected:
        assert vevent["ATTENDEE"].params["CN"] == expected
    else:
        # Nothing printable was left: no empty CN="" for a client to show.
        assert "CN" not in vevent["ATTENDEE"].params
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.org"


# The adapter: UID and SEQUENCE from registrations and meetings


@pytest.fixture
def registration(db):
    return RegistrationFactory(event=EventFactory(online_url="https://meet.example.org/room-42"))


def test_uid_is_per_registration_and_never_changes(registration):
    host = settings.SITE_URL.split("://", 1)[1].split("/")[0].split(":")[0]
    first = invites.registration_invite(registration, method=calendar.REQUEST, description="")

    event_update(event_id=registration.event_id, location="Stadsbiblioteket, Nyköping")
    registration.refresh_from_db()
    second = invites.registration_invite(registration, method=calendar.REQUEST, description="")

    assert _value(first, "UID") == _value(second, "UID") == f"registration-{registration.id}@{host}"
    assert int(_value(second, "SEQUENCE")) == int(_value(first, "SEQUENCE")) + 1
    other = RegistrationFactory(event=registration.event)
    assert invites.registration_uid(other) != invites.registration_uid(registration)


def test_invite_sequence_rises_with_time_place_and_link_but_not_with_the_title(registration):
    event_id = registration.event_id

    def sequence():
        registration.refresh_from_db()
        registration.event.refresh_from_db()
        return int(_value(invites.registration_invite(registration, method="REQUEST", description=""), "SEQUENCE"))

    start = sequence()
    event = registration.event
    event_update(event_id=event_id, title="Ny titel")
    assert sequence() == start
    event_update(event_id=event_id, starts_at=event.starts_at + timedelta(hours=1))
    assert sequence() == start + 1
    event_update(event_id=event_id, location="Annan plats")
    assert sequence() == start + 2
    event_update(event_id=event_id, online_url="https://meet.example.org/new-room")
    assert sequence() == start + 3


def test_a_cancelled_registration_outranks_the_last_invitation(registration):
    request = invites.registration_invite(registration, method=calendar.REQUEST, description="")

    registration_cancel(registration_id=registration.id)
    registration.refresh_from_db()
    cancel = invites.registration_invite(registration, method=calendar.CANCEL, description="")

    assert _value(cancel, "UID") == _value(request, "UID")
    assert int(_value(cancel, "SEQUENCE")) == int(_value(request, "SEQUENCE")) + 1
    assert _value(cancel, "STATUS") == "CANCELLED"
    # A withdrawal carries no online link.
    assert "room-42" not in "".join(_unfold(cancel))


def test_a_cancelled_meeting_outranks_the_last_invitation(registration):
    request = invites.registration_invite(registration, method=calendar.REQUEST, description="")

    event_cancel(event_id=registration.event_id)
    registration.refresh_from_db()
    cancel = invites.registration_invite(registration, method=calendar.CANCEL, description="")

    assert _value(cancel, "UID") == _value(request, "UID")
    assert int(_value(cancel, "SEQUENCE")) == int(_value(request, "SEQUENCE")) + 1
    assert _value(cancel, "STATUS") == "CANCELLED"


def test_the_invitation_carries_the_online_link_only_in_a_request(registration):
    request = invites.registration_invite(registration, method=calendar.REQUEST, description="")

    assert "https://meet.example.org/room-42" in _value(request, "LOCATION")


def test_invites_to_one_meeting_carry_each_persons_own_lines_only():
    bertil = calendar.Person(email="bertil@example.org", name="Bertil")
    first = _invite(uid="registration-1@x", description="Din länk: https://x/anmalan/a/")
    second = calendar.invite(
        meeting=_meeting(uid="registration-2@x", description="Din länk: https://x/anmalan/b/"),
        organizer=ORGANIZER,
        attendee=bertil,
        method=calendar.REQUEST,
        stamp=STAMP + timedelta(minutes=1),
    )

    for raw, uid, address, link in (
        (first, "registration-1@x", "anna", "a"),
        (second, "registration-2@x", "bertil", "b"),
    ):
        vevent = _event(raw)
        assert str(vevent["UID"]) == uid
        assert len(_property(raw, "ATTENDEE")) == 1
        assert str(vevent["ATTENDEE"]) == f"mailto:{address}@example.org"
        assert str(vevent["DESCRIPTION"]) == f"Din länk: https://x/anmalan/{link}/"
        assert str(vevent["SUMMARY"]) == "Tematräff: finansiering"
        assert len(_property(raw, "ORGANIZER")) == 1 and len(_property(raw, "DTSTART")) == 1
    assert _event(second).decoded("DTSTAMP") == STAMP + timedelta(minutes=1)


def test_a_feed_stamps_each_request_and_shows_every_change():
    meetings = [_meeting(uid=f"event-{n}@x", summary=f"Träff {n}") for n in range(3)]
    later = STAMP + timedelta(hours=1)

    first = calendar.feed(meetings, name="Träffpunkt", stamp=STAMP)
    again = calendar.feed(meetings, name="Träffpunkt", stamp=later)
    moved = calendar.feed(
        [meetings[0], replace(meetings[1], starts_at=meetings[1].starts_at + timedelta(days=1), sequence=4)],
        name="Träffpunkt",
        stamp=later,
    )

    vevents = Calendar.from_ical(first).walk("VEVENT")
    assert [str(v["UID"]) for v in vevents] == ["event-0@x", "event-1@x", "event-2@x"]
    assert [str(v["SUMMARY"]) for v in vevents] == ["Träff 0", "Träff 1", "Träff 2"]
    assert all(v.decoded("DTSTAMP") == STAMP for v in vevents)
    assert [v.decoded("DTSTAMP") for v in Calendar.from_ical(again).walk("VEVENT")] == [later] * 3
    assert again.replace(b"20261127T130005Z", b"20261127T120005Z") == first
    [unchanged, changed] = Calendar.from_ical(moved).walk("VEVENT")
    assert unchanged.decoded("DTSTART") == meetings[0].starts_at
    assert changed.decoded("DTSTART") == meetings[1].starts_at + timedelta(days=1)
    assert int(changed["SEQUENCE"]) == 4
    assert all(len(_property(raw, "DTSTAMP")) == 3 for raw in (first, again))
