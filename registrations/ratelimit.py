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
