"""The PDF of one report: the content a manager needs, hostile comments stay text, nothing
outside the static folder is fetched, and a pooled small group is not shown with its figures.

Numbers by hand (threshold 3). Every rater gives the same score to every statement:
self 5, supervisor 4, direct reports 2, 3, 3, 4, peers 1 and 2. The four direct reports meet
the threshold and are shown (mean 3.0); the two peers are below it and, with no other small
group to pool with, are left out of every figure. All others: (4 + 12) / 5 = 3.2 -> "3,2".
Hidden: the peers' mean 1.5, and what all others would be with them, 2.714 ("2,7"). Grades:
supervisor 7, direct reports 6, 6, 7, 7 (6.5), peers 3, 4 -> all others 33 / 5 = 6.6 -> "6,6";
hidden the peers' 3.5 and, with them, 5.71 ("5,7").
"""

import base64
import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from feedback.models import Participant, RaterGroup, RoundStatus
from feedback.reports import pdf_report
from feedback.reports.builder import participant_report
from feedback.reports.pdf import BASE_URL, static_url_fetcher
from feedback.reports.view import report_view
from tests.factories import add_participant, add_response, make_person, make_round, statement_ids

DR, PEER = RaterGroup.DIRECT_REPORT, RaterGroup.PEER

HOSTILE = (
    "<b>bold</b>",
    "{{ 7*7 }}",
    "{% if %}",
    "{% raw %}{% if %}{% endraw %}",
    '<img src="file:///etc/passwd">',
    "see file:///etc/hostname please",
)


@pytest.fixture
def rated(db):
    manager = make_person(db, name="Ilse Voorbeeld", role="manager", language="nl")
    rnd = make_round(db, name="Voorjaar Test", status=RoundStatus.PUBLISHED, threshold=3)
    part = add_participant(db, rnd, manager)
    ids = statement_ids(rnd)
    raters = [("self", 5, 8), ("supervisor", 4, 7)]
    raters += [(DR, s, g) for s, g in ((2, 6), (3, 6), (3, 7), (4, 7))]
    raters += [(PEER, 1, 3), (PEER, 2, 4)]
    for index, (group, score, grade) in enumerate(raters):
        comments = {"start": HOSTILE[index]} if index < len(HOSTILE) else {}
        if group == DR and index == 2:
            comments["stop"] = "Plain remark from the team"
        add_response(
            db, part, group=group, scores=dict.fromkeys(ids, score), grade=grade, comments=comments
        )
    return part.id


def pdf_text(data: bytes) -> str:
    """The PDF's text, with pdftotext when it is there (else pypdf), whitespace squeezed."""
    try:
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=data,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode("utf-8")
    except FileNotFoundError:
        out = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(out.split())


@pytest.fixture(scope="module")
def _rendered_once():
    """The tests that only read the PDF of `rated` share one rendering of it: the same
    answers give the same report, and a rendering is what costs (seconds, not ms)."""
    return {}


@pytest.fixture
def rendered(db, rated, _rendered_once):
    part = db.session.get(Participant, rated)
    if not _rendered_once:
        fetcher = static_url_fetcher()
        data, filename = pdf_report.report_pdf(part, fetcher=fetcher)
        view = report_view(participant_report(part), pdf=True)
        _rendered_once.update(
            data=data, filename=filename, fetcher=fetcher, html=pdf_report.pdf_html(view)
        )
    once = _rendered_once
    return once["data"], once["filename"], once["fetcher"], once["html"], part


def test_hostile_comments_are_printed_literally(rendered):
    data, _filename, _fetcher, html, _part = rendered
    text = pdf_text(data)
    for comment in HOSTILE:
        assert " ".join(comment.split()) in text, comment
    assert "Plain remark from the team" in text
    assert "49" not in re.findall(r"\b\d+\b", text.split("Opmerkingen", 1)[-1])
    # in the HTML the comments are escaped text, not markup
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert '<img src="file:' not in html


def test_fetcher_only_served_static_files_and_our_charts(rendered):
    _data, _filename, fetcher, _html, _part = rendered
    assert fetcher.log, "the stylesheet and fonts go through the fetcher"
    for record in fetcher.log:
        assert record.allowed, record
        assert record.url.startswith((BASE_URL + "static/", "data:image/svg+xml")), record
        assert "file:" not in record.url and "etc/" not in record.url
    assert any(r.url.endswith("static/css/report.css") for r in fetcher.log)


