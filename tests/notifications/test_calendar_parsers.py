"""Every kind of calendar file the site produces, read by two independent parsers: vobject
(Python) and ical.js (JavaScript; what Thunderbird and Nextcloud use). Each must find the
meeting at the instant it really takes place, for meetings on both sides of the 2026 daylight
saving changes in Europe/Stockholm and across the change nights.

Expected instants are written out in UTC by hand, so neither the site's nor the test's time
zone arithmetic can agree with itself by mistake.

ical.js is installed with `npm ci` at the repository root (package.json pins it); without
node or node_modules/ical.js its half of the tests is skipped, saying so.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.conf import settings

from events.services import event_cancel
from notifications import calendar, emails, invites, outbox
from notifications.feeds import feed_url
from notifications.models import Message
from registrations.models import Registration
from registrations.services import registration_cancel
from tests.factories import EventFactory, RegistrationFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
REPO = Path(__file__).resolve().parents[2]
ICALJS_SCRIPT = Path(__file__).with_name("icaljs_parse.mjs")

Kind = Message.Kind


@dataclass(frozen=True)
class Case:
    """A meeting in local time and the same instants in UTC, worked out by hand."""

    local_start: datetime
    local_end: datetime
    utc_start: datetime
    utc_end: datetime


def _case(local_start, local_end, utc_start, utc_end, *, fold_end=0) -> Case:
    return Case(
        local_start.replace(tzinfo=STOCKHOLM),
        local_end.replace(tzinfo=STOCKHOLM, fold=fold_end),
        utc_start.replace(tzinfo=UTC),
        utc_end.replace(tzinfo=UTC),
    )


D = datetime
CASES = {
    # 2026-03-29 02:00 CET (UTC+1) becomes 03:00 CEST (UTC+2).
    "day-before-spring-change": _case(D(2026, 3, 28, 10), D(2026, 3, 28, 12), D(2026, 3, 28, 9), D(2026, 3, 28, 11)),
    "day-after-spring-change": _case(D(2026, 3, 30, 10), D(2026, 3, 30, 12), D(2026, 3, 30, 8), D(2026, 3, 30, 10)),
    # 22:00 CET to 10:00 CEST is eleven real hours.
    "across-spring-night": _case(D(2026, 3, 28, 22), D(2026, 3, 29, 10), D(2026, 3, 28, 21), D(2026, 3, 29, 8)),
    # 2026-10-25 03:00 CEST (UTC+2) becomes 02:00 CET (UTC+1).
    "day-before-autumn-change": _case(
        D(2026, 10, 24, 10), D(2026, 10, 24, 12), D(2026, 10, 24, 8), D(2026, 10, 24, 10)
    ),
    "day-after-autumn-change": _case(D(2026, 10, 26, 10), D(2026, 10, 26, 12), D(2026, 10, 26, 9), D(2026, 10, 26, 11)),
    # 22:00 CEST to 10:00 CET is thirteen real hours.
    "across-autumn-night": _case(D(2026, 10, 24, 22), D(2026, 10, 25, 10), D(2026, 10, 24, 20), D(2026, 10, 25, 9)),
    # 02:30 happens twice that night: from the first (summer) 02:30 to the second (winter) one.
    "the-repeated-hour": _case(
        D(2026, 10, 25, 2, 30), D(2026, 10, 25, 2, 30), D(2026, 10, 25, 0, 30), D(2026, 10, 25, 1, 30), fold_end=1
    ),
}


def test_the_hand_written_instants_agree_with_the_time_zone_database():
    for case in CASES.values():
        assert case.local_start.astimezone(UTC) == case.utc_start
        assert case.local_end.astimezone(UTC) == case.utc_end


# The two parsers, each reduced to the same plain data


def _parse_vobject(raw: bytes, tmp_path: Path) -> dict:
    [vcalendar] = list(vobject.readComponents(raw.decode("utf-8")))
    events = []
    for vevent in vcalendar.contents.get("vevent", []):
        times = {}
        for name in ("dtstart", "dtend"):
            value = vevent.contents[name][0].value
            # A datetime without a zone would be floating: read in whatever zone the reader is in.
            assert isinstance(value, datetime) and value.tzinfo is not None, f"{name} is floating: {value!r}"
            times[name] = int(value.timestamp())
        events.append(
            {
                "uid": vevent.uid.value,
                "sequence": int(vevent.sequence.value),
                "status": vevent.status.value if "status" in vevent.contents else None,
                "attendees": [line.value.lower() for line in vevent.contents.get("attendee", [])],
                **times,
            }
        )
    method = vcalendar.method.value if "method" in vcalendar.contents else None
    return {"method": method, "events": events}


def _parse_icaljs(raw: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "calendar.ics"
    path.write_bytes(raw)
    result = subprocess.run(
        ["node", str(ICALJS_SCRIPT), str(path)], capture_output=True, text=True, timeout=60, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    events = []
    for event in data["events"]:
        for name in ("dtstart", "dtend"):
            assert event[name]["zone"] not in ("floating", "date"), f"{name} read as {event[name]['zone']}"
        events.append(
            {
                "uid": event["uid"],
                "sequence": event["sequence"],
                "status": event["status"],
                "attendees": [attendee.lower() for attendee in event["attendees"]],
                "dtstart": event["dtstart"]["epoch"],
                "dtend": event["dtend"]["epoch"],
            }
        )
    return {"method": data["method"], "events": events}


def _icaljs_missing() -> str:
    if shutil.which("node") is None:
        return "node is not installed; CI installs Node 20 and runs `npm ci` at the repository root"
    if not (REPO / "node_modules" / "ical.js" / "package.json").is_file():
        return "node_modules/ical.js is missing: run `npm ci` at the repository root (package.json pins ical.js 2.2.1)"
    return ""


@pytest.fixture(params=["vobject", "ical.js"])
def parse(request, tmp_path):
    """parse(raw) → {"method", "events": [...]} as the parameter's parser understood the file."""
    if request.param == "ical.js":
        missing = _icaljs_missing()
        if missing:
            pytest.skip(missing)
        return lambda raw: _parse_icaljs(raw, tmp_path)
    return lambda raw: _parse_vobject(raw, tmp_path)


