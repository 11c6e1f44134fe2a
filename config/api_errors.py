"""Every API error has the same shape: {"detail": "<human-readable text>"} (common.api.ErrorOut),
in the request's language (common.language.ApiLanguageMiddleware chooses it).

Domain exceptions raised by services are turned into answers here, so API functions
only validate, call a service and shape the result. No answer carries Python's own words
(a repr, an exception's text): ninja's English defaults are replaced, whatever DEBUG says.
"""

import logging
import re

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, ValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, JsonResponse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from events.services import EventConflict
from notifications.services import NoRecipients
from registrations.services import RegistrationConflict, SignupRejected

from .api_messages import validation_message

logger = logging.getLogger(__name__)

# Where ninja says a value came from; not part of a field's name.
_SOURCES = ("body", "query", "path", "payload", "header", "cookie", "form")
# The codes of Django's uniqueness checks: the value is taken, a conflict with what exists.
# A value taken already, or valid values that do not fit together (a meeting ending before
# it starts, a series too long or making too many times): the body matches the document, so
# the answer is 409, not 422.
_CONFLICT_CODES = {
    "unique",
    "unique_together",
    "unique_constraint",
    "ends_before_start",
    "series_too_long",
    "too_many_slots",
}


def _field_name(loc) -> str:
    return ".".join(str(part) for part in loc if part not in _SOURCES)


def _joined(errors: list[dict]) -> str:
    # "name: Must be ...; email: This field is required." (a whole body's error stands alone).
    parts = [f"{e['field']}: {e['message'].rstrip('.')}" if e["field"] else e["message"].rstrip(".") for e in errors]
    return "; ".join(parts) + "."


def _model_errors(error: ValidationError) -> list[dict]:
    if not hasattr(error, "error_dict"):
        return [{"field": "", "message": message} for message in error.messages]
    return [
        {"field": "" if field == NON_FIELD_ERRORS else field, "message": message}
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def _is_conflict(error: ValidationError) -> bool:
    codes = [item.code for items in getattr(error, "error_dict", {}).values() for item in items]
    return bool(codes) and all(code in _CONFLICT_CODES for code in codes)


# How SQLite and PostgreSQL name a refused column and a uniqueness violation.
_COLUMN_IN_MESSAGE = re.compile(r'constraint failed: \w+\.(\w+)|column "(\w+)"')
_UNIQUE_VIOLATION = re.compile(r"UNIQUE constraint failed|duplicate key value violates unique constraint")


def _refused_column(error: Exception) -> str:
    diagnosis = getattr(error.__cause__, "diag", None)
    if getattr(diagnosis, "column_name", None):
        return diagnosis.column_name
    match = _COLUMN_IN_MESSAGE.search(str(error))
    return next((name for name in match.groups() if name), "") if match else ""


class BodyUnreadable(Exception):
    """The body is not JSON text (or holds a NUL); the message says so in the request's language."""


def install_error_handlers(api: NinjaAPI) -> None:
    def answer(request, status: int, text: str, **extra):
        return api.create_response(request, {"detail": text, **extra}, status=status)

    @api.exception_handler(SchemaValidationError)
    def invalid_input(request, exc):
        errors = []
        for error in exc.errors:
            item = {"field": _field_name(error.get("loc", [])), "message": validation_message(error)}
            if not item["field"] and error.get("type") == "object_type":
                item["message"] = _("The request body must be a JSON object.")
            if item not in errors:
                errors.append(item)
        return answer(request, 422, _joined(errors), errors=errors)

    @api.exception_handler(ValidationError)
    def invalid_model(request, exc):
        errors = _model_errors(exc)
        return answer(request, 409 if _is_conflict(exc) else 422, _joined(errors), errors=errors)

    @api.exception_handler(NoRecipients)
    def no_recipients(request, exc):
        return answer(request, 409, _joined(_model_errors(exc)))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if isinstance(exc.__cause__, BodyUnreadable):  # ninja wraps the parser's error
            return answer(request, 400, str(exc.__cause__))
        if isinstance(exc, AuthenticationError):
            return answer(request, 401, _("Authentication required: a valid Bearer token or a logged-in session."))
        if exc.status_code == 403 and exc.message == "CSRF check Failed":
            return answer(request, 403, _("The CSRF check failed: send the CSRF token with a session's writes."))
        return answer(request, exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return answer(request, 404, _("Not found."))

    @api.exception_handler(SignupRejected)
    def signup_rejected(request, exc):
        # A meeting that does not exist is not found; a known one that takes no sign-ups is a conflict.
        nearest = [
            {"event_id": slot.id, "starts_at": localtime(slot.starts_at), "ends_at": localtime(slot.ends_at)}
            for slot in exc.nearest
        ]
        extra = {"nearest_free": nearest} if nearest else {}
        return answer(request, 404 if exc.unknown else 409, str(exc), event_id=exc.event_id, **extra)

    @api.exception_handler(RegistrationConflict)
    @api.exception_handler(EventConflict)
    def conflict(request, exc):
        return answer(request, 409, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return answer(request, 413, _("The request body is too large."))

    @api.exception_handler(DataError)
    @api.exception_handler(IntegrityError)
    def database_refused(request, exc):
        # The last line of defence: input the schemas let through and the database refused
        # (a value out of its range, a NULL where none may be) is the caller's error, not a 500.
        # Logged, because each one is a rule the schemas should state.
        logger.warning("The database refused an API request's input", exc_info=exc)
        column = _refused_column(exc)
        if _UNIQUE_VIOLATION.search(str(exc)):
            return answer(request, 409, _("This is already taken."))
        text = _("The value cannot be stored.")
        return answer(request, 422, f"{column}: {text}" if column else text)

    @api.exception_handler(OverflowError)
    def out_of_range(request, exc):
        # A date at the edge of the calendar that cannot be moved between time zones; the
        # schemas refuse most such dates first, this answers for any that slip through.
        return answer(request, 422, _("A date or time is out of range."))


def method_not_allowed_as_json(get_response):
    """Middleware: ninja answers a method a path lacks with a plain-text 405; under /api/ the
    answer is JSON like every other error, with the same `Allow` header."""

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and request.path_info.startswith("/api/") and response.has_header("Allow"):
            allowed = response["Allow"]
            response = JsonResponse(
                {"detail": _("Method not allowed: use %(methods)s.") % {"methods": allowed}}, status=405
            )
            response["Allow"] = allowed
        return response

    return middleware


def page_not_found(request, exception, template_name="404.html"):
    """Django's 404 for a path no route matches: JSON under /api/, the site's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception, template_name)


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

    def parse_body(self, request):
        try:
            data = super().parse_body(request)
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise BodyUnreadable(_("The request body is not valid JSON.")) from error
        if _holds_nul(data):
            raise BodyUnreadable(_("Text must not contain NUL characters."))
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if _holds_nul(parsed):
            message = _("Text must not contain NUL characters.")
            raise SchemaValidationError([{"loc": ["query"], "type": "value_error", "ctx": {"error": message}}])
        return parsed
