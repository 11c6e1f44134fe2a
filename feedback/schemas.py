from datetime import datetime

from ninja import Field, Schema

from common.api import BodyIn, integer
from events.fields import SingleLine, Text, ThemeSlug

from .models import COMMENT_MAX, WANTS_TEXT_MAX

Rating = integer(ge=1, le=5)


class FeedbackIn(BodyIn):
    rating: Rating = Field(description="How useful the meeting was, 1 (not at all) to 5 (very).")
    comment: Text = Field("", max_length=COMMENT_MAX, description="What they take with them.")
    themes: list[ThemeSlug] = Field(
        default_factory=list, max_length=20, description="Themes wanted next, as in /api/themes (unknown: 404)."
    )
    wants_themes_text: SingleLine = Field("", max_length=WANTS_TEXT_MAX, description="Other themes wanted.")
    quote_allowed: bool = Field(False, description="The comment may be quoted without a name in the report.")


class SurveyMeetingOut(Schema):
    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime


class SurveyThemeOut(Schema):
    slug: str
    name: str


class AnswerOut(Schema):
    rating: int
    comment: str
    themes: list[str] = Field(description="Slugs.")
    wants_themes_text: str
    quote_allowed: bool
    answered_at: datetime


class SurveyOut(Schema):
    meeting: SurveyMeetingOut
    open: bool = Field(description="false once the survey has closed (14 days after the meeting).")
    closes_at: datetime
    themes: list[SurveyThemeOut] = Field(description="The themes one may ask for.")
    answer: AnswerOut | None = Field(description="null until answered.")


class CommentOut(Schema):
    comment: str
    rating: int
    quote_allowed: bool
    answered_at: datetime


class ThemeWantedOut(Schema):
    slug: str
    name: str
    name_en: str
    wanted: int = Field(description="How many answers asked for it.")


class EventFeedbackOut(Schema):
    asked: int = Field(description="Attendees sent the survey.")
    responses: int
    response_rate: float | None = Field(description="responses / asked, 0–1; null when nobody was asked.")
    average: float | None = Field(description="The average rating, one decimal; null without answers.")
    distribution: dict[str, int] = Field(description='"1" to "5": the number of answers of each rating.')
    comments: list[CommentOut]
    themes_wanted: list[ThemeWantedOut]
    themes_wanted_text: list[str]
