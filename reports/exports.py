"""A progress report as files: the form (DOCX, PDF) and its figures (XLSX, CSV).

The figures files hold the same tables as the documents' appendix, so the numbers the
funder reads and the numbers an organiser checks in a spreadsheet cannot differ.
"""

import csv
import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from registrations.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, neutralise

from .content import Table
from .models import ProgressReport
from .progress_form import figure_tables, report_content, report_figures

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"


def _tables(report: ProgressReport, figures: dict) -> list[Table]:
    with translation.override("sv"):
        return figure_tables(figures, suppress_small=report.suppress_small_numbers)


def _cell(value: str) -> int | str:
    """Counts as numbers (a spreadsheet can sum them); any other text neutralised."""
    return int(value) if value.isdigit() else neutralise(value)


def figures_xlsx(report: ProgressReport, figures: dict) -> bytes:
    """One sheet per table, bold header row, numbers as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table in _tables(report, figures):
        sheet = workbook.create_sheet(table.title[:31])  # Excel's limit for sheet names
        for row_index, row in enumerate(table.rows, start=1):
            for column_index, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_index, column=column_index, value=_cell(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
                if row_index == 1:
                    cell.font = bold
        for column_index in range(1, max(len(row) for row in table.rows) + 1):
            width = max(len(str(row[column_index - 1])) for row in table.rows if len(row) >= column_index)
            sheet.column_dimensions[get_column_letter(column_index)].width = min(width + 2, 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def figures_csv(report: ProgressReport, figures: dict) -> bytes:
    """The tables one after another, each under its title and followed by an empty line;
    semicolons, CRLF and a BOM, as Swedish Excel expects (like the registration exports)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for table in _tables(report, figures):
        writer.writerow([neutralise(table.title)])
        writer.writerows([neutralise(value) for value in row] for row in table.rows)
        writer.writerow([])
    return buffer.getvalue().encode("utf-8-sig")


# The renderers import matplotlib, python-docx and reportlab, which take a second to load:
# imported on first use, so web and Celery processes that never render a report start fast.


def form_docx(report: ProgressReport, figures: dict) -> bytes:
    from .documents import report_docx

    return report_docx(report_content(report, figures))


def form_pdf(report: ProgressReport, figures: dict) -> bytes:
    from .documents import report_pdf

    return report_pdf(report_content(report, figures))


# extension → (media type, builder)
FORMATS = {
    "docx": (DOCX_MEDIA_TYPE, form_docx),
    "pdf": (PDF_MEDIA_TYPE, form_pdf),
    "xlsx": (XLSX_MEDIA_TYPE, figures_xlsx),
    "csv": (CSV_MEDIA_TYPE, figures_csv),
}


def report_file(report: ProgressReport, extension: str, *, figures: dict | None = None) -> tuple[bytes, str, str]:
    """(content, media type, filename) of the report in the format of `extension`; the
    figures are computed unless the caller has them already."""
    media_type, build = FORMATS[extension]
    return (
        build(report, figures or report_figures(report)),
        media_type,
        f"lagesrapport-{report.period_start}-{report.period_end}.{extension}",
    )
