from datetime import datetime

from ninja import Field, Schema
from pydantic import field_validator

from common.api import NO_NUL_PATTERN, SINGLE_LINE_PATTERN, BodyIn, Choice, schema_rule
from registrations.validators import clean_single_line

from .models import Announcement


class AnnouncementIn(BodyIn):
    subject: str = Field(min_length=1, max_length=200, json_schema_extra={"pattern": SINGLE_LINE_PATTERN})
    body: str = Field(min_length=1, max_length=5000, json_schema_extra={"pattern": NO_NUL_PATTERN})
    audience: Choice[Announcement.Audience]

    @field_validator("subject")
    @classmethod
    def single_line(cls, value: str) -> str:
        return schema_rule(clean_single_line, value)


class AnnouncementCreatedOut(Schema):
    id: int
    recipients: int = Field(validation_alias="recipient_count")


class AnnouncementOut(Schema):
    id: int
    subject: str
    body: str
    audience: Announcement.Audience
    created_at: datetime
    created_by: str | None = Field(None, validation_alias="created_by.username")
    recipients: int
    sent: int
    pending: int
    failed: int
    skipped: int
