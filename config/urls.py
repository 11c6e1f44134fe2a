from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("notifications.urls")),
]
# Swedish lives at the root, English under /en/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("arrangor/", include("workspace.urls")),
    path("", include("registrations.urls")),
    path("", include("coaching.urls")),
    path("", include("feedback.urls")),
    path("", include("events.urls")),
    prefix_default_language=False,
)

# A path no route matches answers JSON under /api/ (the site's page elsewhere).
handler404 = "config.api_errors.page_not_found"
