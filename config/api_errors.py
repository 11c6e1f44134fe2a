"""Every API error has the same shape: {"detail": "<human-readable text>"}.

Domain exceptions raised by services are turned into answers here, so API functions
only validate, call a service and shape the result.
"""

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as SchemaValidationError

from events.services import EventConflict
from registrations.services import RegistrationConflict, SignupRejected


class ErrorOut(Schema):
    detail: str


def found(obj):
    """The object, or a 404 when a selector found nothing."""
    if obj is None:
        raise Http404
    return obj


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
