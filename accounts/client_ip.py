"""The client's address, read by one rule for the sign-up limit and the login lockouts.

Without CLIENT_IP_META_KEY (env RATELIMIT_IP_META_KEY) it is the peer address, which nobody
can forge. Behind a proxy that writes a header (e.g. HTTP_X_REAL_IP) it is that header. When
the header holds a list (X-Forwarded-For) the last entry counts: it is the one the trusted
proxy added, and the entries before it are whatever the client sent. A missing or malformed
header falls back to the peer address rather than failing the request.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    key = getattr(settings, "CLIENT_IP_META_KEY", None)
    if key and request.META.get(key):
        forwarded = _address(request.META[key].split(",")[-1])
        if forwarded:
            return forwarded
    return peer
