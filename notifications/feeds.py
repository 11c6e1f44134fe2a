"""Personal calendar feeds: one secret address per e-mail address, listing its confirmed meetings."""

import base64
import hashlib
import hmac
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts.models import hash_secret
from events.choices import EventStatus
from registrations.choices import Status
from registrations.models import Registration

from .models import CalendarFeed


def feed_token(email: str) -> str:
    """256 bits derived from the address with SECRET_KEY: stable, so every e-mail can repeat it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"calendar-feed:{email.lower()}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def feed_urls(emails: Iterable[str]) -> dict[str, str]:
    """The feed address of each address (keyed in lower case), making the feeds known.

    Rows are written with the token of the current SECRET_KEY, so after the key changes
    (say it leaked) new links work and the old ones stop."""
    tokens = {email.lower(): feed_token(email) for email in emails}
    hashes = {email: hash_secret(token) for email, token in tokens.items()}
    # Most addresses have their feed already: read first, so a reminder to 500 people writes
    # (and locks) no rows, and only new or outdated feeds are upserted.
    known = dict(CalendarFeed.objects.filter(email__in=hashes).values_list("email", "token_hash"))
    stale = {email: hashed for email, hashed in hashes.items() if known.get(email) != hashed}
    CalendarFeed.objects.bulk_create(
        [CalendarFeed(email=email, token_hash=hashed) for email, hashed in stale.items()],
        update_conflicts=True,
        unique_fields=["email"],
        update_fields=["token_hash"],
    )
    return {email: settings.SITE_URL + reverse("notifications:feed", args=[token]) for email, token in tokens.items()}


def feed_url(email: str) -> str:
    return feed_urls([email])[email.lower()]


def webcal_url(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def feed_registrations(token: str) -> QuerySet[Registration] | None:
    """Confirmed registrations for upcoming and recent meetings of the feed's owner, or None."""
    feed = CalendarFeed.objects.filter(token_hash=hash_secret(token)).first() if len(token) < 100 else None
    if feed is None:
        return None
    return (
        Registration.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=feed.email, status=Status.CONFIRMED)
        .exclude(event__status=EventStatus.DRAFT)
        .filter(event__ends_at__gte=timezone.now() - timedelta(days=90))
        .select_related("event")
        .order_by("event__starts_at")
    )
