"""Delivery through Django's SMTP backend to a real SMTP server (aiosmtpd on a free port).

What arrives is read back as a mail client would: the MIME parts, the calendar invite
(parsed with icalendar), the times in the text, and the links (which must work).
"""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar

from events.services import event_cancel, event_update
from notifications import delivery, outbox, services
from notifications.calendar import display_name
from notifications.models import Message
from registrations.services import registration_cancel, signup_create
from tests.factories import EventFactory, RegistrationFactory, person
from tests.support.threads import at_once

Kind, State = Message.Kind, Message.State
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ONLINE_URL = "https://meet.example.org/secret-room"


def meeting(**fields):
    """A meeting starting on a whole minute (calendars carry no fractions of a second)."""
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=14)
    return EventFactory(**{"starts_at": starts, "ends_at": starts + timedelta(hours=2), **fields})


def sign_up(event, email, **fields):
    [outcome] = signup_create(person=person(email, **fields), event_ids=[event.id])
    return outcome.registration


def parts(message) -> dict[str, object]:
    """The leaf parts by content type (the invite.ics attachment under its file name)."""
    found = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        key = part.get_filename() or part.get_content_type()
        assert key not in found, f"two {key} parts"
        found[key] = part
    return found


def invite_of(message):
    """The text/calendar alternative and the invite.ics attachment, both parsed; they must agree."""
    found = parts(message)
    alternative, attachment = found["text/calendar"], found["invite.ics"]
    ics = alternative.get_payload(decode=True)
    # The same file twice, byte for byte, its lines ending in CRLF as RFC 5545 wants.
    assert attachment.get_payload(decode=True) == ics
    assert ics.endswith(b"\r\n") and b"\n" not in ics.replace(b"\r\n", b"")
    invite = Calendar.from_ical(ics)
    # RFC 6047: the Content-Type names the same METHOD as the file.
    assert alternative.get_content_type() == "text/calendar"
    assert alternative.get_param("method") == str(invite["METHOD"])
    assert alternative.get_param("charset").upper() == "UTF-8"
    [vevent] = invite.walk("VEVENT")
    return invite, vevent


def texts(message) -> tuple[str, str]:
    found = parts(message)
    return found["text/plain"].get_content(), found["text/html"].get_content()


def local_time(instant) -> str:
    return timezone.localtime(instant, STOCKHOLM).strftime("%H:%M")


def manage_path(text: str) -> str:
    [url] = re.findall(re.escape(settings.SITE_URL) + r"/(?:en/)?anmalan/[\w-]+/", text)
    return urlsplit(url).path


@pytest.mark.django_db
def test_a_confirmation_arrives_with_text_html_and_a_request_invite_for_the_meeting(mailbox, client):
    event = meeting(
        capacity=5, location="Kulturhuset, Nyköping", online_url=ONLINE_URL, title="Tematräff om upphandling"
    )
    registration = sign_up(event, "anna@example.org")

    assert delivery.deliver_due() == 1

    [message] = mailbox.messages()
    assert mailbox.envelopes == [(settings.DEFAULT_FROM_EMAIL.split("<")[1].rstrip(">"), ["anna@example.org"])]
    assert message["Subject"] == "Bekräftad: Tematräff om upphandling"
    assert message["From"].addresses[0].display_name == parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"].datetime.utcoffset() is not None

    # Text and HTML, with the invitation beside them (RFC 6047) and once more as a file.
    [body, attachment] = message.iter_parts()
    assert message.get_content_type() == "multipart/mixed"
    assert body.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in body.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    assert (attachment.get_filename(), attachment.get_content_disposition()) == ("invite.ics", "attachment")

    calendar, vevent = invite_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert parts(message)["text/calendar"].get_param("method") == "REQUEST"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["UID"]) == f"registration-{registration.id}@127.0.0.1"
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.org"
    assert vevent["ATTENDEE"].params["RSVP"] == "FALSE"
    assert ONLINE_URL in str(vevent["LOCATION"])

    # Outlook shows the body, not the invite: it carries time, place, link and the manage link.
    text, html = texts(message)
    for body in (text, html):
        assert local_time(event.starts_at) in body  # Swedish time, not UTC
        assert local_time(event.ends_at) in body
        assert "Kulturhuset, Nyköping" in body
        assert ONLINE_URL in body
    assert client.get(manage_path(text)).status_code == 200
    assert Message.objects.get().state == State.SENT

    # The calendar entry keeps the links needed on the day, not the e-mail's greeting.
    description = str(vevent["DESCRIPTION"])
    assert f"Länk till det digitala mötet: {ONLINE_URL}" in description
    assert manage_path(description) == manage_path(text)
    assert f"Om träffen: {settings.SITE_URL}/traffar/{event.id}/" in description
    assert "Hej" not in description


