"""Reads about the outbox for organisers: what was sent to a meeting's registrants, and how far
its delivery has come. Counts are conditional aggregates in SQL, one query per list."""

from django.db.models import Count, Q, QuerySet

from registrations.choices import Status
from registrations.models import Registration

from .models import Announcement, Message

State = Message.State


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
