"""One participant's development report as a PDF: report data, view, template, WeasyPrint.

    data, filename = report_pdf(participant)    # in a worker, never in a web process

`report_pdf` builds the report (builder.participant_report), its view data with the
charts as images (view.report_view), renders templates/reports/pdf.html (`pdf_html`) and
hands the HTML to pdf.render_pdf, whose fetcher serves only our own static files.
pdf_cache.py calls it in a child process; bulk.py for every report of a round.
"""

from __future__ import annotations

from html import escape

from feedback.models import Participant
from feedback.reports.builder import participant_report
from feedback.reports.pdf import STATIC_URL_PATH, render_pdf
from feedback.reports.view import ReportView, render_report, report_view


def pdf_html(view: ReportView) -> str:
    """The PDF's HTML, in the report's language (also in a child process or a job, which
    have no request); static files are addressed the way pdf.StaticURLFetcher serves them."""
    return render_report("reports/pdf.html", view, static=_static_url)


def _static_url(path: str) -> str:
    return STATIC_URL_PATH + escape(path)


def report_pdf(participant: Participant, *, fetcher=None, **kwargs) -> tuple[bytes, str]:
    """(PDF bytes, download filename) of one participant's report."""
    view = report_view(participant_report(participant, **kwargs), pdf=True)
    return render_pdf(pdf_html(view), fetcher=fetcher), view.filename
