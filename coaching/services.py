"""Coaching series and their slots: creating a series generates its slots; changing it
changes the slots to come (a booked slot's person gets an updated invitation, as for any
meeting); single slots can be added or removed and whole days blocked. Each function is one
transaction."""

from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import EventStatus, Kind
from events.models import Event
from events.selectors import local_day_start
from events.services import EventConflict, event_cancel, event_update
from registrations.choices import ACTIVE_STATUSES
from registrations.models import Registration

from .models import CoachingKind, CoachingSeries
from .slots import days_before, series_slot_starts

# What a slot takes from its series: a change to one of these is made on every slot to come.
SLOT_FIELDS = ("location", "online_url", "municipality")
PATTERN_FIELDS = {"starts_on", "ends_on", "weekdays", "day_start", "day_end", "slot_minutes", "gap_minutes"}
WINDOW_FIELDS = {"notice_hours", "horizon_days"}
SHOWN_FIELDS = {*SLOT_FIELDS, *WINDOW_FIELDS, "coach_name", "coach_presentation"}


# More than a busy coach's year; a pattern that makes more is a mistake (10-minute times all day).
MAX_SLOTS = 1000


def _pattern(series: CoachingSeries) -> list[datetime]:
    starts = series_slot_starts(series)
    if len(starts) > MAX_SLOTS:
        message = _("The pattern makes %(count)s times, more than %(limit)s; choose fewer days or longer times.") % {
            "count": len(starts),
            "limit": MAX_SLOTS,
        }
        raise ValidationError({"slot_minutes": ValidationError(message, code="too_many_slots")})
    return starts


class SlotConflict(EventConflict):
    """A slot that would overlap another of the series (the API answers 409)."""


def coaching_kind_get(code: str) -> CoachingKind:
    kind = CoachingKind.objects.filter(code=code).first()
    if kind is None:
        raise CoachingKind.DoesNotExist(_("Unknown kind of coaching: %(code)s") % {"code": code})
    return kind


def _title(series: CoachingSeries) -> str:
    return f"{series.kind.name} – {series.coach_name}"


def _window(series: CoachingSeries, starts_at: datetime) -> dict:
    return {
        "registration_opens_at": days_before(starts_at, series.horizon_days),
        "registration_closes_at": starts_at - timedelta(hours=series.notice_hours),
    }


def _slot(series: CoachingSeries, starts_at: datetime) -> Event:
    # In UTC, so that adding minutes adds real time (one zone's datetimes add on the wall clock).
    starts_at = starts_at.astimezone(UTC)
    return Event(
        coaching_series=series,
        title=_title(series),
        kind=Kind.COACHING,
        description=series.coach_presentation,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=series.slot_minutes),
        capacity=1,
        location=series.location,
        online_url=series.online_url,
        municipality=series.municipality,
        reminder_minutes_before=[24 * 60],
        # One person in the room: a survey could not be anonymous.
        feedback_survey=False,
        status=EventStatus.PUBLISHED,
        **_window(series, starts_at),
    )


def _upcoming_slots(series: CoachingSeries):
    return series.slots.exclude(status=EventStatus.CANCELLED).filter(starts_at__gt=timezone.now())


def _add_slots(series: CoachingSeries, starts: list[datetime]) -> int:
    now = timezone.now()
    # A new time must not overlap one that stands: a booked time kept through a change of
    # hours or length (09:00–09:45 booked, new times from 09:30) would be booked twice over.
    kept = sorted(series.slots.exclude(status=EventStatus.CANCELLED).values_list("starts_at", "ends_at"))
    kept_starts, reach = [start for start, _ in kept], list(accumulate((end for _, end in kept), max))

    def free(slot: Event) -> bool:
        before = bisect_left(kept_starts, slot.ends_at)  # the kept times that start before it ends
        return before == 0 or reach[before - 1] <= slot.starts_at

    new = [slot for slot in (_slot(series, start) for start in starts if start > now) if free(slot)]
    Event.objects.bulk_create(new)
    return len(new)


def coaching_series_create(*, kind_code: str, **fields) -> CoachingSeries:
    """Creates a series and its slots from today on (times already past are not made).
    Raises CoachingKind.DoesNotExist for an unknown kind and ValidationError for bad input."""
    with transaction.atomic(durable=True):
        series = CoachingSeries(kind=coaching_kind_get(kind_code), **fields)
        series.full_clean()
        series.save()
        series.slot_count = _add_slots(series, _pattern(series))
    return series


