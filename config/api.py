"""The one NinjaAPI: a router per app, and errors always shaped as {"detail": "..."}."""

from django.core.exceptions import RequestDataTooBig
from ninja import NinjaAPI
from ninja.errors import ValidationError

from events.api import organiser_router as events_organiser_router
from events.api import router as events_router
from registrations.api import organiser_router as registrations_organiser_router
from registrations.api import router as registrations_router

api = NinjaAPI(
    title="Träffpunkt API",
    version="1.0",
    description="Meetings, sign-ups and waiting lists. Times are ISO 8601 with offset.",
    urls_namespace="api",
)
api.add_router("/", events_router)
api.add_router("/", registrations_router)
api.add_router("/organiser/", events_organiser_router)
api.add_router("/organiser/", registrations_organiser_router)


def _field_name(loc: list) -> str:
    # Ninja prefixes locations with where the value came from ("body", "payload").
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [
        {"field": _field_name(e.get("loc", [])), "message": e.get("msg", "").removeprefix("Value error, ")}
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    return api.create_response(request, {"detail": "Request body too large."}, status=413)