@pytest.mark.django_db
def test_the_body_shows_stockholm_time_in_winter_and_summer(mailbox):
    year = timezone.now().year + 1
    winter = datetime(year, 1, 13, 12, 0, tzinfo=UTC)  # 13:00 CET (UTC+1)
    summer = datetime(year, 6, 9, 11, 0, tzinfo=UTC)  # 13:00 CEST (UTC+2)
    for starts in (winter, summer):
        event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
        sign_up(event, f"month{starts.month}@example.org")

    assert delivery.deliver_due() == 2

    for message in mailbox.messages():
        text, html = texts(message)
        assert "13:00–15:00" in text and "13:00–15:00" in html


@pytest.mark.django_db
def test_a_waitlisted_person_gets_neither_the_online_link_nor_an_invite(mailbox, client):
    event = meeting(capacity=1, online=True)
    sign_up(event, "seated@example.org")
    sign_up(event, "waiting@example.org")

    delivery.deliver_due()

    [waiting] = mailbox.to("waiting@example.org")
    assert waiting.get_content_type() == "multipart/alternative"
    assert set(parts(waiting)) == {"text/plain", "text/html"}
    text, html = texts(waiting)
    assert ONLINE_URL not in text and ONLINE_URL not in html
    assert "plats 1" in text  # the position on the waiting list
    assert client.get(manage_path(text)).status_code == 200
    [seated] = mailbox.to("seated@example.org")
    assert ONLINE_URL in texts(seated)[0]


@pytest.mark.django_db
def test_an_english_registration_gets_the_mail_in_english(mailbox, client):
    event = meeting(title="Theme meeting")
    sign_up(event, "eva@example.org", language="en")

    delivery.deliver_due()

    [message] = mailbox.messages()
    assert message["Subject"] == "Confirmed: Theme meeting"
    text, _html = texts(message)
    assert "/en/anmalan/" in text
    assert client.get(manage_path(text)).status_code == 200