def _slots_remove(slot_ids: list[int]) -> None:
    # A slot that was ever booked is cancelled (its person is told, the record kept); one
    # never booked is simply deleted.
    with_history = set(Registration.objects.filter(event_id__in=slot_ids).values_list("event_id", flat=True))
    Event.objects.filter(pk__in=set(slot_ids) - with_history).delete()
    for slot_id in sorted(with_history):
        event_cancel(event_id=slot_id)


def _show_changes(series: CoachingSeries, slots: list[Event], booked: set[int]) -> None:
    """Puts the series' place, link, texts and booking window on its slots to come: booked
    ones through event_update, so their people get updated invitations; free ones at once."""
    fields = {name: getattr(series, name) for name in SLOT_FIELDS}
    fields.update(title=_title(series), description=series.coach_presentation)
    free = []
    for slot in slots:
        values = fields | _window(series, slot.starts_at)
        if slot.id in booked:
            event_update(event_id=slot.id, **values)
            continue
        for name, value in values.items():
            setattr(slot, name, value)
        free.append(slot)
    Event.objects.bulk_update(free, [*fields, "registration_opens_at", "registration_closes_at"], batch_size=500)


def coaching_series_update(*, series_id: int, kind_code: str | None = None, **changes) -> CoachingSeries:
    """Changes a series and its slots to come. A new place, link or municipality is made on
    every slot (booked ones send updated invitations); a new notice or horizon moves the
    slots' booking windows; a new pattern removes the free slots that no longer fit and adds
    the new ones, while booked slots stand until removed one by one."""
    with transaction.atomic(durable=True):
        series = CoachingSeries.objects.select_for_update().get(pk=series_id)
        if kind_code is not None:
            series.kind = coaching_kind_get(kind_code)
        changed = {name for name, value in changes.items() if getattr(series, name) != value}
        for name in changed:
            setattr(series, name, changes[name])
        series.full_clean()
        series.save()
        slots = list(_upcoming_slots(series))
        booked = set(
            Registration.objects.filter(event__in=slots, status__in=ACTIVE_STATUSES).values_list("event_id", flat=True)
        )
        if kind_code is not None or changed & SHOWN_FIELDS:
            _show_changes(series, slots, booked)
        if changed & PATTERN_FIELDS:
            wanted = set(_pattern(series))
            # A free time of the old length is made again at the new one, even where it starts alike.
            length = timedelta(minutes=series.slot_minutes)
            misfits = [
                slot.id for slot in slots if slot.starts_at not in wanted or slot.ends_at - slot.starts_at != length
            ]
            _slots_remove([slot_id for slot_id in misfits if slot_id not in booked])
            _add_slots(series, sorted(wanted))
    return series


def coaching_slot_add(*, series_id: int, starts_at: datetime) -> Event:
    """One more slot, of the series' length; SlotConflict if it overlaps another."""
    with transaction.atomic(durable=True):
        series = CoachingSeries.objects.select_for_update().get(pk=series_id)
        if starts_at <= timezone.now():
            raise ValidationError({"starts_at": _("A new time must be in the future.")})
        slot = _slot(series, starts_at)
        overlapping = series.slots.exclude(status=EventStatus.CANCELLED).filter(
            starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
        )
        if overlapping.exists():
            raise SlotConflict(_("The series already has a time then."))
        slot.full_clean()
        slot.save()
    return slot


def coaching_slot_remove(*, series_id: int, event_id: int) -> None:
    """Removes a slot: a booked one is cancelled and its person told; a free one deleted."""
    with transaction.atomic(durable=True):
        CoachingSeries.objects.select_for_update().get(pk=series_id)
        slot = Event.objects.get(pk=event_id, coaching_series_id=series_id)
        if slot.status == EventStatus.CANCELLED:
            raise EventConflict(_("The time is already removed."))
        _slots_remove([slot.id])


def coaching_day_block(*, series_id: int, day: date) -> int:
    """Removes every slot to come of the series on a local day; returns how many."""
    with transaction.atomic(durable=True):
        series = CoachingSeries.objects.select_for_update().get(pk=series_id)
        that_day = _upcoming_slots(series).filter(
            starts_at__gte=local_day_start(day), starts_at__lt=local_day_start(day + timedelta(days=1))
        )
        slot_ids = list(that_day.values_list("id", flat=True))
        _slots_remove(slot_ids)
    return len(slot_ids)


def coaching_kind_create(*, code: str, name: str, name_en: str = "") -> CoachingKind:
    """Adds a kind; a taken code is a ValidationError with the code "unique"."""
    kind = CoachingKind(code=code, name=name, name_en=name_en)
    kind.full_clean()
    try:
        with transaction.atomic():
            kind.save()
    except IntegrityError:
        raise ValidationError({"code": kind.unique_error_message(CoachingKind, ("code",))}) from None
    return kind
