"""The progress report (Lägesrapport) as DOCX and PDF, laid out like the funder's form.

Pure functions of a ReportContent: no database, no Django settings. The questions are
printed without numbers, as on the funder's own form, so the document reads as that form
filled in. The page-number line is the one fixed Swedish string, as the form is Swedish.
"""

from .pdf import report_pdf
from .word import report_docx

__all__ = ["report_docx", "report_pdf"]
