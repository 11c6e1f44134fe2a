"""The one NinjaAPI: a router per app; errors are shaped in config/api_errors.py."""

from django.conf import settings
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from ninja import NinjaAPI

from events.api import organiser_router as events_organiser_router
from events.api import router as events_router
from registrations.api import organiser_router as registrations_organiser_router
from registrations.api import router as registrations_router
from registrations.api_exports import router as exports_router

from .api_document import document_common_errors
from .api_errors import TextParser, install_error_handlers

# Swagger UI sets inline styles and data: images; only its page allows them.
_docs_csp = csp_override(
    {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE], "img-src": [CSP.SELF, "data:"]}
)


class TraffpunktAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_common_errors(super().get_openapi_schema(*args, **kwargs))


api = TraffpunktAPI(
    docs_decorator=_docs_csp,
    title="Träffpunkt API",
    version="1.0",
    description="Meetings, sign-ups and waiting lists. Times are ISO 8601 with offset (Europe/Stockholm). "
    'Errors are JSON, `{"detail": "..."}`, naming each field refused, in the language of `Accept-Language` '
    "(Swedish by default). Bodies are strict JSON objects: only the documented fields, each of its JSON type.",
    urls_namespace="api",
    parser=TextParser(),
)
install_error_handlers(api)
api.add_router("/", events_router)
api.add_router("/", registrations_router)
api.add_router("/organiser/", events_organiser_router)
api.add_router("/organiser/", registrations_organiser_router)
api.add_router("/organiser/", exports_router)
api.add_router("/organiser/", "registrations.api_history.router")
api.add_router("/organiser/", "notifications.api.router")
api.add_router("/", "reports.api.router")
api.add_router("/", "feedback.api.router")
api.add_router("/organiser/", "feedback.api.organiser_router")
api.add_router("/", "coaching.api.router")
api.add_router("/organiser/", "coaching.api.organiser_router")
