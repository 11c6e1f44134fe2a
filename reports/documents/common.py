"""What the DOCX and PDF renderers share: cleaning pasted text, table grids and their column
widths, the header line."""

import functools
import re
from collections.abc import Callable
from pathlib import Path

import matplotlib
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..content import ReportContent

PAGE_LABEL = "Sida {page} av {total}"
SUBHEADING = "## "
CHART_WIDTH_CM = 16
ACCENT, HEADER_FILL = "1F3A5F", "E8EEF5"
# Counts, "<5" (a suppressed small number), percentages and dashes align right in tables.
FIGURE = re.compile(r"[<>~≈]?\s*-?[\d\s.,]*\d[\d\s.,]*\s*%?|[-–—]")
# Text pasted from other programs can carry control characters that XML (DOCX) cannot hold.
CONTROL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f]")
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


@functools.cache
def register_fonts() -> None:
    # Helvetica stops at Latin-1; DejaVu ships inside matplotlib, so no system font is needed.
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def text_width(text: str, *, bold: bool, size: float) -> float:
    """The width of `text` in points, in DejaVu Sans: the PDF's font, and among the widest a
    word processor may fall back to, so a DOCX column sized by it has room in any of them."""
    register_fonts()
    return pdfmetrics.stringWidth(text, FONT_BOLD if bold else FONT, size)


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


def column_widths(rows: list[list[str]], measure: Callable[[str, bool], float], total: float) -> list[float]:
    """Widths of the columns of a padded grid (in the unit of `measure(text, is_header)`).
    As wide as the longest text when the table fits `total`, so short tables stay compact;
    otherwise no narrower than the longest word (no "Anmä-lda"), the rest shared by length."""
    columns = [[(text, index == 0) for index, text in enumerate(column)] for column in zip(*rows, strict=True)]
    wanted = [
        max(measure(line, head) for text, head in column for line in text.splitlines() or [""]) for column in columns
    ]
    if sum(wanted) <= total:
        return wanted
    least = [max(measure(word, head) for text, head in column for word in text.split() or [""]) for column in columns]
    if sum(least) >= total:
        return [width * total / sum(least) for width in least]
    spare, stretch = total - sum(least), sum(wanted) - sum(least)
    return [low + spare * (want - low) / stretch for low, want in zip(least, wanted, strict=True)]


def header_text(content: ReportContent) -> str:
    return f"{content.title} · {content.programme_name} · {content.period_label}"
