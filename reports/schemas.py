from datetime import date, datetime

from ninja import Field, Schema
from pydantic import field_validator, model_validator

from events.schemas import date_in_range

# Counts in a shared report's by-gender and by-municipality breakdowns may read "<5".
Count = int | str


class PeriodIn(Schema):
    date_from: date = Field(alias="from", description="First local (Europe/Stockholm) date, included.")
    date_to: date = Field(alias="to", description="Last local date, included.")
    suppress_small: bool = Field(
        False, description='Show counts under 5 as "<5" in the by-gender and by-municipality breakdowns.'
    )

    @field_validator("date_from", "date_to")
    @classmethod
    def in_range(cls, value: date) -> date:
        return date_in_range(value)

    @model_validator(mode="after")
    def ordered(self):
        if self.date_to < self.date_from:
            raise ValueError("`to` must not be before `from`.")
        return self


class HeldEventOut(Schema):
    id: int
    title: str
    kind: str
    themes: list[str]
    starts_at: datetime
    municipality: str
    online: bool
    registered: int
    attended: int
    no_shows: int


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM, local time.")
    events_held: int
    registered: int
    attended: int


class ThemeAttendeesOut(Schema):
    name: str
    attendees: int


class ParticipantCountsOut(Schema):
    women: int
    men: int


class ActualParticipantsOut(ParticipantCountsOut):
    other: int
    total: int


class ParticipantsOut(Schema):
    since: date | None = Field(description="The programme's start; participants are counted from it.")
    planned: ParticipantCountsOut
    actual: ActualParticipantsOut


class ProgressOut(Schema):
    period: dict[str, date]
    finalised_at: datetime | None = Field(
        description="When a finalised report covers exactly this period, its frozen figures are returned."
    )
    events_held: int
    events_held_by_kind: dict[str, int]
    registered: int
    attended: int
    no_shows: int
    unique_attendees: int
    attendees_by_gender: dict[str, Count]
    attendees_by_municipality: dict[str, Count]
    attendees_by_organisation_type: dict[str, int]
    attendees_by_kind: dict[str, int]
    attendees_by_theme: dict[str, ThemeAttendeesOut]
    coaching_sessions: int
    months: list[MonthOut]
    events: list[HeldEventOut]
    scheduled_next: list[HeldEventOut] = Field(description="Published meetings of the following period.")
    participants: ParticipantsOut
    outcomes: dict[str, int] = Field(description="Participants per kind of outcome reached in the period.")
