"""What the DOCX and PDF renderers share: cleaning pasted text, table grids, the header line."""

import re

from ..content import ReportContent

PAGE_LABEL = "Sida {page} av {total}"
SUBHEADING = "## "
CHART_WIDTH_CM = 16
ACCENT, HEADER_FILL = "1F3A5F", "E8EEF5"
# Counts, "<5" (a suppressed small number), percentages and dashes align right in tables.
FIGURE = re.compile(r"[<>~≈]?\s*-?[\d\s.,]*\d[\d\s.,]*\s*%?|[-–—]")
# Text pasted from other programs can carry control characters that XML (DOCX) cannot hold.
CONTROL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f]")


def cleaned(content: ReportContent) -> ReportContent:
    def clean(value):
        if isinstance(value, str):
            return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n"))
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {clean(key): clean(item) for key, item in value.items()}
        return value

    return ReportContent.from_dict(clean(content.as_dict()))


def grid(rows: list[list[str]]) -> tuple[list[list[str]], list[bool]]:
    """The rows padded to one width, and which columns hold only figures (aligned right)."""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    figures = [[FIGURE.fullmatch(row[c].strip()) for row in rows[1:] if row[c].strip()] for c in range(width)]
    return rows, [bool(column) and all(column) for column in figures]


def header_text(content: ReportContent) -> str:
    return f"{content.title} · {content.programme_name} · {content.period_label}"
