"""Organiser exports of registrations as CSV and XLSX (Swedish headers, formula-safe cells)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from accounts.auth import ORGANISER_PERMISSION, organiser_auth, require_permission
from common.api import ErrorOut, IsoDate
from events.models import Event

from . import exports

router = Router(tags=["organiser: exports"], auth=organiser_auth)

_EXPORT_FORMATS = {
    "csv": (exports.CSV_MEDIA_TYPE, exports.export_csv),
    "xlsx": (exports.XLSX_MEDIA_TYPE, exports.export_xlsx),
}


def _export_responses(extension: str) -> dict:
    """The OpenAPI answer of an export: a file of the format's media type, not JSON."""
    media_type = _EXPORT_FORMATS[extension][0].split(";")[0]
    return {
        "responses": {
            200: {
                "description": f"The registrations as a {extension.upper()} file with Swedish headers.",
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _require_export_permission(request) -> None:
    """Exports carry everyone's personal data: organisers only. A helper (who may see lists
    and mark attendance at the door) passes organiser authentication but lacks
    `events.change_event`, so both are checked here, whatever the router's auth allows."""
    require_permission(request.auth, "registrations.view_registration")
    require_permission(request.auth, ORGANISER_PERMISSION)


def _file_response(rows, *, extension: str, filename: str) -> HttpResponse:
    media_type, build = _EXPORT_FORMATS[extension]
    response = HttpResponse(build(rows), content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _event_export(request, event_id: int, extension: str) -> HttpResponse:
    _require_export_permission(request)
    event = get_object_or_404(Event, pk=event_id)
    return _file_response(
        exports.registration_export_rows_for_event(event_id=event.id),
        extension=extension,
        filename=exports.export_filename_for_event(event, extension=extension),
    )


class ExportDatesIn(Schema):
    """Local (Europe/Stockholm) start dates, both included; given in either order, the earlier
    date is the first."""

    date_from: IsoDate = Field(alias="from", description="First local (Europe/Stockholm) start date, included.")
    date_to: IsoDate = Field(alias="to", description="Last local start date, included.")

    @model_validator(mode="after")
    def ordered(self):
        if self.date_to < self.date_from:
            self.date_from, self.date_to = self.date_to, self.date_from
        return self


def _dates_export(request, dates: ExportDatesIn, extension: str) -> HttpResponse:
    _require_export_permission(request)
    return _file_response(
        exports.registration_export_rows_for_dates(date_from=dates.date_from, date_to=dates.date_to),
        extension=extension,
        filename=exports.export_filename_for_dates(
            date_from=dates.date_from, date_to=dates.date_to, extension=extension
        ),
    )


@router.get(
    "/events/{event_id}/registrations.csv",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    openapi_extra=_export_responses("csv"),
)
def organiser_registrations_csv(request, event_id: int):
    """A meeting's registrations (cancelled ones too) as CSV: `;`-separated, UTF-8 with BOM."""
    return _event_export(request, event_id, "csv")


@router.get(
    "/events/{event_id}/registrations.xlsx",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    openapi_extra=_export_responses("xlsx"),
)
def organiser_registrations_xlsx(request, event_id: int):
    """A meeting's registrations (cancelled ones too) as an Excel workbook."""
    return _event_export(request, event_id, "xlsx")


@router.get(
    "/exports/registrations.csv",
    response={200: None, 403: ErrorOut, 422: ErrorOut},
    openapi_extra=_export_responses("csv"),
)
def organiser_registrations_export_csv(request, dates: Query[ExportDatesIn]):
    """Registrations of every meeting starting on a local date from `from` to `to`, as CSV."""
    return _dates_export(request, dates, "csv")


@router.get(
    "/exports/registrations.xlsx",
    response={200: None, 403: ErrorOut, 422: ErrorOut},
    openapi_extra=_export_responses("xlsx"),
)
def organiser_registrations_export_xlsx(request, dates: Query[ExportDatesIn]):
    """Registrations of every meeting starting on a local date from `from` to `to`, as XLSX."""
    return _dates_export(request, dates, "xlsx")
