"""manage.py progress_report --from 2020-12-01 --to 2021-05-31 --format docx --output FILE"""

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from reports import exports
from reports.progress_form import report_figures
from reports.selectors import Period, progress_report_for

FORMATS = [*exports.FORMATS, "json"]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from error


class Command(BaseCommand):
    help = (
        "Writes the progress report (Lägesrapport) of a period: the form as DOCX or PDF, its "
        "figures as XLSX, CSV or JSON. Uses the organiser's saved text for exactly this period "
        "(frozen if finalised), else drafts from the records."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="First local date, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", required=True, help="Last local date, YYYY-MM-DD (included).")
        parser.add_argument("--format", choices=FORMATS, default="docx")
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--suppress-small", action="store_true", help='Show counts under 5 as "<5".')

    def handle(self, *args, date_from, date_to, format, output, suppress_small, **options):
        start, end = _date(date_from), _date(date_to)
        if end < start:
            raise CommandError("--to must not be before --from.")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"No such folder: {target.parent}")
        report = progress_report_for(Period(start, end))
        report.suppress_small_numbers = report.suppress_small_numbers or suppress_small
        with tqdm(total=3, desc="Lägesrapport", unit="steg", file=sys.stderr, disable=None) as progress:
            progress.set_postfix_str("siffror")
            figures = report_figures(report)
            progress.update()
            progress.set_postfix_str(format)
            if format == "json":
                data = json.dumps(figures, ensure_ascii=False, indent=2).encode()
            else:
                data = exports.report_file(report, format, figures=figures)[0]
            progress.update()
            progress.set_postfix_str(str(target))
            target.write_bytes(data)
            progress.update()
        self.stdout.write(
            f"{target} ({len(data):,} bytes): {figures['events_held']} meetings held, "
            f"{figures['attended']} attended, {figures['unique_attendees']} unique attendees."
        )
