from datetime import datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, WithJsonSchema, field_validator, model_validator

from common.api import EMAIL_PATTERN, SINGLE_LINE_PATTERN, BodyIn, Choice, integer, schema_rule
from events.choices import Municipality
from events.fields import ThemeSlug
from events.schemas import EventOut

from .choices import Gender, Language, OrganisationType, Status
from .models import Registration, RegistrationChange
from .selectors import waitlist_position
from .validators import clean_email, clean_single_line

# The rules of registrations/validators.py as the OpenAPI document states them.
_SINGLE_LINE = {"pattern": SINGLE_LINE_PATTERN}
_EMAIL = {"type": "string", "format": "email", "maxLength": 254, "pattern": EMAIL_PATTERN}
MunicipalityName = Annotated[
    str,
    Field(max_length=50),
    WithJsonSchema(
        {
            "type": "string",
            "enum": Municipality.values,
            "description": "A municipality's Swedish name, in any case (`nyköping` is `Nyköping`), or `Annan`.",
        }
    ),
]
# A row's id, as a 64-bit database column holds it.
RowId = integer(ge=1, le=2**63 - 1)


class PersonIn(BodyIn):
    name: str = Field(min_length=1, max_length=200, json_schema_extra=_SINGLE_LINE)
    email: Annotated[str, WithJsonSchema(_EMAIL)] = Field(max_length=254)
    organisation: str = Field("", max_length=200, json_schema_extra=_SINGLE_LINE)
    organisation_type: Choice[OrganisationType] = OrganisationType.OTHER
    municipality: MunicipalityName
    gender: Choice[Gender | None] = None
    language: Choice[Language | None] = None

    @field_validator("name", "organisation")
    @classmethod
    def single_line(cls, value: str) -> str:
        return schema_rule(clean_single_line, value)

    @field_validator("email")
    @classmethod
    def valid_email(cls, value: str) -> str:
        return schema_rule(clean_email, value)

    @field_validator("municipality")
    @classmethod
    def known_municipality(cls, value: str) -> str:
        return schema_rule(Municipality.clean, value)


class SignupIn(PersonIn):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["event_ids"], "properties": {"event_ids": {"minItems": 1}}},
                {"required": ["theme_interests"], "properties": {"theme_interests": {"minItems": 1}}},
            ]
        }
    )

    event_ids: list[RowId] = Field(
        default_factory=list, max_length=50, description="Meetings to sign up for (at least one, or a theme)."
    )
    theme_interests: list[ThemeSlug] = Field(
        default_factory=list, max_length=50, description="Themes wanted (slugs; unknown ones are ignored)."
    )
    consent: Annotated[bool, WithJsonSchema({"type": "boolean", "const": True})] = Field(
        description="Consent to the privacy notice: must be true."
    )

    @field_validator("consent")
    @classmethod
    def consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError(_("Consent to the privacy notice is required."))
        return value

    @model_validator(mode="after")
    def something_chosen(self):
        if not self.event_ids and not self.theme_interests:
            raise ValueError(_("Choose at least one meeting (event_ids) or theme (theme_interests)."))
        return self


class SignupRegistrationOut(Schema):
    event_id: int
    status: str
    waitlist_position: int | None = None
    manage_token: str | None = None


class SignupOut(Schema):
    registrations: list[SignupRegistrationOut]
    theme_interests: list[str]


class _RegistrationBase(Schema):
    """A registration's state and the details the person gave; times in Europe/Stockholm."""

    status: Status
    waitlist_position: int | None
    name: str
    email: str
    organisation: str
    organisation_type: OrganisationType
    municipality: str
    gender: Gender
    language: Language
    created_at: datetime

    @staticmethod
    def resolve_waitlist_position(obj: Registration) -> int | None:
        return waitlist_position(obj)

    @staticmethod
    def resolve_created_at(obj: Registration) -> datetime:
        return timezone.localtime(obj.created_at)


class RegistrationOut(_RegistrationBase):
    """What the holder of a manage token sees."""

    event: EventOut
    online_url: str | None = Field(None, description="Only for confirmed registrations.")

    @staticmethod
    def resolve_online_url(obj: Registration) -> str | None:
        return (obj.event.online_url or None) if obj.status == Status.CONFIRMED else None


_OPTIONAL_EMAIL = {
    "anyOf": [_EMAIL, {"type": "string", "maxLength": 0}],
    "description": "Empty for a walk-in without one.",
}


class OrganiserRegistrationIn(PersonIn):
    email: Annotated[str, WithJsonSchema(_OPTIONAL_EMAIL)] = Field("", max_length=254)
    municipality: MunicipalityName = "Annan"
    attended: bool | None = None

    @field_validator("email")
    @classmethod
    def valid_email(cls, value: str) -> str:
        # A walk-in may leave no address.
        return schema_rule(clean_email, value) if value else ""


class OrganiserRegistrationOut(_RegistrationBase):
    id: int
    event_id: int
    source: str
    attended: bool | None
    cancelled_at: datetime | None

    @staticmethod
    def resolve_waitlist_position(obj: Registration) -> int | None:
        if obj.status != Status.WAITLISTED:
            return None
        # Lists come annotated (one query for all); a single registration is counted.
        rank = getattr(obj, "queue_rank", None)
        return rank if rank is not None else waitlist_position(obj)

    @staticmethod
    def resolve_cancelled_at(obj: Registration) -> datetime | None:
        return timezone.localtime(obj.cancelled_at) if obj.cancelled_at else None


class AttendanceIn(BodyIn):
    attended: bool | None = Field(description="true: came; false: no-show; null: undo the mark.")


class NoShowsOut(Schema):
    marked: int = Field(description="How many registrations were marked as no-shows.")


class ChangeByOut(Schema):
    id: int
    username: str
    name: str = Field(description="Full name, or the username when none is set.")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.get_full_name() or obj.get_username()


class RegistrationChangeOut(Schema):
    """One line of a registration's history."""

    action: RegistrationChange.Action = Field(
        description="signed_up, waitlisted, promoted, cancelled, attended, no_show, attendance_undone "
        "or added_by_organiser."
    )
    action_label: str = Field(description="The action in the request's language.")
    at: datetime = Field(description="When it happened (Europe/Stockholm).")
    by: ChangeByOut | None = Field(
        description="The workspace user who did it; null when the person did it themself "
        "(sign-up, cancelling by link) or the system did (promotions, scheduled marks)."
    )
    by_label: str = Field(description="Who did it, as the workspace shows it.")
    detail: dict = Field(description="Facts about the change, e.g. `was_confirmed` on a cancellation.")

    @staticmethod
    def resolve_action_label(obj: RegistrationChange) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_at(obj: RegistrationChange) -> datetime:
        return timezone.localtime(obj.at)
