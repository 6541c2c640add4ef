"""The gap-analysis documents: an Excel workbook, a printable HTML report and a PDF."""

from __future__ import annotations

from consult.gap.pdf import gap_report_pdf
from consult.gap.report import gap_report_html
from consult.gap.xlsx import gap_xlsx

__all__ = ["gap_report_html", "gap_report_pdf", "gap_xlsx"]
