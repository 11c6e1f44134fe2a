"""The page a locked-out login gets (workspace and admin alike): 429, when to try again."""

import math

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.shortcuts import render
from django.utils import timezone


def _locked_until(request, username: str):
    """The lock runs from the latest failure of this user name at this address."""
    cool_off = get_cool_off(request)
    latest = (
        AccessAttempt.objects.filter(username=username, ip_address=get_client_ip_address(request) or None)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (latest or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    username = get_client_username(request, credentials) or ""
    until = _locked_until(request, username)
    seconds = max(0, (until - timezone.now()).total_seconds())
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "locked_until": timezone.localtime(until),
        "minutes": max(1, math.ceil(seconds / 60)),
    }
    response = render(request, "lockout.html", context, status=429)
    response["Retry-After"] = str(math.ceil(seconds))
    return response
