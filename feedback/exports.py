"""Survey answers as CSV and XLSX files: one row per answer, never the person's name or
e-mail (the rows are read from the answers and their meetings only, not the registrations).

The files are built by the registration export's writers (registrations.exports), so they
share its Swedish headers, formula-safe cells and file formats."""

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy

from events.choices import Kind
from events.models import Event, Theme
from events.selectors import local_day_start
from registrations.exports import (
    CSV_MEDIA_TYPE,
    EXPORT_LANGUAGE,
    XLSX_MEDIA_TYPE,
    export_csv,
    export_xlsx,
    filename_slug,
    local_time,
)

from .models import Feedback

MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}
SHEET_TITLE = "Omdömen"

_HEADERS = [
    pgettext_lazy("export column", "Meeting"),
    pgettext_lazy("export column", "Date"),
    pgettext_lazy("export column", "Kind"),
    pgettext_lazy("export column", "Themes"),
    pgettext_lazy("export column", "Rating"),
    pgettext_lazy("export column", "Comment"),
    pgettext_lazy("export column", "May be quoted"),
    pgettext_lazy("export column", "Themes wanted"),
    pgettext_lazy("export column", "Other wishes"),
    pgettext_lazy("export column", "Answered"),
]


def feedback_export_headers() -> list[str]:
    with translation.override(EXPORT_LANGUAGE):
        return [str(header) for header in _HEADERS]


def _answers(answers: QuerySet[Feedback]) -> QuerySet[Feedback]:
    by_name = Theme.objects.order_by("name")
    return (
        answers.filter(rating__isnull=False)
        .select_related("event")
        .prefetch_related(Prefetch("event__themes", queryset=by_name), Prefetch("wants_themes", queryset=by_name))
        .order_by("event__starts_at", "event_id", "answered_at", "id")
    )


def _rows(answers: QuerySet[Feedback]) -> Iterator[list[str]]:
    """Three queries whatever the number of answers: the answers with their meetings, the
    meetings' themes and the themes wanted."""
    with translation.override(EXPORT_LANGUAGE):
        kinds = {code: str(label) for code, label in Kind.choices}
        yes_no = {True: gettext("Yes"), False: gettext("No")}
    zone = timezone.get_default_timezone()
    for answer in _answers(answers):
        event = answer.event
        yield [
            event.title,
            timezone.localtime(event.starts_at, zone).date().isoformat(),
            # An unknown code (from an older choice list) is shown as stored, not dropped.
            kinds.get(event.kind, event.kind),
            ", ".join(theme.name for theme in event.themes.all()),
            str(answer.rating),
            answer.comment,
            yes_no[answer.quote_allowed],
            ", ".join(theme.name for theme in answer.wants_themes.all()),
            answer.wants_themes_text,
            local_time(answer.answered_at),
        ]


def feedback_export_rows_for_event(*, event_id: int) -> Iterator[list[str]]:
    """One row per answer about a meeting, in the order they came."""
    return _rows(Feedback.objects.filter(event_id=event_id))


def feedback_export_rows_for_dates(*, date_from: date, date_to: date) -> Iterator[list[str]]:
    """The answers about every meeting whose local (Europe/Stockholm) start date is in
    [date_from, date_to], by meeting start, then the order they came."""
    answers = Feedback.objects.filter(
        event__starts_at__gte=local_day_start(date_from),
        event__starts_at__lt=local_day_start(date_to + timedelta(days=1)),
    )
    return _rows(answers)


def feedback_export_file(rows: Iterator[list[str]], *, extension: str) -> bytes:
    """The rows as a file of `extension` ("csv" or "xlsx") with the Swedish headers."""
    headers = feedback_export_headers()
    if extension == "csv":
        return export_csv(rows, headers=headers)
    return export_xlsx(rows, headers=headers, sheet_title=SHEET_TITLE)


def feedback_export_filename_for_event(event: Event, *, extension: str) -> str:
    """e.g. omdomen-2026-12-01-tematraff-finansiering.xlsx"""
    day = timezone.localtime(event.starts_at, timezone.get_default_timezone()).date()
    title = filename_slug(event.title) or f"traff-{event.id}"
    return f"omdomen-{day.isoformat()}-{title}.{extension}"


def feedback_export_filename_for_dates(*, date_from: date, date_to: date, extension: str) -> str:
    """e.g. omdomen-2026-12-01-till-2026-12-31.csv"""
    return f"omdomen-{date_from.isoformat()}-till-{date_to.isoformat()}.{extension}"
