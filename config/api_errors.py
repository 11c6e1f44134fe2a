"""Every API error has the same shape: {"detail": "<human-readable text>"} (common.api.ErrorOut).

Domain exceptions raised by services are turned into answers here, so API functions
only validate, call a service and shape the result.
"""

from django.core.exceptions import RequestDataTooBig, ValidationError
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from common.api import ErrorOut
from events.services import EventConflict
from registrations.services import RegistrationConflict, SignupRejected


def _field_name(loc) -> str:
    # Ninja prefixes locations with where the value came from ("body", "payload").
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "request"


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def install_error_handlers(api: NinjaAPI) -> None:
    def answer(request, status: int, text: str, **extra):
        return api.create_response(request, {"detail": text, **extra}, status=status)

    @api.exception_handler(SchemaValidationError)
    def invalid_input(request, exc):
        errors = [
            {"field": _field_name(e.get("loc", [])), "message": e.get("msg", "").removeprefix("Value error, ")}
            for e in exc.errors
        ]
        return answer(request, 422, "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)

    @api.exception_handler(ValidationError)
    def invalid_model(request, exc):
        return answer(request, 422, _validation_text(exc))

    @api.exception_handler(SignupRejected)
    def signup_rejected(request, exc):
        # An unknown meeting is bad input; a known one that takes no sign-ups is a conflict.
        return answer(request, 422 if exc.unknown else 409, str(exc), event_id=exc.event_id)

    @api.exception_handler(RegistrationConflict)
    @api.exception_handler(EventConflict)
    def conflict(request, exc):
        return answer(request, 409, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return answer(request, 413, "Request body too large.")

    @api.exception_handler(OverflowError)
    def out_of_range(request, exc):
        # A date at the edge of the calendar that cannot be moved between time zones; the
        # schemas refuse most such dates first, this answers for any that slip through.
        return answer(request, 422, "A date or time is out of range.")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class TextParser(Parser):
    """JSON bodies and query strings, refusing NUL characters anywhere in them (a body with
    one is 400 like any unreadable body, a query string 422): no text here may hold one, and
    PostgreSQL cannot store or even compare one, while SQLite would silently keep it."""

    def _checked(self, data, location: str):
        if _holds_nul(data):
            raise SchemaValidationError([{"loc": [location], "msg": "Text must not contain NUL characters."}])
        return data

    def parse_body(self, request):
        return self._checked(super().parse_body(request), "body")

    def parse_querydict(self, data, list_fields, request):
        return self._checked(super().parse_querydict(data, list_fields, request), "query")


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


ERROR_REF = "#/components/schemas/ErrorOut"
# The answers any operation may give, by what it takes; an operation may describe them itself.
_COMMON_ERRORS = {
    "input": {"422": "Invalid input: `detail` says which field and why (also in `errors`)."},
    "body": {
        "400": "The body is not valid JSON (or holds a NUL character, which no text here may).",
        "413": "The body is larger than the server accepts.",
    },
    "auth": {
        "401": "No valid Bearer token or logged-in session.",
        "403": "Logged in, but without the permission this needs.",
    },
}


def document_common_errors(schema: dict) -> dict:
    """Adds to every operation of an OpenAPI document the errors the framework and these
    handlers give it: 422 where it takes input, 400 and 413 where it takes a body, 401 and
    403 where it needs authentication, each a JSON {"detail": ...}."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            kinds = []
            if operation.get("parameters") or operation.get("requestBody"):
                kinds.append("input")
            if operation.get("requestBody"):
                kinds.append("body")
            if operation.get("security"):
                kinds.append("auth")
            responses = operation.setdefault("responses", {})
            for kind in kinds:
                for status, description in _COMMON_ERRORS[kind].items():
                    responses.setdefault(status, _error_response(description))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    return schema
