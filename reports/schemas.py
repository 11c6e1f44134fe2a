from datetime import date, datetime

from ninja import Field, Schema
from pydantic import model_validator

from common.api import IsoDate
from events.fields import Flag

# Counts in a shared report's by-gender and by-municipality breakdowns may read "<5".
Count = int | str


class PeriodIn(Schema):
    """A period of local (Europe/Stockholm) dates, both included; given in either order, the
    earlier date is its start."""

    date_from: IsoDate = Field(alias="from", description="First local (Europe/Stockholm) date, included.")
    date_to: IsoDate = Field(alias="to", description="Last local date, included.")
    suppress_small: Flag = Field(
        False, description='Show counts under 5 as "<5" in the by-gender and by-municipality breakdowns.'
    )

    @model_validator(mode="after")
    def ordered(self):
        if self.date_to < self.date_from:
            self.date_from, self.date_to = self.date_to, self.date_from
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


class ScoreOut(Schema):
    responses: int = Field(description="Answered surveys (a survey not answered counts nowhere).")
    average: float | None = Field(description="Average rating 1–5, one decimal; null without answers.")


class ThemeScoreOut(ScoreOut):
    slug: str
    name: str


class EventScoreOut(ScoreOut):
    id: int
    title: str
    kind: str
    starts_at: datetime


class FeedbackFiguresOut(ScoreOut):
    by_kind: dict[str, ScoreOut] = Field(description="Per meeting kind that has answers.")
    by_theme: list[ThemeScoreOut] = Field(description="Per theme of the meetings answered about.")
    by_event: list[EventScoreOut] = Field(description="Each held meeting with answers, in time order.")


class CoachingKindOut(Schema):
    name: str = Field(description="The kind's Swedish name, as the report prints it.")
    sessions: int


class CoachingOut(Schema):
    sessions: int = Field(
        description="Coaching sessions held: attended registrations of the coaching meetings held in the period."
    )
    people: int = Field(description="Different people coached (by e-mail address, as unique_attendees).")
    by_kind: dict[str, CoachingKindOut] = Field(
        description='Sessions per kind of coaching: the code of the series the slot belongs to, e.g. "business". '
        'Coaching meetings without a series count under the code "" (name "Coachning utan angiven inriktning").'
    )


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
    coaching_sessions: int = Field(
        description="Coaching meetings held (each one seat, booked or not); see coaching for the sessions that "
        "took place."
    )
    coaching: CoachingOut = Field(description="Coaching sessions held, by kind, and the people coached.")
    months: list[MonthOut]
    events: list[HeldEventOut]
    scheduled_next: list[HeldEventOut] = Field(description="Published meetings of the following period.")
    participants: ParticipantsOut
    outcomes: dict[str, int] = Field(description="Participants per kind of outcome reached in the period.")
    feedback: FeedbackFiguresOut = Field(
        description="The attendees' survey answers about the meetings held in the period (the same period rule); "
        "frozen with a finalised report."
    )