@pytest.mark.django_db
def test_cancelling_sends_a_cancel_with_the_same_uid_and_a_higher_sequence(mailbox):
    event = meeting(capacity=1)
    seated = sign_up(event, "seated@example.org")
    sign_up(event, "waiting@example.org")
    delivery.deliver_due()
    _calendar, request = invite_of(mailbox.to("seated@example.org")[0])

    registration_cancel(registration_id=seated.id)
    delivery.deliver_due()

    [_confirmation, cancellation] = mailbox.to("seated@example.org")
    calendar, cancel = invite_of(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert parts(cancellation)["text/calendar"].get_param("method") == "CANCEL"
    assert str(cancel["UID"]) == str(request["UID"])
    assert int(cancel["SEQUENCE"]) > int(request["SEQUENCE"])
    assert str(cancel["STATUS"]) == "CANCELLED"
    # The seat went to the first waiting, who now gets an invite of their own.
    [_waitlisted, promoted] = mailbox.to("waiting@example.org")
    _calendar, invite = invite_of(promoted)
    assert int(invite["SEQUENCE"]) == 0 and str(invite["UID"]) != str(request["UID"])


@pytest.mark.django_db
def test_a_moved_and_then_cancelled_meeting_updates_and_then_withdraws_the_same_entry(mailbox):
    event = meeting(capacity=5)
    sign_up(event, "anna@example.org")
    delivery.deliver_due()
    moved_to = event.starts_at + timedelta(days=1)

    event_update(event_id=event.id, starts_at=moved_to, ends_at=moved_to + timedelta(hours=2))
    delivery.deliver_due()
    event_cancel(event_id=event.id)
    delivery.deliver_due()

    invites = [invite_of(message) for message in mailbox.to("anna@example.org")]
    assert [str(calendar["METHOD"]) for calendar, _ in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({str(vevent["UID"]) for _, vevent in invites}) == 1
    assert [int(vevent["SEQUENCE"]) for _, vevent in invites] == [0, 1, 2]
    assert invites[1][1].decoded("DTSTART") == moved_to
    assert local_time(moved_to) in texts(mailbox.to("anna@example.org")[1])[0]


@pytest.mark.django_db
def test_delivering_twice_sends_each_message_once(mailbox):
    event = meeting(capacity=None)
    for i in range(5):
        sign_up(event, f"person{i}@example.org")

    assert delivery.deliver_due() == 5
    assert delivery.deliver_due() == 0

    assert sorted(mailbox.recipients().values()) == [1] * 5
    assert set(Message.objects.values_list("state", "attempts")) == {(State.SENT, 1)}


@pytest.mark.django_db
def test_a_message_no_longer_needed_is_skipped_not_sent(mailbox):
    event = meeting(capacity=5)
    registration = sign_up(event, "anna@example.org")
    registration_cancel(registration_id=registration.id)  # before the confirmation went out

    delivery.deliver_due()

    assert [m["Subject"] for m in mailbox.messages()] == [f"Din anmälan är avbokad: {event.title}"]
    assert Message.objects.get(kind=Kind.CONFIRMATION).state == State.SKIPPED


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_deliver_each_message_exactly_once(mailbox):
    """Four threads, each with its own database connection, call deliver_due at the same
    moment: the claim (a row lock on PostgreSQL, an IMMEDIATE transaction on SQLite) must
    hand every row to one of them only."""
    event = meeting(capacity=None)
    registrations = RegistrationFactory.create_batch(120, event=event)
    from notifications import outbox

    outbox.queue_for_registrations(Kind.CONFIRMATION, registrations)

    sent, _errors = at_once(delivery.deliver_due, threads=4)

    assert sum(sent) == 120
    counts = mailbox.recipients()
    assert len(counts) == 120 and set(counts.values()) == {1}
    assert Message.objects.filter(state=State.SENT, attempts=1).count() == 120


@pytest.mark.django_db
def test_messages_of_one_batch_go_out_in_the_order_they_were_written(mailbox):
    event = meeting(capacity=5)
    registration = sign_up(event, "anna@example.org")
    event_update(event_id=event.id, location="Biblioteket, Flen")
    registration_cancel(registration_id=registration.id)

    delivery.deliver_due()

    # The confirmation and the change are skipped (the registration is cancelled by now).
    assert [m["Subject"].split(":")[0] for m in mailbox.messages()] == ["Din anmälan är avbokad"]
    sign_up(event, "eva@example.org")
    event_update(event_id=event.id, location="Stadshuset, Flen")

    delivery.deliver_due()

    assert [m["Subject"].split(":")[0] for m in mailbox.to("eva@example.org")] == ["Bekräftad", "Ändrad"]


NAMES = ['Åsa "Ö" <b>Öberg</b> & co', "مرحبا سلمى", "Zoë e\u0301 👩‍💻", "O'Brien; Hansson, K: VD", ""]


@pytest.mark.django_db
def test_in_one_batch_each_person_gets_their_own_name_and_links_and_no_one_elses(mailbox):
    event = meeting(capacity=None, online_url=ONLINE_URL)
    registrations = [
        RegistrationFactory(event=event, name=name, email=f"person{i}@example.org", language="en" if i % 2 else "sv")
        for i, name in enumerate(NAMES)
    ]
    outbox.queue_for_registrations(Kind.CONFIRMATION, registrations)

    assert delivery.deliver_due() == len(NAMES)

    bodies = {}
    for registration in registrations:
        [message] = mailbox.to(registration.email)
        text, html = texts(message)
        bodies[registration.email] = (text, html, manage_path(text))
        if registration.name:
            assert registration.name in text and escape(registration.name) in html
        _invite, vevent = invite_of(message)
        assert vevent["ATTENDEE"].params.get("CN", "") == display_name(registration.name)
    for email, (text, html, path) in bodies.items():
        assert path in html
        for other in registrations:
            if other.email != email:
                assert bodies[other.email][2] not in text + html
                assert not other.name or other.name not in text


@pytest.mark.django_db
def test_a_non_ascii_domain_is_sent_in_idna(mailbox):
    registration = RegistrationFactory(event=meeting(), email="anna@exämpel.se")
    outbox.queue_signup(registration)

    assert delivery.deliver_due() == 1

    [message] = mailbox.messages()
    assert mailbox.envelopes[0][1] == ["anna@xn--exmpel-cua.se"]
    assert message["To"].addresses[0].addr_spec == "anna@xn--exmpel-cua.se"


@pytest.mark.django_db
def test_a_line_longer_than_smtp_allows_arrives_whole(mailbox):
    event = meeting()
    RegistrationFactory(event=event, email="anna@example.org")
    paragraph = "Vi ses på träffen, välkomna!" * 70  # one line of about 2,000 octets; SMTP allows 998
    services.announcement_send(event_id=event.id, subject="Hej", body=paragraph, audience="both", created_by=None)

    assert delivery.deliver_due() == 1

    text, html = texts(mailbox.messages()[0])
    assert paragraph in text and paragraph in html


INJECTED = "\r\nBcc: eve@example.org"


@pytest.mark.django_db
def test_a_line_break_in_a_subject_or_address_fails_its_message_and_holds_up_nothing_else(mailbox):
    broken_title = meeting(title="Tematräff" + INJECTED)
    event = meeting(capacity=None)
    registrations = [
        RegistrationFactory(event=broken_title, email="anna@example.org"),
        RegistrationFactory(event=event, email="bo@example.org" + INJECTED),
        RegistrationFactory(event=event, email="cecilia@example.org"),
    ]
    outbox.queue_for_registrations(Kind.CONFIRMATION, registrations)

    assert delivery.deliver_due() == 1

    assert [recipients for _sender, recipients in mailbox.envelopes] == [["cecilia@example.org"]]
    assert "eve@example.org" not in mailbox.rcpt_attempts
    states = dict(Message.objects.values_list("recipient", "state"))
    assert states == {
        "anna@example.org": State.FAILED,
        "bo@example.org" + INJECTED: State.FAILED,
        "cecilia@example.org": State.SENT,
    }
