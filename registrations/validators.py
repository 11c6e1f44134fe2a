"""Rules for what people type, shared by the sign-up form and the API."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# Line and paragraph separators end a line as surely as CR/LF do (and break mail headers).
_LINE_BREAKING = {"Cc", "Zl", "Zp"}


def clean_single_line(value: str) -> str:
    """Strips surrounding spaces; refuses control characters and line breaks.

    Everything else (quotes, emoji, right-to-left text, zero-width and combining
    characters) is kept exactly as typed.
    """
    value = value.strip()
    if any(unicodedata.category(char) in _LINE_BREAKING for char in value):
        raise ValidationError(_("Must be a single line without control characters."))
    return value


def clean_email(value: str) -> str:
    """A valid address with its domain in lower case. Domains are case-insensitive and may be
    non-ASCII, which SQLite's LOWER() does not fold; the local part is ASCII (validate_email),
    so the database can then compare addresses case-insensitively on every engine."""
    value = clean_single_line(value)
    validate_email(value)
    local, _at, domain = value.rpartition("@")
    if len(local) > 64:  # RFC 5321's limit, which mail servers keep
        raise ValidationError(_("Enter a valid email address."))
    # The mail server gets the domain in IDNA form; one that does not survive the trip (too
    # long, or with invisible characters IDNA drops) would reach someone else or no one.
    try:
        carried = domain.lower().encode("idna").decode("idna")
    except UnicodeError:
        carried = None
    if carried != domain.lower():
        raise ValidationError(_("Enter a valid email address."))
    return f"{local}@{domain.lower()}"
