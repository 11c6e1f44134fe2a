import re
from datetime import date, datetime, time
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from common.api import BodyIn, IsoDate, integer
from events.fields import MunicipalityName, OnlineUrl, SingleLine, Text, Timestamp

CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
KIND_CODE_PATTERN = r"^[a-z0-9-]+$"


def _clock(value: Any) -> time:
    if not isinstance(value, str) or not re.fullmatch(CLOCK_PATTERN, value):
        raise PydanticCustomError("time_type", 'Input should be a time of day as "HH:MM"')
    return time.fromisoformat(value)


ClockTime = Annotated[
    time,
    BeforeValidator(_clock),
    WithJsonSchema(
        {"type": "string", "maxLength": 5, "pattern": CLOCK_PATTERN, "description": '"HH:MM", Stockholm time.'}
    ),
]
KindCode = Annotated[str, Field(min_length=1, max_length=40, pattern=KIND_CODE_PATTERN)]
Weekday = integer(ge=1, le=7)


class SeriesFieldsIn(BodyIn):
    """What a series is made of; a PATCH sends only what changes."""

    coach_name: SingleLine = Field(None, min_length=1, max_length=200)
    coach_presentation: Text = Field(None, max_length=2000)
    coach_username: SingleLine | None = Field(
        None, max_length=150, description="The coach's own login (an organiser or a helper), so they see their day."
    )
    coaching_kind: KindCode = Field(None, description="`business`, `life`, or a code from /api/coaching/kinds.")
    municipality: MunicipalityName | None = None
    location: SingleLine = Field(None, max_length=300, description="On site: the place.")
    online_url: OnlineUrl = Field(None, description="Online: the link, sent only to the person booked.")
    starts_on: IsoDate = Field(None, description="The first day with times.")
    ends_on: IsoDate = Field(None, description="The last day with times (at most a year after the first).")
    weekdays: list[Weekday] = Field(None, min_length=1, max_length=7, description="1 = Monday … 7 = Sunday.")
    day_start: ClockTime = None
    day_end: ClockTime = Field(None, description='"HH:MM", Stockholm time; the last time ends by then.')
    slot_minutes: integer(ge=10, le=480) = None
    gap_minutes: integer(ge=0, le=240) = None
    notice_hours: integer(ge=0, le=1440) = Field(None, description="No booking closer to the start than this.")
    horizon_days: integer(ge=1, le=366) = Field(None, description="No booking further ahead than this.")
    per_person_limit: integer(ge=1, le=50) = Field(None, description="Upcoming bookings one person may hold.")

    @field_validator("weekdays")
    @classmethod
    def once_each(cls, value: list[int] | None) -> list[int] | None:
        return sorted(set(value)) if value is not None else value


class SeriesCreateIn(SeriesFieldsIn):
    coach_name: SingleLine = Field(min_length=1, max_length=200)
    coach_presentation: Text = Field("", max_length=2000)
    coaching_kind: KindCode = Field(description="`business`, `life`, or a code from /api/coaching/kinds.")
    location: SingleLine = Field("", max_length=300, description="On site: the place.")
    online_url: OnlineUrl = Field("", description="Online: the link, sent only to the person booked.")
    starts_on: IsoDate
    ends_on: IsoDate = Field(description="The last day with times (at most a year after the first).")
    weekdays: list[Weekday] = Field(min_length=1, max_length=7, description="1 = Monday … 7 = Sunday.")
    day_start: ClockTime
    day_end: ClockTime = Field(description='"HH:MM", Stockholm time; the last time ends by then.')
    slot_minutes: integer(ge=10, le=480)
    gap_minutes: integer(ge=0, le=240) = 0
    notice_hours: integer(ge=0, le=1440) = Field(24, description="No booking closer to the start than this.")
    horizon_days: integer(ge=1, le=366) = Field(42, description="No booking further ahead than this.")
    per_person_limit: integer(ge=1, le=50) = Field(1, description="Upcoming bookings one person may hold.")


class KindOut(Schema):
    code: str
    name: str
    name_en: str


class KindIn(BodyIn):
    code: KindCode
    name: SingleLine = Field(min_length=1, max_length=100)
    name_en: SingleLine = Field("", max_length=100)


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


class SeriesOut(Schema):
    id: int
    coach_name: str
    coach_presentation: str
    coaching_kind: str
    coaching_kind_name: str = Field(description="In the request's language.")
    municipality: str
    location: str
    online: bool
    next_free: datetime | None = Field(None, description="The earliest free time one may book now; null if none.")

    @staticmethod
    def resolve_coaching_kind(obj) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_coaching_kind_name(obj) -> str:
        return obj.kind.display_name

    @staticmethod
    def resolve_next_free(obj) -> datetime | None:
        return _local(getattr(obj, "next_free", None))


class OrganiserSeriesOut(SeriesOut):
    online_url: str
    coach_username: str | None
    starts_on: date
    ends_on: date
    weekdays: list[int]
    day_start: str = Field(description='"HH:MM", Stockholm time.')
    day_end: str = Field(description='"HH:MM", Stockholm time.')
    slot_minutes: int
    gap_minutes: int
    notice_hours: int
    horizon_days: int
    per_person_limit: int
    slots: int = Field(description="Times still to come.")
    booked: int = Field(description="Of those, booked.")

    @staticmethod
    def resolve_coach_username(obj) -> str | None:
        return obj.coach_user.username if obj.coach_user else None

    @staticmethod
    def resolve_day_start(obj) -> str:
        return f"{obj.day_start:%H:%M}"

    @staticmethod
    def resolve_day_end(obj) -> str:
        return f"{obj.day_end:%H:%M}"

    @staticmethod
    def resolve_slots(obj) -> int:
        return obj.upcoming_slots

    @staticmethod
    def resolve_booked(obj) -> int:
        return obj.booked_slots


class SlotOut(Schema):
    event_id: int
    starts_at: datetime
    ends_at: datetime

    @staticmethod
    def resolve_event_id(obj) -> int:
        return obj.id

    @staticmethod
    def resolve_starts_at(obj) -> datetime:
        return timezone.localtime(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj) -> datetime:
        return timezone.localtime(obj.ends_at)


class SlotIn(BodyIn):
    starts_at: Timestamp = Field(description="When the new time starts; it lasts the series' slot length.")


class BlockedDayIn(BodyIn):
    date: IsoDate = Field(description="Every time still to come on this local day is removed.")


class RemovedOut(Schema):
    removed: int
