"""The demo's fullest report (the manager with the most raters invited) as a PDF: at most
11 pages, and no page more than a third empty except where a chapter ends (issue 12).

Chapters are the sections that start a new sheet in pdf.html: the cover, how to read the
report, the comments, the own development plan. Emptiness is measured on the page drawn at
a low resolution (pdftoppm): the share of the text area below the last row that is not
white. Without pdftoppm only the page count is checked.
"""

import io
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image
from pypdf import PdfReader

from feedback.extensions import db
from feedback.models import Round, RoundStatus
from feedback.reports.builder import participant_report
from feedback.reports.pdf import render_pdf
from feedback.reports.pdf_report import pdf_html
from feedback.reports.view import report_view

MAX_PAGES = 11
MAX_EMPTY = 1 / 3
TOP_MM, BOTTOM_MM = 17, 15  # the page header and footer bands (report.css @page margins)


def _empty_share(png: bytes) -> float:
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    top, bottom = round(height * TOP_MM / 297), round(height * (1 - BOTTOM_MM / 297))
    pixels = image.load()
    last = top
    for y in range(top, bottom):
        if any(pixels[x, y] < 230 for x in range(width)):
            last = y
    return (bottom - last) / (bottom - top)


def _page_png(path, number: int) -> bytes:
    out = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", str(number), "-l", str(number), str(path)],
        check=True,
        capture_output=True,
    )
    return out.stdout


@pytest.fixture
def fullest_pdf(app, runner):
    with app.app_context():
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        rnd = db.session.scalar(sa.select(Round).where(Round.status == RoundStatus.PUBLISHED))
        fullest = max(rnd.participants, key=lambda p: len(p.invitations))
        report = participant_report(fullest)
        data = render_pdf(pdf_html(report_view(report, pdf=True)))
        with app.test_request_context(), force_locale(report.lang):
            headings = [
                _("How to read this report"),
                _("Comments"),
                _("My development plan"),
            ]
    return data, headings


def test_fullest_demo_report_is_short_and_dense(fullest_pdf, tmp_path):
    data, headings = fullest_pdf
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) <= MAX_PAGES
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed: emptiness not measured")
    lines = [{line.strip() for line in page.extract_text().splitlines()} for page in pages]
    starts = {0} | {i for i, page in enumerate(lines) for h in headings if h in page}
    chapter_ends = {i - 1 for i in starts if i > 0} | {len(pages) - 1}
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    empty = {i: _empty_share(_page_png(path, i + 1)) for i in range(len(pages))}
    print({i + 1: f"{share:.0%}" for i, share in empty.items()}, "chapter ends", chapter_ends)
    too_empty = [i + 1 for i, share in empty.items() if share > MAX_EMPTY]
    assert set(too_empty) <= {i + 1 for i in chapter_ends}, (too_empty, empty)
