"""The value types of the meetings' API schemas. Each states in its JSON Schema exactly what
the server takes, so the OpenAPI document allows what the server accepts and refuses what it
refuses (an outside fuzzer holds the API to both)."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import AfterValidator, BeforeValidator, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from common.api import NO_NUL_PATTERN, SINGLE_LINE_PATTERN, schema_rule

from .choices import EventStatus, Municipality

# RFC 3339 (JSON Schema's `date-time`): seconds and an offset are required, as the contract's
# "ISO 8601 with offset" promises; the years are 1900 to 2999, as for dates.
_TIMESTAMP_SHAPE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
TIMESTAMP_PATTERN = (
    r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
_SINGLE_LINE_BREAKERS = re.compile(r"[\u0000-\u001f\u007f-\u009f\u2028\u2029]")
# An http(s) link to a named host, within what Django's URLValidator (which the model runs)
# accepts: ASCII only (a path percent-encoded), so that the document's (ECMA) and Python's
# regular expressions agree; up to five labels of up to 40 characters before a top-level
# domain of 2 to 24 letters, so that a host stays within URLValidator's 253. Empty: none.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,38}[A-Za-z0-9])?"
ONLINE_URL_PATTERN = rf"^(https?://{_LABEL}(\.{_LABEL}){{0,4}}\.[A-Za-z]{{2,24}}(:[0-9]{{1,5}})?([/?#][!-~]*)?)?$"
THEME_SLUG_PATTERN = r"^[a-z0-9-]+$"


def _timestamp_text(value: Any) -> Any:
    # Pydantic would otherwise read 0 as 1970-01-01, and take a date alone or no offset.
    if not isinstance(value, str) or not _TIMESTAMP_SHAPE.fullmatch(value):
        raise PydanticCustomError("datetime_type", "Input should be a date and time with an offset")
    if not 1900 <= int(value[:4]) <= 2999:
        raise PydanticCustomError("date_range", "Input should be a date from 1900 to 2999")
    return value


def _in_site_zone(value: datetime) -> datetime:
    # Stored in the site's zone: PostgreSQL takes offsets up to 15:59 only, RFC 3339 to 23:59.
    return timezone.localtime(value)


Timestamp = Annotated[
    datetime,
    Strict(False),
    BeforeValidator(_timestamp_text),
    AfterValidator(_in_site_zone),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": TIMESTAMP_PATTERN,
            "description": "ISO 8601 (RFC 3339) with seconds and an offset, years 1900 to 2999.",
        }
    ),
]


def _flag(value: Any) -> Any:
    # A query string's boolean: `true` or `false`, not pydantic's yes/on/1 and the like.
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise PydanticCustomError("bool_parsing", "Input should be true or false")


Flag = Annotated[bool, BeforeValidator(_flag)]


def _whole_number(value: Any) -> Any:
    # JSON Schema's integer includes 2.0, which the strict bodies would refuse; "2" and true
    # stay refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("int_type", "Input should be a whole number")


def whole_number(*, ge: int, le: int) -> Any:
    """An integer from `ge` to `le` (the bounds must come before the validator to be documented)."""
    return Annotated[int, Field(ge=ge, le=le), Strict(False), BeforeValidator(_whole_number)]


def _single_line(value: str) -> str:
    if _SINGLE_LINE_BREAKERS.search(value):
        raise ValueError(_("Must be a single line without control characters."))
    return value


# Text that ends up in e-mail subjects and calendar fields: no line breaks or control characters.
SingleLine = Annotated[str, AfterValidator(_single_line), Field(json_schema_extra={"pattern": SINGLE_LINE_PATTERN})]
# Free text (several lines allowed); NUL is refused by the body parser.
Text = Annotated[str, Field(json_schema_extra={"pattern": NO_NUL_PATTERN})]
OnlineUrl = Annotated[str, Field(max_length=500, pattern=ONLINE_URL_PATTERN)]
ThemeSlug = Annotated[str, Field(min_length=1, max_length=60, pattern=THEME_SLUG_PATTERN)]


def _municipality(value: Any) -> Any:
    if not isinstance(value, str) or value == "":
        return value
    return schema_rule(Municipality.clean, value)


# The Swedish name in any case (`nyköping` is `Nyköping`); "" for none.
MunicipalityName = Annotated[
    str,
    BeforeValidator(_municipality),
    WithJsonSchema(
        {
            "type": "string",
            "enum": [*Municipality.values, ""],
            "description": "A municipality's Swedish name, in any case (`nyköping` is read as `Nyköping`); "
            '"" or null for none.',
        }
    ),
]

# What a meeting may be set to; it is cancelled with POST /api/organiser/events/{id}/cancel.
SettableStatus = Literal[EventStatus.DRAFT.value, EventStatus.PUBLISHED.value]
