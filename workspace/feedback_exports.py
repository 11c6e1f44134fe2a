"""The survey's answers as files for organisers, per meeting and per period, without
anyone's name or e-mail (feedback.exports). Organisers only: a helper at the door sees lists
and marks attendance, nothing more."""

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.auth import ORGANISER_PERMISSION
from events.models import Event
from feedback import exports

from .report_forms import PeriodForm
from .views import workspace_view

FORMATS = tuple(exports.MEDIA_TYPES)


def _file(rows, *, extension: str, filename: str) -> HttpResponse:
    content = exports.feedback_export_file(rows, extension=extension)
    response = HttpResponse(content, content_type=exports.MEDIA_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The comments are the organisers' to read: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@workspace_view(ORGANISER_PERMISSION)
def event_feedback_export(request, event_id: int, extension: str):
    if extension not in FORMATS:
        raise Http404
    event = get_object_or_404(Event, pk=event_id)
    return _file(
        exports.feedback_export_rows_for_event(event_id=event.id),
        extension=extension,
        filename=exports.feedback_export_filename_for_event(event, extension=extension),
    )


@workspace_view(ORGANISER_PERMISSION)
def feedback_export_period(request):
    """The period form (sent from the meeting list): valid dates open the period's file."""
    asked = "start" in request.GET or "end" in request.GET
    form = PeriodForm(request.GET if asked else None)
    extension = request.GET.get("format")
    if asked and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        return redirect("workspace:feedback_export", start, end, extension if extension in FORMATS else "xlsx")
    context = {"form": form, "nav": "overview"}
    return render(request, "workspace/feedback_export.html", context, status=400 if form.errors else 200)


@workspace_view(ORGANISER_PERMISSION)
def feedback_export(request, start: date, end: date, extension: str):
    """The answers about the meetings that start from `start` to `end` (local dates, included)."""
    if extension not in FORMATS or end < start:
        raise Http404
    return _file(
        exports.feedback_export_rows_for_dates(date_from=start, date_to=end),
        extension=extension,
        filename=exports.feedback_export_filename_for_dates(date_from=start, date_to=end, extension=extension),
    )
