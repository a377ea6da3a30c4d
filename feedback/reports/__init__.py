"""The development report of one manager: its data, who may see it, the web page and the PDF.

The report's data (what was measured and what may be shown) is apart from what the
templates get (the same, ready to lay out):

    report = builder.participant_report(participant)    # model.ManagerReport: the data
    view = view.report_view(report, pdf=False)           # view.ReportView: for the templates

Modules, in the order a report is made:

- queries.py: the SQL (GROUP BY in the database): tallies per statement, leg and group, norms.
- aggregation.py: the pure rules: threshold, pooling and suppression, statistics, derived figures.
- model.py: the report's data, ManagerReport and its parts (plain dataclasses, no ORM objects).
- builder.py: build_report and participant_report: queries plus rules give a ManagerReport.
- access.py: who may see which report (may_see), and the lists of reports a user may open.
- labels.py: group names, rules and reasons as text from the catalogue; the manager's language.
- numbers.py: the one rounding rule, and numbers in the reader's locale (Flask-Babel).
- charts.py: the SVG charts (bars, radar, spread of answers, trend), pure functions.
- view.py: ReportView, what the web page and the PDF template get (cells, charts, texts).
- filenames.py: the PDF's and the round ZIP's file names in ASCII.
- pdf.py: HTML to PDF with WeasyPrint, behind a fetcher that serves only our static files.
- pdf_report.py: one participant's report as a PDF (report, view, template, pdf.py).
- pdf_cache.py: the single PDF download, rendered in a child process and kept on disk.
- bulk.py: every PDF of a round, in one or several processes.
- jobs.py: the background job that puts a round's PDFs into one ZIP.
- routes.py: the reports blueprint (/reports): the lists, the report's tabs, the PDF.
- cli.py: `flask reports build`.
"""
