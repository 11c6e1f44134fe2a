"""Reading coaching: the series people may book, their free times, and a coach's day."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from events.choices import EventStatus
from events.models import Event
from events.selectors import local_day_start
from registrations.choices import ACTIVE_STATUSES
from registrations.models import Registration

from .models import CoachingSeries


@dataclass(frozen=True)
class Day:
    day: date
    slots: list[Event]


def by_local_day(slots) -> list[Day]:
    """Slots (in time order) grouped by their local day, for the day views."""
    days: dict[date, list[Event]] = {}
    for slot in slots:
        days.setdefault(timezone.localdate(slot.starts_at), []).append(slot)
    return [Day(day=day, slots=day_slots) for day, day_slots in days.items()]


def bookable_slots(*, now: datetime | None = None) -> QuerySet[Event]:
    """Slots free and inside their booking window now (past the notice, within the horizon)."""
    now = now or timezone.now()
    booked = Registration.objects.filter(event=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    return Event.objects.filter(
        coaching_series__isnull=False,
        status=EventStatus.PUBLISHED,
        registration_opens_at__lte=now,
        registration_closes_at__gt=now,
    ).exclude(Exists(booked))


def nearest_free_slots(slot: Event, *, now: datetime, count: int = 3) -> list[Event]:
    """The series' bookable free times closest to `slot` (one just taken), earliest first."""
    free = bookable_slots(now=now).filter(coaching_series_id=slot.coaching_series_id).exclude(pk=slot.pk)
    later = list(free.filter(starts_at__gte=slot.starts_at).order_by("starts_at")[:count])
    earlier = list(free.filter(starts_at__lt=slot.starts_at).order_by("-starts_at")[:count])
    closest = sorted(later + earlier, key=lambda event: abs(event.starts_at - slot.starts_at))[:count]
    return sorted(closest, key=lambda event: event.starts_at)


def series_list_public(*, now: datetime | None = None) -> QuerySet[CoachingSeries]:
    """Series with times still to come, each with `next_free` (None when all are taken)."""
    now = now or timezone.now()
    next_free = (
        bookable_slots(now=now).filter(coaching_series=OuterRef("pk")).order_by("starts_at").values("starts_at")[:1]
    )
    return (
        CoachingSeries.objects.filter(ends_on__gte=timezone.localdate(now))
        .select_related("kind")
        .annotate(next_free=Subquery(next_free))
        .order_by("kind__name", "coach_name", "id")
    )


def series_get_public(*, series_id: int) -> CoachingSeries | None:
    return series_list_public().filter(pk=series_id).first()


def free_slots(
    *, series_id: int, starts_from: date | None = None, starts_to: date | None = None, now: datetime | None = None
) -> QuerySet[Event]:
    """The series' bookable free times between two local days, both included."""
    slots = bookable_slots(now=now).filter(coaching_series_id=series_id)
    if starts_from:
        slots = slots.filter(starts_at__gte=local_day_start(starts_from))
    if starts_to:
        slots = slots.filter(starts_at__lt=local_day_start(starts_to + timedelta(days=1)))
    return slots.order_by("starts_at", "id")


def series_list_for_organiser() -> QuerySet[CoachingSeries]:
    """Every series with its number of slots to come, booked ones among them."""
    now = timezone.now()
    upcoming = Q(slots__starts_at__gt=now) & ~Q(slots__status=EventStatus.CANCELLED)
    return (
        CoachingSeries.objects.select_related("kind", "coach_user")
        .annotate(
            upcoming_slots=Count("slots", filter=upcoming, distinct=True),
            booked_slots=Count(
                "slots",
                filter=upcoming & Q(slots__registrations__status__in=ACTIVE_STATUSES),
                distinct=True,
            ),
            first_slot=Min("slots__starts_at", filter=upcoming),
        )
        .order_by("coach_name", "id")
    )


def with_bookings(slots: QuerySet[Event]) -> QuerySet[Event]:
    """The slots with their active registration (a slot has one seat) as `bookings`, in one query."""
    active = Registration.objects.filter(status__in=ACTIVE_STATUSES).order_by("id")
    return slots.prefetch_related(Prefetch("registrations", queryset=active, to_attr="bookings"))


def coach_day(*, day: date, series_ids=None) -> QuerySet[Event]:
    """The slots of a local day with their bookings, for the coach's own day in the workspace."""
    slots = Event.objects.filter(
        coaching_series__isnull=False,
        starts_at__gte=local_day_start(day),
        starts_at__lt=local_day_start(day + timedelta(days=1)),
    ).exclude(status=EventStatus.CANCELLED)
    if series_ids is not None:
        slots = slots.filter(coaching_series_id__in=series_ids)
    return slots.select_related("coaching_series__kind").order_by("starts_at", "id")
