"""Reads for the organiser workspace. Every list is one query whatever its length: counts are
conditional aggregates in SQL, never a query per meeting or per registration."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from events.models import Event
from feedback.selectors import with_feedback
from registrations.choices import ACTIVE_STATUSES, Status
from registrations.models import Registration


def _with_attendance_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    active = Q(registrations__status__in=ACTIVE_STATUSES)
    return queryset.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
        attended_count=Count("registrations", filter=active & Q(registrations__attended=True)),
        no_show_count=Count("registrations", filter=active & Q(registrations__attended=False)),
    )


def _with_feedback_figures(queryset: QuerySet[Event]) -> QuerySet[Event]:
    # with_feedback joins the answers; in the same query as the registration counts each
    # side would multiply the other, so the figures come from a subquery per meeting.
    figures = with_feedback(Event.objects.filter(pk=OuterRef("pk")).values("pk"))
    return queryset.annotate(
        feedback_responses=Subquery(figures.values("feedback_responses")),
        feedback_average=Subquery(figures.values("feedback_average")),
    )


def event_list_with_attendance(*, past: bool) -> QuerySet[Event]:
    """Meetings with their seat and attendance counts, and past ones with their survey's
    `feedback_responses` and `feedback_average`. A meeting still under way counts as
    upcoming (the door is still open); past ones come most recent first. Coaching times are
    not among them: they have their own pages (the series and the coach's day)."""
    now = timezone.now()
    meetings = Event.objects.filter(coaching_series__isnull=True)
    if past:
        held = _with_feedback_figures(_with_attendance_counts(meetings.filter(ends_at__lte=now)))
        return held.order_by("-starts_at", "-id")
    return _with_attendance_counts(meetings.filter(ends_at__gt=now)).order_by("starts_at", "id")


def event_get_with_attendance(*, event_id: int) -> Event | None:
    return _with_attendance_counts(Event.objects.filter(pk=event_id)).first()


def registration_search(*, event_id: int, query: str = "", active_only: bool = False) -> QuerySet[Registration]:
    """A meeting's registrations by name, optionally matching `query` in name, e-mail or
    organisation. (SQLite folds only ASCII case, so "åsa" misses "Åsa" there; PostgreSQL finds it.)"""
    queryset = Registration.objects.filter(event_id=event_id)
    if active_only:
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(organisation__icontains=query)
        )
    return queryset.order_by(Lower("name"), "id")
