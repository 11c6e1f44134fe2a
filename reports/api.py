"""The progress report's figures and files for other systems (organisers only)."""

from typing import Annotated

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import WithJsonSchema

from accounts.auth import organiser_auth
from common.api import ErrorOut

from . import exports
from .progress_form import SMALL, is_small, report_figures
from .schemas import PeriodIn, ProgressOut
from .selectors import Period, progress_report_for

router = Router(tags=["organiser: reports"], auth=organiser_auth)

SMALL_NUMBER_BREAKDOWNS = ("attendees_by_gender", "attendees_by_municipality")
# Any text reaches the function (to answer 404 for an unknown format); the document lists them.
FileFormat = Annotated[str, WithJsonSchema({"type": "string", "enum": list(exports.FORMATS)})]


@router.get("/reports/progress", response={200: ProgressOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def progress(request, query: Query[PeriodIn]):
    """Every figure of the progress report for the period: meetings held (a meeting counts in
    the period its local start date falls in), registered, attended, unique attendees and
    breakdowns. Cancelled meetings and registrations count nowhere."""
    report = progress_report_for(Period(query.date_from, query.date_to))
    figures = dict(report_figures(report), finalised_at=report.finalised_at)
    if query.suppress_small or report.suppress_small_numbers:
        for key in SMALL_NUMBER_BREAKDOWNS:
            figures[key] = {code: SMALL if is_small(count) else count for code, count in figures[key].items()}
    return figures


@router.get(
    "/reports/progress.{extension}",
    response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The report as a DOCX or PDF form, or its figures as XLSX or CSV.",
                "content": {
                    media_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                    for media_type, _build in exports.FORMATS.values()
                },
            }
        }
    },
)
def progress_file(request, extension: FileFormat, query: Query[PeriodIn]):
    """The report as a file (`docx`, `pdf`, `xlsx` or `csv`): the saved report of exactly this
    period with the organiser's text, or drafts from the records when none is saved."""
    if extension not in exports.FORMATS:
        raise HttpError(404, _("No such format: use docx, pdf, xlsx or csv."))
    report = progress_report_for(Period(query.date_from, query.date_to))
    if query.suppress_small:
        report.suppress_small_numbers = True
    content, media_type, filename = exports.report_file(report, extension)
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
