from datetime import datetime
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import Strict, WithJsonSchema, field_validator, model_validator

from common.api import NO_NUL_PATTERN, BodyIn, Choice, IsoDate

from .choices import Audience, EventStatus, Kind
from .fields import (
    Flag,
    MunicipalityName,
    OnlineUrl,
    SettableStatus,
    SingleLine,
    Text,
    ThemeSlug,
    Timestamp,
    whole_number,
)
from .models import MAX_FEEDBACK_DELAY_MINUTES, Event
from .selectors import seats_left

MAX_REMINDER_MINUTES = 90 * 24 * 60


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


# Events' audience; inlined in the OpenAPI document, because the messages' `Audience` enum
# has the same class name and one component would silently replace the other.
EventAudience = Annotated[
    Audience, Strict(False), WithJsonSchema({"type": "string", "enum": Audience.values, "title": "EventAudience"})
]


class ThemeOut(Schema):
    slug: str
    name: str
    name_en: str
    description: str


class ThemeIn(BodyIn):
    """A new theme; its slug must be free (a taken one answers 409)."""

    slug: ThemeSlug
    name: SingleLine = Field(min_length=1, max_length=100)
    name_en: SingleLine = Field("", max_length=100)
    description: Text = Field("", max_length=5000)


class ThemeDemandOut(Schema):
    slug: str
    name: str
    interested: int
    upcoming_events: int
    feedback_wanted: int = Field(description="Answered surveys that asked for meetings on the theme.")


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
    feedback_survey: bool
    feedback_delay_minutes: int
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
    """Filters of the upcoming meetings; `from` and `to` are local dates, in either order."""

    theme: str | None = Field(
        None, max_length=60, pattern=NO_NUL_PATTERN, description="A theme's slug; an unknown one finds nothing."
    )
    kind: Choice[Kind] | None = None
    municipality: str | None = Field(
        None,
        max_length=50,
        pattern=NO_NUL_PATTERN,
        description="A municipality's Swedish name in any case (`nyköping`); an unknown one finds nothing.",
    )
    online: Flag | None = Field(None, description="`true`: only online meetings; `false`: only in person.")
    starts_from: IsoDate | None = Field(
        None, alias="from", description="First local (Europe/Stockholm) date, included."
    )
    starts_to: IsoDate | None = Field(None, alias="to", description="Last local date, included.")

    @model_validator(mode="after")
    def ordered(self):
        # As for the report's period: given in either order, the earlier date is the start.
        if self.starts_from and self.starts_to and self.starts_to < self.starts_from:
            self.starts_from, self.starts_to = self.starts_to, self.starts_from
        return self


Capacity = whole_number(ge=1, le=100_000)
FeedbackDelay = whole_number(ge=0, le=MAX_FEEDBACK_DELAY_MINUTES)
SURVEY_TEXT = "A short survey e-mailed to those who attended, after the meeting (on by default)."
SURVEY_DELAY_TEXT = "Minutes after the end that the survey is sent (default 120; at most 7 days)."
# Minutes before the start; duplicates are sent once.
Reminders = Annotated[list[whole_number(ge=1, le=MAX_REMINDER_MINUTES)], Field(max_length=10)]
THEMES_TEXT = "Theme slugs, as in /api/themes; each must exist (an unknown one answers 404)."
ENDS_AT_TEXT = "After `starts_at` (else 409, naming `ends_at`)."
REMINDERS_TEXT = "Minutes before the start (1 minute to 90 days); [] sends no reminders."


class EventPatchIn(BodyIn):
    """Only the fields sent change; one that may be empty is emptied with null. The meeting
    must still end after it starts (else 409, naming `ends_at`)."""

    title: SingleLine = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=20000, description="Simple HTML is allowed.")
    kind: Choice[Kind] = None
    themes: list[ThemeSlug] = Field(None, max_length=20, description=THEMES_TEXT)
    audience: EventAudience = None
    starts_at: Timestamp = Field(None, examples=["2027-03-05T17:00:00+01:00"])
    ends_at: Timestamp = Field(None, description=ENDS_AT_TEXT, examples=["2027-03-05T19:00:00+01:00"])
    capacity: Capacity | None = Field(None, description="null: unlimited.")
    location: SingleLine | None = Field(None, max_length=300)
    online_url: OnlineUrl | None = Field(None, description='Sent only to confirmed registrants; null or "": none.')
    municipality: MunicipalityName | None = None
    registration_opens_at: Timestamp | None = Field(None, description="null: open until it closes.")
    registration_closes_at: Timestamp | None = Field(None, description="null: closes when the meeting starts.")
    reminder_minutes_before: Reminders = Field(None, description=REMINDERS_TEXT)
    status: SettableStatus = Field(None, description="A meeting is cancelled with POST .../cancel instead.")
    feedback_survey: bool = Field(None, description=SURVEY_TEXT)
    feedback_delay_minutes: FeedbackDelay = Field(None, description=SURVEY_DELAY_TEXT)

    @field_validator("reminder_minutes_before")
    @classmethod
    def once_each(cls, value: list[int]) -> list[int]:
        return sorted(set(value), reverse=True)


class EventCreateIn(EventPatchIn):
    """A new meeting, also one in the past (records after the fact). It must end after it
    starts (else 409, naming `ends_at`)."""

    title: SingleLine = Field(min_length=1, max_length=200)
    kind: Choice[Kind]
    starts_at: Timestamp = Field(examples=["2027-03-05T17:00:00+01:00"])
    ends_at: Timestamp = Field(description=ENDS_AT_TEXT, examples=["2027-03-05T19:00:00+01:00"])
    themes: list[ThemeSlug] = Field(default_factory=list, max_length=20, description=THEMES_TEXT)
    audience: EventAudience = Audience.ALL
    reminder_minutes_before: Reminders = Field(default_factory=lambda: [10080, 1440], description=REMINDERS_TEXT)
    status: SettableStatus = Field(EventStatus.PUBLISHED.value, description="A new meeting cannot be cancelled.")
    feedback_survey: bool = Field(True, description=SURVEY_TEXT)
    feedback_delay_minutes: FeedbackDelay = Field(120, description=SURVEY_DELAY_TEXT)


class EventDuplicateIn(BodyIn):
    starts_at: Timestamp = Field(description="When the copy starts.", examples=["2027-09-02T17:00:00+02:00"])
