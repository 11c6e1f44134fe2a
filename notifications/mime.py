"""The bytes of the e-mails the outbox sends, built with the stdlib's email.mime classes.

Django 6 builds e-mails with the stdlib's newer email API, which parses every header it is
given and folds it again on output; for a reminder with an invitation that took 5 to 9 ms, more
than rendering the templates and the invitation together. These messages have one fixed shape
(text, HTML, optional invitation), so they are put together directly, as Django did before
version 6, about four times faster:

    multipart/mixed                  (only with an invitation)
        multipart/alternative
            text/plain
            text/html
            text/calendar; method=...  (the invitation, RFC 6047)
        application/ics              invite.ics

Header values are checked to be single lines, display names are encoded (RFC 2047) and
non-ASCII domains IDNA-encoded, as Django does.
"""

import base64
import email.charset
import email.policy
import functools
import re
import secrets
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail.utils import DNS_NAME
from django.utils.encoding import punycode
from django.utils.timezone import get_current_timezone

# SMTP allows lines of at most 998 octets; text with longer lines goes base64.
_MAX_LINE_OCTETS = 998
_EIGHT_BIT = email.charset.Charset("utf-8")
_EIGHT_BIT.body_encoding = None  # sent as written (8bit): readable in the file and console backends
_BASE64 = email.charset.Charset("utf-8")


class _Policy(email.policy.Compat32):
    """compat32, except that a header which is already one short line of ASCII is written as
    it is, and an encoded subject is encoded once. compat32 runs every header through
    email.header.Header to fold it, which cost about as much as writing out the rest of the
    message; for such a header the result is the same. A reminder's subject is the same for
    everyone invited to the meeting who reads the same language, so it is encoded once for them."""

    def fold_binary(self, name: str, value) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\r" not in value
            and "\n" not in value
            and len(name) + 2 + len(value) <= (self.max_line_length or 78)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        if isinstance(value, _Utf8Header):
            return self._fold_utf8(name, value.text)
        return super().fold_binary(name, value)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - two policies for the process's lifetime
    def _fold_utf8(self, name: str, text: str) -> bytes:
        return super().fold_binary(name, Header(text, "utf-8"))


class _Utf8Header(Header):
    """A header of one UTF-8 text, which _Policy folds once per text."""

    def __init__(self, text: str):
        super().__init__(text, "utf-8")
        self.text = text


@functools.cache
def _policy(linesep: str) -> _Policy:
    return _Policy(linesep=linesep)


def boundary() -> str:
    # Random and unguessable, so it cannot occur in a part; the stdlib would instead search
    # every part for its own candidate with a freshly compiled regular expression. 96 bits keep
    # "Content-Type: multipart/alternative; boundary=..." within one 78-character line.
    return "==" + secrets.token_hex(12)


def single_line(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"Header values cannot contain newlines ({name}).")
    return value


# A bare RFC 5322 dot-atom address in ASCII, as most stored addresses are: nothing to encode.
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)


def address(value: str) -> str:
    """One address for a header: display name encoded, domain in IDNA, local part ASCII."""
    if PLAIN_ADDRESS.fullmatch(value):
        return value
    return _encoded_address(value)


@functools.lru_cache(maxsize=64)
def _encoded_address(value: str) -> str:
    # Mostly the sender ("Träffpunkt <…>"), the same in every message.
    name, addr = parseaddr(single_line("address", value))
    local, at, domain = addr.rpartition("@")
    if not at or not local.isascii():
        raise ValueError(f"Invalid address {value!r}")
    return formataddr((name, f"{local}@{punycode(domain)}"), charset="utf-8")


def text_part(text: str, subtype: str) -> MIMENonMultipart:
    encoded = text.encode()
    fits = all(len(line) <= _MAX_LINE_OCTETS for line in encoded.splitlines())
    part = MIMENonMultipart("text", subtype)
    part.set_payload(text, charset=_EIGHT_BIT if fits else _BASE64)
    return part


def calendar_part(ics_base64: str, method: str) -> MIMEBase:
    # Bytes as built and base64 on the wire: iCalendar lines end in CRLF, which a text part would lose.
    return _base64_part(MIMEBase("text", "calendar", method=method, charset="UTF-8"), ics_base64)


def invite_attachment(ics_base64: str) -> MIMEBase:
    part = _base64_part(MIMEBase("application", "ics"), ics_base64)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def _base64_part(part: MIMEBase, payload: str) -> MIMEBase:
    # The invitation goes in twice, so it is encoded once; for data that ends in a line break, as
    # iCalendar does, base64.encodebytes writes what email.encoders.encode_base64 would.
    part.set_payload(payload)
    part["Content-Transfer-Encoding"] = "base64"
    return part


def build(
    *,
    subject: str,
    from_email: str,
    to: list[str],
    text: str,
    html: str,
    calendar: bytes = b"",
    calendar_method: str = "",
    headers: dict[str, str] | None = None,
    linesep: str = "\n",
) -> Message:
    """The whole e-mail; `linesep` is what the caller's policy asks for ("\\r\\n" for SMTP)."""
    policy = _policy(linesep)
    body = MIMEMultipart("alternative", boundary=boundary(), policy=policy)
    body.attach(text_part(text, "plain"))
    body.attach(text_part(html, "html"))
    if calendar:
        ics_base64 = base64.encodebytes(calendar).decode("ascii")
        body.attach(calendar_part(ics_base64, calendar_method))
        root = MIMEMultipart("mixed", boundary=boundary(), policy=policy)
        root.attach(body)
        root.attach(invite_attachment(ics_base64))
    else:
        root = body
    root["Subject"] = _Utf8Header(single_line("Subject", subject))
    root["From"] = address(from_email)
    root["To"] = ", ".join(address(recipient) for recipient in to)
    root["Date"] = format_datetime(datetime.now(get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC))
    root["Message-ID"] = make_msgid(domain=DNS_NAME)
    for name, value in (headers or {}).items():
        root[name] = single_line(name, value)
    return root
