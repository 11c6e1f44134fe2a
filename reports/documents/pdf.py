"""The report as an A4 PDF with the status in the header and "Sida x av y" in the footer."""

import functools
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus import Table as PdfTable

from ..charts import chart_png
from ..content import ReportContent
from .common import (
    ACCENT,
    CHART_WIDTH_CM,
    FONT,
    FONT_BOLD,
    HEADER_FILL,
    PAGE_LABEL,
    SUBHEADING,
    cleaned,
    column_widths,
    grid,
    header_text,
    register_fonts,
    text_width,
)

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, spaceAfter=6)
TITLE = ParagraphStyle("title", parent=BODY, fontName=FONT_BOLD, fontSize=22, leading=27, textColor=f"#{ACCENT}")
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=11, textColor="#555555", spaceAfter=16)
HEADING = ParagraphStyle("heading", parent=TITLE, fontSize=12, leading=16, spaceBefore=12, spaceAfter=6, keepWithNext=1)
APPENDIX = ParagraphStyle("appendix", parent=HEADING, fontSize=14, leading=18, spaceBefore=0)
SUBHEADING_STYLE = ParagraphStyle("subheading", parent=HEADING, fontSize=10.5, leading=15, spaceBefore=6)
TABLE_TITLE = ParagraphStyle("table_title", parent=SUBHEADING_STYLE, keepWithNext=0)
KEEP_TOGETHER_ROWS = 15
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9.5, leading=12, spaceAfter=0)
CELLS = {  # (header row, figure column) → style
    (False, False): CELL,
    (False, True): ParagraphStyle("cell_figure", parent=CELL, alignment=TA_RIGHT),
    (True, False): ParagraphStyle("cell_header", parent=CELL, fontName=FONT_BOLD),
    (True, True): ParagraphStyle("cell_header_figure", parent=CELL, fontName=FONT_BOLD, alignment=TA_RIGHT),
}
MARGIN = 2.2 * cm
TEXT_WIDTH = A4[0] - 2 * MARGIN


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def report_pdf(content: ReportContent) -> bytes:
    """The report as an A4 PDF with the status in the header and "Sida x av y" in the footer."""
    content = cleaned(content)
    register_fonts()
    story = [_text(content.title, TITLE), _text(content.subtitle, SUBTITLE)]
    for section in content.sections:
        if section.heading:
            story.append(_text(section.heading, HEADING))
        for text in section.paragraphs:
            if text.startswith(SUBHEADING):
                story.append(_text(text.removeprefix(SUBHEADING).strip(), SUBHEADING_STYLE))
            else:
                story.append(_text(text, BODY))
        if section.table:
            story.append(_pdf_table(section.table))
    if content.appendix or content.charts:
        story += [PageBreak(), _text(content.appendix_title, APPENDIX)]
    for table in content.appendix:
        if len(table.rows) <= KEEP_TOGETHER_ROWS:
            story.append(KeepTogether([_text(table.title, SUBHEADING_STYLE), _pdf_table(table.rows)]))
        else:  # moved whole to the next page it would leave a gap; its title needs only some room
            story += [CondPageBreak(4 * cm), _text(table.title, TABLE_TITLE), _pdf_table(table.rows)]
    for chart in content.charts:
        # "proportional" keeps the aspect ratio while fitting the text width and, under its title, the page.
        png = io.BytesIO(chart_png(chart, width_cm=CHART_WIDTH_CM))
        image = Image(png, width=CHART_WIDTH_CM * cm, height=A4[1] - 2 * MARGIN - 2 * cm, kind="proportional")
        story.append(KeepTogether([_text(chart.title, SUBHEADING_STYLE), image, Spacer(1, 10)]))

    buffer = io.BytesIO()
    margins = {"leftMargin": MARGIN, "rightMargin": MARGIN, "topMargin": MARGIN + 0.4 * cm, "bottomMargin": MARGIN}
    title = f"{content.title} – {content.programme_name}"
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, subject=content.period_label, author=content.programme_name, **margins
    )
    canvas = functools.partial(_PagedCanvas, header=header_text(content), status=content.status_label)
    document.build(story, canvasmaker=canvas)
    return buffer.getvalue()


def _pdf_table(rows: list[list[str]]) -> PdfTable:
    rows, figures = grid(rows)
    cells = [
        [_text(text, CELLS[index == 0, figure]) for text, figure in zip(row, figures, strict=True)]
        for index, row in enumerate(rows)
    ]
    table = PdfTable(
        cells, colWidths=column_widths(rows, _measure, TEXT_WIDTH), repeatRows=1, hAlign="LEFT", spaceAfter=10
    )
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9a9a9a")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(f"#{HEADER_FILL}")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    return table


def _measure(text: str, header: bool) -> float:
    return text_width(text, bold=header, size=CELL.fontSize) + 14  # + padding


class _PagedCanvas(Canvas):
    """Holds the pages back until the end, so that each footer can name the page count."""

    def __init__(self, *args, header: str, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._header, self._status, self._pages = header, status, []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self.setFont(FONT, 8.5)
            self.setFillColor(colors.HexColor("#666666"))
            top = A4[1] - MARGIN + 0.4 * cm
            self.drawString(MARGIN, top, self._header)
            self.drawRightString(A4[0] - MARGIN, top, self._status)
            self.drawCentredString(A4[0] / 2, MARGIN - 1 * cm, PAGE_LABEL.format(page=number, total=len(self._pages)))
            super().showPage()
        super().save()
