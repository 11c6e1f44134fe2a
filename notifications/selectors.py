"""Reads about the outbox for organisers: what was sent to a meeting's registrants, how far
its delivery has come, and whom a message would reach. Counts are conditional aggregates in
SQL, one query per list."""

from django.db.models import Count, Q, QuerySet

from registrations.choices import Status
from registrations.models import Registration

from .models import Announcement, Message

State = Message.State

AUDIENCE_STATUSES = {
    Announcement.Audience.CONFIRMED: (Status.CONFIRMED,),
    Announcement.Audience.WAITLISTED: (Status.WAITLISTED,),
    Announcement.Audience.BOTH: (Status.CONFIRMED, Status.WAITLISTED),
}


def announcement_list_for_event(*, event_id: int) -> QuerySet[Announcement]:
    """A meeting's announcements, newest first, each with `recipients`, `sent`, `pending`
    (waiting or being sent, retries included), `failed` and `skipped` counts."""
    return (
        Announcement.objects.filter(event_id=event_id)
        .select_related("created_by")
        .annotate(
            recipients=Count("messages"),
            sent=Count("messages", filter=Q(messages__state=State.SENT)),
            pending=Count("messages", filter=Q(messages__state__in=(State.PENDING, State.SENDING))),
            failed=Count("messages", filter=Q(messages__state=State.FAILED)),
            skipped=Count("messages", filter=Q(messages__state=State.SKIPPED)),
        )
        .order_by("-created_at", "-id")
    )


def announcement_audience_counts(*, event_id: int) -> dict[str, int]:
    """How many people a message to each audience would reach now (active, with an address)."""
    counts = (
        Registration.objects.filter(event_id=event_id)
        .exclude(email="")
        .aggregate(
            confirmed=Count("id", filter=Q(status=Status.CONFIRMED)),
            waitlisted=Count("id", filter=Q(status=Status.WAITLISTED)),
        )
    )
    return {**counts, Announcement.Audience.BOTH: counts["confirmed"] + counts["waitlisted"]}


def announcement_recipients(*, event_id: int, audience: str) -> QuerySet[Registration]:
    """Who an organiser's message to `audience` reaches now: active registrations with an address
    (an anonymised registration has none)."""
    return Registration.objects.filter(
        event_id=event_id, status__in=AUDIENCE_STATUSES[audience], anonymised_at__isnull=True
    ).exclude(email="")
