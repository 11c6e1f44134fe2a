"""Public pages about a person's own data: asking for the link (from the manage page), the
page the e-mailed link opens, its JSON download, and deleting the details."""

from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..choices import Status
from ..ratelimit import privacy_link_limited
from ..selectors import registration_get_by_token
from ..views import unknown_manage_link
from .selectors import personal_data_export
from .services import personal_data_erase, privacy_link_request
from .tokens import LINK_HOURS, registration_get_by_privacy_token


def _invalid_privacy_link(request):
    context = {"link_hours": LINK_HOURS, "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS}
    return render(request, "registrations/privacy/link_invalid.html", context, status=404)


@never_cache
@require_POST
def link_request(request, token: str):
    """ "E-mail me a link to my data": the link goes to the registration's address, never to
    the browser, since whoever has the manage link only proved they typed that address."""
    registration = registration_get_by_token(token)
    if registration is None or not registration.email:
        return unknown_manage_link(request)
    if privacy_link_limited(request, registration_id=registration.id):
        return render(request, "registrations/privacy/limited.html", {"token": token}, status=429)
    privacy_link_request(registration_id=registration.id)
    messages.success(
        request,
        _("We have e-mailed a link to your data to %(email)s. It works for %(hours)d hours.")
        % {"email": registration.email, "hours": LINK_HOURS},
    )
    return redirect("registrations:manage", token=token)


@never_cache
@require_GET
def data_page(request, signed: str):
    registration = registration_get_by_privacy_token(signed)
    if registration is None:
        return _invalid_privacy_link(request)
    context = {"data": personal_data_export(email=registration.email), "signed": signed}
    return render(request, "registrations/privacy/data.html", context)


@never_cache
@require_GET
def download(request, signed: str):
    registration = registration_get_by_privacy_token(signed)
    if registration is None:
        return _invalid_privacy_link(request)
    response = JsonResponse(
        personal_data_export(email=registration.email),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = 'attachment; filename="mina-uppgifter.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request, signed: str):
    """GET asks (mail scanners follow links); only the POST deletes."""
    registration = registration_get_by_privacy_token(signed)
    if registration is None:
        return _invalid_privacy_link(request)
    if request.method == "POST":
        personal_data_erase(email=registration.email)
        return redirect("registrations:privacy_erased")
    data = personal_data_export(email=registration.email)
    now = timezone.now()
    upcoming = [
        row
        for row in data["registrations"]
        if row["status"]["code"] != Status.CANCELLED and row["meeting"]["starts_at"] > now
    ]
    return render(
        request, "registrations/privacy/erase_confirm.html", {"data": data, "upcoming": upcoming, "signed": signed}
    )


@require_GET
def erased(request):
    return render(request, "registrations/privacy/erased.html")