def test_local_files_do_not_leak(rendered):
    data, *_ = rendered
    hostname = Path("/etc/hostname")
    content = hostname.read_text().strip() if hostname.exists() else ""
    if len(content) < 2:
        pytest.skip("/etc/hostname is missing or empty")
    assert not re.search(rf"\b{re.escape(content)}\b", pdf_text(data))


def test_a_file_named_in_a_comment_is_never_read(db, rated, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-7f3a9c-SECRET")
    part = db.session.get(Participant, rated)
    add_response(
        db,
        part,
        group=DR,
        comments={"continue": f'<img src="file://{secret}"> <link href="file://{secret}">'},
    )
    fetcher = static_url_fetcher()
    data, _filename = pdf_report.report_pdf(part, fetcher=fetcher)
    text = pdf_text(data)
    assert "MARKER-7f3a9c" not in text
    assert f"file://{secret}" in text
    assert not [r for r in fetcher.log if "secret" in r.url or r.url.startswith("file:")]


def test_content_of_the_report(rendered, db):
    data, filename, _fetcher, _html, part = rendered
    text = pdf_text(data)
    assert filename == "feedback-voorjaar-test-ilse-voorbeeld.pdf"
    assert "Ilse Voorbeeld" in text and "Voorjaar Test" in text
    for leg in part.round.framework.legs:
        assert leg.name_nl in text, leg.name_nl
    assert "Zo lees je dit rapport" in text and "Ontwikkelplan" in text
    assert "Pagina 2 van" in text  # running footer from report.css
    # hand-computed: all others 3,2; direct reports 3,0; grade of all others 6,6
    assert "3,2" in text and "3,0" in text and "6,6" in text and "6,5" in text
    assert "5,0" in text and "4,0" in text  # self and supervisor
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert 10 <= pages <= 24


def test_small_group_is_left_out_and_the_direct_reports_stay_visible(rendered):
    data, _filename, _fetcher, html, _part = rendered
    text = pdf_text(data)
    # the peers' mean 1.5 and grade 3.5, and all others with them (2,7; 5,7) appear nowhere
    for hidden in ("1,5", "3,5", "2,7", "5,7"):
        assert hidden not in text, hidden
    # a column for the direct reports, none for peers or "others"
    assert 'scope="col" class="num"><span class="group-label g-peer"' not in html
    assert 'scope="col" class="num"><span class="group-label g-direct_report"' in html
    assert 'scope="col" class="num"><span class="group-label g-others"' not in html
    for uri in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html):
        svg = base64.b64decode(uri).decode("utf-8")
        assert "Collega" not in svg
    # the cover counts the peers and says why they are not in the figures
    assert "2 hebben geantwoord, te weinig om apart te tonen; niet meegeteld in de cijfers" in text


def test_english_report(db, rated):
    part = db.session.get(Participant, rated)
    part.person.language = "en"
    db.session.commit()
    data, _filename = pdf_report.report_pdf(part)
    text = pdf_text(data)
    assert "How to read this report" in text and "Page 2 of" in text
    assert "3.2" in text and "3,2" not in text
    assert "Decisive judge of people and deals" in text


def _structure_roles(node, seen=None) -> list[tuple[str, str | None]]:
    """The (role, alt text) of every element in a tagged PDF's structure tree, in order."""
    seen = set() if seen is None else seen
    node = node.get_object()
    if id(node) in seen:
        return []
    seen.add(id(node))
    roles = []
    if hasattr(node, "get") and node.get("/S") is not None:
        roles.append((str(node["/S"]), str(node["/Alt"]) if "/Alt" in node else None))
    kids = node.get("/K") if hasattr(node, "get") else None
    if kids is None:
        return roles
    for kid in kids if isinstance(kids, list) else [kids]:
        if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
            roles += _structure_roles(kid, seen)
    return roles


def test_the_pdf_is_tagged_for_screen_readers(rendered):
    data, *_ = rendered
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]) == "nl"
    assert "pdfuaid" in root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    roles = _structure_roles(root["/StructTreeRoot"])
    names = [role for role, _alt in roles]
    assert "/H1" in names and "/Table" in names and "/TH" in names
    figures = [alt for role, alt in roles if role == "/Figure"]
    assert figures and all(alt for alt in figures), figures  # every chart says what it shows
