from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import WithJsonSchema, field_validator

from .choices import Audience, EventStatus, Kind, Municipality
from .models import Event
from .selectors import seats_left


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


# Dates near the ends of the calendar (year 1, year 9999) cannot be moved between time zones
# and are never meant; they are refused as bad input (422) rather than failing in the database.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def date_in_range(value: date | None) -> date | None:
    """A date (or the local date of a time) between EARLIEST_DATE and LATEST_DATE, or ValueError."""
    day = value.date() if isinstance(value, datetime) else value
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"Must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}.")
    return value


# Events' audience; inlined in the OpenAPI document, because the messages' `Audience` enum
# has the same class name and one component would silently replace the other.
EventAudience = Annotated[
    Audience, WithJsonSchema({"type": "string", "enum": Audience.values, "title": "EventAudience"})
]


class ThemeOut(Schema):
    slug: str
    name: str
    name_en: str
    description: str


class ThemeIn(Schema):
    slug: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    description: str = Field("", max_length=5000)


class ThemeDemandOut(Schema):
    slug: str
    name: str
    interested: int
    upcoming_events: int


class EventOut(Schema):
    """A meeting as anyone may see it: never the online link."""

    id: int
    title: str
    kind: Kind
    themes: list[str] = Field(description="Theme slugs, as in /api/themes.")
    starts_at: datetime
    ends_at: datetime
    online: bool
    location: str
    municipality: str
    audience: EventAudience
    description: str
    status: EventStatus
    capacity: int | None
    seats_left: int | None
    registration_open: bool
    registration_closes_at: datetime

    @staticmethod
    def resolve_themes(obj: Event) -> list[str]:
        return [theme.slug for theme in obj.themes.all()]

    @staticmethod
    def resolve_starts_at(obj: Event) -> datetime:
        return _local(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj: Event) -> datetime:
        return _local(obj.ends_at)

    @staticmethod
    def resolve_registration_closes_at(obj: Event) -> datetime:
        return _local(obj.closes_at)

    @staticmethod
    def resolve_seats_left(obj: Event) -> int | None:
        return seats_left(obj)


class OrganiserEventOut(EventOut):
    online_url: str
    confirmed: int
    waitlisted: int
    registration_opens_at: datetime | None
    reminder_minutes_before: list[int]
    sequence: int

    @staticmethod
    def resolve_confirmed(obj: Event) -> int:
        return obj.confirmed_count

    @staticmethod
    def resolve_waitlisted(obj: Event) -> int:
        return obj.waitlisted_count

    @staticmethod
    def resolve_registration_opens_at(obj: Event) -> datetime | None:
        return _local(obj.registration_opens_at)


class EventFilters(Schema):
    theme: str | None = None
    kind: Kind | None = None
    municipality: str | None = None
    online: bool | None = None
    starts_from: date | None = Field(None, alias="from")
    starts_to: date | None = Field(None, alias="to")

    @field_validator("starts_from", "starts_to")
    @classmethod
    def in_range(cls, value: date | None) -> date | None:
        return date_in_range(value)


def _aware(value: datetime | None) -> datetime | None:
    # A time without offset is read as Swedish local time.
    date_in_range(value)
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class EventPatchIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20000)
    kind: Kind | None = None
    themes: list[str] | None = None
    audience: EventAudience | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = Field(None, ge=1, le=100000)
    location: str | None = Field(None, max_length=300)
    online_url: str | None = Field(None, max_length=500, pattern=r"^(https?://\S+)?$")
    municipality: str | None = Field(None, max_length=50)
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    reminder_minutes_before: list[int] | None = Field(None, max_length=10)
    status: EventStatus | None = None

    @field_validator("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
    @classmethod
    def aware(cls, value: datetime | None) -> datetime | None:
        return _aware(value)

    @field_validator("status")
    @classmethod
    def not_cancelled(cls, value: EventStatus | None) -> EventStatus | None:
        if value == EventStatus.CANCELLED:
            raise ValueError("Cancel a meeting with POST /api/organiser/events/{id}/cancel.")
        return value

    @field_validator("municipality")
    @classmethod
    def known_municipality(cls, value: str | None) -> str | None:
        if not value:
            return value
        canonical = Municipality.canonical(value)
        if canonical is None:
            raise ValueError(f"Unknown municipality; choose one of {', '.join(Municipality.values)}.")
        return canonical

    @field_validator("reminder_minutes_before")
    @classmethod
    def sensible_reminders(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(not 1 <= minutes <= 60 * 24 * 90 for minutes in value):
            raise ValueError("Reminders are between 1 minute and 90 days before the meeting.")
        return sorted(set(value), reverse=True) if value is not None else None


class EventCreateIn(EventPatchIn):
    title: str = Field(min_length=1, max_length=200)
    kind: Kind
    starts_at: datetime
    ends_at: datetime
    themes: list[str] = Field(default_factory=list)
    # The model's default; inheriting the patch schema's None would fail validation.
    audience: EventAudience = Audience.ALL
    reminder_minutes_before: list[int] = Field(default_factory=lambda: [10080, 1440], max_length=10)
    status: EventStatus = EventStatus.PUBLISHED


class EventDuplicateIn(Schema):
    starts_at: datetime = Field(description="When the copy starts; without an offset, Swedish local time.")

    @field_validator("starts_at")
    @classmethod
    def aware(cls, value: datetime) -> datetime:
        return _aware(value)
