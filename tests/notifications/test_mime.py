"""notifications.mime: the bytes of an e-mail, read back with the stdlib's strict parser as a
mail client would (policy.default), so what is checked is what a reader gets."""

import email
import email.policy

import pytest

from notifications import mime

ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Tr\xc3\xa4ff\r\nEND:VCALENDAR\r\n"


def sent(**fields) -> tuple[bytes, email.message.EmailMessage]:
    defaults = {
        "subject": "Påminnelse: Finansiering för sociala företag – “fika” ingår",
        "from_email": "Träffpunkt <traffpunkt@example.org>",
        "to": ["anna@example.org"],
        "text": "Hej Anna!\n\nVälkommen.\n",
        "html": "<p>Hej Anna!</p>\n",
        "linesep": "\r\n",
    }
    data = mime.build(**{**defaults, **fields}).as_bytes()
    return data, email.message_from_bytes(data, policy=email.policy.default)


def leaves(message) -> list[str]:
    return [part.get_filename() or part.get_content_type() for part in message.walk() if not part.is_multipart()]


def test_an_invitation_is_an_alternative_and_an_attachment_with_the_same_bytes():
    data, message = sent(calendar=ICS, calendar_method="REQUEST")

    assert message.get_content_type() == "multipart/mixed"
    assert leaves(message) == ["text/plain", "text/html", "text/calendar", "invite.ics"]
    [alternative] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    [attachment] = [part for part in message.walk() if part.get_filename() == "invite.ics"]
    assert alternative.get_param("method") == "REQUEST"
    assert alternative.get_payload(decode=True) == ICS == attachment.get_payload(decode=True)
    assert attachment.get_content_disposition() == "attachment"
    # Every line ends in CRLF, as SMTP wants (smtplib does not mend bytes).
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_without_an_invitation_the_message_is_text_and_html_only():
    _, message = sent()

    assert message.get_content_type() == "multipart/alternative"
    assert leaves(message) == ["text/plain", "text/html"]


def test_headers_and_bodies_read_back_as_written():
    _, message = sent(headers={"Auto-Submitted": "auto-generated"})

    assert message["Subject"] == "Påminnelse: Finansiering för sociala företag – “fika” ingår"
    assert message["From"].addresses[0].display_name == "Träffpunkt"
    assert message["To"].addresses[0].addr_spec == "anna@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"].datetime.utcoffset() is not None
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Hej Anna!\n\nVälkommen.\n"
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == "<p>Hej Anna!</p>\n"


def test_text_with_lines_too_long_for_smtp_goes_base64_and_reads_back_whole():
    paragraph = "Vi ses på träffen! " * 100  # one line of about 1,900 bytes, longer than SMTP allows
    data, message = sent(text=paragraph + "\n")

    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    plain = message.get_body(("plain",))
    assert plain["Content-Transfer-Encoding"] == "base64"
    assert plain.get_content().replace("\r\n", "\n") == paragraph + "\n"


def test_a_non_ascii_domain_is_idna_encoded_in_the_header():
    _, message = sent(to=["anna@exämpel.se"])

    assert message["To"].addresses[0].addr_spec == "anna@xn--exmpel-cua.se"


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "Rad ett\r\nBcc: x@example.org"},
        {"subject": "Rad ett\nRad två"},
        {"headers": {"X-Note": "a\rb"}},
        {"to": ["anna@example.org\r\nBcc: x@example.org"]},
    ],
)
def test_a_header_that_would_break_into_lines_is_refused(fields):
    with pytest.raises(ValueError, match="newlines"):
        sent(**fields)


def test_a_non_ascii_local_part_is_refused():
    with pytest.raises(ValueError, match="Invalid address"):
        sent(to=["änna@example.org"])


@pytest.mark.parametrize(
    "fields",
    [
        {"calendar": ICS, "calendar_method": "CANCEL"},
        # Long headers that must be folded, and non-ASCII ones that must be encoded.
        {"subject": "Påminnelse: " + "en mycket lång rubrik " * 8, "to": [f"person{i}@example.org" for i in range(8)]},
        {"headers": {"X-Long": "ascii " * 30, "X-Short": "kort"}},
    ],
)
def test_the_quick_way_of_writing_headers_writes_what_compat32_writes(fields):
    message = mime.build(
        **{
            **dict(subject="Hej", from_email="a@example.org", to=["b@example.org"]),
            **fields,
            "text": "Hej\n",
            "html": "<p>Hej</p>\n",
            "linesep": "\r\n",
        }
    )

    assert message.as_bytes() == message.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))
