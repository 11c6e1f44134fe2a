"""Coaching slots in a sign-up: one seat and no waiting list, and a limit on the upcoming
bookings one person holds with a series (so a few people cannot hold every time)."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coaching.models import CoachingSeries
from events.choices import EventStatus
from events.models import Event

from ..choices import ACTIVE_STATUSES
from ..models import Registration


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
