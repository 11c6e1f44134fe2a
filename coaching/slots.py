"""When a series' slots are: its weekdays and hours on Stockholm's wall clock, so a 09:00
slot is at 09:00 in winter and in summer. Pure: no database."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

LAST_DAY = date(2999, 12, 31)


def day_from_text(value: str | None) -> date | None:
    """A day asked for in an address (YYYY-MM-DD), or None; also for years beyond 2999, so
    the day views never step past the calendar's end."""
    try:
        day = date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None
    return day if day and day <= LAST_DAY else None


def local_moment(day: date, at: time) -> datetime | None:
    """`at` on `day` in the site's zone, in UTC (so adding hours adds real hours), or None for
    a wall-clock time that does not exist (skipped when the clocks go forward)."""
    naive = datetime.combine(day, at)
    aware = timezone.make_aware(naive).astimezone(UTC)
    return aware if timezone.make_naive(aware) == naive else None


def days_before(moment: datetime, days: int) -> datetime:
    """The same wall-clock time `days` calendar days earlier (42 days ahead is 42 local days,
    whatever daylight saving does in between)."""
    naive = timezone.make_naive(moment) - timedelta(days=days)
    return timezone.make_aware(naive).astimezone(UTC)


def slot_starts(
    *,
    starts_on: date,
    ends_on: date,
    weekdays: list[int],
    day_start: time,
    day_end: time,
    slot_minutes: int,
    gap_minutes: int,
) -> Iterator[datetime]:
    """Every slot start of the pattern, in order; a slot ends `slot_minutes` after it starts
    and must end by `day_end`."""
    length, step = timedelta(minutes=slot_minutes), timedelta(minutes=slot_minutes + gap_minutes)
    day = starts_on
    while day <= ends_on:
        if day.isoweekday() in weekdays:
            start, last = datetime.combine(day, day_start), datetime.combine(day, day_end)
            while start + length <= last:
                moment = local_moment(day, start.time())
                if moment is not None:
                    yield moment
                start += step
        day += timedelta(days=1)


def series_slot_starts(series) -> list[datetime]:
    return list(
        slot_starts(
            starts_on=series.starts_on,
            ends_on=series.ends_on,
            weekdays=series.weekdays,
            day_start=series.day_start,
            day_end=series.day_end,
            slot_minutes=series.slot_minutes,
            gap_minutes=series.gap_minutes,
        )
    )
