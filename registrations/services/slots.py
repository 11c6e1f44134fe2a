"""Coaching slots in a sign-up: one seat and no waiting list, and a limit on the upcoming
bookings one person holds with a series (so a few people cannot hold every time)."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coaching.models import CoachingSeries
from events.choices import EventStatus
from events.models import Event

from ..choices import ACTIVE_STATUSES
from ..models import Registration

NEAREST = 3


def nearest_free_slots(slot: Event, *, now: datetime, count: int = NEAREST) -> list[Event]:
    """The series' bookable free times closest to the taken one, earliest first."""
    booked = Registration.objects.filter(event=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    free = (
        Event.objects.filter(
            coaching_series_id=slot.coaching_series_id,
            status=EventStatus.PUBLISHED,
            registration_opens_at__lte=now,
            registration_closes_at__gt=now,
        )
        .exclude(pk=slot.pk)
        .exclude(Exists(booked))
    )
    later = list(free.filter(starts_at__gte=slot.starts_at).order_by("starts_at")[:count])
    earlier = list(free.filter(starts_at__lt=slot.starts_at).order_by("-starts_at")[:count])
    closest = sorted(later + earlier, key=lambda event: abs(event.starts_at - slot.starts_at))[:count]
    return sorted(closest, key=lambda event: event.starts_at)


def lock_series(events: Sequence[Event]) -> dict[int, CoachingSeries]:
    """Locks the series of the slots among `events` (after the meetings' locks, in id order,
    as every booking does), so one person's bookings are counted one at a time."""
    ids = {event.coaching_series_id for event in events if event.coaching_series_id}
    if not ids:
        return {}
    locked = CoachingSeries.objects.select_for_update().filter(pk__in=ids).order_by("id")
    return {series.id: series for series in locked}


def over_limit(series: CoachingSeries, *, email: str, new: int, now: datetime) -> bool:
    """Whether `new` more bookings would give the address more upcoming bookings with the
    series than its limit allows."""
    held = (
        Registration.objects.alias(email_lower=Lower("email"))
        .filter(
            event__coaching_series=series,
            event__starts_at__gt=now,
            event__status=EventStatus.PUBLISHED,
            status__in=ACTIVE_STATUSES,
            email_lower=Lower(Value(email)),
        )
        .count()
    )
    return held + new > series.per_person_limit


def limit_message(series: CoachingSeries) -> str:
    return _(
        "You already have %(limit)s upcoming booked time(s) with %(coach)s, as many as one person may hold at a "
        "time. Cancel one to book another."
    ) % {"limit": series.per_person_limit, "coach": series.coach_name}


def taken_message(slot: Event) -> str:
    when = date_format(timezone.localtime(slot.starts_at), "j F Y H:i")
    return _("The time %(when)s (%(title)s) was just taken by someone else.") % {"when": when, "title": slot.title}
