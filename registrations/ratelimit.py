"""The public sign-up limit (SIGNUP_RATE_LIMIT): per client address and per e-mail address.

The client address is the peer address unless RATELIMIT_IP_META_KEY names a header that a
trusted proxy sets, so a forged X-Forwarded-For buys nothing.
"""

from django.conf import settings
from django_ratelimit.core import is_ratelimited


def signup_limited(request, *, email: str) -> bool:
    """Counts this attempt and says whether the client or the address is over the limit."""
    rate = settings.SIGNUP_RATE_LIMIT
    if not rate or rate.lower() == "off":
        return False
    by_client = is_ratelimited(request, group="signup-client", key="ip", rate=rate, increment=True)
    by_email = is_ratelimited(
        request, group="signup-email", key=lambda group, request: email.strip().lower(), rate=rate, increment=True
    )
    return by_client or by_email


# "E-mail me a link to my data": one e-mail an hour goes out anyway (the outbox key), so these
# only stop a client from trying tokens or churning the database. Independent of
# SIGNUP_RATE_LIMIT, which outside checks switch off to race sign-ups.
PRIVACY_LINK_RATE_PER_CLIENT = "20/h"
PRIVACY_LINK_RATE_PER_REGISTRATION = "5/h"


def privacy_link_limited(request, *, registration_id: int) -> bool:
    """Counts this request and says whether the client or the registration is over its limit."""
    by_client = is_ratelimited(
        request, group="privacy-link-client", key="ip", rate=PRIVACY_LINK_RATE_PER_CLIENT, increment=True
    )
    by_registration = is_ratelimited(
        request,
        group="privacy-link-registration",
        key=lambda group, request: str(registration_id),
        rate=PRIVACY_LINK_RATE_PER_REGISTRATION,
        increment=True,
    )
    return by_client or by_registration
