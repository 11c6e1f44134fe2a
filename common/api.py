"""What every app's API shares: the shape of an error answer, a 404 for what a selector did
not find, and the base of request bodies. The handlers that produce the errors are installed
in config/api_errors.py."""

import re
from datetime import date
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, Strict, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

# What the text rules refuse, as JSON Schema patterns for the document (the rules themselves
# are in registrations/validators.py and the body parser in config/api_errors.py).
NO_NUL_PATTERN = r"^[^\u0000]*$"
# Control characters (Cc) and the line and paragraph separators (Zl, Zp).
SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"
# E-mail addresses as registrations.validators.clean_email takes them, in ASCII: a dot-atom
# local part; labels of up to 63 letters, digits and inner hyphens, none in IDNA's "xn--" form;
# a top-level domain of at least two letters. (The server also takes domains in Unicode
# letters, which regular expressions of JSON Schema's and Python's kinds read differently.)
_EMAIL_LABEL = r"(?![Xx][Nn]--)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = (
    r"^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*"
    rf"@({_EMAIL_LABEL}\.)+[A-Za-z][A-Za-z-]{{0,61}}[A-Za-z]$"
)


def schema_rule(rule, value: str) -> str:
    """Runs a rule inside a pydantic validator: pydantic shows ValueError messages, and
    Django's rules raise their own error type."""
    try:
        return rule(value)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


# Dates the API takes: ISO 8601 days of the years 1900 to 2999.
DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"


class FieldErrorOut(Schema):
    field: str = Field(description="The field, as named in the request (`event_ids.0` for a list's first item).")
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the request's language (Accept-Language; Swedish by default).")
    errors: list[FieldErrorOut] | None = Field(None, description="On 422: one entry per field refused.")


def described(answers: dict[int, str]) -> dict:
    """`openapi_extra` saying what an answer with each status means."""
    return {"responses": {status: {"description": text} for status, text in answers.items()}}


def found(obj):
    """The object, or a 404 when a selector found nothing."""
    if obj is None:
        raise Http404
    return obj


class BodyIn(Schema):
    """A request body: a JSON object holding only the documented fields, each of its JSON type.

    Strict, because a body is JSON and JSON has its own types: `0` is no boolean and `"5"` no
    number. Choices (enums) come as strings, so those fields are declared `Choice[...]`.
    Ninja's own root validator (which reads attributes of any object, so that a JSON string
    would pass for an object) is replaced: anything but an object is refused."""

    model_config = ConfigDict(strict=True, extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler, info):
        if not isinstance(values, dict):
            raise PydanticCustomError("object_type", "Input should be a JSON object")
        return handler(values)


def _json_integer(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer; a boolean or a string is none.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def integer(**constraints):
    """An integer of a body: JSON's 3 or 3.0, never true or "3" (a BodyIn's strictness refuses
    those), within `constraints` (`ge`, `le`, ...). The constraints come before the conversion
    in the annotation, or the document would not show them."""
    return Annotated[int, Field(**constraints), BeforeValidator(_json_integer)]


Integer = integer()

T = TypeVar("T")
# A choice from a TextChoices class, given as its code (a string).
Choice = Annotated[T, Strict(False)]


def _date_text(value: Any) -> Any:
    # Pydantic would otherwise read 0 or "0" as a Unix time.
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    if not re.fullmatch(DATE_PATTERN, value):
        raise PydanticCustomError("date_range", "Input should be a date from 1900 to 2999")
    return value


# A day as YYYY-MM-DD (e.g. a query parameter), of the years 1900 to 2999: a date beyond
# them is never meant, and near the calendar's ends it cannot move between time zones.
IsoDate = Annotated[
    date,
    Strict(False),
    BeforeValidator(_date_text),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