# Every kind of file, built the way the site builds it


@dataclass(frozen=True)
class Expected:
    what: str
    raw: bytes
    method: str
    uid: str
    sequence: int
    status: str
    attendees: list[str]


def _calendar_parts(message: Message) -> tuple[bytes, str, bytes]:
    """The e-mail's text/calendar alternative (bytes, its method= parameter) and invite.ics."""
    mime = emails.build(message).message()
    [alternative] = [part for part in mime.walk() if part.get_content_type() == "text/calendar"]
    [attachment] = [part for part in mime.walk() if part.get_filename() == "invite.ics"]
    return alternative.get_payload(decode=True), alternative.get_param("method"), attachment.get_payload(decode=True)


def _emailed(what: str, registration: Registration, kind: str, *, uid: str, sequence: int, status: str) -> Expected:
    message = Message.objects.get(registration=registration, kind=kind)
    raw, content_type_method, attachment = _calendar_parts(message)
    method = calendar.CANCEL if status == "CANCELLED" else calendar.REQUEST
    # RFC 6047: the part's method= names the same METHOD as the file; the attachment is the same file.
    assert content_type_method == method, what
    assert attachment == raw, what
    return Expected(what, raw, method, uid, sequence, status, [f"mailto:{registration.email}".lower()])


def _every_kind(case: Case, client) -> list[Expected]:
    """A meeting with two confirmed people: an invitation, the public and personal feeds, one
    person cancelling, then the meeting cancelled, and both feeds again."""
    host = invites._host()
    event = EventFactory(
        title="Tematräff, vår; höst",
        starts_at=case.local_start,
        ends_at=case.local_end,
        online_url="https://meet.example.org/room",
    )
    leaving, staying = (RegistrationFactory(event=event, email=f"{who}@example.org") for who in ("lena", "sam"))
    for registration in (leaving, staying):
        outbox.queue_signup(registration)
    public_uid = f"event-{event.id}@{host}"
    leaving_uid, staying_uid = (f"registration-{r.id}@{host}" for r in (leaving, staying))

    def personal(status, sequence):
        registrations = Registration.objects.filter(pk=staying.pk).select_related("event")
        return Expected(
            "personal feed", invites.personal_feed(registrations), "PUBLISH", staying_uid, sequence, status, []
        )

    def public(status, sequence):
        raw = client.get(f"/api/events/{event.id}/calendar.ics").content
        return Expected("public feed", raw, "PUBLISH", public_uid, sequence, status, [])

    files = [
        _emailed("confirmation", leaving, Kind.CONFIRMATION, uid=leaving_uid, sequence=0, status="CONFIRMED"),
        personal("CONFIRMED", 0),
        public("CONFIRMED", 0),
    ]
    registration_cancel(registration_id=leaving.id)
    files.append(
        _emailed(
            "own cancellation", leaving, Kind.REGISTRATION_CANCELLED, uid=leaving_uid, sequence=1, status="CANCELLED"
        )
    )
    event_cancel(event_id=event.id)
    files += [
        _emailed("meeting cancelled", staying, Kind.EVENT_CANCELLED, uid=staying_uid, sequence=1, status="CANCELLED"),
        personal("CANCELLED", 1),
        public("CANCELLED", 1),
    ]
    return files


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_invite_and_feed_is_read_at_the_meetings_instant(case, parse, client):
    for expected in _every_kind(case, client):
        parsed = parse(expected.raw)

        assert parsed["method"] == expected.method, expected.what
        [event] = parsed["events"]
        assert event == {
            "uid": expected.uid,
            "sequence": expected.sequence,
            "status": expected.status,
            "attendees": expected.attendees,
            "dtstart": int(case.utc_start.timestamp()),
            "dtend": int(case.utc_end.timestamp()),
        }, expected.what


