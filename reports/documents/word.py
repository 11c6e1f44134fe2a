"""The report as a Word document: real headings, "Table Grid" tables, charts as pictures."""

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..charts import chart_png
from ..content import ReportContent
from .common import (
    ACCENT,
    CHART_WIDTH_CM,
    HEADER_FILL,
    PAGE_LABEL,
    SUBHEADING,
    cleaned,
    column_widths,
    grid,
    header_text,
    text_width,
)

PAGE_WIDTH_CM, MARGIN_CM = 21, 2.5
FONT_SIZE = 11


def report_docx(content: ReportContent) -> bytes:
    """The report as a Word document: real headings, "Table Grid" tables, charts as pictures."""
    content = cleaned(content)
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
    page.page_width, page.page_height = Cm(PAGE_WIDTH_CM), Cm(29.7)
    page.left_margin = page.right_margin = Cm(MARGIN_CM)
    page.top_margin = page.bottom_margin = Cm(2.2)
    document.styles["Normal"].font.size = Pt(FONT_SIZE)
    document.styles["Normal"].paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 24), ("Subtitle", 12), ("Heading 1", 13), ("Heading 2", 11.5)):
        document.styles[name].font.size = Pt(size)
        document.styles[name].font.color.rgb = RGBColor.from_string(ACCENT)

    header = page.header.paragraphs[0]
    header.text = f"{header_text(content)}\t{content.status_label}"
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


def _measure(text: str, header: bool) -> float:
    # The word processor lays the text out in a font of its choosing (Calibri in Word, often a
    # DejaVu in LibreOffice): measured wide, plus the cell margins and some air.
    return text_width(text, bold=header, size=FONT_SIZE) * 1.1 + 14


def _docx_table(document, rows: list[list[str]]) -> None:
    rows, figures = grid(rows)
    # Columns sized by their text, as in the PDF: equal widths would break words ("Anmä-lda").
    widths = column_widths(rows, _measure, Cm(PAGE_WIDTH_CM - 2 * MARGIN_CM).pt)
    table = document.add_table(rows=0, cols=len(figures), style="Table Grid")
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Pt(width)  # the grid, which LibreOffice follows
    for index, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Pt(width)  # each cell, which Word follows
        for cell, text, figure in zip(cells, row, figures, strict=True):
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
