"""Registration lists as CSV and XLSX files for organisers and the funder's reporting.

Rows are read in one query (values() across the meeting), so a list of 30 costs what a list
of 3 does. Every cell is text, neutralised against formula injection (OWASP "CSV
injection"): spreadsheet programs run a cell that starts with = + - @ (or a tab or CR in
front of one), and names are typed by strangers on the public sign-up form.

Headers and labels are gettext strings like every user-facing text, but the files are always
built in Swedish: organisers and the funder read Swedish, and a file must not change its
columns with the language of the browser that downloaded it.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from events.choices import Kind, Municipality
from events.models import Event
from events.selectors import local_day_start

from .choices import Gender, OrganisationType, Source, Status
from .models import Registration

EXPORT_LANGUAGE = "sv"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (field of the values() row, column header). The context keeps these headers apart from
# the same English words elsewhere ("Cancelled" is "Inställd" for a meeting).
_COLUMNS = [
    ("event__title", pgettext_lazy("export column", "Meeting")),
    ("event__kind", pgettext_lazy("export column", "Kind")),
    ("event__starts_at", pgettext_lazy("export column", "Start")),
    ("name", pgettext_lazy("export column", "Name")),
    ("email", pgettext_lazy("export column", "E-mail")),
    ("organisation", pgettext_lazy("export column", "Organisation")),
    ("organisation_type", pgettext_lazy("export column", "Organisation type")),
    ("municipality", pgettext_lazy("export column", "Municipality")),
    ("gender", pgettext_lazy("export column", "Gender")),
    ("status", pgettext_lazy("export column", "Status")),
    ("attended", pgettext_lazy("export column", "Attended")),
    ("source", pgettext_lazy("export column", "Source")),
    ("created_at", pgettext_lazy("export column", "Registered")),
    ("cancelled_at", pgettext_lazy("export column", "Cancelled")),
]
_FIELDS = [field for field, _header in _COLUMNS]
_TIME_FIELDS = {"event__starts_at", "created_at", "cancelled_at"}

# A registration's "Cancelled" is "Avbokad"; Status.CANCELLED's label shares its msgid with
# a cancelled meeting ("Inställd"), so the export names it with its own context.
_STATUS_LABELS = {
    Status.CONFIRMED: Status.CONFIRMED.label,
    Status.WAITLISTED: Status.WAITLISTED.label,
    Status.CANCELLED: pgettext_lazy("registration status", "Cancelled"),
}

# Spreadsheets treat a cell starting with one of these as a formula, also after spaces.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """The text with an apostrophe in front when a spreadsheet would read it as a formula."""
    if value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def _labels() -> dict[str, dict]:
    """Code → Swedish label for each coded column, resolved once per export."""
    with translation.override(EXPORT_LANGUAGE):
        return {
            "event__kind": {code: str(label) for code, label in Kind.choices},
            "organisation_type": {code: str(label) for code, label in OrganisationType.choices},
            "municipality": {code: str(label) for code, label in Municipality.choices},
            "gender": {code: str(label) for code, label in Gender.choices},
            "status": {code: str(label) for code, label in _STATUS_LABELS.items()},
            "attended": {True: gettext("Yes"), False: gettext("No"), None: ""},
            "source": {code: str(label) for code, label in Source.choices},
        }


def export_headers() -> list[str]:
    with translation.override(EXPORT_LANGUAGE):
        return [str(header) for _field, header in _COLUMNS]


def _rows(queryset: QuerySet[Registration]) -> Iterator[list[str]]:
    labels = _labels()
    for values in queryset.values(*_FIELDS):
        row = []
        for field in _FIELDS:
            value = values[field]
            if field in _TIME_FIELDS:
                row.append(local_time(value))
            elif field in labels:
                # An unknown code (from an older choice list) is shown as stored, not dropped.
                row.append(labels[field].get(value, "" if value is None else str(value)))
            else:
                row.append(value or "")
        yield row


def registration_export_rows_for_event(*, event_id: int) -> Iterator[list[str]]:
    """One row of display texts per registration of a meeting (cancelled ones too), in
    sign-up order; one query. Texts are not yet neutralised: the file writers do that."""
    return _rows(Registration.objects.filter(event_id=event_id).order_by("id"))


def registration_export_rows_for_dates(*, date_from: date, date_to: date) -> Iterator[list[str]]:
    """Rows of every meeting whose local (Europe/Stockholm) start date is in [date_from,
    date_to], by start time, then sign-up order; one query."""
    queryset = Registration.objects.filter(
        event__starts_at__gte=local_day_start(date_from),
        event__starts_at__lt=local_day_start(date_to + timedelta(days=1)),
    ).order_by("event__starts_at", "event_id", "id")
    return _rows(queryset)


def export_csv(rows: Iterable[list[str]], *, headers: list[str] | None = None) -> bytes:
    """Semicolon-separated (Swedish Excel's list separator), CRLF, UTF-8 with a BOM so that
    Excel reads å, ä, ö as such rather than guessing a Windows code page. `headers` default
    to the registration list's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(header) for header in headers or export_headers()])
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


_MAX_COLUMN_WIDTH = 50


def export_xlsx(
    rows: Iterable[list[str]], *, sheet_title: str = "Anmälningar", headers: list[str] | None = None
) -> bytes:
    """One sheet: bold, frozen header row with an autofilter; every cell a string. `headers`
    default to the registration list's."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]  # Excel's limit for sheet names
    headers = headers or export_headers()
    widths = [len(header) for header in headers]
    bold = Font(bold=True)
    row_count = 0
    for row_index, row in enumerate([headers, *rows], start=1):
        row_count = row_index
        for column_index, value in enumerate(row, start=1):
            # XML 1.0 cannot carry most control characters (openpyxl would refuse the file),
            # and its parsers read a CR as LF: write LF, so every reader sees the same text.
            text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)).replace("\r\n", "\n").replace("\r", "\n")
            cell = sheet.cell(row=row_index, column=column_index, value=text)
            # Text, never a formula, whatever openpyxl would guess from the value.
            cell.data_type = "s"
            if row_index == 1:
                cell.font = bold
            widths[column_index - 1] = max(widths[column_index - 1], len(text))
    for column_index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column_index)].width = min(width + 2, _MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{row_count}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename_slug(text: str, *, limit: int = 60) -> str:
    # ASCII only: a filename in a quoted Content-Disposition must survive every browser.
    return slugify(text)[:limit].strip("-")


def export_filename_for_event(event: Event, *, extension: str) -> str:
    """e.g. anmalningar-2026-12-01-tematraff-finansiering.xlsx"""
    day = timezone.localtime(event.starts_at, timezone.get_default_timezone()).date()
    title = filename_slug(event.title) or f"traff-{event.id}"
    return f"anmalningar-{day.isoformat()}-{title}.{extension}"


def export_filename_for_dates(*, date_from: date, date_to: date, extension: str) -> str:
    """e.g. anmalningar-2026-12-01-till-2026-12-31.csv"""
    return f"anmalningar-{date_from.isoformat()}-till-{date_to.isoformat()}.{extension}"
