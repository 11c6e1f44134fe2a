"""The signed link to a person's own data, e-mailed to their address and valid for a day.

A manage token only proves that someone typed an address, so it never opens this data: the
link to it goes to the address itself.
"""

from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from ..models import Registration

PRIVACY_SALT = "traffpunkt.privacy"
PRIVACY_LINK_MAX_AGE = timedelta(hours=24)
LINK_HOURS = int(PRIVACY_LINK_MAX_AGE.total_seconds() // 3600)


def _address_tag(email: str) -> str:
    return salted_hmac(PRIVACY_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:20]


def privacy_token(registration: Registration) -> str:
    """A signed, timestamped token naming the registration and (as a keyed digest) its address.

    The address itself is not in the token, which is readable by anyone (signed, not
    encrypted) and ends up in URLs, browser histories and access logs. The digest makes the
    link die when the address changes, as it does when the details are deleted."""
    return signing.dumps({"r": registration.id, "e": _address_tag(registration.email)}, salt=PRIVACY_SALT)


def registration_get_by_privacy_token(token: str, *, max_age: timedelta = PRIVACY_LINK_MAX_AGE) -> Registration | None:
    """The registration a privacy link was sent for, or None when the token is forged,
    expired, or its registration is gone or anonymised."""
    if not token or len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=PRIVACY_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        return None
    registration = Registration.objects.filter(pk=payload["r"], anonymised_at__isnull=True).exclude(email="").first()
    if registration is None or not constant_time_compare(_address_tag(registration.email), str(payload.get("e"))):
        return None
    return registration