# The personal feed as a calendar client fetches it. It lists upcoming and recent meetings
# only, so its cases sit around the coming changes, found by the EU rule (last Sunday of March
# and of October, 01:00 UTC) rather than by the time zone database under test.


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _feed_cases(today: datetime) -> list[Case]:
    cases = []
    for month in (3, 10):
        year = today.year if _last_sunday(today.year, month) > today + timedelta(days=2) else today.year + 1
        change = _last_sunday(year, month)
        # Local 10:00-12:00 the day before and the day after, and 22:00 to 10:00 across the night.
        before, after = change - timedelta(days=1), change + timedelta(days=1)
        summer_first = month == 10  # in October the day before is summer time (UTC+2)
        offset_before, offset_after = (2, 1) if summer_first else (1, 2)
        for day, offset in ((before, offset_before), (after, offset_after)):
            cases.append(
                _case(
                    day.replace(hour=10),
                    day.replace(hour=12),
                    day.replace(hour=10 - offset),
                    day.replace(hour=12 - offset),
                )
            )
        cases.append(
            _case(
                before.replace(hour=22),
                change.replace(hour=10),
                before.replace(hour=22 - offset_before),
                change.replace(hour=10 - offset_after),
            )
        )
    return cases


def test_the_eu_rule_finds_the_known_changes():
    assert _last_sunday(2026, 3) == datetime(2026, 3, 29)
    assert _last_sunday(2026, 10) == datetime(2026, 10, 25)
    assert _last_sunday(2027, 3) == datetime(2027, 3, 28)
    assert _last_sunday(2027, 10) == datetime(2027, 10, 31)
    for case in _feed_cases(datetime(2026, 11, 27)) + _feed_cases(datetime(2027, 5, 1)):
        assert case.local_start.astimezone(UTC) == case.utc_start
        assert case.local_end.astimezone(UTC) == case.utc_end


@pytest.mark.django_db
def test_the_served_personal_feed_is_read_at_each_meetings_instant(parse, client):
    cases = _feed_cases(datetime.now(UTC).replace(tzinfo=None))
    expected = {}
    for case in cases:
        registration = RegistrationFactory(
            email="Kim@Example.org",
            event=EventFactory(starts_at=case.local_start, ends_at=case.local_end),
        )
        expected[invites.registration_uid(registration)] = case

    response = client.get(urlsplit(feed_url("kim@example.org")).path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = parse(response.content)
    assert parsed["method"] == "PUBLISH"
    assert {event["uid"] for event in parsed["events"]} == set(expected)
    for event in parsed["events"]:
        case = expected[event["uid"]]
        assert (event["dtstart"], event["dtend"]) == (int(case.utc_start.timestamp()), int(case.utc_end.timestamp()))
        assert event["attendees"] == []


def test_settings_zone_is_stockholm():
    # The cases above are local times in the site's zone; if that changed, they would be wrong.
    assert settings.TIME_ZONE == "Europe/Stockholm"
