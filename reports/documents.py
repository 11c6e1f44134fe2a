"""The progress report (Lägesrapport) as DOCX and PDF, laid out like the funder's form.

Pure functions of a ReportContent: no database, no Django settings. The questions are
printed without numbers, as on the funder's own form, so the document reads as that form
filled in. The page-number line is the one fixed Swedish string, as the form is Swedish.
"""

import functools
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import matplotlib
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus import Table as PdfTable

from .charts import chart_png
from .content import ReportContent

PAGE_LABEL = "Sida {page} av {total}"
SUBHEADING = "## "
CHART_WIDTH_CM = 16
ACCENT, HEADER_FILL = "1F3A5F", "E8EEF5"
# Counts, "<5" (a suppressed small number), percentages and dashes align right in tables.
FIGURE = re.compile(r"[<>~≈]?\s*-?[\d\s.,]*\d[\d\s.,]*\s*%?|[-–—]")
# Text pasted from other programs can carry control characters that XML (DOCX) cannot hold.
CONTROL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f]")


def _cleaned(content: ReportContent) -> ReportContent:
    def clean(value):
        if isinstance(value, str):
            return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n"))
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {clean(key): clean(item) for key, item in value.items()}
        return value

    return ReportContent.from_dict(clean(content.as_dict()))


def _grid(rows: list[list[str]]) -> tuple[list[list[str]], list[bool]]:
    """The rows padded to one width, and which columns hold only figures (aligned right)."""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    figures = [[FIGURE.fullmatch(row[c].strip()) for row in rows[1:] if row[c].strip()] for c in range(width)]
    return rows, [bool(column) and all(column) for column in figures]


def _header_text(content: ReportContent) -> str:
    return f"{content.title} · {content.programme_name} · {content.period_label}"


# --- DOCX -------------------------------------------------------------------------------


def report_docx(content: ReportContent) -> bytes:
    """The report as a Word document: real headings, "Table Grid" tables, charts as pictures."""
    content = _cleaned(content)
    document = docx.Document()
    _docx_page_and_styles(document, content)
    document.add_paragraph(content.title, style="Title")
    document.add_paragraph(content.subtitle, style="Subtitle")
    for section in content.sections:
        if section.heading:
            document.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            if text.startswith(SUBHEADING):
                document.add_heading(text.removeprefix(SUBHEADING).strip(), level=2)
            else:
                document.add_paragraph(text)
        if section.table:
            _docx_table(document, section.table)
    if content.appendix or content.charts:
        document.add_heading(content.appendix_title, level=1).paragraph_format.page_break_before = True
    for table in content.appendix:
        document.add_heading(table.title, level=2)
        _docx_table(document, table.rows)
    for chart in content.charts:
        document.add_heading(chart.title, level=2)
        document.add_picture(io.BytesIO(chart_png(chart, width_cm=CHART_WIDTH_CM)), width=Cm(CHART_WIDTH_CM))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_page_and_styles(document, content: ReportContent) -> None:
    properties = document.core_properties
    properties.title = f"{content.title} – {content.programme_name}"
    properties.subject = content.period_label
    # The blank template names "python-docx" as author; the funder should see the programme.
    properties.author = properties.last_modified_by = content.programme_name
    properties.comments = content.status_label
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = Cm(2.5)
    page.top_margin = page.bottom_margin = Cm(2.2)
    document.styles["Normal"].font.size = Pt(11)
    document.styles["Normal"].paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 24), ("Subtitle", 12), ("Heading 1", 13), ("Heading 2", 11.5)):
        document.styles[name].font.size = Pt(size)
        document.styles[name].font.color.rgb = RGBColor.from_string(ACCENT)

    header = page.header.paragraphs[0]
    header.text = f"{_header_text(content)}\t{content.status_label}"
    header.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT)
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, rest = PAGE_LABEL.split("{page}")
    between, after = rest.split("{total}")
    footer.add_run(before)
    _docx_field(footer, "PAGE")
    footer.add_run(between)
    _docx_field(footer, "NUMPAGES")
    footer.add_run(after)
    for run in header.runs + footer.runs:
        run.font.size = Pt(8.5)


def _docx_field(paragraph, instruction: str) -> None:
    # Word computes the field as it lays out the pages; the "1" shows only until then.
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _docx_table(document, rows: list[list[str]]) -> None:
    rows, figures = _grid(rows)
    table = document.add_table(rows=0, cols=len(figures), style="Table Grid")
    for index, row in enumerate(rows):
        for cell, text, figure in zip(table.add_row().cells, row, figures, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.add_run(text).bold = index == 0
            if figure:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if index == 0:
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:fill"), HEADER_FILL)
                cell._tc.get_or_add_tcPr().append(shading)
    # The header row repeats when a table runs over a page break.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    document.add_paragraph()


# --- PDF --------------------------------------------------------------------------------

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
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


@functools.cache
def _register_fonts() -> None:
    # Helvetica stops at Latin-1; DejaVu ships inside matplotlib, so no system font is needed.
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def report_pdf(content: ReportContent) -> bytes:
    """The report as an A4 PDF with the status in the header and "Sida x av y" in the footer."""
    content = _cleaned(content)
    _register_fonts()
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
    canvas = functools.partial(_PagedCanvas, header=_header_text(content), status=content.status_label)
    document.build(story, canvasmaker=canvas)
    return buffer.getvalue()


def _pdf_table(rows: list[list[str]]) -> PdfTable:
    rows, figures = _grid(rows)
    cells = [
        [_text(text, CELLS[index == 0, figure]) for text, figure in zip(row, figures, strict=True)]
        for index, row in enumerate(rows)
    ]
    table = PdfTable(cells, colWidths=_column_widths(rows), repeatRows=1, hAlign="LEFT", spaceAfter=10)
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


def _column_widths(rows: list[list[str]]) -> list[float]:
    # As wide as the longest text when the table fits the page, so short tables stay compact;
    # otherwise no narrower than the longest word (no "Anmä-lda"), the rest shared by length.
    def measure(text: str, index: int) -> float:
        return pdfmetrics.stringWidth(text, FONT_BOLD if index == 0 else FONT, CELL.fontSize) + 14  # + padding

    columns = [[(text, index) for index, text in enumerate(column)] for column in zip(*rows, strict=True)]
    wanted = [max(measure(line, i) for text, i in column for line in text.splitlines() or [""]) for column in columns]
    if sum(wanted) <= TEXT_WIDTH:
        return wanted
    least = [max(measure(word, i) for text, i in column for word in text.split() or [""]) for column in columns]
    if sum(least) >= TEXT_WIDTH:
        return [width * TEXT_WIDTH / sum(least) for width in least]
    spare, stretch = TEXT_WIDTH - sum(least), sum(wanted) - sum(least)
    return [low + spare * (want - low) / stretch for low, want in zip(least, wanted, strict=True)]


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
